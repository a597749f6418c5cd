// The live feed's state: what a client at some version is told (changes, reset or nothing),
// waits that end on a change, a deadline or stop, and the bounded subscriber slots; and its
// wire forms, pinned byte for byte (docs/api.md, "Live changes").
#include "feed/change_feed.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "feed/change_notice.h"

namespace livedata::server {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

Change changeAt(std::int64_t version, Entity entity = Entity::campaigns, std::vector<std::string> keys = {}) {
  return Change{version, 1'790'000'000'000 + version, entity, std::move(keys)};
}

std::vector<std::int64_t> versionsOf(const Catchup& catchup) {
  std::vector<std::int64_t> versions;
  for (const PublishedChangePtr& published : catchup.changes) versions.push_back(published->change.version);
  return versions;
}

ChangeFeedOptions withCapacity(std::size_t capacity) {
  ChangeFeedOptions options;
  options.replayCapacity = capacity;
  return options;
}

// A catch-up that must not wait.
Catchup now(const ChangeFeed& feed, std::int64_t version, std::size_t limit = 100) {
  return feed.waitAfter(version, Clock::now(), limit);
}

TEST(ChangeFeed, AClientAtTheCurrentVersionHasNothingToLearn) {
  ChangeFeed feed({}, {changeAt(1), changeAt(2)}, 2);
  const Catchup catchup = now(feed, 2);
  EXPECT_EQ(catchup.kind, Catchup::Kind::timedOut);
  EXPECT_EQ(catchup.version, 2);
  EXPECT_TRUE(catchup.changes.empty());
}

TEST(ChangeFeed, AResumingClientGetsWhatItMissedInOrderAndInRounds) {
  ChangeFeed feed({}, {changeAt(3), changeAt(4), changeAt(5), changeAt(6)}, 6);
  EXPECT_EQ(versionsOf(now(feed, 4)), (std::vector<std::int64_t>{5, 6}));
  EXPECT_EQ(versionsOf(now(feed, 2)), (std::vector<std::int64_t>{3, 4, 5, 6})) << "2 is just before the tail";
  const Catchup first = now(feed, 2, /*limit=*/3);
  EXPECT_EQ(first.kind, Catchup::Kind::changes);
  EXPECT_EQ(versionsOf(first), (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(versionsOf(now(feed, 5, 3)), (std::vector<std::int64_t>{6}));
}

TEST(ChangeFeed, AVersionOutsideTheTailIsAResetNeverAGap) {
  ChangeFeed feed({}, {changeAt(3), changeAt(4)}, 4);
  EXPECT_EQ(now(feed, 1).kind, Catchup::Kind::reset) << "older than the log";
  EXPECT_EQ(now(feed, 9).kind, Catchup::Kind::reset) << "newer than the store: the database was replaced";
  EXPECT_EQ(now(feed, -1).kind, Catchup::Kind::reset);
  EXPECT_EQ(now(feed, 1).version, 4);
}

TEST(ChangeFeed, TheTailIsBoundedAndKeepsOnlyConsecutiveVersionsEndingAtTheCurrentOne) {
  ChangeFeed bounded(withCapacity(2), {changeAt(1), changeAt(2), changeAt(3)}, 3);
  EXPECT_EQ(now(bounded, 1).kind, Catchup::Kind::changes);
  EXPECT_EQ(now(bounded, 0).kind, Catchup::Kind::reset);
  bounded.publish(changeAt(4));
  EXPECT_EQ(now(bounded, 1).kind, Catchup::Kind::reset) << "3 left the tail of two";
  EXPECT_EQ(versionsOf(now(bounded, 2)), (std::vector<std::int64_t>{3, 4}));

  // Log entries from before a gap (entries deleted by hand) are not replayed across it.
  ChangeFeed gapped({}, {changeAt(1), changeAt(2), changeAt(5)}, 5);
  EXPECT_EQ(versionsOf(now(gapped, 4)), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(now(gapped, 1).kind, Catchup::Kind::reset);
  ChangeFeed behind({}, {changeAt(1), changeAt(2)}, 7);
  EXPECT_EQ(now(behind, 2).kind, Catchup::Kind::reset) << "the log's last entries are missing";
}

TEST(ChangeFeed, PublishingOutOfSequenceResetsClientsFromBeforeTheGapAndRepeatsAreIgnored) {
  ChangeFeed feed({}, {changeAt(1)}, 1);
  feed.publish(changeAt(1));
  EXPECT_EQ(feed.currentVersion(), 1);
  feed.publish(changeAt(3));  // 2 was never published
  EXPECT_EQ(feed.currentVersion(), 3);
  EXPECT_EQ(now(feed, 1).kind, Catchup::Kind::reset);
  EXPECT_EQ(versionsOf(now(feed, 2)), (std::vector<std::int64_t>{3}));
}

TEST(ChangeFeed, AWaitEndsWithThePublishedChange) {
  ChangeFeed feed({}, {}, 0);
  auto waiting = std::async(std::launch::async, [&] { return feed.waitAfter(0, Clock::now() + 10s, 100); });
  std::this_thread::sleep_for(20ms);
  feed.publish(changeAt(1, Entity::metrics, {"2026-10-31"}));
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  const Catchup catchup = waiting.get();
  EXPECT_EQ(catchup.kind, Catchup::Kind::changes);
  ASSERT_EQ(versionsOf(catchup), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(catchup.changes[0]->change.keys, (std::vector<std::string>{"2026-10-31"}));
}

TEST(ChangeFeed, OneChangeWakesEveryWaiterWithTheSameEncodedNotice) {
  ChangeFeed feed({}, {}, 0);
  std::vector<std::future<Catchup>> waiting;
  for (int i = 0; i < 64; ++i) {
    waiting.push_back(std::async(std::launch::async, [&] { return feed.waitAfter(0, Clock::now() + 10s, 100); }));
  }
  std::this_thread::sleep_for(50ms);
  feed.publish(changeAt(1, Entity::flows, {"f1"}));
  const PublishedChange* shared = nullptr;
  for (auto& wait : waiting) {
    ASSERT_EQ(wait.wait_for(5s), std::future_status::ready);
    const Catchup catchup = wait.get();
    ASSERT_EQ(versionsOf(catchup), (std::vector<std::int64_t>{1}));
    if (!shared) shared = catchup.changes[0].get();
    EXPECT_EQ(catchup.changes[0].get(), shared) << "encoded once, shared by every subscriber";
  }
  EXPECT_EQ(shared->event, changeEvent(changeAt(1, Entity::flows, {"f1"})));
}

TEST(ChangeFeed, AWaitEndsAtItsDeadline) {
  ChangeFeed feed({}, {}, 0);
  const auto start = Clock::now();
  const Catchup catchup = feed.waitAfter(0, start + 30ms, 100);
  EXPECT_EQ(catchup.kind, Catchup::Kind::timedOut);
  EXPECT_GE(Clock::now() - start, 30ms);
}

TEST(ChangeFeed, StopEndsEveryWaitAndRefusesNewSubscribers) {
  ChangeFeed feed({}, {}, 0);
  auto waiting = std::async(std::launch::async, [&] { return feed.waitAfter(0, Clock::now() + 30s, 100); });
  std::this_thread::sleep_for(20ms);
  feed.stop();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(waiting.get().kind, Catchup::Kind::stopped);
  EXPECT_FALSE(feed.subscribe().has_value());
}

TEST(ChangeFeed, SubscriberSlotsAreBoundedAndFreedWithTheSubscription) {
  ChangeFeedOptions options;
  options.maxSubscribers = 2;
  ChangeFeed feed(options, {}, 0);
  auto first = feed.subscribe();
  auto second = feed.subscribe();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(feed.subscribers(), 2u);
  EXPECT_FALSE(feed.subscribe().has_value()) << "past maxSubscribers";
  first.reset();
  EXPECT_EQ(feed.subscribers(), 1u);
  auto moved = std::move(*second);
  second.reset();
  EXPECT_EQ(feed.subscribers(), 1u) << "a moved slot is still held once";
  EXPECT_TRUE(feed.subscribe().has_value());
}

// --- The wire forms

TEST(ChangeNotice, NamesTheVersionTimeEndpointAndIds) {
  EXPECT_EQ(changeNoticeJson(Change{12, 1'796'281'200'123, Entity::campaigns, {"c1", "c2"}}),
            R"({"version":12,"committedAt":"2026-12-03T07:00:00.123Z","endpoints":[{"name":"campaigns","ids":["c1","c2"]}]})");
  EXPECT_EQ(changeNoticeJson(Change{13, 1'796'281'200'000, Entity::metrics, {}}),
            R"({"version":13,"committedAt":"2026-12-03T07:00:00.000Z","endpoints":[{"name":"overview"}]})")
      << "metrics back /api/overview; no ids: the whole endpoint";
}

TEST(ChangeNotice, EventStreamEventsAreCompleteAndCarryTheirVersionAsId) {
  EXPECT_EQ(subscribedEvent(5, 9, 1000), "retry: 1000\nid: 5\nevent: subscribed\ndata: {\"version\":9}\n\n");
  EXPECT_EQ(changeEvent(Change{12, 1'796'281'200'123, Entity::flows, {"f1"}}),
            "id: 12\nevent: change\ndata: "
            R"({"version":12,"committedAt":"2026-12-03T07:00:00.123Z","endpoints":[{"name":"flows","ids":["f1"]}]})"
            "\n\n");
  EXPECT_EQ(resetEvent(9), "id: 9\nevent: reset\ndata: {\"version\":9}\n\n");
  EXPECT_EQ(heartbeatComment().front(), ':') << "a comment, which no client treats as an event";
}

TEST(ChangeNotice, TheLongPollAnswerLeadsToTheNextVersion) {
  Catchup partial;
  partial.kind = Catchup::Kind::changes;
  partial.version = 9;
  partial.changes = {std::make_shared<const PublishedChange>(Change{6, 1'796'281'200'000, Entity::forms, {"x"}})};
  EXPECT_EQ(longPollJson(partial),
            R"({"version":6,"reset":false,"changes":[{"version":6,"committedAt":"2026-12-03T07:00:00.000Z","endpoints":[{"name":"forms","ids":["x"]}]}]})");
  Catchup reset;
  reset.kind = Catchup::Kind::reset;
  reset.version = 9;
  EXPECT_EQ(longPollJson(reset), R"({"version":9,"reset":true,"changes":[]})");
}

}  // namespace
}  // namespace livedata::server
