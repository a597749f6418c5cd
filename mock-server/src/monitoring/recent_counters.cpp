#include "monitoring/recent_counters.h"

#include <algorithm>

namespace livedata::server::monitoring {
namespace {

std::optional<double> ratio(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// The larger of each counter: a read taken a moment before another (two threads judging at
// once) never takes a total back.
Counters newest(const Counters& a, const Counters& b) {
  Counters larger;
  larger.requests = std::max(a.requests, b.requests);
  larger.serverErrors = std::max(a.serverErrors, b.serverErrors);
  larger.latencySumMicros = std::max(a.latencySumMicros, b.latencySumMicros);
  larger.cacheHits = std::max(a.cacheHits, b.cacheHits);
  larger.cacheMisses = std::max(a.cacheMisses, b.cacheMisses);
  larger.syncSuccesses = std::max(a.syncSuccesses, b.syncSuccesses);
  larger.syncFailures = std::max(a.syncFailures, b.syncFailures);
  return larger;
}

// later - earlier, for totals that never go down.
Counters minus(const Counters& later, const Counters& earlier) {
  const auto change = [](std::uint64_t a, std::uint64_t b) { return a >= b ? a - b : 0; };
  Counters difference;
  difference.requests = change(later.requests, earlier.requests);
  difference.serverErrors = change(later.serverErrors, earlier.serverErrors);
  difference.latencySumMicros = change(later.latencySumMicros, earlier.latencySumMicros);
  difference.cacheHits = change(later.cacheHits, earlier.cacheHits);
  difference.cacheMisses = change(later.cacheMisses, earlier.cacheMisses);
  difference.syncSuccesses = change(later.syncSuccesses, earlier.syncSuccesses);
  difference.syncFailures = change(later.syncFailures, earlier.syncFailures);
  return difference;
}

}  // namespace

std::optional<double> Counters::errorRate() const { return ratio(serverErrors, requests); }

std::optional<double> Counters::averageResponseMillis() const {
  const auto micros = ratio(latencySumMicros, requests);
  if (!micros) return std::nullopt;
  return *micros / 1000.0;
}

std::optional<double> Counters::cacheHitRate() const { return ratio(cacheHits, cacheHits + cacheMisses); }

std::optional<double> Counters::syncSuccessRate() const { return ratio(syncSuccesses, syncSuccesses + syncFailures); }

RecentCounters::RecentCounters(std::int64_t startedAtMs, std::int64_t longestWindowMs)
    : longestWindowMs_(longestWindowMs), samples_{{startedAtMs, Counters{}}} {}

void RecentCounters::sample(std::int64_t nowMs, const Counters& now) {
  std::lock_guard lock(mutex_);
  latest_ = newest(latest_, now);
  if (nowMs - samples_.back().atMs < 1000) return;
  samples_.push_back({nowMs, latest_});
  // Keep the newest sample at least the longest window old: every window starts at or after it.
  while (samples_.size() > 1 && nowMs - samples_[1].atMs >= longestWindowMs_) samples_.pop_front();
}

Counters RecentCounters::changeOver(std::int64_t nowMs, const Counters& now, std::int64_t windowMs) const {
  std::lock_guard lock(mutex_);
  const Sample* start = &samples_.front();
  for (const Sample& candidate : samples_) {
    if (nowMs - candidate.atMs < windowMs) break;
    start = &candidate;
  }
  return minus(newest(latest_, now), start->counters);
}

}  // namespace livedata::server::monitoring
