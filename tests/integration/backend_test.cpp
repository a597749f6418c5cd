// The backend as a whole, as separate processes over loopback: the sync makes upstream
// changes visible at once, the response cache computes each resource once, and a kill -9
// in the middle of a sync loses nothing.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <unistd.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "event_stream_client.h"
#include "server_client.h"
#include "server_process.h"
#include "sync_truth.h"
#include "store/store.h"
#include "upstream_client/klaviyo_upstream.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::ServerProcess;
using Http = testing::ServerClient;
using testing::KeyFile;
using testing::waitForRuns;
using namespace std::chrono_literals;

std::uint64_t finishedRuns(Http& http) {
  const auto counters = http.getJson("/api/sync/status")["counters"];
  return counters["successes"].get<std::uint64_t>() + counters["failures"].get<std::uint64_t>();
}

TEST(Backend, StartsWithTheUpstreamAlreadySynced) {
  ServerProcess server;
  Http http(server);
  const auto status = waitForRuns(http, 1);
  EXPECT_EQ(status["state"], "idle");
  const auto campaigns = json::parse(http.body("/api/campaigns?limit=5"));
  EXPECT_EQ(campaigns["total"], 300);
  EXPECT_EQ(campaigns["items"].size(), 5u);
}

// A SQLite file takes one server: a second one on it refuses to start (it would neither
// sync nor see the first's commits), saying why; once the first is gone, even by kill -9,
// the file is free again.
TEST(Backend, ASecondServerOnTheSameSqliteFileRefusesToStartUntilTheFirstIsGone) {
  auto first = std::make_unique<ServerProcess>();
  try {
    ServerProcess second({}, first->dataDir());
    ADD_FAILURE() << "a second server started on " << first->database();
  } catch (const std::runtime_error& refused) {
    const std::string message = refused.what();
    const auto logStart = message.find("(log: ");
    ASSERT_NE(logStart, std::string::npos) << message;
    const std::string logPath = message.substr(logStart + 6, message.find(')', logStart) - logStart - 6);
    std::ifstream log(logPath);
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("is in use by another server"), std::string::npos) << text;
  }
  const auto dataDir = first->dataDir();
  first->kill();
  first.reset();
  ServerProcess next({}, dataDir);
  EXPECT_EQ(Http(next).getJson("/api/sync/status")["leader"], true);
}

// A new store file is said in the log, so a mistyped --db is seen before a sync fills a
// store nobody meant; opening the existing one again says nothing of the kind.
TEST(Backend, SaysWhenItCreatesANewStoreFile) {
  const auto logOf = [](const ServerProcess& server) {
    std::ifstream in(server.logPath());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  const auto dataDir = std::make_shared<testing::TempDir>();
  {
    ServerProcess first({}, dataDir);
    const std::string log = logOf(first);
    EXPECT_NE(log.find("store: created a new database file"), std::string::npos) << log;
    EXPECT_NE(log.find(first.database()), std::string::npos);
    EXPECT_EQ(first.terminate(), 0);
  }
  ServerProcess again({}, dataDir);
  EXPECT_EQ(logOf(again).find("created a new database file"), std::string::npos) << logOf(again);
}

// A typo in a variable's name would be ignored like any variable not the server's; one
// close to an option's is warned of, naming the option's variable. The server still starts.
TEST(Backend, WarnsOfAVariableNamedLikeAnOptionsButNone) {
  ::setenv("LIVEDATA_PROT", "9", 1);
  ::setenv("LIVEDATA_SOMETHING_OF_ANOTHER_TOOL", "1", 1);
  ServerProcess server({}, nullptr, false);
  ::unsetenv("LIVEDATA_PROT");
  ::unsetenv("LIVEDATA_SOMETHING_OF_ANOTHER_TOOL");
  std::ifstream in(server.logPath());
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto warning = log.find("\"variable\":\"LIVEDATA_PROT\"");
  ASSERT_NE(warning, std::string::npos) << log;
  EXPECT_NE(log.find("\"didYouMean\":\"LIVEDATA_PORT\"", warning), std::string::npos) << log;
  EXPECT_EQ(log.find("LIVEDATA_SOMETHING_OF_ANOTHER_TOOL"), std::string::npos) << log;
  EXPECT_EQ(server.terminate(), 0);
}

// A server whose port is taken exits at once, having neither synced nor spent any of the
// upstream's allowance: it binds before it starts syncing.
TEST(Backend, AServerThatCannotBindItsPortSyncsNothing) {
  ServerProcess running;
  testing::TempDir dataDir;
  const std::string database = dataDir.path() + "/livedata.db";
  const auto refused = testing::runCommand({LIVEDATA_MOCK_SERVER_PATH, "--port", std::to_string(running.port()),
                                            "--admin-token", "a-token-of-sixteen-or-more", "--db", database});
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE((refused.out + refused.err).find("cannot bind"), std::string::npos) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("Address already in use"), std::string::npos) << "and why";

  auto opened = server::Store::open(database);
  ASSERT_TRUE(opened.ok()) << opened.error();
  EXPECT_EQ(opened.value()->changeVersion(), 0);
  for (const auto entity : server::kAllEntities) {
    EXPECT_EQ(opened.value()->rowCount(entity).value(), 0) << server::nameOf(entity);
  }
}

TEST(Backend, CommittedSyncIsVisibleAtOnceNotAfterTheTtl) {
  ServerProcess server({"--max-age", "3600", "--cache-ttl", "3600", "--sync-interval", "0"});
  Http http(server);
  waitForRuns(http, 1);
  const std::string before = http.body("/api/campaigns?limit=20");
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(before, http.body("/api/campaigns?limit=20"));  // now cached

  const auto changed = http.post("/admin/upstream/changes", {{"count", 200}});
  ASSERT_TRUE(changed);
  ASSERT_EQ(changed->status, 200) << changed->body;
  const auto runs = finishedRuns(http);
  const auto accepted = http.post("/api/sync", json::object());
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 202);
  const auto status = waitForRuns(http, runs + 1);
  EXPECT_EQ(status["state"], "idle") << status.dump();

  EXPECT_NE(http.body("/api/campaigns?limit=20"), before);
}

// RFC 9112: a request without Content-Length or Transfer-Encoding has an empty body, as
// `curl -X POST` sends it; it is answered on its merits, not refused as malformed.
TEST(Backend, APostWithoutABodyIsAnsweredOnItsMerits) {
  // A plain socket sends exactly these headers (HTTP client libraries add a Content-Length).
  ServerProcess server({"--sync-interval", "0"});
  EXPECT_EQ(testing::EventStreamClient(server.port(), "/api/sync", {}, "POST").status(), 401);
  EXPECT_EQ(testing::EventStreamClient(server.port(), "/api/sync", {{"Authorization", "Bearer " + server.adminToken()}}, "POST")
                .status(),
            202);
}

TEST(Backend, HundredConcurrentMissesOnOneKeyComputeOnce) {
  ServerProcess server({"--threads", "128"});
  Http http(server);
  waitForRuns(http, 1);
  const auto before = http.getJson("/api/cache/stats")["computations"].get<std::uint64_t>();
  std::vector<std::future<std::string>> outcomes;
  for (int i = 0; i < 100; ++i) {
    outcomes.push_back(std::async(std::launch::async, [&server] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_read_timeout(30, 0);
      const auto result = client.Get("/api/campaigns?limit=37&sort=revenue");
      return result ? std::to_string(result->status) : "error: " + httplib::to_string(result.error());
    }));
  }
  for (auto& outcome : outcomes) EXPECT_EQ(outcome.get(), "200");
  EXPECT_EQ(http.getJson("/api/cache/stats")["computations"].get<std::uint64_t>(), before + 1);
}

TEST(Backend, PatternInvalidationRecomputesOnlyWhatMatched) {
  ServerProcess server;
  Http http(server);
  waitForRuns(http, 1);
  http.body("/api/campaigns?limit=3");
  http.body("/api/flows?limit=3");
  const auto before = http.getJson("/api/cache/stats")["computations"].get<std::uint64_t>();
  const auto invalidated = http.post("/api/cache/invalidate", {{"pattern", "campaigns*"}});
  ASSERT_TRUE(invalidated);
  ASSERT_EQ(invalidated->status, 200) << invalidated->body;
  EXPECT_GE(json::parse(invalidated->body)["removed"].get<int>(), 1);
  http.body("/api/campaigns?limit=3");
  http.body("/api/flows?limit=3");
  EXPECT_EQ(http.getJson("/api/cache/stats")["computations"].get<std::uint64_t>(), before + 1);
}

TEST(Backend, SyncCacheAndUpstreamRoutesNeedTheToken) {
  ServerProcess server;
  httplib::Client anonymous("127.0.0.1", server.port());
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/sync/status"}, {"POST", "/api/sync"}, {"GET", "/api/cache/stats"},
           {"POST", "/api/cache/invalidate"}, {"PUT", "/admin/upstream/faults"}, {"POST", "/admin/upstream/changes"}}) {
    httplib::Request request;
    request.method = method;
    request.path = path;
    const auto result = anonymous.send(request);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 401) << method << " " << path;
  }
}

TEST(Backend, BadSyncAndCacheBodiesAre400) {
  ServerProcess server;
  Http http(server);
  for (const json& body : {json{{"entities", {"nonsense"}}}, json{{"force", "yes"}}, json{{"colour", 1}}}) {
    const auto result = http.post("/api/sync", body);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << body.dump() << " " << result->body;
  }
  for (const json& body : {json::object(), json{{"pattern", 5}}, json{{"endpoints", {"nope"}}}}) {
    const auto result = http.post("/api/cache/invalidate", body);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << body.dump() << " " << result->body;
  }
}

// curl -d sends form encoding by default; the body is still the route's JSON, not parameters.
TEST(Backend, JsonBodiesAreReadWhateverTheirContentType) {
  ServerProcess server;
  httplib::Client client("127.0.0.1", server.port());
  const auto result = client.Post("/api/cache/invalidate", {{"Authorization", server.bearer()}},
                                  R"({"pattern":"flows*"})", "application/x-www-form-urlencoded");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  const auto withQuery = client.Post("/api/cache/invalidate?x=1", {{"Authorization", server.bearer()}},
                                     R"({"pattern":"flows*"})", "application/json");
  ASSERT_TRUE(withQuery);
  EXPECT_EQ(withQuery->status, 400);
}

// kill -9 while a sync is copying a large account, then a restart on the same database: the
// store is intact, and the next sync completes it with nothing missing, row for row.
TEST(Backend, KillDuringSyncLosesNothingAndTheNextSyncCompletesIt) {
  // The key goes in a file both processes read, as a user's would (never on a command line).
  const std::string apiKey = "pk_kill_test_" + std::to_string(::getpid());
  const KeyFile keyFile(apiKey);
  ServerProcess upstream({"--upstream-only", "--campaigns", "60000", "--changes-per-minute", "0", "--upstream-api-key-file",
                          keyFile.path, "--upstream-rate-limits", "off", "--upstream-faults", R"({"latencyMs": 3})"});
  const std::vector<std::string> serverArgs = {"--upstream", upstream.baseUrl(), "--upstream-api-key-file", keyFile.path,
                                               "--sync-interval", "0"};
  auto first = std::make_unique<ServerProcess>(serverArgs, nullptr, /*waitForSync=*/false);
  const auto dataDir = first->dataDir();
  {
    Http http(*first);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      const auto status = http.getJson("/api/sync/status");
      const auto& progress = status["progress"];
      if (progress.is_object() && progress["entity"] == "campaigns" && progress["recordsDone"].get<int>() >= 5000) break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << status.dump();
      std::this_thread::sleep_for(5ms);
    }
  }
  first->kill();
  first.reset();

  {
    auto opened = server::Store::open(dataDir->path() + "/livedata.db");
    ASSERT_TRUE(opened.ok()) << opened.error();
    auto& store = *opened.value();
    EXPECT_FALSE(store.ping().has_value());
    const auto rows = store.rowCount(server::Entity::campaigns).value();
    EXPECT_GT(rows, 0);
    EXPECT_LT(rows, 60000) << "the kill came too late to test anything";
  }

  ServerProcess second(serverArgs, dataDir, /*waitForSync=*/false);
  Http http(second);
  const auto status = waitForRuns(http, 1, 120s);
  ASSERT_EQ(status["state"], "idle") << status.dump();

  testing::expectStoreMatchesUpstream(dataDir->path() + "/livedata.db", upstream.baseUrl(), apiKey);
}

// With --account-journal, a server killed and started again resumes its simulated account
// where it stopped: what it syncs after the restart is what it had synced before, where the
// account started again from its seed would bring lower totals and fewer campaigns.
TEST(Backend, WithAnAccountJournalAKilledServerResumesItsAccount) {
  const auto dataDir = std::make_shared<testing::TempDir>();
  const std::vector<std::string> args{"--account-journal", dataDir->path() + "/simulated-account.journal"};
  const auto seen = [](Http& http) {
    return std::make_pair(http.getJson("/api/overview")["totals"], http.getJson("/api/campaigns?limit=1")["total"]);
  };
  auto first = std::make_unique<ServerProcess>(args, dataDir);
  std::pair<json, json> before;
  {
    Http http(*first);
    const auto runs = finishedRuns(http);
    const auto changed = http.post("/admin/upstream/changes", {{"count", 2000}});
    ASSERT_TRUE(changed);
    ASSERT_EQ(changed->status, 200) << changed->body;
    ASSERT_EQ(http.post("/api/sync", json::object())->status, 202);
    waitForRuns(http, runs + 1);
    before = seen(http);
  }
  ASSERT_GT(before.second.get<int>(), 300) << "the changes added campaigns";
  first->kill();
  first.reset();

  ServerProcess second(args, dataDir);  // has synced once when it returns
  Http http(second);
  EXPECT_EQ(seen(http), before);
}

// Klaviyo's reports have a daily budget (225 calls): a server killed and started again on the
// same store must not spend it a second time. Each call is counted in the store before it is
// sent, so the restarted server's budget starts from the first one's calls.
TEST(Backend, TheReportsDailyBudgetSpentBeforeAKillIsStillSpentAfterIt) {
  const auto usedAndAsOf = [](Http& http) {
    const json status = http.getJson("/api/sync/status");
    int used = -1;
    for (const auto& use : status["reportBudget"]) {
      if (use["operation"] == "POST /api/campaign-values-reports") used = use["usedToday"].get<int>();
    }
    const json& asOf = status["entities"]["campaigns"]["statistics"]["asOf"];
    return std::make_pair(used, asOf.is_number() ? asOf.get<std::int64_t>() : std::int64_t{0});
  };
  auto first = std::make_unique<ServerProcess>();
  const auto dataDir = first->dataDir();
  std::pair<int, std::int64_t> before;
  {
    Http http(*first);
    before = usedAndAsOf(http);
  }
  ASSERT_GE(before.first, 1) << "the first sync fetched the campaigns' statistics";
  first->kill();
  first.reset();

  ServerProcess second({}, dataDir);
  Http http(second);
  const auto after = usedAndAsOf(http);
  // The restarted server's own statistics run, when it made one, spent one more call.
  const bool spentAgain = after.second > before.second;
  EXPECT_GE(after.first, before.first + (spentAgain ? 1 : 0)) << "before " << before.first << ", after " << after.first;
}

// The API key is a secret: a server whose key the upstream refuses reports the refusal, and the
// key appears in none of its logs, its status or its monitoring.
TEST(Backend, TheUpstreamApiKeyNeverAppearsInLogsErrorsOrMonitoring) {
  const std::string upstreamKey = "pk_upstream_side_" + std::to_string(::getpid());
  const std::string wrongKey = "pk_secret_that_must_not_leak_" + std::to_string(::getpid());
  const KeyFile upstreamKeyFile(upstreamKey);
  const KeyFile wrongKeyFile(wrongKey);
  ServerProcess upstream({"--upstream-only", "--campaigns", "20", "--upstream-api-key-file", upstreamKeyFile.path});
  ServerProcess server({"--upstream", upstream.baseUrl(), "--upstream-api-key-file", wrongKeyFile.path, "--sync-interval", "0"},
                       nullptr, /*waitForSync=*/false);
  Http http(server);
  const auto status = waitForRuns(http, 1);
  ASSERT_EQ(status["state"], "failed") << status.dump();
  EXPECT_NE(status["lastError"]["message"].get<std::string>().find("not_authenticated"), std::string::npos) << status.dump();

  std::string seen = status.dump();
  for (const char* path : {"/monitoring/health", "/monitoring/status", "/monitoring/errors", "/monitoring/api-metrics",
                           "/monitoring/metrics", "/metrics", "/readyz", "/api/overview", "/api/campaigns"}) {
    const auto answer = http.get(path);
    ASSERT_TRUE(answer) << path;
    seen += answer->body;
  }
  std::ifstream log(server.logPath());
  const std::string logText{std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>()};
  EXPECT_NE(logText.find("not_authenticated"), std::string::npos) << logText;  // the log says what went wrong
  seen += logText;
  EXPECT_EQ(seen.find(wrongKey), std::string::npos);
  EXPECT_EQ(seen.find("pk_secret"), std::string::npos);
  EXPECT_EQ(seen.find(upstreamKey), std::string::npos);
}

}  // namespace
}  // namespace livedata
