#include "dashboard_user.h"

#include <chrono>
#include <string>
#include <utility>

namespace livedata::loadgen {
namespace {

constexpr double kIntervalJitter = 0.10;

}  // namespace

DashboardView viewForUser(int index) {
  // Page size 50 is the dashboard's; the second page is asked of campaigns only, the one list
  // long enough (300 by default) to have one worth reading.
  DashboardView view;
  const ListParams newestFirst{std::nullopt, std::string("-updatedAt"), 50, 0};
  const ListParams byName{std::nullopt, std::string("name"), 50, 0};
  switch (index % 3) {
    case 0:
      view.campaigns = view.flows = view.forms = view.segments = newestFirst;
      break;
    case 1:
      view.campaigns = view.flows = view.forms = view.segments = byName;
      break;
    default:
      view.flows = view.forms = view.segments = newestFirst;
      view.campaigns = ListParams{std::nullopt, std::string("-updatedAt"), 50, 50};
      break;
  }
  return view;
}

DashboardUser::DashboardUser(std::unique_ptr<Client> client, DashboardView view, UserPacing pacing,
                             std::shared_ptr<RequestRecorder> recorder, Scheduler& timers, std::uint64_t seed)
    : client_(std::move(client)),
      view_(std::move(view)),
      pacing_(pacing),
      recorder_(std::move(recorder)),
      timers_(timers),
      random_(seed) {}

void DashboardUser::start(Millis delayMs) {
  timers_.runAfter(delayMs, [this] { refreshThenReschedule(/*first=*/true); });
}

void DashboardUser::stop() { stopped_ = true; }

void DashboardUser::refreshThenReschedule(bool first) {
  if (stopped_) return;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // The first load finds an empty cache anyway; a refresh is forced as often as users press Refresh.
  loadDashboard(!first && unit(random_) < pacing_.forceFreshRate);
  const double jitter = 1.0 + kIntervalJitter * (2.0 * unit(random_) - 1.0);
  const auto delay = static_cast<Millis>(static_cast<double>(pacing_.refreshIntervalMs) * jitter);
  timers_.runAfter(delay, [this] { refreshThenReschedule(/*first=*/false); });
}

void DashboardUser::loadDashboard(bool forceFresh) {
  const RequestOptions options{forceFresh};
  // Each callback holds the recorder, not this user: it may still run on a transport worker
  // while the run winds down.
  const auto track = [this, forceFresh] {
    recorder_->started();
    return [recorder = recorder_, forceFresh, startedAt = std::chrono::steady_clock::now()](FetchResult result) {
      const std::chrono::duration<double, std::milli> latency = std::chrono::steady_clock::now() - startedAt;
      recorder->finished(sampleOf(result, latency.count(), forceFresh));
    };
  };
  getOverviewMetrics(*client_, view_.overview, options, track());
  getCampaigns(*client_, view_.campaigns, options, track());
  getFlows(*client_, view_.flows, options, track());
  getForms(*client_, view_.forms, options, track());
  getSegments(*client_, view_.segments, options, track());
}

}  // namespace livedata::loadgen
