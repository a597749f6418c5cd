// Realistic inputs shared by the micro-benchmarks: dashboard queries, the cache keys they
// make, and list responses of the size the dashboard receives (~20 KB of JSON).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "livedata/cache.h"
#include "livedata/types.h"

namespace livedata::bench {

// Size of a typical list response (50 campaigns) in bytes, give or take one item.
constexpr std::size_t kTypicalBodyBytes = 20 * 1024;

// The query the campaigns page sends, in the order toQuery(ListParams) builds it:
// status=sent, sort=-updatedAt, limit=50, offset=100.
Query dashboardQuery();

// A campaigns list response of about kTypicalBodyBytes, built once and shared, as the
// cache shares bodies.
std::shared_ptr<const std::string> typicalBody();

// One GET the dashboard makes, with the key makeCacheKey gives it.
struct SampleRequest {
  std::string path;      // "/api/flows"
  std::string endpoint;  // "flows"
  Query query;
  std::string key;       // "GET flows?limit=50&offset=150&sort=-updatedAt&status=live"
};

// `count` requests with pairwise distinct keys, spread over the four list endpoints and
// their statuses, paging by offset.
std::vector<SampleRequest> sampleRequests(std::size_t count);

// A fresh cache entry for `request`, as the client stores a 200 answer.
CacheEntry entryFor(const SampleRequest& request, std::shared_ptr<const std::string> body);

// Limits that keep `entries` entries of typicalBody() without evicting for bytes.
CacheLimits limitsForEntries(std::size_t entries);

}  // namespace livedata::bench
