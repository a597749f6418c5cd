// Cross-origin resource sharing for an allow-list of exact origins (Fetch standard, CORS
// protocol). Origins not on the list get no CORS headers at all, so browsers block them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace livedata::server {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowedOrigins);

  bool allows(std::string_view origin) const;

  // Headers for an actual (non-preflight) response to a request from `origin`: only
  // `Vary: Origin` when the origin is not allowed or absent; none when no origin is.
  HeaderList responseHeaders(std::string_view origin) const;

  // Headers of the 204 answering a preflight (OPTIONS with Access-Control-Request-Method);
  // empty when the origin is not allowed.
  HeaderList preflightHeaders(std::string_view origin) const;

 private:
  std::vector<std::string> allowed_;
};

}  // namespace livedata::server
