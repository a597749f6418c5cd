#include "monitoring/recent_counters.h"

namespace livedata::server::monitoring {
namespace {

std::optional<double> ratio(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// The counters come in groups that are counted, and reset, together.
bool requestsWentDown(const Counters& now, const Counters& before) {
  return now.requests < before.requests || now.serverErrors < before.serverErrors ||
         now.latencySumMicros < before.latencySumMicros;
}
bool cacheWentDown(const Counters& now, const Counters& before) {
  return now.cacheHits < before.cacheHits || now.cacheMisses < before.cacheMisses;
}
bool syncWentDown(const Counters& now, const Counters& before) {
  return now.syncSuccesses < before.syncSuccesses || now.syncFailures < before.syncFailures;
}

// `offsets` plus, for each group of `now` that went down since `before`, that group's counts
// before the reset: added to the raw counters, they make totals that never go down.
Counters offsetsAfter(Counters offsets, const Counters& now, const Counters& before) {
  if (requestsWentDown(now, before)) {
    offsets.requests += before.requests;
    offsets.serverErrors += before.serverErrors;
    offsets.latencySumMicros += before.latencySumMicros;
  }
  if (cacheWentDown(now, before)) {
    offsets.cacheHits += before.cacheHits;
    offsets.cacheMisses += before.cacheMisses;
  }
  if (syncWentDown(now, before)) {
    offsets.syncSuccesses += before.syncSuccesses;
    offsets.syncFailures += before.syncFailures;
  }
  return offsets;
}

Counters plus(const Counters& a, const Counters& b) {
  Counters sum;
  sum.requests = a.requests + b.requests;
  sum.serverErrors = a.serverErrors + b.serverErrors;
  sum.latencySumMicros = a.latencySumMicros + b.latencySumMicros;
  sum.cacheHits = a.cacheHits + b.cacheHits;
  sum.cacheMisses = a.cacheMisses + b.cacheMisses;
  sum.syncSuccesses = a.syncSuccesses + b.syncSuccesses;
  sum.syncFailures = a.syncFailures + b.syncFailures;
  return sum;
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
  offsets_ = offsetsAfter(offsets_, now, lastSeen_);
  lastSeen_ = now;
  if (nowMs - samples_.back().atMs < 1000) return;
  samples_.push_back({nowMs, plus(now, offsets_)});
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
  return minus(plus(now, offsetsAfter(offsets_, now, lastSeen_)), start->counters);
}

}  // namespace livedata::server::monitoring
