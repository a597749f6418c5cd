// UpstreamAccount: generation, deterministic changes, and the change feed's order.
#include "simulated_upstream/account.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "upstream_test_support.h"

namespace livedata::server {
namespace {

using testing::endOfData;
using testing::keyOf;
using testing::makeAccount;
using testing::rowsOf;
using testing::stampOf;

std::vector<nlohmann::ordered_json> snapshotRows(const UpstreamAccount& account, Entity entity) {
  return rowsOf(account.snapshot(entity));
}

// Every record of the feed, read `pageSize` at a time straight from the account.
std::vector<nlohmann::ordered_json> readWholeFeed(const UpstreamAccount& account, Entity entity, UnixSeconds since,
                                                  int pageSize) {
  std::vector<nlohmann::ordered_json> rows;
  std::optional<SyncCursor> after;
  for (;;) {
    FeedPage page = account.readFeed(entity, since, after, pageSize);
    auto pageRows = rowsOf(page.rows);
    EXPECT_LE(pageRows.size(), static_cast<std::size_t>(pageSize));
    rows.insert(rows.end(), pageRows.begin(), pageRows.end());
    if (!page.hasMore) return rows;
    after = SyncCursor{stampOf(rows.back()), keyOf(rows.back())};
  }
}

TEST(UpstreamAccount, SameSeedGivesTheSameSnapshot) {
  auto a = makeAccount(11);
  auto b = makeAccount(11);
  auto c = makeAccount(12);
  for (const Entity entity : kAllEntities) {
    EXPECT_EQ(snapshotRows(*a, entity), snapshotRows(*b, entity)) << nameOf(entity);
  }
  EXPECT_NE(snapshotRows(*a, Entity::campaigns), snapshotRows(*c, Entity::campaigns));
}

TEST(UpstreamAccount, SameSeedAndSameChangesGiveTheSameSnapshot) {
  auto a = makeAccount(11);
  auto b = makeAccount(11);
  for (int round = 1; round <= 5; ++round) {
    a->applyChanges(40, endOfData() + round * 60);
    b->applyChanges(40, endOfData() + round * 60);
  }
  for (const Entity entity : kAllEntities) {
    EXPECT_EQ(snapshotRows(*a, entity), snapshotRows(*b, entity)) << nameOf(entity);
  }
  EXPECT_EQ(a->changeCount(), 200u);
}

TEST(UpstreamAccount, SnapshotIsOrderedById) {
  auto account = makeAccount();
  for (const Entity entity : kAllEntities) {
    const auto rows = snapshotRows(*account, entity);
    ASSERT_FALSE(rows.empty());
    EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return keyOf(a) < keyOf(b); }))
        << nameOf(entity);
  }
}

TEST(UpstreamAccount, GeneratedDaysHaveUpdatedAtWithinTheData) {
  auto account = makeAccount();
  const auto days = std::get<std::vector<DailyMetrics>>(account->snapshot(Entity::metrics));
  ASSERT_EQ(days.size(), 365u);
  for (const DailyMetrics& day : days) {
    EXPECT_GT(day.updatedAt, day.day * kSecondsPerDay);  // after the day began...
    EXPECT_LE(day.updatedAt, endOfData());               // ...and no later than the data's end
  }
  EXPECT_EQ(days.back().updatedAt, endOfData());  // today is still counting
}

TEST(UpstreamAccount, ChangesStampChangedRecordsWithNow) {
  auto account = makeAccount();
  std::map<Entity, std::vector<nlohmann::ordered_json>> before;
  for (const Entity entity : kAllEntities) before[entity] = snapshotRows(*account, entity);
  const UnixSeconds now = endOfData() + 3600;
  EXPECT_EQ(account->applyChanges(200, now), now);

  std::size_t changed = 0;
  for (const Entity entity : kAllEntities) {
    std::map<std::string, nlohmann::ordered_json> old;
    for (const auto& row : before[entity]) old[keyOf(row)] = row;
    for (const auto& row : snapshotRows(*account, entity)) {
      const auto it = old.find(keyOf(row));
      if (it != old.end() && it->second == row) continue;  // untouched
      EXPECT_EQ(stampOf(row), now) << row.dump();
      ++changed;
    }
  }
  // Up to 200 changes; a record may change more than once.
  EXPECT_GT(changed, 50u);
  EXPECT_LE(changed, 200u);
}

TEST(UpstreamAccount, ChangesMoveCampaignsThroughTheirLifecycleAndAddNewOnes) {
  auto account = makeAccount();
  const auto first = std::get<std::vector<Campaign>>(account->snapshot(Entity::campaigns));
  auto before = first;
  // Status moves seen one change at a time, so no step hides behind the next.
  std::set<std::pair<std::string, std::string>> transitions;
  for (int second = 1; second <= 3000; ++second) {
    account->applyChanges(1, endOfData() + second);
    const auto after = std::get<std::vector<Campaign>>(account->snapshot(Entity::campaigns));
    std::map<std::string, Campaign> old;
    for (const auto& c : before) old[c.id] = c;
    for (const auto& c : after) {
      const auto it = old.find(c.id);
      if (it == old.end()) continue;
      if (it->second.status != c.status) transitions.insert({wordOf(it->second.status), wordOf(c.status)});
      EXPECT_GE(c.opens, it->second.opens);  // figures only grow
      EXPECT_LE(c.opens, c.recipients);
      EXPECT_LE(c.clicks, c.opens);
    }
    before = after;
  }
  ASSERT_GT(before.size(), first.size());  // new campaigns
  const std::set<std::pair<std::string, std::string>> lifecycle{
      {"draft", "scheduled"}, {"scheduled", "sending"}, {"sending", "sent"}, {"scheduled", "cancelled"}};
  EXPECT_EQ(transitions, lifecycle);  // and no other: a cancelled campaign stays cancelled
}

TEST(UpstreamAccount, FeedIsOrderedByUpdatedAtThenIdAndPagesCoverEveryRecordOnce) {
  auto account = makeAccount();
  account->applyChanges(100, endOfData() + 60);  // ties: many records share this second
  for (const Entity entity : kAllEntities) {
    const auto feed = readWholeFeed(*account, entity, 0, 7);
    EXPECT_TRUE(std::is_sorted(feed.begin(), feed.end(), [](const auto& a, const auto& b) {
      return std::make_pair(stampOf(a), keyOf(a)) < std::make_pair(stampOf(b), keyOf(b));
    })) << nameOf(entity);
    auto byKey = feed;
    std::sort(byKey.begin(), byKey.end(), [](const auto& a, const auto& b) { return keyOf(a) < keyOf(b); });
    EXPECT_EQ(byKey, snapshotRows(*account, entity)) << nameOf(entity);
  }
}

TEST(UpstreamAccount, FeedStartsAtUpdatedSince) {
  auto account = makeAccount();
  const UnixSeconds since = endOfData() - 30 * kSecondsPerDay;
  const auto feed = readWholeFeed(*account, Entity::campaigns, since, 50);
  std::size_t expected = 0;
  for (const auto& row : snapshotRows(*account, Entity::campaigns)) expected += stampOf(row) >= since ? 1 : 0;
  ASSERT_GT(expected, 0u);
  EXPECT_EQ(feed.size(), expected);
  for (const auto& row : feed) EXPECT_GE(stampOf(row), since);
}

TEST(UpstreamAccount, StampsNeverGoBackwards) {
  auto account = makeAccount();
  const UnixSeconds later = endOfData() + 1000;
  account->applyChanges(10, later);
  EXPECT_EQ(account->applyChanges(10, later - 500), later);  // a clock stepping back
  EXPECT_EQ(account->applyChanges(10, endOfData() - kSecondsPerDay * 400), later);
}

TEST(UpstreamAccount, AChangeAfterAServedPageIsStampedPastIt) {
  auto account = makeAccount();
  const UnixSeconds now = endOfData() + 60;
  account->applyChanges(50, now);
  // A walk has reached `now` in the campaigns feed: a change in that same second could
  // sort before the walk's position (a smaller id) and be missed, so it is stamped a
  // second later (and so is the whole batch, whatever entity each change falls on).
  const FeedPage page = account->readFeed(Entity::campaigns, now, std::nullopt, 1000);
  ASSERT_GT(rowCount(page.rows), 0u);
  const auto before = snapshotRows(*account, Entity::campaigns);
  account->applyChanges(40, now);
  std::map<std::string, nlohmann::ordered_json> old;
  for (const auto& row : before) old[keyOf(row)] = row;
  int changed = 0;
  for (const auto& row : snapshotRows(*account, Entity::campaigns)) {
    if (old.count(keyOf(row)) && old[keyOf(row)] == row) continue;
    EXPECT_EQ(stampOf(row), now + 1) << row.dump();
    ++changed;
  }
  EXPECT_GT(changed, 0);
}

TEST(UpstreamAccount, RejectsBadOptionsNamingTheField) {
  UpstreamAccountOptions options;
  options.sizes.days = 0;
  auto created = UpstreamAccount::create(options);
  ASSERT_TRUE(!created.ok());
  EXPECT_NE(created.error().find("sizes.days"), std::string::npos);

  options = {};
  options.sizes.campaigns = -1;
  created = UpstreamAccount::create(options);
  ASSERT_TRUE(!created.ok());
  EXPECT_NE(created.error().find("sizes.campaigns"), std::string::npos);

  options = {};
  options.changesPerMinute = -3;
  created = UpstreamAccount::create(options);
  ASSERT_TRUE(!created.ok());
  EXPECT_NE(created.error().find("changesPerMinute"), std::string::npos);
}

TEST(UpstreamAccount, TickerChangesTheAccountWhileStartedOnly) {
  UpstreamAccountOptions options;
  options.sizes.campaigns = 50;
  options.changesPerMinute = 60000;  // 1 a millisecond
  options.clock = [] { return endOfData() + 10; };
  auto created = UpstreamAccount::create(options);
  auto& account = *created.value();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(account.changeCount(), 0u);  // off until started

  account.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (account.changeCount() < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  account.stop();
  const auto made = account.changeCount();
  EXPECT_GE(made, 20u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(account.changeCount(), made);
}

// The scale the account is built for. Run with --gtest_also_run_disabled_tests
// --gtest_filter='*AMillion*' on an optimised build; prints how long each step takes.
TEST(UpstreamAccount, DISABLED_AMillionCampaigns) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point since) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
  };
  DatasetSizes sizes;
  sizes.campaigns = 1'000'000;
  auto start = Clock::now();
  const std::size_t generated = generateDataset(42, sizes).campaigns.size();
  std::printf("generateDataset alone, %zu campaigns: %lld ms\n", generated, ms(start));
  start = Clock::now();
  auto account = makeAccount(42, sizes);
  std::printf("create (generate + index) 1,000,000 campaigns: %lld ms\n", ms(start));
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS", 0) == 0) std::printf("resident after create: %s\n", line.c_str() + 6);
  }

  start = Clock::now();
  std::size_t records = 0;
  std::optional<SyncCursor> after;
  for (;;) {
    const FeedPage page = account->readFeed(Entity::campaigns, 0, after, 1000);
    const auto& rows = std::get<std::vector<Campaign>>(page.rows);
    records += rows.size();
    if (!page.hasMore) break;
    after = SyncCursor{rows.back().updatedAt, rows.back().id};
  }
  std::printf("read the whole feed in pages of 1000: %lld ms\n", ms(start));
  EXPECT_EQ(records, 1'000'000u);

  start = Clock::now();
  account->applyChanges(100'000, endOfData() + 60);
  std::printf("100,000 changes: %lld ms\n", ms(start));

  start = Clock::now();
  const auto snapshot = account->snapshot(Entity::campaigns);
  std::printf("snapshot of %zu campaigns: %lld ms\n", rowCount(snapshot), ms(start));
}

}  // namespace
}  // namespace livedata::server
