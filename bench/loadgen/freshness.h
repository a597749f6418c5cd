// How fresh the users' screens are: for each change the server commits, how long until each
// user's screen shows data newer than before it. Measured on the users whose campaigns view
// is the newest first (any change of campaigns moves one to the top, so their view changes
// for certain); each change of campaigns, from its commit (the change log's committedAt),
// to the first new campaigns data on each such screen.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "request_recorder.h"  // LatencySummary
#include "wall_clock.h"

namespace livedata::loadgen {

// When each tracked user's screen got new campaigns data. Thread-safe.
class ScreenLog {
 public:
  explicit ScreenLog(std::size_t users) : shown_(users) {}
  void record(std::size_t user, std::int64_t atMs);
  // Per change time, per user: the wait until the first new data at or after it. A change
  // no screen showed before the run ended is counted in `unseen`.
  LatencySummary freshness(const std::vector<std::int64_t>& changesAtMs, std::size_t& unseen) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::vector<std::int64_t>> shown_;  // by user: times, ascending
};

// Follows the server's change log (long-polls GET /api/changes) and keeps the commit times
// of the changes of campaigns. Stops with stop() or at destruction.
class ChangeObserver {
 public:
  ChangeObserver(std::string host, int port);
  ~ChangeObserver();
  void stop();
  // Commit times (Unix ms) of the campaigns changes seen from `fromMs` on.
  std::vector<std::int64_t> campaignsChangesSince(std::int64_t fromMs) const;

 private:
  void follow(std::string host, int port);
  std::atomic<bool> stopped_{false};
  mutable std::mutex mutex_;
  std::vector<std::int64_t> changes_;
  std::thread thread_;
};

using bench::wallClockMs;

}  // namespace livedata::loadgen
