// Reads never older than a change the client knows of (app/min_version.h): an instance
// behind a version its store has committed catches up before it answers; a version the
// store never committed is answered at once; a bad one is refused.
#include "app/min_version.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace livedata::server {
namespace {

using namespace std::chrono_literals;

Change changeAt(std::int64_t version) { return Change{version, 1'790'000'000'000 + version, Entity::campaigns, {}}; }

// The store's committed version as a test sets it, counting the reads.
struct StoreStandIn {
  std::optional<std::int64_t> committed = 0;
  std::atomic<int> reads{0};
  CommittedVersion reader() {
    return [this] {
      ++reads;
      return committed;
    };
  }
};

TEST(MinVersion, AVersionThisInstanceHasIsAnsweredWithoutAskingTheStore) {
  ChangeFeed feed({}, {changeAt(5)}, 5);
  StoreStandIn store;
  EXPECT_EQ(catchUpTo(feed, 5, store.reader(), 10s), CatchUp::current);
  EXPECT_EQ(catchUpTo(feed, 0, store.reader(), 10s), CatchUp::current);
  EXPECT_FALSE(awaitMinVersion(feed, "", store.reader(), 10s));
  EXPECT_FALSE(awaitMinVersion(feed, "4", store.reader(), 10s));
  EXPECT_EQ(store.reads, 0) << "the hot path reads nothing";
}

TEST(MinVersion, ACommittedVersionIsWaitedForUntilThisInstanceHearsOfIt) {
  ChangeFeed feed({}, {changeAt(5)}, 5);
  StoreStandIn store;
  store.committed = 6;  // committed by another instance; its notification is on its way
  auto waiting = std::async(std::launch::async, [&] { return awaitMinVersion(feed, "6", store.reader(), 10s); });
  EXPECT_EQ(waiting.wait_for(100ms), std::future_status::timeout) << "answered before this instance had version 6";
  feed.publish(changeAt(6));
  const auto answer = waiting.get();
  EXPECT_FALSE(answer.has_value()) << answer->code;
  EXPECT_EQ(store.reads, 1);
}

TEST(MinVersion, ACommittedVersionThatDoesNotComeInTimeIsA503ToRetry) {
  ChangeFeed feed({}, {changeAt(5)}, 5);
  StoreStandIn store;
  store.committed = 7;
  const auto answer = awaitMinVersion(feed, "7", store.reader(), 20ms);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 503);
  EXPECT_EQ(answer->code, "not_caught_up");
  EXPECT_EQ(answer->retryAfterSeconds, 1);
  // A store that cannot say is not taken to lack it: the version may be committed.
  store.committed.reset();
  EXPECT_EQ(catchUpTo(feed, 7, store.reader(), 20ms), CatchUp::late);
}

TEST(MinVersion, AVersionTheStoreNeverCommittedIsAnsweredAtOnce) {
  // Another database's version (the store was replaced, or restored from a backup): it
  // never comes, so nothing waits for it, a made-up one included.
  ChangeFeed feed({}, {changeAt(5)}, 5);
  StoreStandIn store;
  store.committed = 5;
  EXPECT_EQ(catchUpTo(feed, 100, store.reader(), 10s), CatchUp::neverComes);
  EXPECT_FALSE(awaitMinVersion(feed, "9223372036854775807", store.reader(), 10s));
}

TEST(MinVersion, AValueThatIsNoVersionIsRefusedAndAStoppedFeedSaysSo) {
  ChangeFeed feed({}, {changeAt(5)}, 5);
  StoreStandIn store;
  for (const char* bad : {"-1", "v6", "6, 7", "1e3", " 6", "99999999999999999999"}) {
    const auto answer = awaitMinVersion(feed, bad, store.reader(), 10s);
    ASSERT_TRUE(answer) << bad;
    EXPECT_EQ(answer->status, 400) << bad;
    EXPECT_EQ(answer->code, "invalid_parameter") << bad;
  }
  store.committed = 6;
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    feed.stop();
  });
  const auto answer = awaitMinVersion(feed, "6", store.reader(), 10s);
  stopper.join();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->code, "shutting_down");
}

}  // namespace
}  // namespace livedata::server
