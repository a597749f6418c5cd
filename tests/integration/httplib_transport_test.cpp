// The native transport's bound on a response body (HttpRequest::maxResponseBytes), against an
// httplib server on loopback: a body is read up to the bound whatever its framing, and one
// past it fails as tooLarge without being read to its end, leaving the transport usable.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "livedata_native/httplib_transport.h"
#include "loopback_server.h"

namespace livedata {
namespace {

// /bytes/N answers N bytes with a Content-Length (/503/bytes/N the same as a 503);
// /endless answers a chunked body that never ends (until the client hangs up), /trickle one
// that never ends either, a little at a time.
void bodyRoutes(httplib::Server& server) {
  server.Get(R"(/(503/)?bytes/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    if (req.matches[1].length() > 0) res.status = 503;
    res.set_content(std::string(std::stoul(req.matches[2].str()), 'x'), "application/json");
  });
  server.Get("/endless", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [](std::size_t, httplib::DataSink& sink) {
      const std::string piece(64 * 1024, 'x');
      return sink.write(piece.data(), piece.size());
    });
  });
  server.Get("/trickle", [](const httplib::Request&, httplib::Response& res) {
    testing::LoopbackServer::trickleForever(res);
  });
}

class BoundedBody : public ::testing::Test {
 protected:
  TransportResult get(const std::string& path, std::size_t maxResponseBytes, Millis timeoutMs = 10000) {
    HttpRequest request;
    request.url = server.url(path);
    request.timeoutMs = timeoutMs;
    request.maxResponseBytes = maxResponseBytes;
    std::promise<TransportResult> done;
    auto result = done.get_future();
    transport.send(std::move(request), [&done](TransportResult outcome) { done.set_value(std::move(outcome)); });
    return result.get();
  }

  testing::LoopbackServer server{bodyRoutes};
  // One worker: every request goes over the same worker's connections.
  native::HttplibTransport transport{native::HttplibTransportOptions{1}};
};

TEST_F(BoundedBody, ABodyOfExactlyTheBoundIsReadWhole) {
  const TransportResult result = get("/bytes/100000", 100000);
  ASSERT_TRUE(result.response.has_value()) << result.failure->message;
  EXPECT_EQ(result.response->status, 200);
  EXPECT_EQ(result.response->body, std::string(100000, 'x'));
}

TEST_F(BoundedBody, ABodyOneBytePastTheBoundIsTooLargeAndTheNextRequestIsAnswered) {
  const TransportResult refused = get("/bytes/100001", 100000);
  ASSERT_TRUE(refused.failure.has_value());
  EXPECT_EQ(refused.failure->kind, TransportFailureKind::tooLarge);
  EXPECT_NE(refused.failure->message.find("over 100000 bytes"), std::string::npos) << refused.failure->message;
  // The unread rest must not be taken for the next response on a kept connection.
  const TransportResult next = get("/bytes/10", 100000);
  ASSERT_TRUE(next.response.has_value()) << next.failure->message;
  EXPECT_EQ(next.response->body, std::string(10, 'x'));
}

// Without a length to judge by, the bound is on the bytes read: a body that never ends is
// cut there, long before the request's timeout.
TEST_F(BoundedBody, AChunkedBodyThatNeverEndsIsCutAtTheBound) {
  const TransportResult refused = get("/endless", 1 << 20);
  ASSERT_TRUE(refused.failure.has_value());
  EXPECT_EQ(refused.failure->kind, TransportFailureKind::tooLarge) << refused.failure->message;
  const TransportResult next = get("/bytes/3", 1 << 20);
  ASSERT_TRUE(next.response.has_value()) << next.failure->message;
  EXPECT_EQ(next.response->body, "xxx");
}

// An error's body only explains its status: the status stands, with the body cut.
TEST_F(BoundedBody, AnErrorStatusPastTheBoundIsAnsweredWithItsBodyCut) {
  const TransportResult result = get("/503/bytes/5000", 100);
  ASSERT_TRUE(result.response.has_value()) << result.failure->message;
  EXPECT_EQ(result.response->status, 503);
  EXPECT_EQ(result.response->body, std::string(100, 'x'));
}

// A body that keeps coming, a little at a time, never lets a single read time out: the
// request's timeout still bounds it as a whole, whatever the framing.
TEST_F(BoundedBody, AChunkedBodyThatTricklesPastTheTimeoutIsATimeout) {
  const TransportResult result = get("/trickle", 1000, /*timeoutMs=*/500);
  ASSERT_TRUE(result.failure.has_value());
  EXPECT_EQ(result.failure->kind, TransportFailureKind::timeout) << result.failure->message;
}

}  // namespace
}  // namespace livedata
