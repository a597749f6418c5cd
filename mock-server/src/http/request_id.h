// Request ids: every response carries X-Request-Id, so a client's report, a log line and an
// entry of /monitoring/errors can be matched. A client's own id is kept when it is a sane
// token; otherwise the server makes one, unique within the process and, by a random
// per-process prefix, across restarts.
//
// Threading: next() is safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace livedata::server {

// 1 to 128 characters of [A-Za-z0-9._:-]: safe to echo in a header and to log.
bool isAcceptableRequestId(std::string_view id);

class RequestIds {
 public:
  RequestIds();  // draws the prefix from std::random_device
  explicit RequestIds(std::string prefix) : prefix_(std::move(prefix)) {}

  // "<prefix>-<counter in hex>", counting from 1.
  std::string next();
  // `incoming` when acceptable, else next().
  std::string forRequest(std::string_view incoming);

 private:
  std::string prefix_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace livedata::server
