// One dashboard user: a browser tab with its own livedata::Client (and so its own client
// cache), which loads the five endpoints and then polls them on an interval.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>

#include "livedata/client.h"
#include "livedata/endpoints.h"
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
};

// Threading: start() and stop() from any thread. Refreshes run as tasks on `timers` (so they
// run one at a time: the random generator needs no lock); callbacks run on transport
// workers or the timer thread and touch only the recorder, which outlives them.
// REQUIRES: `timers` is destroyed (its thread joined) before this user.
class DashboardUser {
 public:
  DashboardUser(std::unique_ptr<Client> client, DashboardView view, UserPacing pacing,
                std::shared_ptr<RequestRecorder> recorder, Scheduler& timers, std::uint64_t seed);

  // Loads the dashboard after `delayMs`, then refreshes on the interval until stop().
  void start(Millis delayMs);
  // No refresh starts after this returns; requests in flight still complete.
  void stop();

  ClientStats stats() const { return client_->stats(); }

 private:
  void loadDashboard(bool forceFresh);
  void refreshThenReschedule(bool first);

  std::unique_ptr<Client> client_;
  const DashboardView view_;
  const UserPacing pacing_;
  std::shared_ptr<RequestRecorder> recorder_;
  Scheduler& timers_;
  std::mt19937_64 random_;
  std::atomic<bool> stopped_{false};
};

}  // namespace livedata::loadgen
