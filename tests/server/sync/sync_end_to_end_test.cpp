// The sync end to end: the simulated Klaviyo upstream in process on loopback, with Klaviyo's
// documented rate limits, answering 30% of requests with errors, some with malformed bodies
// and bursts of 429s, read through KlaviyoUpstream into a real Store while the account changes
// between runs. One clock, advanced by every wait, drives the account, both sides' rate
// windows and the sync, so a day of limits passes in moments and nothing depends on timing.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "livedata/expected.h"
#include "sync/sync_service.h"
#include "canned_server.h"
#include "sync_test_support.h"
#include "upstream_test_support.h"
#include "simulated_upstream/account.h"
#include "simulated_upstream/upstream_server.h"
#include "upstream_client/klaviyo_upstream.h"

namespace livedata::server {
namespace {

using testing::klaviyoView;
using testing::storedRows;

constexpr UnixSeconds kStart = 1'793'534'400;  // 2026-11-01T12:00:00Z
constexpr char kApiKey[] = "pk_end_to_end_0123456789";

template <typename T>
std::unique_ptr<T> created(Expected<std::unique_ptr<T>, std::string> result) {
  if (!result) {
    ADD_FAILURE() << result.error();
    return nullptr;
  }
  return std::move(result.value());
}

// The one clock of the test, in ms; waits move it on.
struct TestClock {
  std::atomic<Millis> nowMs{kStart * 1000};
  Millis now() const { return nowMs.load(); }
  void advance(Millis ms) { nowMs += ms; }
};

struct Harness {
  TestClock clock;
  std::unique_ptr<UpstreamAccount> account;
  std::unique_ptr<UpstreamServer> server;
  std::unique_ptr<KlaviyoUpstream> source;
  testing::TempDir dir;
  std::unique_ptr<Store> store;

  explicit Harness(UpstreamFaults faults, int campaigns = 400, UnixSeconds utcOffsetSeconds = 0) {
    UpstreamAccountOptions accountOptions;
    accountOptions.utcOffsetSeconds = utcOffsetSeconds;
    accountOptions.seed = 42;
    accountOptions.sizes.campaigns = campaigns;
    accountOptions.sizes.days = 120;
    accountOptions.clock = [this] { return clock.now() / 1000; };
    accountOptions.historyEndsNow = true;
    account = created(UpstreamAccount::create(accountOptions));

    UpstreamServerOptions serverOptions;
    serverOptions.apiKey = kApiKey;
    serverOptions.documentedRateLimits = true;
    serverOptions.nowMs = [this] { return clock.now(); };
    serverOptions.faults = faults;
    serverOptions.adminToken = "test-token";
    server = created(UpstreamServer::create(*account, serverOptions));
    if (server && !server->start()) ADD_FAILURE() << "the upstream cannot listen";

    KlaviyoUpstreamOptions sourceOptions;
    sourceOptions.source.http.baseUrl = server->baseUrl();
    sourceOptions.source.apiKey = kApiKey;
    sourceOptions.source.nowMs = [this] { return clock.now(); };
    sourceOptions.source.sleepFor = [this](std::int64_t ms) { clock.advance(ms); };
    source = created(KlaviyoUpstream::create(sourceOptions));
    store = testing::openStore(dir);
  }

  // The sync's clock is the test's, and its waits move it on (each also handed to `onWait`).
  SyncDependencies syncDependencies(std::function<void(Millis)> onWait = {}) {
    SyncDependencies dependencies;
    dependencies.nowMs = [this] { return clock.now(); };
    dependencies.sleepFor = [this, onWait](Millis delay) {
      if (onWait) onWait(delay);
      clock.advance(delay);
    };
    return dependencies;
  }

  void expectStoreEqualsAccount(const std::string& when) {
    for (const Entity entity : kAllEntities) {
      const EntityRows stored = storedRows(*store, entity);
      const EntityRows upstream = account->snapshot(entity);
      EXPECT_EQ(klaviyoView(stored), klaviyoView(upstream)) << nameOf(entity) << " " << when;
      if (entity == Entity::segments) testing::expectSegmentGrowthMatches(stored, upstream);
    }
  }
};

std::size_t pagesOf(const SyncRunReport& report, Entity entity) {
  for (const EntityRunReport& one : report.entities) {
    if (one.entity == entity) return one.pages;
  }
  return 0;
}

TEST(SyncEndToEnd, TheStoreEqualsTheKlaviyoAccountAfterEachRunDespiteFaultsAndLimits) {
  UpstreamFaults faults;
  faults.errorRate = 0.3;
  faults.malformedRate = 0.05;
  faults.rateLimitBurst = 3;
  faults.retryAfterSeconds = 1;
  faults.seed = 7;
  Harness h(faults);
  ASSERT_NE(h.source, nullptr);
  ASSERT_NE(h.store, nullptr);

  SyncOptions options;
  options.retry.maxAttempts = 12;  // 0.35^12: no fetch exhausts its attempts in practice
  options.jitterSeed = 3;
  std::mutex mutex;
  std::vector<Millis> delays;
  const SyncDependencies dependencies = h.syncDependencies([&](Millis delay) {
    std::lock_guard lock(mutex);
    delays.push_back(delay);
  });
  auto sync = created(SyncService::create(*h.store, *h.source, options, dependencies));
  ASSERT_NE(sync, nullptr);

  SyncRunReport first = sync->runNow({});
  ASSERT_TRUE(first.succeeded()) << nlohmann::ordered_json(first).dump();
  // Pages of each collection's own largest size: 400 campaigns in 100s, 40 flows in one page
  // of 50, 25 forms in one of 100, 30 segments in 10s.
  EXPECT_EQ(pagesOf(first, Entity::campaigns), 4u);
  EXPECT_EQ(pagesOf(first, Entity::flows), 1u);
  EXPECT_EQ(pagesOf(first, Entity::forms), 1u);
  EXPECT_EQ(pagesOf(first, Entity::segments), 3u);
  h.expectStoreEqualsAccount("after the first run");

  for (int round = 1; round <= 3; ++round) {
    // Past the statistics' interval, so each run brings them too.
    h.clock.advance(options.statisticsIntervalSeconds * 1000);
    h.account->applyChanges(60, h.clock.now() / 1000);
    UpstreamFaults burst = h.server->faults();
    burst.rateLimitBurst = 3;
    ASSERT_EQ(h.server->setFaults(burst), std::nullopt);

    const SyncRunReport run = sync->runNow({});

    ASSERT_TRUE(run.succeeded()) << nlohmann::ordered_json(run).dump();
    EXPECT_FALSE(run.changedEntities().empty());
    std::size_t records = 0;
    for (const EntityRunReport& entity : run.entities) records += entity.records;
    EXPECT_LT(records, h.account->recordCount(Entity::campaigns));  // incremental
    h.expectStoreEqualsAccount("after round " + std::to_string(round));
  }

  const SyncRunReport forced = sync->runNow({true, {}});
  ASSERT_TRUE(forced.succeeded());
  EXPECT_TRUE(forced.changedEntities().empty());
  h.expectStoreEqualsAccount("after a forced run");

  const SyncStatus status = sync->status();
  EXPECT_EQ(status.state, SyncState::idle);
  EXPECT_EQ(status.counters.successes, 5u);
  EXPECT_GT(status.counters.retries, 0u);
  EXPECT_GT(h.server->counters().faults, 0u);
  EXPECT_GT(h.server->counters().rateLimited, 0u);
  std::lock_guard lock(mutex);
  EXPECT_GE(*std::max_element(delays.begin(), delays.end()), 1000);  // a 429's Retry-After: 1 was waited for
  EXPECT_EQ(delays.size(), status.counters.retries);
}

// A campaign cancelled in Klaviyo after the store had it as scheduled is stored cancelled, not
// left scheduled (Klaviyo's "Cancelled" campaigns are listed, with a new updated_at).
TEST(SyncEndToEnd, ACampaignCancelledAfterItsLastSyncIsStoredCancelled) {
  Harness h(UpstreamFaults{});
  ASSERT_NE(h.source, nullptr);
  auto sync = created(SyncService::create(*h.store, *h.source, SyncOptions{}, h.syncDependencies()));
  ASSERT_NE(sync, nullptr);
  ASSERT_TRUE(sync->runNow({}).succeeded());
  const auto statusIn = [](const EntityRows& rows) {
    std::map<std::string, CampaignStatus> statuses;
    for (const Campaign& c : std::get<std::vector<Campaign>>(rows)) statuses[c.id] = c.status;
    return statuses;
  };
  const std::map<std::string, CampaignStatus> stored = statusIn(storedRows(*h.store, Entity::campaigns));
  std::vector<std::string> cancelled;  // ids the store holds as scheduled, cancelled since
  for (int round = 0; round < 100 && cancelled.empty(); ++round) {
    h.clock.advance(60'000);
    h.account->applyChanges(50, h.clock.now() / 1000);
    for (const auto& [id, status] : statusIn(h.account->snapshot(Entity::campaigns))) {
      const auto was = stored.find(id);
      if (status == CampaignStatus::cancelled && was != stored.end() && was->second == CampaignStatus::scheduled) {
        cancelled.push_back(id);
      }
    }
  }
  ASSERT_FALSE(cancelled.empty()) << "the account cancelled no campaign in 5,000 changes";
  h.clock.advance(SyncOptions{}.statisticsIntervalSeconds * 1000);  // the statistics are due too
  ASSERT_TRUE(sync->runNow({}).succeeded());
  const std::map<std::string, CampaignStatus> after = statusIn(storedRows(*h.store, Entity::campaigns));
  for (const std::string& id : cancelled) EXPECT_EQ(after.at(id), CampaignStatus::cancelled) << id;
  h.expectStoreEqualsAccount("after the cancellation");
}

// Klaviyo reads a values report's timeframe in the account's time zone, which the sync does
// not know: east of UTC a timeframe ending at the sync's "now" would end hours ago there, and
// the campaigns sent since would have no statistics; far west, its start must still lie
// within the documents' year.
TEST(SyncEndToEnd, CampaignsSentMomentsAgoHaveTheirStatisticsInEveryTimeZone) {
  for (const UnixSeconds offset : {14 * 3600, 5 * 3600 + 1800, 0, -12 * 3600}) {
    SCOPED_TRACE("UTC offset " + std::to_string(offset) + " s");
    Harness h(UpstreamFaults{}, 100, offset);
    ASSERT_NE(h.source, nullptr);
    auto sync = created(SyncService::create(*h.store, *h.source, SyncOptions{}, h.syncDependencies()));
    ASSERT_NE(sync, nullptr);
    ASSERT_TRUE(sync->runNow({}).succeeded());
    int sentSince = 0;  // campaigns that began sending after the first run
    for (int round = 0; round < 50 && sentSince < 3; ++round) {
      h.clock.advance(60'000);
      h.account->applyChanges(40, h.clock.now() / 1000);
      sentSince = 0;
      const EntityRows campaigns = h.account->snapshot(Entity::campaigns);
      for (const Campaign& c : std::get<std::vector<Campaign>>(campaigns)) {
        const bool sending = c.status == CampaignStatus::sending || c.status == CampaignStatus::sent;
        if (sending && c.sendTime > kStart) ++sentSince;
      }
    }
    ASSERT_GE(sentSince, 3) << "the account sent too few campaigns in 2,000 changes";
    h.clock.advance(SyncOptions{}.statisticsIntervalSeconds * 1000);  // the statistics are due
    ASSERT_TRUE(sync->runNow({}).succeeded());
    h.expectStoreEqualsAccount("with the account at UTC" + std::to_string(offset / 3600.0));
  }
}

TEST(SyncEndToEnd, ADayOfScheduledRunsNeverExceedsTheReportsDailyBudget) {
  Harness h(UpstreamFaults{}, 50);
  ASSERT_NE(h.source, nullptr);
  SyncOptions options;
  options.statisticsIntervalSeconds = 300;  // asks for 288 reports a day of each kind: more than 225
  const SyncDependencies dependencies = h.syncDependencies();
  auto sync = created(SyncService::create(*h.store, *h.source, options, dependencies));
  ASSERT_NE(sync, nullptr);

  // One whole UTC day, a run a minute: Klaviyo's daily windows are UTC days.
  constexpr Millis kDayMs = 24 * 3600 * 1000;
  h.clock.advance(kDayMs - h.clock.now() % kDayMs);
  int statisticsFetched = 0;
  int budgetFailures = 0;
  const Millis end = h.clock.now() + kDayMs - 60 * 1000;
  while (h.clock.now() < end) {
    const SyncRunReport run = sync->runNow({});
    for (const EntityRunReport& entity : run.entities) {
      statisticsFetched += entity.statisticsFetched ? 1 : 0;
      if (entity.error && entity.error->find("daily budget") != std::string::npos) ++budgetFailures;
    }
    h.clock.advance(60 * 1000);
  }
  // The server enforces Klaviyo's limits on the same clock: it never had to refuse one.
  EXPECT_EQ(h.server->counters().rateLimited, 0u);
  EXPECT_GT(budgetFailures, 0);  // the sync said so instead of calling
  EXPECT_EQ(statisticsFetched, 4 * 225);  // the whole budget was used, and no more
  const SyncStatus status = sync->status();
  ASSERT_EQ(status.reportBudget.size(), 4u);
  for (const BudgetUse& use : status.reportBudget) EXPECT_EQ(use.usedToday, use.dailyLimit) << use.operation;
  ASSERT_TRUE(status.entities.at(Entity::campaigns).statistics->nextRunAt);
  EXPECT_GE(*status.entities.at(Entity::campaigns).statistics->nextRunAt, end);  // held until the next day
}

// An answer that breaks the documented shape fails its entity's sync with an error that says
// what was wrong; what the store holds stays as it was, and the next good answer goes on.
TEST(SyncEndToEnd, AnAnswerThatBreaksTheDocumentedShapeFailsItsEntityAndKeepsTheCommittedData) {
  Harness h(UpstreamFaults{}, 60);
  ASSERT_NE(h.source, nullptr);
  SyncOptions options;
  options.entities = {Entity::campaigns, Entity::flows, Entity::forms, Entity::segments};
  options.retry.maxAttempts = 2;
  const SyncDependencies dependencies = h.syncDependencies();
  {
    auto good = created(SyncService::create(*h.store, *h.source, options, dependencies));
    ASSERT_TRUE(good->runNow({}).succeeded());
  }
  std::map<Entity, nlohmann::ordered_json> before;
  for (const Entity entity : options.entities) before[entity] = testing::rowsById(storedRows(*h.store, entity));

  const struct {
    const char* what;
    std::string body;
    const char* says;
  } answers[] = {
      {"no data", R"({"links":{"self":"ORIGINPATH"}})", "the document has no data array"},
      {"not JSON", "<html><body>502 Bad Gateway</body></html>", "the body is not JSON"},
      {"a cursor loop", R"({"data":[],"links":{"self":"ORIGINPATH","next":"ORIGINPATH?page%5Bcursor%5D=again"}})", "cursor loop"},
  };
  for (const auto& answer : answers) {
    testing::CannedServer canned(answer.body);
    auto broken = testing::makeUpstream(canned.url(), kApiKey, [&h] { return h.clock.now(); });
    ASSERT_NE(broken, nullptr);
    h.clock.advance(options.statisticsIntervalSeconds * 1000);
    auto sync = created(SyncService::create(*h.store, *broken, options, dependencies));
    const SyncRunReport run = sync->runNow({});
    EXPECT_TRUE(run.failed()) << answer.what;
    for (const EntityRunReport& entity : run.entities) {
      EXPECT_FALSE(entity.completed) << answer.what << " " << nameOf(entity.entity);
      ASSERT_TRUE(entity.error) << answer.what;
      EXPECT_NE(entity.error->find(answer.says), std::string::npos) << answer.what << ": " << *entity.error;
      EXPECT_EQ(testing::rowsById(storedRows(*h.store, entity.entity)), before[entity.entity]) << answer.what;
    }
    const SyncStatus status = sync->status();
    ASSERT_TRUE(status.lastError);
    EXPECT_NE(status.lastError->failure.message.find(answer.says), std::string::npos);
  }

  // The upstream well again: the next run completes from the kept cursors.
  auto again = created(SyncService::create(*h.store, *h.source, options, dependencies));
  EXPECT_TRUE(again->runNow({}).succeeded());
}

}  // namespace
}  // namespace livedata::server
