// Several processes on one PostgreSQL store (docs/backend.md), each played here by a Store of
// its own on the same database: every change reaches every Store's observer in version
// order, one Store at a time holds the write lease, and a holder that lost it without
// knowing has its writes refused by the database.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "store/postgres.h"
#include "store/store.h"
#include "store_test_support.h"

namespace livedata::server {
namespace {

using testing::makeCampaign;
using testing::makeSegment;
using testing::StoreEngine;
using testing::StoreLocation;
using testing::valueOf;

constexpr UnixSeconds kT0 = 1'790'000'000;

std::unique_ptr<Store> openShared(const StoreLocation& location, int writeLeaseMs = 5000) {
  StoreOptions options;
  options.writeLeaseMs = writeLeaseMs;
  auto opened = Store::open(location.location(), options);
  if (!opened) {
    ADD_FAILURE() << opened.error();
    return nullptr;
  }
  return std::move(opened.value());
}

// Waits up to `limit` for `condition`.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

class SharedStore : public ::testing::Test {
 protected:
  void SetUp() override {
    LIVEDATA_REQUIRE_ENGINE(StoreEngine::postgres);
    location_ = std::make_unique<StoreLocation>(StoreEngine::postgres, "shared");
  }

  // The pid of the session holding the write lease (its advisory lock), or 0.
  int leaseHolderSession() const {
    postgres::Connection admin(location_->location());
    return static_cast<int>(admin.queryInteger("SELECT coalesce(max(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND granted"));
  }

  std::unique_ptr<StoreLocation> location_;
};

// A rolling upgrade (docs/deploy.md) leaves older instances serving on the migrated
// database until they are replaced: what they query must still be there. Instances at
// migration 7 sort names by natural_key(), which migration 8 dropped.
TEST_F(SharedStore, AnInstanceFromBeforeTheSortKeysStillListsOnTheMigratedDatabase) {
  auto store = openShared(*location_);
  ASSERT_TRUE(store);
  postgres::Connection olderInstance(location_->location());
  EXPECT_EQ(olderInstance.queryInteger("SELECT count(*) FROM (SELECT id FROM campaigns ORDER BY natural_key(name), id) AS page"), 0);
  EXPECT_EQ(olderInstance.queryInteger("SELECT CASE WHEN natural_key('Week 10') > natural_key('week 9') THEN 1 ELSE 0 END"), 1);
}

TEST_F(SharedStore, EveryChangeReachesTheOtherStoresObserverOnceInVersionOrder) {
  auto writer = openShared(*location_);
  auto reader = openShared(*location_);
  ASSERT_TRUE(writer && reader);
  std::mutex mutex;
  std::vector<Change> seen;
  bool anyCommittedHere = false;
  reader->observeChanges(reader->changeVersion(), [&](const Change& change, bool committedHere) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(change);
    anyCommittedHere = anyCommittedHere || committedHere;
  });
  std::vector<bool> writerSawOwn;
  writer->observeChanges(writer->changeVersion(), [&](const Change&, bool committedHere) {
    std::lock_guard<std::mutex> lock(mutex);
    writerSawOwn.push_back(committedHere);
  });
  const auto campaignsBefore = reader->dataVersion(Entity::campaigns);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(writer->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c" + std::to_string(i), "sent", kT0 + i)},
                                   std::nullopt).ok());
  }
  ASSERT_TRUE(writer->commitPage(Entity::segments, std::vector<Segment>{makeSegment("s1", 10, kT0)}, std::nullopt).ok());

  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return seen.size() >= 6;
  })) << "the other store saw " << seen.size() << " of 6 changes";
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // a poll later: nothing twice
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(seen.size(), 6u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].version, static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(seen[0].keys, std::vector<std::string>{"c1"});
  EXPECT_EQ(seen[5].entity, Entity::segments);
  EXPECT_EQ(reader->changeVersion(), 6);
  EXPECT_FALSE(anyCommittedHere) << "the reader committed none of them";
  EXPECT_EQ(writerSawOwn, std::vector<bool>(6, true)) << "the writer's own, each delivered before its commit returned";
  EXPECT_GT(reader->dataVersion(Entity::campaigns), campaignsBefore);
  EXPECT_EQ(reader->dataVersion(Entity::campaigns), writer->dataVersion(Entity::campaigns))
      << "the same version on both: the version of the last change of campaigns";
  EXPECT_EQ(reader->dataVersion(Entity::campaigns), 5u);
}

TEST_F(SharedStore, OneStoreHoldsTheWriteLeaseAndTheNextTakesItWhenTheHolderCloses) {
  auto first = openShared(*location_);
  auto second = openShared(*location_);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->holdWriteLease());
  const std::int64_t firstToken = first->fencingToken();
  EXPECT_GT(firstToken, 0);
  EXPECT_FALSE(second->holdWriteLease());
  EXPECT_EQ(second->fencingToken(), 0);
  const auto refused = second->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c1", "sent", kT0)},
                                          std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("another instance holds the write lease"), std::string::npos) << refused.error();
  EXPECT_EQ(valueOf(first->rowCount(Entity::campaigns)), 0) << "nothing of the refused write landed";

  // Its session ends; the server frees the lock once its backend has seen the session go,
  // a moment after the socket closes (the CI once asked first, and was refused).
  first.reset();
  ASSERT_TRUE(eventually([&] { return second->holdWriteLease(); }, std::chrono::seconds(2)));
  EXPECT_GT(second->fencingToken(), firstToken);
  EXPECT_TRUE(second->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c1", "sent", kT0)},
                                 std::nullopt).ok());
}

TEST_F(SharedStore, AHolderSilentForLongerThanTheLeaseLosesIt) {
  auto paused = openShared(*location_, 500);
  auto waiting = openShared(*location_, 500);
  ASSERT_TRUE(paused && waiting);
  ASSERT_TRUE(paused->holdWriteLease());
  EXPECT_FALSE(waiting->holdWriteLease());
  // `paused` does nothing, as a stopped process would: the server ends its lease session.
  EXPECT_TRUE(eventually([&] { return waiting->holdWriteLease(); }, std::chrono::seconds(3)));
  EXPECT_FALSE(paused->holdWriteLease()) << "the lease has a new holder";
}

// The case the fence is for: a holder that has not yet noticed it lost the lease (it checks
// at most every quarter lease) still believes it leads. The database refuses its write.
TEST_F(SharedStore, AFormerHolderThatBelievesItStillLeadsHasItsWriteRefusedByTheDatabase) {
  auto former = openShared(*location_, 60'000);  // confirms its lease at most every 15 s
  auto next = openShared(*location_, 60'000);
  ASSERT_TRUE(former && next);
  ASSERT_TRUE(former->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c1", "sent", kT0)},
                                 std::nullopt).ok());
  const std::int64_t formerToken = former->fencingToken();
  // The lease session ends behind its holder's back (a network cut, an operator).
  const int holder = leaseHolderSession();
  ASSERT_GT(holder, 0);
  postgres::Connection admin(location_->location());
  admin.execute("SELECT pg_terminate_backend(" + std::to_string(holder) + ")");
  ASSERT_TRUE(eventually([&] { return next->holdWriteLease(); }));
  EXPECT_GT(next->fencingToken(), formerToken);

  EXPECT_EQ(former->fencingToken(), formerToken) << "it has not noticed yet";
  const auto refused = former->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c2", "sent", kT0)},
                                          std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("refused by the write fence"), std::string::npos) << refused.error();
  EXPECT_EQ(valueOf(next->rowCount(Entity::campaigns)), 1) << "the refused row is not there";
  EXPECT_TRUE(next->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c3", "sent", kT0)},
                               std::nullopt).ok());
}

// PostgreSQL restarts under a store: while it is down, reads and writes fail with a message
// (the API's 503); once it is back, the very first read and write succeed, on connections
// opened anew, and nothing committed before is lost.
TEST_F(SharedStore, AfterARestartOfPostgresTheFirstReadAndWriteSucceed) {
  auto store = openShared(*location_);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c1", "sent", kT0)}, std::nullopt).ok());
  ASSERT_TRUE(store->rowCount(Entity::campaigns).ok());

  // A restart between two uses: every pooled connection is dead, and no request pays for it.
  testing::sharedPostgres().stop();
  testing::sharedPostgres().start();
  const auto afterRestart = store->rowCount(Entity::campaigns);
  ASSERT_TRUE(afterRestart.ok()) << afterRestart.error();
  EXPECT_EQ(afterRestart.value(), 1);
  const auto firstWrite = store->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c2", "sent", kT0)},
                                            std::nullopt);
  EXPECT_TRUE(firstWrite.ok()) << firstWrite.error();

  // Used while it is down: errors with a message, and success once it is back.
  testing::sharedPostgres().stop();
  const auto whileDown = store->rowCount(Entity::campaigns);
  ASSERT_FALSE(whileDown.ok());
  EXPECT_NE(whileDown.error().find("store: cannot count rows"), std::string::npos) << whileDown.error();
  EXPECT_FALSE(store->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c3", "sent", kT0)}, std::nullopt).ok());
  testing::sharedPostgres().start();
  EXPECT_TRUE(store->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c3", "sent", kT0)}, std::nullopt).ok());
  EXPECT_EQ(valueOf(store->rowCount(Entity::campaigns)), 3) << "nothing committed before was lost";
}

}  // namespace
}  // namespace livedata::server
