// The monitoring's figures over a trailing window rather than the process's lifetime: over a
// lifetime, ten failed requests at start-up kept health failing until thousands of good ones
// diluted them, and a real outage on a long-lived process barely moved the ratio.
//
// The counters it reads are cumulative (requests, 5xx, latency, cache lookups, sync runs).
// Each judgement (a health check, a targets evaluation) samples them; the figures over a
// window are the change from the newest sample at least that old to now. While the process
// is younger than the window, that is the change since it started (the first sample is all
// zeros, taken at construction).
//
// The counters never go down: nothing resets them (POST /admin/reset clears the admin
// routes' request log, not these). Two judgements on two threads may read them a moment
// apart and sample in the other order, so each total sampled is the largest seen: a read
// from a moment before changes nothing.
//
// Samples come at most once a second and are dropped once older than the longest window, so
// what is kept stays small (at most longestWindow seconds of samples).
//
// Threading: every member is safe from any thread (one mutex).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace livedata::server::monitoring {

struct Counters {
  std::uint64_t requests = 0;      // service-level requests
  std::uint64_t serverErrors = 0;  // of those, 5xx
  std::uint64_t latencySumMicros = 0;
  std::uint64_t cacheHits = 0;
  std::uint64_t cacheMisses = 0;
  std::uint64_t syncSuccesses = 0;
  std::uint64_t syncFailures = 0;

  std::optional<double> errorRate() const;                  // nullopt without requests
  std::optional<double> averageResponseMillis() const;      // nullopt without requests
  std::optional<double> cacheHitRate() const;               // nullopt without lookups
  std::optional<double> syncSuccessRate() const;            // nullopt without runs
};

class RecentCounters {
 public:
  // `longestWindowMs`: the longest window asked for by changeOver.
  RecentCounters(std::int64_t startedAtMs, std::int64_t longestWindowMs);

  // Records `now`'s cumulative counters (at most one sample a second is kept).
  void sample(std::int64_t nowMs, const Counters& now);

  // The change of `now` over the last `windowMs` (see above). REQUIRES: windowMs <= the
  // longest window.
  Counters changeOver(std::int64_t nowMs, const Counters& now, std::int64_t windowMs) const;

 private:
  struct Sample {
    std::int64_t atMs;
    Counters counters;
  };
  const std::int64_t longestWindowMs_;
  mutable std::mutex mutex_;
  std::deque<Sample> samples_;  // oldest first; never empty
  Counters latest_;             // the largest of each counter seen so far
};

}  // namespace livedata::server::monitoring
