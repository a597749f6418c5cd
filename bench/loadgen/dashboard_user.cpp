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

bool seesNewestCampaignsFirst(int index) { return index % 3 == 0; }

DashboardUser::DashboardUser(std::unique_ptr<Client> client, DashboardView view, UserPacing pacing,
                             std::shared_ptr<RequestRecorder> recorder, Scheduler& timers, std::uint64_t seed,
                             std::shared_ptr<ScreenLog> screen, std::size_t screenIndex)
    : client_(std::move(client)),
      view_(std::move(view)),
      pacing_(pacing),
      recorder_(std::move(recorder)),
      timers_(timers),
      random_(seed),
      screen_(std::move(screen)),
      screenIndex_(screenIndex) {}

void DashboardUser::start(Millis delayMs) {
  timers_.runAfter(delayMs, [this] {
    if (pacing_.watch) watchDashboard();
    refreshThenReschedule(/*first=*/true);
  });
}

void DashboardUser::stop() {
  stopped_ = true;
  // On the timer thread, where watchDashboard ran: never at the same time as it.
  timers_.runAfter(0, [this] { watches_.clear(); });
}

void DashboardUser::showCampaigns(const FetchResult& result) {
  if (!screen_ || !result.ok()) return;
  std::lock_guard<std::mutex> lock(shownMutex_);
  if (result.version <= shownCampaigns_) return;
  shownCampaigns_ = result.version;
  screen_->record(screenIndex_, wallClockMs());
}

// The dashboard's own way: each call watched, its new data arriving by itself.
void DashboardUser::watchDashboard() {
  const auto watchEndpoint = [this](Endpoint endpoint, const Expected<Query>& query) {
    if (!query) return;
    const bool campaigns = endpoint == Endpoint::campaigns;
    watches_.push_back(client_->watch(pathOf(endpoint), query.value(), [this, campaigns](const FetchResult& result) {
      if (campaigns) showCampaigns(result);
    }));
  };
  watchEndpoint(Endpoint::overview, toQuery(view_.overview));
  watchEndpoint(Endpoint::campaigns, toQuery(view_.campaigns));
  watchEndpoint(Endpoint::flows, toQuery(view_.flows));
  watchEndpoint(Endpoint::forms, toQuery(view_.forms));
  watchEndpoint(Endpoint::segments, toQuery(view_.segments));
}

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
  auto campaigns = track();
  getCampaigns(*client_, view_.campaigns, options, [this, campaigns = std::move(campaigns)](FetchResult result) {
    showCampaigns(result);  // a polling user's screen changes when a read brings new data
    campaigns(std::move(result));
  });
  getFlows(*client_, view_.flows, options, track());
  getForms(*client_, view_.forms, options, track());
  getSegments(*client_, view_.segments, options, track());
}

}  // namespace livedata::loadgen
