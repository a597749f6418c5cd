// Client IPs shown on monitoring endpoints, optionally coarsened so they no longer identify
// a person (the common GDPR-minded practice of analytics tools): IPv4 keeps its /24
// (last octet zeroed), IPv6 keeps its /48. An IPv4-mapped IPv6 address is treated as IPv4.
#pragma once

#include <string>
#include <string_view>

namespace livedata::server::monitoring {

// The anonymised address in canonical text form ("203.0.113.0", "2001:db8:abcd::"), or
// "invalid" when `ip` is not an IP address (so arbitrary text is never stored as an IP).
std::string anonymizeIp(std::string_view ip);

}  // namespace livedata::server::monitoring
