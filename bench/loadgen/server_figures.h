// What mock-server says about the run, read over HTTP at its end (docs/api.md): its response
// cache, its sync runs and its own latency for the data routes. Counted since the server
// started, which is just before the load (the first sync, a full one, included).
#pragma once

#include <cstdint>
#include <string>

#include "admin_api.h"
#include "livedata/errors.h"

namespace livedata::loadgen {

struct ServerFigures {
  // GET /api/cache/stats
  std::string cacheBackend;  // what actually served: "redis", or "memory" (also Redis's fallback)
  std::uint64_t cacheHits = 0;
  std::uint64_t cacheMisses = 0;
  std::uint64_t cacheRenders = 0;    // misses the server rendered ("computations")
  std::uint64_t cacheCoalesced = 0;  // misses that waited for another request's render
  double cacheHitRate = 0;   // hits / (hits + misses)

  // GET /api/sync/status, "counters"
  std::uint64_t syncRuns = 0;       // started, the one in progress included
  std::uint64_t syncSuccesses = 0;
  std::uint64_t syncFailures = 0;
  std::uint64_t syncRetries = 0;    // upstream pages retried inside runs
  double syncSuccessRate = 0;       // successes / (successes + failures): ended runs only

  // GET /monitoring/api-metrics, "service": the data routes, as the server timed them
  std::uint64_t requests = 0;
  std::uint64_t serverErrors = 0;   // 5xx
  double latencyAverageMs = 0;
  double latencyP50Ms = 0;
  double latencyP95Ms = 0;
  double latencyP99Ms = 0;
};

Expected<ServerFigures> readServerFigures(const AdminApi& admin);

// The counts of `after` less those of `before` (the warm-up), rates recomputed from them.
// Latencies stay `after`'s: the server keeps histograms, not samples to subtract.
ServerFigures since(const ServerFigures& before, const ServerFigures& after);

}  // namespace livedata::loadgen
