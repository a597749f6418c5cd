#include "monitoring/recent_counters.h"

namespace livedata::server::monitoring {
namespace {

std::optional<double> ratio(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// now - then, or now when the counter was reset in between.
std::uint64_t changeOf(std::uint64_t now, std::uint64_t then) { return now >= then ? now - then : now; }

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
  if (nowMs - samples_.back().atMs < 1000) return;
  samples_.push_back({nowMs, now});
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
  const Counters& then = start->counters;
  Counters change;
  change.requests = changeOf(now.requests, then.requests);
  change.serverErrors = changeOf(now.serverErrors, then.serverErrors);
  change.latencySumMicros = changeOf(now.latencySumMicros, then.latencySumMicros);
  change.cacheHits = changeOf(now.cacheHits, then.cacheHits);
  change.cacheMisses = changeOf(now.cacheMisses, then.cacheMisses);
  change.syncSuccesses = changeOf(now.syncSuccesses, then.syncSuccesses);
  change.syncFailures = changeOf(now.syncFailures, then.syncFailures);
  return change;
}

}  // namespace livedata::server::monitoring
