// One dashboard user: a browser tab with its own livedata::Client (and so its own client
// cache), which watches its five calls on the server's live feed (as the dashboard does) or,
// for comparison, polls them; either way it re-reads them on an interval (renders, and the
// Refresh button pressed now and then).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

#include "livedata/client.h"
#include "livedata/endpoints.h"
#include "freshness.h"
#include "request_recorder.h"

namespace livedata::loadgen {

// What one user looks at: the parameters of each of the five endpoints.
struct DashboardView {
  OverviewParams overview;
  ListParams campaigns;
  ListParams flows;
  ListParams forms;
  ListParams segments;
};

// A few different views across users (sorts, a second page), as real users pick: user `index`
// gets one of them, so several users share each server cache entry and each view is cached
// server-side under its own key.
DashboardView viewForUser(int index);

struct UserPacing {
  Millis refreshIntervalMs = 2000;  // each refresh waits this long, +-10%
  double forceFreshRate = 0.05;     // the chance that a refresh is a forceFresh one
  bool watch = true;                // watch the five calls on the live feed (else: only the reads)
};

// Whether user `index` sees the newest campaigns first (the view ScreenLog measures).
bool seesNewestCampaignsFirst(int index);

// Threading: start() and stop() from any thread. Refreshes run as tasks on `timers` (so they
// run one at a time: the random generator needs no lock); callbacks run on transport
// workers or the timer thread and touch only the recorder, which outlives them.
// REQUIRES: `timers` is destroyed (its thread joined) before this user.
class DashboardUser {
 public:
  // `screen`: where this user's new campaigns data is logged (as ScreenLog user
  // `screenIndex`), or null when this user is not measured.
  DashboardUser(std::unique_ptr<Client> client, DashboardView view, UserPacing pacing,
                std::shared_ptr<RequestRecorder> recorder, Scheduler& timers, std::uint64_t seed,
                std::shared_ptr<ScreenLog> screen = nullptr, std::size_t screenIndex = 0);

  // Loads the dashboard after `delayMs`, then refreshes on the interval until stop().
  void start(Millis delayMs);
  // No refresh starts after this returns; requests in flight still complete.
  void stop();

  ClientStats stats() const { return client_->stats(); }

 private:
  void loadDashboard(bool forceFresh);
  void refreshThenReschedule(bool first);
  void watchDashboard();
  // Logs new campaigns data on this user's screen (a version newer than it showed).
  void showCampaigns(const FetchResult& result);

  std::unique_ptr<Client> client_;
  const DashboardView view_;
  const UserPacing pacing_;
  std::shared_ptr<RequestRecorder> recorder_;
  Scheduler& timers_;
  std::mt19937_64 random_;
  std::atomic<bool> stopped_{false};
  std::shared_ptr<ScreenLog> screen_;
  const std::size_t screenIndex_;
  std::mutex shownMutex_;
  std::uint64_t shownCampaigns_ = 0;  // GUARDED_BY(shownMutex_)
  std::vector<WatchHandle> watches_;  // after client_: unwatched first
};

}  // namespace livedata::loadgen
