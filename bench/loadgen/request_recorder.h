// Every user-visible request of the run (one call of a FetchCallback), as the user saw it:
// how long it took and how it ended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "livedata/client.h"

namespace livedata::loadgen {

struct RequestSample {
  double latencyMs = 0;      // from the endpoint call to its callback
  bool network = false;      // not answered by a fresh client cache entry alone
  bool error = false;        // FetchResult::error set: the user saw an error
  bool staleServed = false;  // ...with the last cached data (stale-if-error)
  bool fallback = false;     // ...with an empty value, nothing being cached
  bool forced = false;       // part of a forceFresh refresh (the user pressed Refresh)
};

// How a result reads to the user. A cache hit is a fromCache result that was not
// revalidated and carries no error; anything else went to the network (RFC 9111 sense:
// a 304 revalidation is a network round trip).
RequestSample sampleOf(const FetchResult& result, double latencyMs, bool forced);

struct LatencySummary {
  std::size_t count = 0;
  double averageMs = 0;
  double p50Ms = 0;  // nearest-rank percentiles
  double p95Ms = 0;
  double p99Ms = 0;
  double maxMs = 0;
};

LatencySummary summarize(std::vector<double> latenciesMs);

struct RequestTotals {
  std::uint64_t requests = 0;
  std::uint64_t network = 0;
  std::uint64_t errors = 0;
  std::uint64_t staleServed = 0;
  std::uint64_t fallbacks = 0;
  std::uint64_t forced = 0;
  LatencySummary latency;         // every request, cache hits included
  LatencySummary networkLatency;  // requests that went to the network
};

// Thread-safe: callbacks record from transport workers and the timer thread at once.
class RequestRecorder {
 public:
  // Call before the request, so inFlight() covers it until its callback records it.
  void started();
  void finished(const RequestSample& sample);

  // Requests started whose callback has not run yet.
  std::size_t inFlight() const;
  RequestTotals totals() const;
  // Forgets the samples so far (the warm-up); requests in flight are recorded when they end.
  void reset();

 private:
  mutable std::mutex mutex_;
  std::size_t inFlight_ = 0;
  std::vector<RequestSample> samples_;
};

}  // namespace livedata::loadgen
