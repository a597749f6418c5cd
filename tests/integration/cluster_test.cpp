// Several mock-server instances on one PostgreSQL store, as separate processes over loopback
// (docs/backend.md): one sync leader at a time, every change reaching every instance's live
// feed in version order, and the leader's death or pause handing the sync to another
// instance without losing or doubling a record. PostgreSQL and the upstream are real
// processes started by the test.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "event_stream_client.h"
#include "postgres_process.h"
#include "required_tool.h"
#include "server_client.h"
#include "server_process.h"
#include "sync_truth.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::EventStreamClient;
using testing::KeyFile;
using testing::PostgresProcess;
using testing::ServerProcess;
using testing::StreamEvent;
using testing::waitForRuns;
using Http = testing::ServerClient;
using namespace std::chrono_literals;

constexpr int kLeaseMs = 1000;

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresProcess::installed()) {
      if (std::getenv("LIVEDATA_REQUIRE_TOOLS") != nullptr) FAIL() << "PostgreSQL is not installed";
      GTEST_SKIP() << "PostgreSQL is not installed";
    }
    postgres_ = std::make_unique<PostgresProcess>();
  }

  // The upstream every instance syncs from: one account, in a process of its own.
  void startUpstream(int campaigns, int latencyMs = 0) {
    std::vector<std::string> args{"--upstream-only", "--campaigns", std::to_string(campaigns), "--changes-per-minute", "0",
                                  "--upstream-api-key-file", key_.path, "--upstream-rate-limits", "off"};
    if (latencyMs > 0) args.insert(args.end(), {"--upstream-faults", R"({"latencyMs": )" + std::to_string(latencyMs) + "}"});
    upstream_ = std::make_unique<ServerProcess>(args);
  }

  std::unique_ptr<ServerProcess> startInstance(bool waitForSync = true) {
    return std::make_unique<ServerProcess>(
        std::vector<std::string>{"--db", postgres_->url(), "--upstream", upstream_->baseUrl(), "--upstream-api-key-file",
                                 key_.path, "--sync-interval", "0", "--write-lease-ms", std::to_string(kLeaseMs)},
        nullptr, waitForSync);
  }

  static json status(ServerProcess& instance) {
    Http http(instance);
    return http.getJson("/api/sync/status");
  }

  // Waits until `instance` leads; returns how long that took.
  static std::chrono::milliseconds untilLeader(ServerProcess& instance, std::chrono::seconds limit = 10s) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
      if (status(instance)["leader"] == true) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      }
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "no leadership within " << limit.count() << " s";
    return std::chrono::duration_cast<std::chrono::milliseconds>(limit);
  }

  // Waits until the campaigns' sync on `instance` has done at least `records`.
  static void untilCampaignsCopied(ServerProcess& instance, int records) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      const json now = status(instance);
      const auto& progress = now["progress"];
      if (progress.is_object() && progress["entity"] == "campaigns" && progress["recordsDone"].get<int>() >= records) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << now.dump();
      std::this_thread::sleep_for(5ms);
    }
  }

  static std::string logOf(const ServerProcess& instance) {
    std::ifstream log(instance.logPath());
    return {std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>()};
  }

  std::unique_ptr<PostgresProcess> postgres_;
  const std::string apiKey_ = "pk_cluster_test_" + std::to_string(::getpid());
  const KeyFile key_{apiKey_};
  std::unique_ptr<ServerProcess> upstream_;
};

TEST_F(Cluster, OneInstanceLeadsAndEveryInstanceStreamsEveryChangeInVersionOrder) {
  startUpstream(300);
  auto leader = startInstance();
  auto follower = startInstance();
  const json leaderStatus = status(*leader);
  const json followerStatus = status(*follower);
  EXPECT_EQ(leaderStatus["leader"], true) << leaderStatus.dump();
  EXPECT_GT(leaderStatus["fencingToken"].get<std::int64_t>(), 0);
  EXPECT_EQ(followerStatus["leader"], false) << followerStatus.dump();
  EXPECT_EQ(followerStatus["fencingToken"], 0);
  EXPECT_EQ(followerStatus["counters"]["runs"], 0) << "a follower never syncs";

  Http leaderHttp(*leader);
  Http followerHttp(*follower);
  // The same data, and so the same bytes and ETags, from either instance.
  const auto fromLeader = leaderHttp.get("/api/campaigns?limit=20", false);
  const auto fromFollower = followerHttp.get("/api/campaigns?limit=20", false);
  ASSERT_TRUE(fromLeader && fromFollower);
  EXPECT_EQ(fromFollower->body, fromLeader->body);
  EXPECT_EQ(fromFollower->get_header_value("ETag"), fromLeader->get_header_value("ETag"));

  EventStreamClient stream(follower->port(), "/api/changes");
  const auto subscribed = stream.next(10s);
  ASSERT_TRUE(subscribed && subscribed->event == "subscribed");
  const std::int64_t start = json::parse(subscribed->data)["version"].get<std::int64_t>();
  EXPECT_GT(start, 0) << "the leader's first sync is in the follower's feed";

  // The upstream changes; the leader syncs (asking the follower would do nothing).
  httplib::Client upstreamAdmin("127.0.0.1", upstream_->port());
  const auto changed = upstreamAdmin.Post("/admin/changes", {{"Authorization", upstream_->bearer()}}, R"({"count": 40})",
                                          "application/json");
  ASSERT_TRUE(changed && changed->status == 200) << (changed ? changed->body : "no answer");
  const auto runs = leaderStatus["counters"]["runs"].get<std::uint64_t>();
  ASSERT_TRUE(leaderHttp.post("/api/sync", json::object()));
  waitForRuns(leaderHttp, runs + 1);
  const std::int64_t committed = json::parse(leaderHttp.body("/api/changes"))["version"].get<std::int64_t>();
  ASSERT_GT(committed, start) << "the upstream's changes were committed";

  // The follower's subscriber gets every version the leader committed, in order.
  for (std::int64_t version = start + 1; version <= committed; ++version) {
    const auto change = stream.next(5s);
    ASSERT_TRUE(change.has_value()) << "version " << version << " never reached the follower's stream";
    EXPECT_EQ(change->event, "change");
    EXPECT_EQ(change->id, std::to_string(version));
  }
  // And the follower serves the new data (its cache followed the change).
  const auto leaderAfter = leaderHttp.get("/api/campaigns?limit=20", false);
  const auto followerAfter = followerHttp.get("/api/campaigns?limit=20", false);
  ASSERT_TRUE(leaderAfter && followerAfter);
  EXPECT_EQ(followerAfter->get_header_value("ETag"), leaderAfter->get_header_value("ETag"));

  // A client of the follower that reconnects to the leader resumes where it was.
  EventStreamClient resumed(leader->port(), "/api/changes", {{"Last-Event-ID", std::to_string(start)}});
  const auto again = resumed.next(5s);
  ASSERT_TRUE(again && again->event == "subscribed");
  const auto first = resumed.next(5s);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, std::to_string(start + 1)) << "versions are the store's, the same on every instance";
}

// kill -9 of the leader while it copies a large account: another instance leads within the
// lease plus a second, goes on from the committed cursor, and the store ends equal to the
// upstream, none lost, none doubled.
TEST_F(Cluster, KillingTheLeaderMidSyncHandsTheSyncOverAndLosesNothing) {
  constexpr int kCampaigns = 20000;
  startUpstream(kCampaigns, 2);
  auto leader = startInstance(/*waitForSync=*/false);
  untilLeader(*leader);
  auto follower = startInstance(/*waitForSync=*/false);
  ASSERT_EQ(status(*follower)["leader"], false);
  untilCampaignsCopied(*leader, 3000);

  leader->kill();
  const auto takeover = untilLeader(*follower);
  EXPECT_LE(takeover.count(), kLeaseMs + 1000) << "took " << takeover.count() << " ms";
  std::printf("[ figure   ] leader killed: another instance led after %lld ms (lease %d ms)\n",
              static_cast<long long>(takeover.count()), kLeaseMs);

  Http http(*follower);
  const json done = waitForRuns(http, 1, 120s);
  ASSERT_EQ(done["state"], "idle") << done.dump();
  EXPECT_LT(done["entities"]["campaigns"]["recordsSynced"].get<std::int64_t>(), kCampaigns)
      << "the new leader went on from the committed cursor, not from the start";
  testing::expectStoreMatchesUpstream(postgres_->url(), upstream_->baseUrl(), apiKey_);
}

// A leader paused (SIGSTOP) past its lease loses it: another instance takes over, and when
// the paused one wakes, mid-sync, believing it still leads, the store refuses its writes.
TEST_F(Cluster, ALeaderPausedPastItsLeaseHasItsWritesRefusedWhenItWakes) {
  constexpr int kCampaigns = 20000;
  startUpstream(kCampaigns, 2);
  auto leader = startInstance(/*waitForSync=*/false);
  untilLeader(*leader);
  auto follower = startInstance(/*waitForSync=*/false);
  untilCampaignsCopied(*leader, 3000);

  leader->pause();
  const auto takeover = untilLeader(*follower);
  EXPECT_LE(takeover.count(), kLeaseMs + 1000) << "took " << takeover.count() << " ms";
  std::printf("[ figure   ] leader paused: another instance led after %lld ms (lease %d ms)\n",
              static_cast<long long>(takeover.count()), kLeaseMs);
  leader->resume();

  Http http(*follower);
  const json done = waitForRuns(http, 1, 120s);
  ASSERT_EQ(done["state"], "idle") << done.dump();
  // The woken leader learns it lost the lease: its own check, or the store's fence, refused
  // its next write, and it says so.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (status(*leader)["leader"] == true && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(status(*leader)["leader"], false);
  const std::string log = logOf(*leader);
  const bool refused = log.find("another instance holds the write lease") != std::string::npos ||
                       log.find("refused by the write fence") != std::string::npos;
  EXPECT_TRUE(refused) << "the woken leader's writes were not refused; its log:\n" << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
  testing::expectStoreMatchesUpstream(postgres_->url(), upstream_->baseUrl(), apiKey_);
}

}  // namespace
}  // namespace livedata
