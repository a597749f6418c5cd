#include "livedata_native/logging_transport.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace livedata::native {
namespace {

// Answers each request at once with what `answer` says.
class AnsweringTransport final : public Transport {
 public:
  explicit AnsweringTransport(TransportResult answer) : answer_(std::move(answer)) {}
  RequestId send(HttpRequest, TransportCallback done) override {
    done(answer_);
    return ++last_;
  }
  void cancel(RequestId) override {}

 private:
  TransportResult answer_;
  RequestId last_ = 0;
};

struct Logged {
  std::vector<std::pair<LogLevel, std::string>> lines;
  Logger logger() {
    return [this](LogLevel level, std::string_view message) { lines.emplace_back(level, std::string(message)); };
  }
};

HttpRequest conditionalGet() {
  HttpRequest request;
  request.url = "http://127.0.0.1:8080/api/campaigns?limit=5";
  request.headers.set("If-None-Match", "\"v1\"");
  return request;
}

TEST(LoggingTransport, LogsWhatWasAskedAndHowItEndedAndPassesTheResultOn) {
  HttpResponse response;
  response.status = 200;
  response.body = "{\"items\":[]}";
  Logged logged;
  LoggingTransport transport(std::make_shared<AnsweringTransport>(TransportResult::ok(response)), logged.logger());
  std::optional<TransportResult> received;
  transport.send(conditionalGet(), [&](TransportResult result) { received = std::move(result); });

  ASSERT_TRUE(received && received->response);
  EXPECT_EQ(received->response->body, "{\"items\":[]}");
  ASSERT_EQ(logged.lines.size(), 2u);
  EXPECT_EQ(logged.lines[0].first, LogLevel::debug);
  EXPECT_EQ(logged.lines[0].second, "-> GET http://127.0.0.1:8080/api/campaigns?limit=5 (If-None-Match: \"v1\")");
  EXPECT_EQ(logged.lines[1].second.rfind("<- GET http://127.0.0.1:8080/api/campaigns?limit=5: 200, 12 bytes, ", 0), 0u)
      << logged.lines[1].second;
}

TEST(LoggingTransport, LogsWhyThereWasNoResponse) {
  Logged logged;
  LoggingTransport transport(
      std::make_shared<AnsweringTransport>(TransportResult::failed(TransportFailureKind::timeout, "no answer in 500 ms")),
      logged.logger());
  std::optional<TransportResult> received;
  transport.send(conditionalGet(), [&](TransportResult result) { received = std::move(result); });
  ASSERT_TRUE(received && received->failure);
  ASSERT_EQ(logged.lines.size(), 2u);
  EXPECT_NE(logged.lines[1].second.find(": timed out (no answer in 500 ms), "), std::string::npos) << logged.lines[1].second;
}

// Opens each stream at once: answers `status`, sends one piece, then ends with `failure`.
class ScriptedStreamTransport final : public StreamTransport {
 public:
  RequestId open(HttpRequest, StreamHandlers handlers) override {
    handlers.onResponse(200, Headers{});
    handlers.onData("event: change\n\n");
    handlers.onEnd(TransportFailure{TransportFailureKind::network, "connection reset"});
    return 1;
  }
  void close(RequestId) override {}
};

TEST(LoggingStreamTransport, LogsTheStreamsOpeningAnswerAndEndAndPassesEverythingOn) {
  Logged logged;
  LoggingStreamTransport transport(std::make_shared<ScriptedStreamTransport>(), logged.logger());
  std::vector<std::string> seen;
  StreamHandlers handlers;
  handlers.onResponse = [&](int status, const Headers&) { seen.push_back("response " + std::to_string(status)); };
  handlers.onData = [&](std::string_view bytes) { seen.push_back("data " + std::string(bytes)); };
  handlers.onEnd = [&](std::optional<TransportFailure> failure) { seen.push_back(failure ? failure->message : "end"); };
  HttpRequest request;
  request.url = "http://127.0.0.1:8080/api/changes";
  transport.open(request, handlers);

  EXPECT_EQ(seen, (std::vector<std::string>{"response 200", "data event: change\n\n", "connection reset"}));
  ASSERT_EQ(logged.lines.size(), 3u) << "the events themselves are not logged";
  EXPECT_EQ(logged.lines[0].second, "-> GET http://127.0.0.1:8080/api/changes (stream)");
  EXPECT_EQ(logged.lines[1].second, "<- GET http://127.0.0.1:8080/api/changes (stream): 200");
  EXPECT_EQ(logged.lines[2].second,
            "<- GET http://127.0.0.1:8080/api/changes (stream) ended: network failure (connection reset)");
}

}  // namespace
}  // namespace livedata::native
