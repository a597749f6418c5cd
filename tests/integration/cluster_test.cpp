// Several mock-server instances on one PostgreSQL store, as separate processes over loopback
// (docs/backend.md): one sync leader at a time, every change reaching every instance's live
// feed in version order, and the leader's death or pause handing the sync to another
// instance without losing or doubling a record. PostgreSQL and the upstream are real
// processes started by the test.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "event_stream_client.h"
#include "nginx_process.h"
#include "postgres_process.h"
#include "redis_process.h"
#include "required_tool.h"
#include "server_client.h"
#include "server_process.h"
#include "sync_truth.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::EventStreamClient;
using testing::KeyFile;
using testing::NginxProcess;
using testing::RedisProcess;
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

  std::unique_ptr<ServerProcess> startInstance(bool waitForSync = true, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--db", postgres_->url(), "--upstream", upstream_->baseUrl(), "--upstream-api-key-file",
                                  key_.path, "--sync-interval", "0", "--write-lease-ms", std::to_string(kLeaseMs)};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ServerProcess>(args, nullptr, waitForSync);
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
  // The account's report budget is the leader's to report: one alert for one budget.
  const auto metricsOf = [](const ServerProcess& instance) {
    const auto answer = testing::ServerClient(instance).get("/metrics");
    return answer && answer->status == 200 ? answer->body : std::string();
  };
  EXPECT_NE(metricsOf(*leader).find("livedata_upstream_report_calls_today{"), std::string::npos);
  EXPECT_EQ(metricsOf(*follower).find("livedata_upstream_report_calls_today"), std::string::npos);

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

  // Asked at once, before the follower need have heard of the commit: a read naming the
  // committed version (as a client told of it by the leader's feed sends it) gets data at
  // least that new, never the page the follower cached before.
  httplib::Client followerReads("127.0.0.1", follower->port());
  const auto named = followerReads.Get("/api/campaigns?limit=20", {{"Livedata-Min-Version", std::to_string(committed)}});
  const auto leaderNow = leaderHttp.get("/api/campaigns?limit=20", false);
  ASSERT_TRUE(named && leaderNow);
  ASSERT_EQ(named->status, 200) << named->body;
  EXPECT_EQ(named->get_header_value("ETag"), leaderNow->get_header_value("ETag"));
  EXPECT_NE(named->get_header_value("ETag"), fromFollower->get_header_value("ETag")) << "the 40 changes moved the first page";

  // And a client told of it by the leader that resumes on the follower carries on from it:
  // a version its store has committed is caught up with, not answered with a reset.
  EventStreamClient fromAhead(follower->port(), "/api/changes", {{"Last-Event-ID", std::to_string(committed)}});
  const auto resumedAhead = fromAhead.next(5s);
  ASSERT_TRUE(resumedAhead.has_value());
  EXPECT_EQ(resumedAhead->event, "subscribed");
  EXPECT_EQ(resumedAhead->id, std::to_string(committed));

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

// --- Three instances behind Debian's nginx, configured by the shipped template.

// GET requests through nginx from a few threads until stopped; every answer that is not a
// 200 or 304 (or, when `allowed503` says so, a 503 JSON store_unavailable) is a failure,
// except a response cut off mid-transfer: once an instance has begun to answer, nginx has
// sent the status line on and cannot retry elsewhere when the instance dies (kill -9), so
// that request, one per thread at most, is lost to the client's own retry.
class Load {
 public:
  static constexpr int kThreads = 3;

  Load(int port, bool allow503 = false) : port_(port), allow503_(allow503) {
    for (int i = 0; i < kThreads; ++i) threads_.emplace_back([this, i] { run(i); });
  }
  ~Load() { stop(); }

  void stop() {
    stopping_ = true;
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  int requests() const { return requests_; }
  int served503() const { return served503_; }
  int cutOff() const { return cutOff_; }
  std::vector<std::string> failures() {
    std::lock_guard<std::mutex> lock(mutex_);
    return failures_;
  }

 private:
  void run(int seed) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    const std::vector<std::string> paths{"/api/campaigns?limit=20", "/api/overview", "/api/flows", "/api/segments?limit=5"};
    for (int i = seed; !stopping_; ++i) {
      // Some requests ask for pages nobody asked for yet, so not everything is a cache hit.
      const std::string path = i % 5 == 0 ? "/api/campaigns?limit=7&offset=" + std::to_string(i % 293)
                                          : paths[static_cast<std::size_t>(i) % paths.size()];
      const auto answer = client.Get(path);
      ++requests_;
      if (answer && (answer->status == 200 || answer->status == 304)) continue;
      if (!answer && answer.error() == httplib::Error::Read) {
        ++cutOff_;
        continue;
      }
      if (answer && answer->status == 503 && allow503_ &&
          answer->body.find("\"store_unavailable\"") != std::string::npos) {
        ++served503_;
        continue;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      failures_.push_back(path + ": " + (answer ? std::to_string(answer->status) + " " + answer->body.substr(0, 200)
                                                : "no answer (" + httplib::to_string(answer.error()) + ")"));
    }
  }

  const int port_;
  const bool allow503_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> served503_{0};
  std::atomic<int> cutOff_{0};
  std::mutex mutex_;
  std::vector<std::string> failures_;
  std::vector<std::thread> threads_;
};

// A live client through nginx, as the dashboard's: it records every change's version and,
// when its stream ends (its instance died), reconnects through nginx with Last-Event-ID.
class Subscriber {
 public:
  explicit Subscriber(int port) : port_(port), thread_([this] { run(); }) {}
  ~Subscriber() {
    stopping_ = true;
    thread_.join();
  }

  // Whether it has seen every version from `from` to `to`, each once and in order, and no
  // reset.
  bool sawExactly(std::int64_t from, std::int64_t to) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (resets_ > 0) return false;
    std::vector<std::int64_t> wanted;
    for (std::int64_t v = from; v <= to; ++v) wanted.push_back(v);
    std::vector<std::int64_t> tail;
    for (const std::int64_t v : versions_) {
      if (v >= from) tail.push_back(v);
    }
    return tail == wanted;
  }
  std::int64_t subscribedAt() {
    std::lock_guard<std::mutex> lock(mutex_);
    return subscribedAt_;
  }
  int reconnects() const { return reconnects_; }
  std::string describe() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string text = "resets " + std::to_string(resets_) + ", reconnects " + std::to_string(reconnects_) + ", versions";
    for (const std::int64_t v : versions_) text += " " + std::to_string(v);
    return text;
  }

 private:
  void run() {
    std::string lastEventId;
    while (!stopping_) {
      std::map<std::string, std::string> headers;
      if (!lastEventId.empty()) headers["Last-Event-ID"] = lastEventId;
      std::unique_ptr<EventStreamClient> stream;
      try {
        stream = std::make_unique<EventStreamClient>(port_, "/api/changes", headers);
      } catch (const std::exception&) {
        std::this_thread::sleep_for(100ms);
        continue;
      }
      while (!stopping_) {
        const auto event = stream->next(200ms);
        if (!event) {
          if (stream->ended()) break;
          continue;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        if (event->event == "subscribed" && subscribedAt_ == 0) subscribedAt_ = std::stoll(event->id);
        if (event->event == "reset") ++resets_;
        if (event->event == "change") versions_.push_back(std::stoll(event->id));
        if (!event->id.empty()) lastEventId = event->id;
      }
      if (!stopping_) {
        ++reconnects_;
        std::this_thread::sleep_for(100ms);  // the dashboard's client waits the stream's retry
      }
    }
  }

  const int port_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<std::int64_t> versions_;  // GUARDED_BY(mutex_)
  std::int64_t subscribedAt_ = 0;       // GUARDED_BY(mutex_)
  int resets_ = 0;                      // GUARDED_BY(mutex_)
  std::atomic<int> reconnects_{0};
  std::thread thread_;  // last
};

class ClusterBehindNginx : public Cluster {
 protected:
  void SetUp() override {
    Cluster::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!NginxProcess::installed()) {
      if (std::getenv("LIVEDATA_REQUIRE_TOOLS") != nullptr) FAIL() << "nginx is not installed";
      GTEST_SKIP() << "nginx is not installed";
    }
  }

  void startCluster(const std::vector<std::string>& extra = {}) {
    startUpstream(300);
    instances_.push_back(startInstance(true, extra));
    instances_.push_back(startInstance(true, extra));
    instances_.push_back(startInstance(true, extra));
    nginx_ = std::make_unique<NginxProcess>(
        std::vector<int>{instances_[0]->port(), instances_[1]->port(), instances_[2]->port()});
  }

  // A large account being synced: its leader starts first, then two followers, then nginx.
  void startSyncingCluster(int campaigns) {
    startUpstream(campaigns, 2);
    instances_.push_back(startInstance(/*waitForSync=*/false));
    untilLeader(*instances_[0]);
    instances_.push_back(startInstance(/*waitForSync=*/false));
    instances_.push_back(startInstance(/*waitForSync=*/false));
    nginx_ = std::make_unique<NginxProcess>(
        std::vector<int>{instances_[0]->port(), instances_[1]->port(), instances_[2]->port()});
  }

  // The instance that leads now (waiting up to a few leases for one to), or null. `paused`,
  // which would not answer, is not asked.
  ServerProcess* leader(const ServerProcess* paused = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (auto& instance : instances_) {
        if (instance && instance.get() != paused && status(*instance)["leader"] == true) return instance.get();
      }
      std::this_thread::sleep_for(20ms);
    }
    return nullptr;
  }

  // Changes `count` upstream records and has the leader sync them; returns the store's change
  // version after the sync. Asks again when the instance it asked turns out to have lost the
  // lease meanwhile (its run is then skipped).
  std::int64_t changeAndSync(int count = 40) {
    httplib::Client upstreamAdmin("127.0.0.1", upstream_->port());
    const auto changed = upstreamAdmin.Post("/admin/changes", {{"Authorization", upstream_->bearer()}},
                                            R"({"count": )" + std::to_string(count) + "}", "application/json");
    EXPECT_TRUE(changed && changed->status == 200) << (changed ? changed->body : "no answer");
    for (int attempt = 0; attempt < 3; ++attempt) {
      ServerProcess* current = leader();
      if (!current) break;
      Http http(*current);
      const auto counters = http.getJson("/api/sync/status")["counters"];
      const auto finished = counters["successes"].get<std::uint64_t>() + counters["failures"].get<std::uint64_t>();
      EXPECT_TRUE(http.post("/api/sync", json::object()));
      const auto deadline = std::chrono::steady_clock::now() + 60s;
      while (std::chrono::steady_clock::now() < deadline) {
        const json now = http.getJson("/api/sync/status");
        if (now["leader"] == false) break;  // lost the lease: ask the new leader
        const auto done = now["counters"]["successes"].get<std::uint64_t>() + now["counters"]["failures"].get<std::uint64_t>();
        if (done > finished && now["state"] != "running") {
          return json::parse(http.body("/api/changes"))["version"].get<std::int64_t>();
        }
        std::this_thread::sleep_for(20ms);
      }
    }
    ADD_FAILURE() << "no leader synced the changes";
    return 0;
  }

  // Waits until every subscriber saw exactly the versions after `from` up to `to`.
  void expectEverySubscriberSaw(std::vector<std::unique_ptr<Subscriber>>& subscribers, std::int64_t from, std::int64_t to) {
    for (auto& subscriber : subscribers) {
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (!subscriber->sawExactly(from, to) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
      EXPECT_TRUE(subscriber->sawExactly(from, to)) << "versions " << from << ".." << to << ": " << subscriber->describe();
    }
  }

  std::vector<std::unique_ptr<Subscriber>> subscribe(int count) {
    std::vector<std::unique_ptr<Subscriber>> subscribers;
    for (int i = 0; i < count; ++i) subscribers.push_back(std::make_unique<Subscriber>(nginx_->port()));
    for (auto& subscriber : subscribers) {
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (subscriber->subscribedAt() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    }
    return subscribers;
  }

  std::vector<std::unique_ptr<ServerProcess>> instances_;
  std::unique_ptr<NginxProcess> nginx_;
};

TEST_F(ClusterBehindNginx, KillingAnInstanceUnderLoadFailsNoRequestAndItsSubscribersMissNoChange) {
  startCluster();
  auto subscribers = subscribe(6);  // nginx spreads them over the three instances
  const std::int64_t start = subscribers.front()->subscribedAt();
  ASSERT_GT(start, 0);
  Load load(nginx_->port());
  std::this_thread::sleep_for(300ms);

  // A follower dies: its streams end and its requests in flight fail over.
  auto victim = std::find_if(instances_.begin(), instances_.end(),
                             [](const auto& instance) { return status(*instance)["leader"] == false; });
  ASSERT_NE(victim, instances_.end());
  (*victim)->kill();
  victim->reset();
  const std::int64_t committed = changeAndSync();
  ASSERT_GT(committed, start);
  expectEverySubscriberSaw(subscribers, start + 1, committed);
  int reconnected = 0;
  for (auto& subscriber : subscribers) reconnected += subscriber->reconnects() > 0 ? 1 : 0;
  EXPECT_GT(reconnected, 0) << "the killed instance held some of the streams";

  std::this_thread::sleep_for(300ms);
  load.stop();
  EXPECT_GT(load.requests(), 100);
  EXPECT_EQ(load.failures(), std::vector<std::string>{}) << "of " << load.requests() << " requests";
  EXPECT_LE(load.cutOff(), Load::kThreads) << "only responses under way when the instance died";
  std::printf("[ figure   ] instance killed under load: %d requests through nginx, %zu failed, %d cut off mid-response; "
              "%d of 6 streams reconnected\n",
              load.requests(), load.failures().size(), load.cutOff(), reconnected);
}

TEST_F(ClusterBehindNginx, StoppingRedisUnderLoadFailsNoRequestAndTheFeedKeepsFlowing) {
  RedisProcess redis;
  startCluster({"--redis", redis.url()});
  auto subscribers = subscribe(3);
  const std::int64_t start = subscribers.front()->subscribedAt();
  Load load(nginx_->port());
  std::this_thread::sleep_for(300ms);

  redis.stop();
  const std::int64_t whileDown = changeAndSync();
  expectEverySubscriberSaw(subscribers, start + 1, whileDown);
  redis.start();
  std::this_thread::sleep_for(500ms);
  const std::int64_t afterReturn = changeAndSync();
  expectEverySubscriberSaw(subscribers, start + 1, afterReturn);

  load.stop();
  EXPECT_GT(load.requests(), 100);
  EXPECT_EQ(load.failures(), std::vector<std::string>{}) << "of " << load.requests() << " requests";
  EXPECT_EQ(load.cutOff(), 0) << "no instance died";
  std::printf("[ figure   ] Redis stopped under load: %d requests through nginx, %zu failed\n", load.requests(),
              load.failures().size());
}

TEST_F(ClusterBehindNginx, ARestartOfPostgresGivesClear503sLosesNothingAndRecoversByItself) {
  startCluster();
  auto subscribers = subscribe(3);
  const std::int64_t start = subscribers.front()->subscribedAt();
  Load load(nginx_->port(), /*allow503=*/true);
  std::this_thread::sleep_for(300ms);

  postgres_->stop();
  std::this_thread::sleep_for(1s);
  postgres_->start();
  // Service returns by itself: within a few seconds every request is answered again.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  httplib::Client client("127.0.0.1", nginx_->port());
  bool answering = false;
  while (!answering && std::chrono::steady_clock::now() < deadline) {
    const auto probe = client.Get("/api/campaigns?limit=3&offset=" + std::to_string(std::rand() % 250));
    answering = probe && probe->status == 200;
    if (!answering) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(answering);
  const std::int64_t committed = changeAndSync();
  expectEverySubscriberSaw(subscribers, start + 1, committed);

  load.stop();
  EXPECT_EQ(load.failures(), std::vector<std::string>{}) << "every answer was data or a 503 JSON store_unavailable";
  EXPECT_EQ(load.cutOff(), 0) << "no instance died";
  std::printf("[ figure   ] PostgreSQL restarted under load: %d requests, %d clear 503s, %zu other failures\n",
              load.requests(), load.served503(), load.failures().size());
  testing::expectStoreMatchesUpstream(postgres_->url(), upstream_->baseUrl(), apiKey_, /*compareStatistics=*/false);
}

// kill -9 of the leader while it copies a large account, under load through nginx: another
// instance leads within the lease plus a second, goes on from the committed cursor, the
// store ends equal to the upstream (none lost, none doubled), and no request fails.
TEST_F(ClusterBehindNginx, KillingTheLeaderMidSyncHandsTheSyncOverFailsNoRequestAndLosesNothing) {
  constexpr int kCampaigns = 20000;
  startSyncingCluster(kCampaigns);
  Load load(nginx_->port());
  untilCampaignsCopied(*instances_[0], 3000);

  instances_[0]->kill();
  instances_[0].reset();
  const auto killedAt = std::chrono::steady_clock::now();
  ServerProcess* next = leader();
  ASSERT_NE(next, nullptr);
  const auto takeover = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killedAt);
  EXPECT_LE(takeover.count(), kLeaseMs + 1000) << "took " << takeover.count() << " ms";

  Http http(*next);
  const json done = waitForRuns(http, 1, 120s);
  ASSERT_EQ(done["state"], "idle") << done.dump();
  EXPECT_LT(done["entities"]["campaigns"]["recordsSynced"].get<std::int64_t>(), kCampaigns)
      << "the new leader went on from the committed cursor, not from the start";
  load.stop();
  EXPECT_GT(load.requests(), 100);
  EXPECT_EQ(load.failures(), std::vector<std::string>{}) << "of " << load.requests() << " requests";
  EXPECT_LE(load.cutOff(), Load::kThreads) << "only responses under way when the leader died";
  std::printf("[ figure   ] leader killed mid-sync: another instance led after %lld ms (lease %d ms); "
              "%d requests through nginx meanwhile, %zu failed, %d cut off mid-response\n",
              static_cast<long long>(takeover.count()), kLeaseMs, load.requests(), load.failures().size(), load.cutOff());
  testing::expectStoreMatchesUpstream(postgres_->url(), upstream_->baseUrl(), apiKey_);
}

// A leader paused (SIGSTOP) past its lease while it copies a large account, under load
// through nginx: another instance leads within the lease plus a second and finishes the
// sync; when the paused one wakes, mid-sync, believing it still leads, the store refuses its
// writes. Meanwhile no request fails (the paused instance's requests wait for it, then are
// answered) and every subscriber, the paused instance's too, sees every version in order.
TEST_F(ClusterBehindNginx, ALeaderPausedPastItsLeaseHasItsWritesRefusedWhenItWakes) {
  constexpr int kCampaigns = 20000;
  startSyncingCluster(kCampaigns);
  auto subscribers = subscribe(6);
  std::int64_t start = subscribers.front()->subscribedAt();
  for (auto& subscriber : subscribers) start = std::max(start, subscriber->subscribedAt());
  Load load(nginx_->port());
  ServerProcess& paused = *instances_[0];
  untilCampaignsCopied(paused, 3000);

  paused.pause();
  const auto pausedAt = std::chrono::steady_clock::now();
  ServerProcess* next = leader(&paused);
  ASSERT_NE(next, nullptr);
  const auto takeover = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - pausedAt);
  EXPECT_LE(takeover.count(), kLeaseMs + 1000) << "took " << takeover.count() << " ms";
  paused.resume();

  Http http(*next);
  const json done = waitForRuns(http, 1, 120s);
  ASSERT_EQ(done["state"], "idle") << done.dump();
  // The woken leader learns it lost the lease: its own check, or the store's fence, refused
  // its next write, and it says so.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (status(paused)["leader"] == true && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(status(paused)["leader"], false);
  const std::string log = logOf(paused);
  const bool refused = log.find("another instance holds the write lease") != std::string::npos ||
                       log.find("refused by the write fence") != std::string::npos;
  EXPECT_TRUE(refused) << "the woken leader's writes were not refused; its log:\n"
                       << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);

  const std::int64_t committed = json::parse(http.body("/api/changes"))["version"].get<std::int64_t>();
  expectEverySubscriberSaw(subscribers, start + 1, committed);
  load.stop();
  EXPECT_GT(load.requests(), 100);
  EXPECT_EQ(load.failures(), std::vector<std::string>{}) << "of " << load.requests() << " requests";
  EXPECT_EQ(load.cutOff(), 0) << "no instance died";
  std::printf("[ figure   ] leader paused mid-sync: another instance led after %lld ms (lease %d ms); "
              "%d requests through nginx meanwhile, %zu failed\n",
              static_cast<long long>(takeover.count()), kLeaseMs, load.requests(), load.failures().size());
  testing::expectStoreMatchesUpstream(postgres_->url(), upstream_->baseUrl(), apiKey_);
}

}  // namespace
}  // namespace livedata
