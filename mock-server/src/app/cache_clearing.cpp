#include "app/cache_clearing.h"

#include <string>

namespace livedata::server {

std::optional<ApiResource> resourceChangedBy(std::string_view method, std::string_view path, int status) {
  const bool mutating = method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
  if (!mutating || status < 200 || status > 299) return std::nullopt;
  constexpr std::string_view kPrefix = "/api/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view rest = path.substr(kPrefix.size());
  return apiResourceFromName(rest.substr(0, rest.find('/')));
}

}  // namespace livedata::server
