// The sync service against a scripted upstream and a real Store in a temporary folder.
#include "sync/sync_service.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "simulated_upstream/data_generator.h"
#include "scripted_upstream.h"
#include "sync_test_support.h"

namespace livedata::server {
namespace {

using testing::FetchCall;
using testing::ScriptedUpstream;
using testing::TempDir;
using testing::rowsById;
using testing::storedRows;
using Json = nlohmann::ordered_json;

constexpr UnixSeconds kNow = 1'793'491'200;  // 2026-11-01T00:00:00Z

UpstreamFailure httpFailure(int status) {
  UpstreamFailure failure;
  failure.kind = UpstreamFailure::Kind::http;
  failure.status = status;
  failure.message = "HTTP " + std::to_string(status);
  return failure;
}

UpstreamFailure rateLimited(std::optional<std::int64_t> retryAfterMs) {
  UpstreamFailure failure;
  failure.kind = UpstreamFailure::Kind::rate_limited;
  failure.status = 429;
  failure.retryAfterMs = retryAfterMs;
  failure.message = "too many requests";
  return failure;
}

Campaign campaign(std::string id, UnixSeconds updatedAt, double revenue = 10) {
  Campaign c;
  c.id = std::move(id);
  c.name = "Campaign " + c.id;
  c.status = CampaignStatus::sent;
  c.recipients = 1000;
  c.revenue = revenue;
  c.updatedAt = updatedAt;
  return c;
}

std::vector<Campaign> campaignsAt(const std::vector<UnixSeconds>& times) {
  std::vector<Campaign> list;
  for (std::size_t i = 0; i < times.size(); ++i) {
    list.push_back(campaign("cmp_" + std::to_string(100 + i), times[i]));
  }
  return list;
}

class SyncServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::openStore(dir_);
    ASSERT_NE(store_, nullptr);
  }

  void TearDown() override { service_.reset(); }

  // A small generated account, with metrics stamped so their feed order is not their date
  // order; 7 records a page, so every entity takes several pages.
  void seedAccount() {
    DatasetSizes sizes;
    sizes.campaigns = 30;
    sizes.flows = 9;
    sizes.forms = 8;
    sizes.segments = 7;
    sizes.days = 20;
    Dataset data = generateDataset(7, sizes);
    for (std::size_t i = 0; i < data.daily.size(); ++i) {
      data.daily[i].updatedAt = kNow - 3600 + static_cast<UnixSeconds>((i * 7) % 20) * 60;
    }
    upstream_.setRows(data.campaigns);
    upstream_.setRows(data.flows);
    upstream_.setRows(data.forms);
    upstream_.setRows(data.segments);
    upstream_.setRows(data.daily);
  }

  static SyncOptions smallPages() {
    SyncOptions options;
    options.pageSize = 7;
    options.jitterSeed = 1;
    return options;
  }

  SyncService& start(SyncOptions options = smallPages()) {
    SyncDependencies dependencies;
    dependencies.nowMs = [this] { return nowMs_.load(); };
    dependencies.sleepFor = [this](Millis delay) {
      std::lock_guard lock(mutex_);
      sleeps_.push_back(delay);
    };
    dependencies.log = [this](LogLevel level, std::string_view message, const Json& fields) {
      std::lock_guard lock(mutex_);
      logs_.push_back({{"level", static_cast<int>(level)}, {"message", message}, {"fields", fields}});
    };
    dependencies.onCommitted = [this](const Change& change, std::size_t changed) {
      std::lock_guard lock(mutex_);
      commits_.emplace_back(change.entity, changed);
      committedVersions_.push_back(change.version);
    };
    dependencies.onRunFinished = [this](const SyncRunReport& report) {
      std::lock_guard lock(mutex_);
      finishedRuns_.push_back(report);
      runFinished_.notify_all();
    };
    auto created = SyncService::create(*store_, upstream_, std::move(options), std::move(dependencies));
    if (!created) {
      ADD_FAILURE() << created.error();
      std::abort();
    }
    service_ = std::move(created.value());
    return *service_;
  }

  void expectStoreEqualsUpstream(Entity entity) {
    EXPECT_EQ(rowsById(storedRows(*store_, entity)), rowsById(upstream_.feed(entity))) << nameOf(entity);
  }

  // The feed position of an entity's last record.
  SyncCursor lastCursorOf(Entity entity) {
    return std::visit(
        [](const auto& list) { return SyncCursor{list.back().updatedAt, testing::idOf(list.back())}; },
        upstream_.feed(entity));
  }

  std::vector<Millis> sleeps() {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }
  std::vector<std::pair<Entity, std::size_t>> takeCommits() {
    std::lock_guard lock(mutex_);
    return std::exchange(commits_, {});
  }
  bool waitForRuns(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return runFinished_.wait_for(lock, timeout, [&] { return finishedRuns_.size() >= count; });
  }
  std::vector<SyncRunReport> finishedRuns() {
    std::lock_guard lock(mutex_);
    return finishedRuns_;
  }

  // Makes fetch number `callNumber` call sync.stop() on `stopper` and hold its page until the
  // stop is in effect (from then on requests are refused). The test joins `stopper`.
  void stopAtFetch(SyncService& sync, std::size_t callNumber, std::thread& stopper) {
    upstream_.setOnFetch([&sync, &stopper, callNumber](std::size_t number, const FetchCall&) {
      if (number != callNumber) return;
      stopper = std::thread([&sync] { sync.stop(); });
      while (sync.requestSync({}) != SyncAcceptance::stopping) std::this_thread::yield();
    });
  }

  static const EntityRunReport& reportOf(const SyncRunReport& run, Entity entity) {
    for (const EntityRunReport& report : run.entities) {
      if (report.entity == entity) return report;
    }
    throw std::runtime_error(std::string("no report for ") + nameOf(entity));
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  ScriptedUpstream upstream_;
  std::atomic<Millis> nowMs_{kNow * 1000};
  std::mutex mutex_;
  std::condition_variable runFinished_;
  std::vector<Millis> sleeps_;
  std::vector<Json> logs_;
  std::vector<std::pair<Entity, std::size_t>> commits_;
  std::vector<std::int64_t> committedVersions_;
  std::vector<SyncRunReport> finishedRuns_;
  std::unique_ptr<SyncService> service_;  // last: stopped before what it uses goes away
};

TEST_F(SyncServiceTest, FirstSyncCopiesEveryEntityAndSavesEachCursorAtItsLastRecord) {
  seedAccount();
  SyncService& sync = start();

  const SyncRunReport run = sync.runNow({});

  EXPECT_TRUE(run.succeeded());
  ASSERT_EQ(run.entities.size(), kAllEntities.size());
  for (const Entity entity : kAllEntities) {
    expectStoreEqualsUpstream(entity);
    EXPECT_EQ(store_->cursor(entity), lastCursorOf(entity)) << nameOf(entity);
    const EntityRunReport& report = reportOf(run, entity);
    const std::size_t records = rowCount(upstream_.feed(entity));
    EXPECT_TRUE(report.completed);
    EXPECT_EQ(report.records, records);
    EXPECT_EQ(report.changedRows, records);
    EXPECT_EQ(report.pages, (records + 6) / 7);
  }
  // Every page asked from updated_since 0 with the configured size, following next cursors.
  for (const FetchCall& call : upstream_.calls()) {
    EXPECT_EQ(call.updatedSince, 0);
    EXPECT_EQ(call.pageSize, 7);
  }
}

TEST_F(SyncServiceTest, SecondSyncWithoutChangesCommitsNoChangedRows) {
  seedAccount();
  SyncService& sync = start();
  sync.runNow({});
  takeCommits();

  const SyncRunReport second = sync.runNow({});

  EXPECT_TRUE(second.succeeded());
  for (const EntityRunReport& report : second.entities) EXPECT_EQ(report.changedRows, 0u) << nameOf(report.entity);
  EXPECT_TRUE(second.changedEntities().empty());
  EXPECT_TRUE(takeCommits().empty());
  for (const Entity entity : kAllEntities) EXPECT_EQ(store_->cursor(entity), lastCursorOf(entity));
}

TEST_F(SyncServiceTest, LookBackRereadsTheWindowBeforeTheCursorButChangesNothing) {
  // Three records inside the 10 s window before the last one (kNow), two before it.
  upstream_.setRows(campaignsAt({kNow - 100, kNow - 11, kNow - 10, kNow - 4, kNow}));
  SyncOptions options = smallPages();
  options.entities = {Entity::campaigns};
  SyncService& sync = start(options);
  sync.runNow({});
  upstream_.clearCalls();

  const SyncRunReport second = sync.runNow({});

  ASSERT_EQ(upstream_.calls().size(), 1u);
  EXPECT_EQ(upstream_.calls()[0].updatedSince, kNow - 10);
  EXPECT_EQ(reportOf(second, Entity::campaigns).records, 3u);
  EXPECT_EQ(reportOf(second, Entity::campaigns).changedRows, 0u);
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{kNow, "cmp_104"}));
}

TEST_F(SyncServiceTest, NeverMovesTheCursorBackwardsWhileRereadingTheLookBackWindow) {
  // Six records in the window, two a page: the re-read's first pages end before the cursor.
  upstream_.setRows(campaignsAt({kNow - 9, kNow - 8, kNow - 7, kNow - 6, kNow - 5, kNow}));
  SyncOptions options = smallPages();
  options.pageSize = 2;
  options.entities = {Entity::campaigns};
  SyncService& sync = start(options);
  sync.runNow({});
  const SyncCursor saved{kNow, "cmp_105"};
  ASSERT_EQ(store_->cursor(Entity::campaigns), saved);
  upstream_.clearCalls();
  std::vector<std::optional<SyncCursor>> cursorsBetweenPages;
  upstream_.setOnFetch([&](std::size_t, const FetchCall&) {
    cursorsBetweenPages.push_back(store_->cursor(Entity::campaigns));
  });

  sync.runNow({});

  ASSERT_EQ(cursorsBetweenPages.size(), 3u);
  for (const auto& cursor : cursorsBetweenPages) EXPECT_EQ(cursor, saved);
  EXPECT_EQ(store_->cursor(Entity::campaigns), saved);
  EXPECT_EQ(service_->status().entities.at(Entity::campaigns).cursor, saved);
}

TEST_F(SyncServiceTest, CopiesChangesMadeBetweenRunsAndReportsOnlyTheChangedEntities) {
  seedAccount();
  SyncService& sync = start();
  sync.runNow({});
  takeCommits();
  upstream_.upsert(campaign("cmp_new", kNow + 60));
  Segment changed = std::get<std::vector<Segment>>(upstream_.feed(Entity::segments)).front();
  changed.members += 5;
  changed.updatedAt = kNow + 61;
  upstream_.upsert(changed);
  nowMs_ += SyncOptions{}.statisticsIntervalSeconds * 1000;  // the statistics are due again

  const SyncRunReport second = sync.runNow({});

  EXPECT_EQ(second.changedEntities(), (std::vector<Entity>{Entity::campaigns, Entity::segments}));
  EXPECT_EQ(reportOf(second, Entity::campaigns).changedRows, 1u);
  EXPECT_EQ(reportOf(second, Entity::segments).changedRows, 2u);  // its record, then its statistics
  const auto commits = takeCommits();
  // Each entity's statistics commit is announced even when no figure moved (its time did).
  EXPECT_EQ(commits, (std::vector<std::pair<Entity, std::size_t>>{{Entity::campaigns, 1},
                                                                  {Entity::campaigns, 0},
                                                                  {Entity::flows, 0},
                                                                  {Entity::forms, 0},
                                                                  {Entity::segments, 1},
                                                                  {Entity::segments, 1}}));
  for (const Entity entity : kAllEntities) expectStoreEqualsUpstream(entity);
  EXPECT_EQ(store_->cursor(Entity::segments), (SyncCursor{kNow + 61, changed.id}));
}

TEST_F(SyncServiceTest, StatisticsComeOnTheirOwnScheduleAndAFailureWaitsForTheNextTurn) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::forms, Entity::metrics};
  options.statisticsIntervalSeconds = 600;
  SyncService& sync = start(options);
  const SyncRunReport first = sync.runNow({});
  EXPECT_TRUE(reportOf(first, Entity::forms).statisticsFetched);
  EXPECT_EQ(upstream_.statisticsCalls(), (std::vector<Entity>{Entity::forms}));  // metrics have none
  ASSERT_TRUE(sync.status().entities.at(Entity::forms).statistics->asOf);
  EXPECT_EQ(*sync.status().entities.at(Entity::forms).statistics->nextRunAt, nowMs_.load() + 600'000);
  EXPECT_FALSE(sync.status().entities.at(Entity::metrics).statistics);

  // A change of statistics alone waits for their turn; the record's attributes do not.
  Form form = std::get<std::vector<Form>>(upstream_.feed(Entity::forms)).front();
  form.views += 100;
  upstream_.upsert(form);
  nowMs_ += 599'000;
  EXPECT_FALSE(reportOf(sync.runNow({}), Entity::forms).statisticsFetched);
  auto stored = [&] {
    const EntityRows rows = storedRows(*store_, Entity::forms);  // held: a loop over part of a temporary would dangle
    for (const Form& row : std::get<std::vector<Form>>(rows)) {
      if (row.id == form.id) return row.views;
    }
    return std::int64_t{-1};
  };
  EXPECT_EQ(stored(), form.views - 100);
  EXPECT_FALSE(reportOf(sync.runNow({true, {}}), Entity::forms).statisticsFetched);  // a forced run spends no budget
  nowMs_ += 1'000;
  EXPECT_TRUE(reportOf(sync.runNow({}), Entity::forms).statisticsFetched);
  EXPECT_EQ(stored(), form.views);

  // A failure is reported, keeps the statistics, and waits for the next turn (or longer, as a
  // Retry-After says), so a broken report does not spend the budget run after run.
  nowMs_ += 600'000;
  UpstreamFailure budget = httpFailure(429);
  budget.kind = UpstreamFailure::Kind::rate_limited;
  budget.retryAfterMs = 3'600'000;  // beyond retry.maxRetryAfterMs: not waited for
  upstream_.failStatistics(1, budget);
  const SyncRunReport failed = sync.runNow({});
  EXPECT_TRUE(reportOf(failed, Entity::forms).completed);
  ASSERT_TRUE(reportOf(failed, Entity::forms).error);
  EXPECT_NE(reportOf(failed, Entity::forms).error->find("statistics"), std::string::npos);
  EXPECT_TRUE(failed.failed());
  EXPECT_EQ(stored(), form.views);
  EXPECT_EQ(*sync.status().entities.at(Entity::forms).statistics->nextRunAt, nowMs_.load() + 3'600'000);
  nowMs_ += 600'000;
  EXPECT_FALSE(reportOf(sync.runNow({}), Entity::forms).statisticsFetched);
  nowMs_ += 3'000'000;
  EXPECT_TRUE(reportOf(sync.runNow({}), Entity::forms).statisticsFetched);
}

// A failed report is retried at once only with the calls the day's plan leaves over: a report
// that keeps failing all day spends exactly the budget (225 calls: 144 turns of 600 s, plus
// 81 retries), not 6 attempts a turn (864), and still gets its call on every turn.
TEST_F(SyncServiceTest, StatisticsRetriesSpendOnlyWhatTheDaysPlanLeavesOfTheBudget) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::forms};
  options.statisticsIntervalSeconds = 600;
  options.retry.maxAttempts = 6;
  SyncService& sync = start(options);
  constexpr Millis kDayMs = 24 * 3600 * 1000;
  upstream_.budgetStatistics(225, nowMs_.load() + kDayMs);  // kNow is 00:00 UTC

  // A passing fault is retried in the same run: the budget has room.
  upstream_.failStatistics(1, httpFailure(503));
  EXPECT_TRUE(reportOf(sync.runNow({}), Entity::forms).statisticsFetched);
  EXPECT_EQ(upstream_.statisticsCalls().size(), 2u);

  upstream_.failStatistics(100'000, httpFailure(503));
  std::vector<std::size_t> callsPerTurn;
  std::string lastError;
  for (int turn = 1; turn < 144; ++turn) {
    nowMs_ += 600'000;
    const std::size_t before = upstream_.statisticsCalls().size();
    const SyncRunReport run = sync.runNow({});
    ASSERT_TRUE(reportOf(run, Entity::forms).error);
    lastError = *reportOf(run, Entity::forms).error;
    callsPerTurn.push_back(upstream_.statisticsCalls().size() - before);
  }
  EXPECT_EQ(upstream_.statisticsCalls().size(), 225u);
  EXPECT_EQ(callsPerTurn.front(), 6u);  // early in the day the surplus pays for retries
  EXPECT_EQ(callsPerTurn.back(), 1u);   // the last turn still had its call
  for (const std::size_t calls : callsPerTurn) EXPECT_GE(calls, 1u);
  EXPECT_NE(lastError.find("not retried"), std::string::npos) << lastError;
}

// Klaviyo's collections never say what was deleted: whole passes find it. The first sync and
// a forced run pass whole; otherwise a list entity passes whole every fullPassIntervalSeconds
// (its cursor kept). A record is removed once two whole passes in a row missed it (the first
// miss makes the next whole pass due after kSuspectsRecheckMs); a pass that fails, or that
// saw no record at all, removes nothing.
TEST_F(SyncServiceTest, RecordsDeletedUpstreamAreRemovedWhenTwoWholePassesInARowMissThem) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::campaigns};
  options.fullPassIntervalSeconds = 3600;
  SyncService& sync = start(options);
  ASSERT_TRUE(sync.runNow({}).succeeded());
  const auto campaignIds = [&] {
    std::vector<std::string> ids;
    const EntityRows stored = storedRows(*store_, Entity::campaigns);  // held: a loop over part of a temporary would dangle
    for (const Campaign& c : std::get<std::vector<Campaign>>(stored)) ids.push_back(c.id);
    return ids;
  };
  ASSERT_EQ(campaignIds().size(), 30u);
  const std::string first = campaignIds().front();
  const std::string second = campaignIds().back();

  // An incremental run cannot see a deletion. A forced run passes whole and misses it once:
  // a suspect, not removed.
  upstream_.erase(Entity::campaigns, first);
  nowMs_ += 60'000;
  EXPECT_EQ(reportOf(sync.runNow({}), Entity::campaigns).removedRows, 0u);
  EXPECT_EQ(reportOf(sync.runNow({true, {Entity::campaigns}}), Entity::campaigns).removedRows, 0u);
  EXPECT_EQ(campaignIds().size(), 30u);

  // Not checked again before kSuspectsRecheckMs; then a whole pass, and the second miss removes
  // it, as one commit the live feed announces.
  nowMs_ += kSuspectsRecheckMs - 1;
  upstream_.clearCalls();
  EXPECT_EQ(reportOf(sync.runNow({}), Entity::campaigns).removedRows, 0u);
  EXPECT_GT(upstream_.calls().front().updatedSince, 0);
  nowMs_ += 1;
  upstream_.clearCalls();
  takeCommits();
  const SyncRunReport recheck = sync.runNow({});
  EXPECT_EQ(upstream_.calls().front().updatedSince, 0);
  EXPECT_EQ(reportOf(recheck, Entity::campaigns).removedRows, 1u);
  EXPECT_EQ(campaignIds().size(), 29u);
  expectStoreEqualsUpstream(Entity::campaigns);
  EXPECT_EQ(takeCommits(), (std::vector<std::pair<Entity, std::size_t>>{{Entity::campaigns, 1}}));
  EXPECT_EQ(store_->cursor(Entity::campaigns), lastCursorOf(Entity::campaigns));  // kept

  // A record one pass skipped but the next one sees stays.
  nowMs_ += 3'600'000;
  upstream_.erase(Entity::campaigns, second);
  ASSERT_TRUE(sync.runNow({}).succeeded());  // the interval's whole pass: a suspect
  Campaign back = campaign(second, kNow + 10);
  upstream_.upsert(back);
  nowMs_ += kSuspectsRecheckMs;
  EXPECT_EQ(reportOf(sync.runNow({}), Entity::campaigns).removedRows, 0u);
  expectStoreEqualsUpstream(Entity::campaigns);

  // A pass that fails removes nothing, and is not tried again before its interval.
  upstream_.erase(Entity::campaigns, second);
  nowMs_ += 3'600'000;
  ASSERT_TRUE(sync.runNow({}).succeeded());  // a suspect again
  nowMs_ += kSuspectsRecheckMs;
  upstream_.clearCalls();
  upstream_.failCalls(2, 1, httpFailure(400));  // the whole pass's second page
  const SyncRunReport failed = sync.runNow({});
  EXPECT_FALSE(reportOf(failed, Entity::campaigns).completed);
  EXPECT_EQ(campaignIds().size(), 29u);
  nowMs_ += 60'000;
  upstream_.clearCalls();
  ASSERT_TRUE(sync.runNow({}).succeeded());
  EXPECT_GT(upstream_.calls().front().updatedSince, 0);  // incremental
  nowMs_ += kSuspectsRecheckMs;
  EXPECT_EQ(reportOf(sync.runNow({}), Entity::campaigns).removedRows, 1u);
  expectStoreEqualsUpstream(Entity::campaigns);

  // An empty answer is not taken for every record deleted.
  upstream_.setRows(std::vector<Campaign>{});
  EXPECT_EQ(reportOf(sync.runNow({true, {Entity::campaigns}}), Entity::campaigns).removedRows, 0u);
  nowMs_ += kSuspectsRecheckMs;
  EXPECT_EQ(reportOf(sync.runNow({true, {Entity::campaigns}}), Entity::campaigns).removedRows, 0u);
  EXPECT_EQ(campaignIds().size(), 28u);
}

TEST_F(SyncServiceTest, OnCommittedIsCalledPerCommitThatChangedRowsWithItsChangeVersionInOrder) {
  upstream_.setRows(campaignsAt({kNow - 5, kNow - 4, kNow - 3}));
  SyncOptions options = smallPages();
  options.pageSize = 2;
  SyncService& sync = start(options);

  sync.runNow({});

  // Two pages of campaigns; the other entities are empty and commit no record. Each entity
  // with statistics commits them once (their time is news even with no figure).
  EXPECT_EQ(takeCommits(), (std::vector<std::pair<Entity, std::size_t>>{{Entity::campaigns, 2},
                                                                        {Entity::campaigns, 1},
                                                                        {Entity::campaigns, 0},
                                                                        {Entity::flows, 0},
                                                                        {Entity::forms, 0},
                                                                        {Entity::segments, 0}}));
  std::lock_guard lock(mutex_);
  EXPECT_EQ(committedVersions_, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(store_->changeVersion(), 6);
}

TEST_F(SyncServiceTest, AFailureMidwayKeepsTheCursorAtTheLastCommittedPageAndTheNextRunCompletes) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::campaigns};
  SyncService& sync = start(options);
  upstream_.failCalls(3, 1, httpFailure(400));  // the third page of campaigns

  const SyncRunReport failed = sync.runNow({});

  EXPECT_TRUE(failed.failed());
  const EntityRunReport& report = reportOf(failed, Entity::campaigns);
  EXPECT_FALSE(report.completed);
  EXPECT_EQ(report.pages, 2u);
  const auto feed = std::get<std::vector<Campaign>>(upstream_.feed(Entity::campaigns));
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{feed[13].updatedAt, feed[13].id}));
  EXPECT_EQ(rowsById(storedRows(*store_, Entity::campaigns)),
            rowsById(std::vector<Campaign>(feed.begin(), feed.begin() + 14)));

  upstream_.clearCalls();
  const SyncRunReport resumed = sync.runNow({});

  EXPECT_TRUE(resumed.succeeded());
  expectStoreEqualsUpstream(Entity::campaigns);
  EXPECT_EQ(store_->cursor(Entity::campaigns), lastCursorOf(Entity::campaigns));
  // It resumed from the committed cursor, less the look-back, not from the beginning.
  EXPECT_EQ(upstream_.calls().front().updatedSince, feed[13].updatedAt - 10);
  EXPECT_LT(reportOf(resumed, Entity::campaigns).records, feed.size());
}

TEST_F(SyncServiceTest, RetriesA503WithBackoffAndThenSucceeds) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::flows};
  SyncService& sync = start(options);
  upstream_.failCalls(2, 3, httpFailure(503));

  const SyncRunReport run = sync.runNow({});

  EXPECT_TRUE(run.succeeded());
  EXPECT_EQ(reportOf(run, Entity::flows).retries, 3u);
  expectStoreEqualsUpstream(Entity::flows);
  // Full jitter under a doubling ceiling: [0, 200], [0, 400], [0, 800].
  const auto delays = sleeps();
  ASSERT_EQ(delays.size(), 3u);
  for (std::size_t i = 0; i < delays.size(); ++i) {
    EXPECT_GE(delays[i], 0);
    EXPECT_LE(delays[i], 200 << i);
  }
  EXPECT_EQ(sync.status().counters.retries, 3u);
}

TEST_F(SyncServiceTest, WaitsForARateLimitsRetryAfterWhenItIsLongerThanTheBackoff) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::forms};
  SyncService& sync = start(options);
  upstream_.failCalls(1, 1, rateLimited(1500));
  upstream_.failCalls(2, 1, rateLimited(std::nullopt));

  const SyncRunReport run = sync.runNow({});

  EXPECT_TRUE(run.succeeded());
  const auto delays = sleeps();
  ASSERT_EQ(delays.size(), 2u);
  EXPECT_EQ(delays[0], 1500);
  EXPECT_LE(delays[1], 400);  // no Retry-After: the backoff alone
}

TEST_F(SyncServiceTest, ARetryAfterBeyondTheLimitFailsTheEntityWithoutWaiting) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::forms};
  options.retry.maxRetryAfterMs = 5000;
  SyncService& sync = start(options);
  upstream_.failCalls(1, 1, rateLimited(120000));

  const SyncRunReport run = sync.runNow({});

  EXPECT_TRUE(run.failed());
  EXPECT_TRUE(sleeps().empty());
  EXPECT_EQ(store_->cursor(Entity::forms), std::nullopt);
}

TEST_F(SyncServiceTest, GivesUpAfterMaxAttemptsWithCappedDelays) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::forms};
  options.retry.maxAttempts = 8;
  options.retry.baseDelayMs = 100;
  options.retry.maxDelayMs = 1000;
  SyncService& sync = start(options);
  UpstreamFailure down;
  down.kind = UpstreamFailure::Kind::network;
  down.message = "connection refused";
  upstream_.failCalls(1, 100, down);

  const SyncRunReport run = sync.runNow({});

  EXPECT_TRUE(run.failed());
  EXPECT_EQ(upstream_.calls().size(), 8u);
  const auto delays = sleeps();
  ASSERT_EQ(delays.size(), 7u);
  for (std::size_t i = 0; i < delays.size(); ++i) EXPECT_LE(delays[i], std::min<Millis>(1000, 100 << i));
  const SyncStatus status = sync.status();
  EXPECT_EQ(status.state, SyncState::failed);
  ASSERT_TRUE(status.lastError);
  EXPECT_EQ(status.lastError->entity, Entity::forms);
  EXPECT_NE(status.lastError->failure.message.find("connection refused"), std::string::npos);
}

TEST_F(SyncServiceTest, ANonRetryable400FailsItsEntityAtOnceAndTheOtherEntitiesStillRun) {
  seedAccount();
  SyncService& sync = start();
  upstream_.failCalls(1, 1, httpFailure(400));  // the first page of campaigns

  const SyncRunReport run = sync.runNow({});

  EXPECT_TRUE(run.failed());
  EXPECT_FALSE(run.succeeded());
  EXPECT_TRUE(sleeps().empty());
  const EntityRunReport& campaigns = reportOf(run, Entity::campaigns);
  EXPECT_FALSE(campaigns.completed);
  ASSERT_TRUE(campaigns.error);
  EXPECT_NE(campaigns.error->find("400"), std::string::npos);
  EXPECT_EQ(store_->cursor(Entity::campaigns), std::nullopt);
  for (const Entity entity : {Entity::flows, Entity::forms, Entity::segments, Entity::metrics}) {
    EXPECT_TRUE(reportOf(run, entity).completed);
    expectStoreEqualsUpstream(entity);
  }
  const SyncStatus status = sync.status();
  EXPECT_EQ(status.state, SyncState::failed);
  EXPECT_EQ(status.counters.failures, 1u);
  ASSERT_TRUE(status.entities.at(Entity::campaigns).lastError);
  EXPECT_FALSE(status.entities.at(Entity::flows).lastError);
}

TEST_F(SyncServiceTest, AnUpstreamThatRepeatsItsCursorFailsTheEntityInsteadOfLooping) {
  class RepeatingUpstream : public UpstreamSource {
   public:
    UpstreamResult fetchPage(Entity, UnixSeconds, const std::optional<std::string>&, int) override {
      return UpstreamPage{std::vector<Campaign>{campaign("cmp_1", kNow)}, std::string("same")};
    }
    Expected<EntityRows, UpstreamFailure> fetchStatistics(Entity) override { return EntityRows(std::vector<Campaign>{}); }
  } repeating;
  SyncOptions options = smallPages();
  options.entities = {Entity::campaigns};
  auto created = SyncService::create(*store_, repeating, options);
  auto& sync = *created.value();

  const SyncRunReport run = sync.runNow({});

  EXPECT_TRUE(run.failed());
  EXPECT_EQ(reportOf(run, Entity::campaigns).pages, 2u);
}

TEST_F(SyncServiceTest, ForceResetsTheRequestedCursorsAndRereadsThoseEntitiesFromTheStart) {
  seedAccount();
  SyncService& sync = start();
  sync.runNow({});
  upstream_.clearCalls();
  std::vector<std::optional<SyncProgress>> progress;
  upstream_.setOnFetch([&](std::size_t, const FetchCall&) { progress.push_back(sync.status().progress); });

  const SyncRunReport forced = sync.runNow({true, {Entity::campaigns}});

  ASSERT_EQ(forced.entities.size(), 1u);
  EXPECT_EQ(forced.entities[0].entity, Entity::campaigns);
  EXPECT_EQ(forced.entities[0].records, rowCount(upstream_.feed(Entity::campaigns)));
  EXPECT_EQ(forced.entities[0].changedRows, 0u);
  for (const FetchCall& call : upstream_.calls()) {
    EXPECT_EQ(call.entity, Entity::campaigns);
    EXPECT_EQ(call.updatedSince, 0);
  }
  EXPECT_EQ(store_->cursor(Entity::campaigns), lastCursorOf(Entity::campaigns));
  expectStoreEqualsUpstream(Entity::campaigns);
  // A pass from the start estimates its size by the rows already stored.
  ASSERT_FALSE(progress.empty());
  ASSERT_TRUE(progress.back());
  EXPECT_EQ(progress.back()->estimate, rowCount(upstream_.feed(Entity::campaigns)));
}

// The estimate is the rows the store held; an upstream that grew past it makes it unknown,
// not a progress of 8,700%.
TEST_F(SyncServiceTest, AnEstimateTheUpstreamOutgrowsIsDropped) {
  seedAccount();
  SyncService& sync = start();
  sync.runNow({});
  const std::size_t stored = rowCount(upstream_.feed(Entity::campaigns));
  for (std::size_t i = 0; i < 3 * stored; ++i) upstream_.upsert(campaign("cmp_more_" + std::to_string(i), kNow + 60));
  std::vector<SyncProgress> progress;
  upstream_.setOnFetch([&](std::size_t, const FetchCall&) {
    if (auto now = sync.status().progress) progress.push_back(*now);
  });

  sync.runNow({true, {Entity::campaigns}});

  ASSERT_FALSE(progress.empty());
  for (const SyncProgress& seen : progress) {
    if (seen.estimate) {
      EXPECT_LE(seen.recordsDone, *seen.estimate) << "never past 100%";
    }
  }
  EXPECT_EQ(progress.front().estimate, stored);
  EXPECT_FALSE(progress.back().estimate.has_value());
}

// The data's age on a leader that has not synced everything yet counts from when it took the
// lease (monitoring's sync age), not from its start: kept while the lease is the same.
TEST_F(SyncServiceTest, StatusSaysSinceWhenThisInstanceLeads) {
  SyncService& sync = start();
  EXPECT_FALSE(sync.status().leaderSince.has_value()) << "no lease before the first run asks for it";
  sync.runNow({});  // takes the store's write lease
  const Millis tookTheLease = nowMs_;
  const SyncStatus first = sync.status();
  ASSERT_TRUE(first.leader);
  EXPECT_EQ(first.leaderSince, tookTheLease);
  nowMs_ += 60'000;
  EXPECT_EQ(sync.status().leaderSince, tookTheLease) << "the same lease";
  EXPECT_EQ(sync.status().toJson()["leaderSince"], tookTheLease);
}

TEST_F(SyncServiceTest, StopDuringARunFinishesThePageInHandAndStartsNoOther) {
  seedAccount();
  SyncService& sync = start();
  std::thread stopper;
  stopAtFetch(sync, 2, stopper);

  const SyncRunReport run = sync.runNow({});
  stopper.join();

  EXPECT_TRUE(run.stopped);
  EXPECT_FALSE(run.succeeded());
  EXPECT_FALSE(run.failed());
  EXPECT_EQ(upstream_.calls().size(), 2u);
  ASSERT_EQ(run.entities.size(), 1u);
  EXPECT_EQ(run.entities[0].pages, 2u);
  const auto feed = std::get<std::vector<Campaign>>(upstream_.feed(Entity::campaigns));
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{feed[13].updatedAt, feed[13].id}));
  EXPECT_EQ(rowCount(storedRows(*store_, Entity::campaigns)), 14u);
  // Stopped for good: later runs do nothing.
  EXPECT_TRUE(sync.runNow({}).stopped);
  EXPECT_EQ(upstream_.calls().size(), 2u);
}

// A whole pass stopped before its last page has not seen every record: it removes nothing,
// not even a record an earlier pass already missed.
TEST_F(SyncServiceTest, AWholePassStoppedMidwayRemovesNothing) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::campaigns};
  SyncService& sync = start(options);
  ASSERT_TRUE(sync.runNow({}).succeeded());
  const auto stored = std::get<std::vector<Campaign>>(storedRows(*store_, Entity::campaigns));
  upstream_.erase(Entity::campaigns, stored.front().id);
  ASSERT_TRUE(sync.runNow({true, {}}).succeeded());  // missed once: a suspect
  nowMs_ += kSuspectsRecheckMs;

  upstream_.clearCalls();
  std::thread stopper;
  stopAtFetch(sync, 2, stopper);
  const SyncRunReport run = sync.runNow({});
  stopper.join();
  EXPECT_TRUE(run.stopped);
  EXPECT_EQ(upstream_.calls().front().updatedSince, 0);  // it was a whole pass
  EXPECT_EQ(rowCount(storedRows(*store_, Entity::campaigns)), 30u);
}

TEST_F(SyncServiceTest, StopCutsARetryWaitShort) {
  seedAccount();
  SyncOptions options = smallPages();
  options.retry.baseDelayMs = 60000;
  options.retry.maxDelayMs = 60000;
  SyncDependencies dependencies;  // the real, interruptible sleep
  dependencies.onRunFinished = [this](const SyncRunReport& report) {
    std::lock_guard lock(mutex_);
    finishedRuns_.push_back(report);
    runFinished_.notify_all();
  };
  upstream_.failCalls(1, 1, rateLimited(60000));
  auto created = SyncService::create(*store_, upstream_, options, dependencies);
  auto& sync = *created.value();
  ASSERT_EQ(sync.requestSync({}), SyncAcceptance::queued);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (upstream_.calls().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  const auto before = std::chrono::steady_clock::now();
  sync.stop();

  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  ASSERT_TRUE(waitForRuns(1));
  EXPECT_TRUE(finishedRuns()[0].stopped);
  EXPECT_EQ(upstream_.calls().size(), 1u);
}

TEST_F(SyncServiceTest, RequestSyncRunsOnTheWorkerAndFoldsRequestsThatArriveMeanwhile) {
  seedAccount();
  SyncService& sync = start();
  std::mutex gateMutex;
  std::condition_variable gateChanged;
  bool firstFetchStarted = false;
  bool open = false;
  const auto testThread = std::this_thread::get_id();
  std::thread::id fetchThread;
  upstream_.setOnFetch([&](std::size_t callNumber, const FetchCall&) {
    if (callNumber != 1) return;
    std::unique_lock lock(gateMutex);
    fetchThread = std::this_thread::get_id();
    firstFetchStarted = true;
    gateChanged.notify_all();
    gateChanged.wait(lock, [&] { return open; });
  });

  EXPECT_EQ(sync.requestSync({}), SyncAcceptance::queued);
  {
    std::unique_lock lock(gateMutex);
    ASSERT_TRUE(gateChanged.wait_for(lock, std::chrono::seconds(10), [&] { return firstFetchStarted; }));
  }
  EXPECT_EQ(sync.status().state, SyncState::running);
  // The first run is busy: the next request waits, the ones after it fold into it.
  EXPECT_EQ(sync.requestSync({false, {Entity::flows}}), SyncAcceptance::queued);
  EXPECT_EQ(sync.requestSync({true, {Entity::forms}}), SyncAcceptance::merged);
  EXPECT_EQ(sync.requestSync({false, {Entity::flows}}), SyncAcceptance::merged);
  {
    std::lock_guard lock(gateMutex);
    open = true;
  }
  gateChanged.notify_all();

  ASSERT_TRUE(waitForRuns(2));
  const auto runs = finishedRuns();
  EXPECT_NE(fetchThread, testThread);
  EXPECT_EQ(runs[0].entities.size(), kAllEntities.size());
  ASSERT_EQ(runs[1].entities.size(), 2u);
  EXPECT_EQ(runs[1].entities[0].entity, Entity::flows);
  EXPECT_EQ(runs[1].entities[1].entity, Entity::forms);
  // forms was forced: re-read whole; flows was not: only its look-back window.
  EXPECT_EQ(runs[1].entities[1].records, rowCount(upstream_.feed(Entity::forms)));
  EXPECT_LT(runs[1].entities[0].records, rowCount(upstream_.feed(Entity::flows)));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(finishedRuns().size(), 2u);
}

TEST_F(SyncServiceTest, OnlyOneRunAtATime) {
  seedAccount();
  SyncService& sync = start();
  std::atomic<int> inFetch{0};
  std::atomic<int> mostAtOnce{0};
  upstream_.setOnFetch([&](std::size_t, const FetchCall&) {
    const int now = ++inFetch;
    int seen = mostAtOnce.load();
    while (now > seen && !mostAtOnce.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    --inFetch;
  });

  sync.requestSync({});
  std::thread other([&] { sync.runNow({}); });
  sync.runNow({true, {}});
  other.join();
  ASSERT_TRUE(waitForRuns(3));

  EXPECT_EQ(mostAtOnce.load(), 1);
  for (const Entity entity : kAllEntities) expectStoreEqualsUpstream(entity);
}

TEST_F(SyncServiceTest, TheScheduleStartsRunsEveryInterval) {
  seedAccount();
  SyncOptions options = smallPages();
  options.scheduleIntervalSeconds = 1;
  SyncService& sync = start(options);

  ASSERT_TRUE(waitForRuns(1, std::chrono::seconds(5)));

  EXPECT_TRUE(finishedRuns()[0].succeeded());
  for (const Entity entity : kAllEntities) expectStoreEqualsUpstream(entity);
  sync.stop();
}

TEST_F(SyncServiceTest, StatusReportsStateProgressCursorsErrorsAndCounters) {
  upstream_.setRows(campaignsAt({kNow - 30, kNow - 20, kNow - 10}));
  SyncOptions options = smallPages();
  options.pageSize = 2;
  options.entities = {Entity::campaigns, Entity::flows};
  SyncService& sync = start(options);
  std::vector<SyncStatus> seenWhileRunning;
  upstream_.setOnFetch([&](std::size_t, const FetchCall&) {
    nowMs_ += 25;  // every fetch takes 25 ms
    seenWhileRunning.push_back(sync.status());
  });

  const Json before = sync.status().toJson();
  EXPECT_EQ(before["state"], "idle");
  EXPECT_TRUE(before["progress"].is_null());
  EXPECT_TRUE(before["successRate"].is_null());
  EXPECT_TRUE(before["lastRunDurationMs"].is_null());
  EXPECT_TRUE(before["entities"]["campaigns"]["cursor"].is_null());

  sync.runNow({});

  // While running: the entity in progress and the pages committed so far.
  ASSERT_EQ(seenWhileRunning.size(), 3u);  // two pages of campaigns, one empty page of flows
  EXPECT_EQ(seenWhileRunning[1].state, SyncState::running);
  ASSERT_TRUE(seenWhileRunning[1].progress);
  EXPECT_EQ(seenWhileRunning[1].progress->entity, Entity::campaigns);
  EXPECT_EQ(seenWhileRunning[1].progress->pagesDone, 1u);
  EXPECT_EQ(seenWhileRunning[1].progress->recordsDone, 2u);
  EXPECT_EQ(seenWhileRunning[2].progress->entity, Entity::flows);

  const Millis firstRunEnd = nowMs_.load();
  nowMs_ += 1000;
  upstream_.failCalls(4, 1, httpFailure(404));
  sync.runNow({});

  const Json status = sync.status().toJson();
  EXPECT_EQ(status["state"], "failed");
  EXPECT_TRUE(status["progress"].is_null());
  const Json& campaigns = status["entities"]["campaigns"];
  EXPECT_EQ(campaigns["cursor"], (Json{{"updatedAt", kNow - 10}, {"id", "cmp_102"}}));
  EXPECT_EQ(campaigns["lastSuccessAt"], firstRunEnd - 25);  // flows' fetch came after it
  EXPECT_EQ(campaigns["lastError"]["message"], "http 404: HTTP 404");
  EXPECT_EQ(campaigns["recordsSynced"], 3);
  EXPECT_EQ(campaigns["rowsChanged"], 3);
  EXPECT_TRUE(status["entities"]["flows"]["lastError"].is_null());
  EXPECT_EQ(status["entities"]["flows"]["lastSuccessAt"], firstRunEnd + 1000 + 50);
  EXPECT_TRUE(status["entities"]["metrics"]["cursor"].is_null());
  EXPECT_EQ(status["lastError"]["entity"], "campaigns");
  EXPECT_EQ(status["lastError"]["message"], "http 404: HTTP 404");
  EXPECT_EQ(status["lastError"]["at"], firstRunEnd + 1000 + 25);
  EXPECT_EQ(status["counters"],
            (Json{{"runs", 2}, {"successes", 1}, {"failures", 1}, {"pages", 2}, {"records", 3}, {"retries", 0}, {"rateLimitedRetries", 0}}));
  EXPECT_EQ(status["lastRunDurationMs"], 50);
  EXPECT_EQ(status["successRate"], 0.5);
}

TEST_F(SyncServiceTest, LogsStructuredLinesThroughTheInjectedLogger) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::forms};
  SyncService& sync = start(options);
  upstream_.failCalls(1, 1, httpFailure(503));

  sync.runNow({});

  std::lock_guard lock(mutex_);
  std::vector<std::string> messages;
  for (const Json& line : logs_) messages.push_back(line["message"]);
  EXPECT_EQ(messages, (std::vector<std::string>{"sync run started", "sync page retry", "sync page committed",
                                                "sync page committed", "sync entity done", "sync statistics committed",
                                                "sync run finished"}));
  EXPECT_EQ(logs_[1]["level"], static_cast<int>(LogLevel::warn));
  EXPECT_EQ(logs_[1]["fields"]["entity"], "forms");
  EXPECT_EQ(logs_[1]["fields"]["attempt"], 1);
  EXPECT_EQ(logs_[5]["fields"]["entity"], "forms");
  EXPECT_EQ(logs_[6]["fields"]["outcome"], "succeeded");
}

// The upstream's rate limits pacing us (a 429 saying when to come back) are expected: the
// retry is said at info. A 429 without Retry-After is not pacing we were told of: a warning.
// Rate-limited retries are counted apart, for the operator's retries by reason.
TEST_F(SyncServiceTest, ARetryThe429sRetryAfterAskedForIsInfoAndCountedApart) {
  seedAccount();
  SyncOptions options = smallPages();
  options.entities = {Entity::forms};
  SyncService& sync = start(options);
  upstream_.failNext(1, rateLimited(1000));
  sync.runNow({});
  upstream_.failNext(1, rateLimited(std::nullopt));
  sync.runNow({});
  upstream_.failNext(1, httpFailure(503));
  sync.runNow({});
  const Json counters = sync.status().toJson()["counters"];
  EXPECT_EQ(counters["retries"], 3);
  EXPECT_EQ(counters["rateLimitedRetries"], 2);

  std::lock_guard lock(mutex_);
  std::vector<int> retryLevels;
  for (const Json& line : logs_) {
    if (line["message"] == "sync page retry") retryLevels.push_back(line["level"]);
  }
  EXPECT_EQ(retryLevels, (std::vector<int>{static_cast<int>(LogLevel::info), static_cast<int>(LogLevel::warn),
                                           static_cast<int>(LogLevel::warn)}));
}

TEST(SyncOptionsValidation, NamesTheBadField) {
  EXPECT_EQ(validate(SyncOptions{}), std::nullopt);
  SyncOptions options;
  options.pageSize = 0;
  EXPECT_NE(validate(options)->find("pageSize"), std::string::npos);
  options.pageSize = 1001;  // beyond the upstream API's page_size limit
  EXPECT_NE(validate(options)->find("pageSize"), std::string::npos);
  options = {};
  options.lookbackSeconds = -1;
  EXPECT_NE(validate(options)->find("lookbackSeconds"), std::string::npos);
  options = {};
  options.entities.clear();
  EXPECT_NE(validate(options)->find("entities"), std::string::npos);
  options = {};
  options.retry.maxAttempts = 0;
  EXPECT_NE(validate(options)->find("retry.maxAttempts"), std::string::npos);
  options = {};
  options.scheduleIntervalSeconds = -5;
  EXPECT_NE(validate(options)->find("scheduleIntervalSeconds"), std::string::npos);
}

}  // namespace
}  // namespace livedata::server
