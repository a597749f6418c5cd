// What a request that failed for good returns: the last cached data marked stale with the
// error attached (stale-if-error, RFC 5861 section 4), or, with nothing cached, a
// well-formed empty value of the endpoint's shape, marked as a fallback.
#pragma once

#include <string>
#include <string_view>

namespace livedata {

// An empty value with the same shape as the endpoint's real responses (docs/api.md), so
// the UI renders "no data" rather than breaking: lists get {"items":[],"total":0,...} with
// every field of a list page, the overview zero totals, an empty series and a range of
// nulls (no dates were served); any other endpoint gets {}.
std::string emptyBodyFor(std::string_view endpoint);

}  // namespace livedata
