// What both httplib transports need: an absolute URL split the way httplib::Client takes
// it, and httplib's (seconds, microseconds) timeouts. Internal to native/.
#pragma once

#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>
#include <string>

#include "livedata/types.h"

namespace livedata::native {

struct UrlParts {
  std::string origin;  // scheme://authority, what httplib::Client takes
  std::string target;  // path and query, at least "/"
};

inline std::optional<UrlParts> splitUrl(const std::string& url) {
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string::npos) return std::nullopt;
  std::string scheme = url.substr(0, schemeEnd);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") return std::nullopt;

  const auto authorityStart = schemeEnd + 3;
  const auto targetStart = url.find_first_of("/?#", authorityStart);
  std::string authority = url.substr(authorityStart, targetStart - authorityStart);
  if (authority.empty()) return std::nullopt;

  std::string target = targetStart == std::string::npos ? "" : url.substr(targetStart);
  target = target.substr(0, target.find('#'));  // fragments are never sent (RFC 9110 4.2.4)
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  return UrlParts{scheme + "://" + authority, std::move(target)};
}

template <typename SetTimeout>
void applyTimeout(Millis ms, SetTimeout&& set) {
  ms = std::max<Millis>(ms, 1);
  set(static_cast<time_t>(ms / 1000), static_cast<time_t>((ms % 1000) * 1000));
}

}  // namespace livedata::native
