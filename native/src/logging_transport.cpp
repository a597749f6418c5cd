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

}  // namespace livedata::native
