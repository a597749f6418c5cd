// Lists with weights, as Accept and Accept-Encoding are (RFC 9110 sections 12.4.2, 12.5.1
// and 12.5.3): comma-separated members, each a name and parameters, one of which may be the
// weight "q" (1 when absent; 0 means "not acceptable").
#pragma once

#include <optional>
#include <string_view>

namespace livedata::server {

// The weight `field` gives the member named `name` (case aside: both media types and
// codings are case-insensitive), nullopt when no member has that name.
std::optional<double> listedWeight(std::string_view field, std::string_view name);

}  // namespace livedata::server
