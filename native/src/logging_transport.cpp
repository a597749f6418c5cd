#include "livedata_native/logging_transport.h"

#include <chrono>
#include <string>
#include <utility>

namespace livedata::native {

namespace {

const char* failureName(TransportFailureKind kind) {
  switch (kind) {
    case TransportFailureKind::network: return "network failure";
    case TransportFailureKind::timeout: return "timed out";
    case TransportFailureKind::cancelled: return "cancelled";
    case TransportFailureKind::offline: return "offline";
    case TransportFailureKind::tooLarge: return "too large";
  }
  return "failed";
}

}  // namespace

LoggingTransport::LoggingTransport(std::shared_ptr<Transport> inner, Logger logger)
    : inner_(std::move(inner)), logger_(std::move(logger)) {}

RequestId LoggingTransport::send(HttpRequest request, TransportCallback done) {
  std::string what = request.method + " " + request.url;
  std::string asked = what;
  if (const auto tag = request.headers.get("If-None-Match")) asked += " (If-None-Match: " + *tag + ")";
  logger_(LogLevel::debug, "-> " + asked);
  const auto start = std::chrono::steady_clock::now();
  return inner_->send(std::move(request), [logger = logger_, what = std::move(what), start, done = std::move(done)](
                                              TransportResult result) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::string line = "<- " + what + ": ";
    if (result.response) {
      line += std::to_string(result.response->status) + ", " + std::to_string(result.response->body.size()) + " bytes";
    } else if (result.failure) {
      line += std::string(failureName(result.failure->kind)) + " (" + result.failure->message + ")";
    }
    logger(LogLevel::debug, line + ", " + std::to_string(ms.count()) + " ms");
    done(std::move(result));
  });
}

LoggingStreamTransport::LoggingStreamTransport(std::shared_ptr<StreamTransport> inner, Logger logger)
    : inner_(std::move(inner)), logger_(std::move(logger)) {}

RequestId LoggingStreamTransport::open(HttpRequest request, StreamHandlers handlers) {
  const std::string what = request.method + " " + request.url + " (stream)";
  logger_(LogLevel::debug, "-> " + what);
  StreamHandlers logged;
  logged.onResponse = [logger = logger_, what, onResponse = handlers.onResponse](int status, const Headers& headers) {
    logger(LogLevel::debug, "<- " + what + ": " + std::to_string(status));
    onResponse(status, headers);
  };
  logged.onData = handlers.onData;  // every event would drown the rest
  logged.onEnd = [logger = logger_, what, onEnd = handlers.onEnd](std::optional<TransportFailure> failure) {
    logger(LogLevel::debug, "<- " + what + " ended" +
                                (failure ? std::string(": ") + failureName(failure->kind) + " (" + failure->message + ")"
                                         : std::string(" by the server")));
    onEnd(std::move(failure));
  };
  return inner_->open(std::move(request), std::move(logged));
}

}  // namespace livedata::native
