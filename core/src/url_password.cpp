#include "livedata/url_password.h"

namespace livedata {

std::string redactUrlPassword(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto authorityStart = scheme + 3;
  const auto authorityEnd = url.find_first_of("/?#", authorityStart);
  const std::string_view authority = url.substr(authorityStart, authorityEnd - authorityStart);
  const auto at = authority.rfind('@');  // a password may hold '@' unescaped; the host never does
  if (at == std::string_view::npos) return std::string(url);
  const auto colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  std::string redacted(url.substr(0, authorityStart + colon + 1));
  redacted += "***";
  redacted += url.substr(authorityStart + at);
  return redacted;
}

}  // namespace livedata
