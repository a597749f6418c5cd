// Monitoring of a real mock-server over loopback: exact request metrics after scripted
// traffic, error grouping, health that follows the database and Redis, service-target
// alerts, the Prometheus exposition (checked by promtool), and the token on every route but
// the orchestrator probes.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "redis_process.h"
#include "required_tool.h"
#include "server_client.h"
#include "server_process.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::RedisProcess;
using testing::ServerProcess;
using Client = testing::ServerClient;
using namespace std::chrono_literals;

// POSTs an admin body that must succeed.
void postOk(Client& client, const std::string& path, const json& body) {
  const auto result = client.post(path, body);
  ASSERT_TRUE(result) << path;
  ASSERT_LT(result->status, 300) << path << ": " << result->body;
}

// A request is recorded once its response has been written, so a test may read the figures
// a moment before the last one lands: polls `path` until `ready` holds (or 5 s pass).
template <typename Ready>
json pollJson(Client& client, const std::string& path, Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  json body = client.getJson(path);
  while (!ready(body) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
    body = client.getJson(path);
  }
  return body;
}

const json* findRoute(const json& apiMetrics, const std::string& route, const std::string& method) {
  for (const auto& entry : apiMetrics["routes"]) {
    if (entry["route"] == route && entry["method"] == method) return &entry;
  }
  return nullptr;
}

const json& healthCheck(const json& health, const std::string& name) { return health["checks"][name][0]; }

// Polls GET /monitoring/health until its overall status is `want` (or the deadline passes).
json waitForHealth(Client& client, const std::string& want, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  json health;
  while (std::chrono::steady_clock::now() < deadline) {
    health = client.getJson("/monitoring/health");
    if (health["status"] == want) return health;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "health never became " << want << ": " << health.dump();
  return health;
}

TEST(Monitoring, CountsScriptedTrafficExactly) {
  ServerProcess server;
  Client client(server);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(client.status("/api/campaigns?limit=5"), 200);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.status("/api/flows"), 200);
  ASSERT_EQ(client.status("/api/campaigns?bogus=1"), 400);
  for (int i = 0; i < 2; ++i) ASSERT_EQ(client.status("/no/such/path"), 404);
  postOk(client, "/admin/faults", {{"rules", {{{"path", "/api/forms"}, {"status", 503}, {"times", 2}}}}});
  for (int i = 0; i < 2; ++i) ASSERT_EQ(client.status("/api/forms"), 503);

  // A request is recorded a moment after its response arrives: the last scripted one, and
  // the polls before the one that answers (each on a connection of its own).
  const json metrics = pollJson(client, "/monitoring/api-metrics", [](const json& body) {
    const json* forms = findRoute(body, "/api/forms", "GET");
    return forms && (*forms)["requests"] == 2 && body["inFlight"] == 1;
  });
  const json* campaigns = findRoute(metrics, "/api/campaigns", "GET");
  ASSERT_NE(campaigns, nullptr) << metrics.dump();
  EXPECT_EQ((*campaigns)["requests"], 6);
  EXPECT_EQ((*campaigns)["statusCodes"], json({{"200", 5}, {"400", 1}}));
  const json* flows = findRoute(metrics, "/api/flows", "GET");
  ASSERT_NE(flows, nullptr);
  EXPECT_EQ((*flows)["requests"], 3);
  const json* unmatched = findRoute(metrics, "(unmatched)", "GET");
  ASSERT_NE(unmatched, nullptr) << "raw paths never become series";
  EXPECT_EQ((*unmatched)["statusCodes"], json({{"404", 2}}));
  const json* forms = findRoute(metrics, "/api/forms", "GET");
  ASSERT_NE(forms, nullptr);
  EXPECT_EQ((*forms)["serverErrors"], 2);
  EXPECT_EQ((*forms)["serverErrorRate"], 1.0);
  for (const json* route : {campaigns, flows, unmatched, forms}) {
    EXPECT_GE((*route)["latencyMs"]["p99"].get<double>(), (*route)["latencyMs"]["p50"].get<double>());
  }
  EXPECT_EQ(metrics["inFlight"], 1) << "the request reading the metrics is in flight";

  // The Prometheus histogram agrees with the JSON: one bucket line per bound, +Inf = count.
  const auto exposition = client.get("/metrics");
  ASSERT_TRUE(exposition);
  EXPECT_EQ(exposition->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& text = exposition->body;
  EXPECT_NE(text.find(R"(livedata_http_requests_total{route="/api/campaigns",method="GET",status="200"} 5)"),
            std::string::npos)
      << text.substr(0, 2000);
  EXPECT_NE(text.find(R"(livedata_http_request_duration_seconds_bucket{route="/api/flows",method="GET",le="+Inf"} 3)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(livedata_http_request_duration_seconds_count{route="/api/flows",method="GET"} 3)"),
            std::string::npos);
}

TEST(Monitoring, GroupsErrorsByCauseAndTagsThemWithTheRequestId) {
  ServerProcess server;
  Client client(server);
  postOk(client, "/admin/faults", {{"rules",
                                 {{{"path", "/api/forms"}, {"status", 503}, {"times", 3}},
                                  {{"path", "/api/segments"}, {"status", 500}, {"times", 1}}}}});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.status("/api/forms"), 503);
  // An error is recorded just after its response is written: wait for the three, so that
  // the next one is the most recently seen however the threads are scheduled.
  pollJson(client, "/monitoring/errors", [](const json& body) { return body["totalErrors"] == 3; });
  httplib::Client raw("127.0.0.1", server.port());
  const auto traced = raw.Get("/api/segments", {{"X-Request-Id", "trace-42"}});
  ASSERT_TRUE(traced);
  ASSERT_EQ(traced->status, 500);
  EXPECT_EQ(traced->get_header_value("X-Request-Id"), "trace-42");

  const json errors = pollJson(client, "/monitoring/errors", [](const json& body) { return body["totalErrors"] == 4; });
  EXPECT_EQ(errors["totalErrors"], 4);
  ASSERT_EQ(errors["groups"].size(), 2u) << errors.dump(2);
  const json& latest = errors["groups"][0];  // most recently seen first
  EXPECT_EQ(latest["route"], "/api/segments");
  EXPECT_EQ(latest["count"], 1);
  EXPECT_EQ(latest["lastRequestId"], "trace-42");
  EXPECT_EQ(latest["type"], "injected_fault");
  const json& forms = errors["groups"][1];
  EXPECT_EQ(forms["route"], "/api/forms");
  EXPECT_EQ(forms["count"], 3);
  EXPECT_NE(forms["firstSeen"], nullptr);
}

// A store's own error (its SQL, its table names) tells a client how the server is built: the
// client gets a plain 503 store_unavailable, the operator the whole error.
TEST(Monitoring, AStoreErrorGoesToTheOperatorNotToTheClient) {
  ServerProcess server;
  Client client(server);
  sqlite3* outside = nullptr;
  ASSERT_EQ(sqlite3_open(server.database().c_str(), &outside), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(outside, "DROP TABLE flows", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(outside);

  const auto failed = client.get("/api/flows?limit=3");
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->status, 503) << failed->body;
  const json error = json::parse(failed->body)["error"];
  EXPECT_EQ(error["code"], "store_unavailable");
  EXPECT_EQ(error["message"], "the data store cannot answer now; try again shortly");

  const json errors = pollJson(client, "/monitoring/errors", [](const json& body) { return body["totalErrors"] == 1; });
  const std::string kept = errors["groups"][0]["sampleMessage"].get<std::string>();
  EXPECT_NE(kept.find("no such table: flows"), std::string::npos) << kept;

  // An outage fails every request: each is counted, the log says it once a second at most.
  const auto outageStart = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) ASSERT_EQ(client.status("/api/flows?limit=3"), 503);
  pollJson(client, "/monitoring/errors", [](const json& body) { return body["totalErrors"] == 31; });
  std::ifstream in(server.logPath());
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t lines = 0;
  for (auto at = log.find("\"server error\""); at != std::string::npos; at = log.find("\"server error\"", at + 1)) ++lines;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - outageStart);
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 2u + static_cast<std::size_t>(seconds.count())) << log;  // the first failure's line, then one a second
  EXPECT_LT(lines, 31u) << "not one per failure";
}

// A sync that has failed since the server started (a wrong API key, an upstream down) still
// ages, so the alert on it fires: the age is the process's while no success is known.
TEST(Monitoring, ASyncThatNeverSucceededStillAges) {
  ServerProcess server({"--upstream-faults", R"({"errorRate": 1, "errorStatuses": [401]})"});  // as a wrong key
  Client client(server);
  ASSERT_EQ(client.getJson("/api/sync/status")["counters"]["successes"], 0);
  const auto exposition = client.get("/metrics");
  ASSERT_TRUE(exposition);
  const std::string name = "\nlivedata_sync_last_success_age_seconds ";
  const auto at = exposition->body.find(name);
  ASSERT_NE(at, std::string::npos) << exposition->body.substr(0, 3000);
  EXPECT_GT(std::stod(exposition->body.substr(at + name.size())), 0.0);
  EXPECT_GT(client.getJson("/monitoring/status")["sync"]["lastSuccessAgeMs"].get<double>(), 0.0) << "so does the JSON";
}

TEST(Monitoring, HealthFailsWhileTheDatabaseIsUnreachable) {
  ServerProcess server;
  Client client(server);
  const auto healthy = client.get("/monitoring/health");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200) << healthy->body;
  EXPECT_EQ(healthy->get_header_value("Content-Type"), "application/health+json");
  const json before = json::parse(healthy->body);
  EXPECT_EQ(healthCheck(before, "database:responseTime")["status"], "pass");
  EXPECT_EQ(healthCheck(before, "redis:connection")["status"], "pass") << "no Redis configured is a choice";
  EXPECT_EQ(client.status("/readyz"), 200);

  const std::string moved = server.database() + ".moved";
  std::filesystem::rename(server.database(), moved);
  const auto failing = client.get("/monitoring/health");
  const int readyWhileMoved = client.status("/readyz");
  std::filesystem::rename(moved, server.database());
  ASSERT_TRUE(failing);
  EXPECT_EQ(failing->status, 503);
  const json during = json::parse(failing->body);
  EXPECT_EQ(during["status"], "fail");
  EXPECT_EQ(healthCheck(during, "database:responseTime")["status"], "fail");
  EXPECT_NE(healthCheck(during, "database:responseTime")["output"].get<std::string>().find("livedata.db"),
            std::string::npos);
  EXPECT_EQ(readyWhileMoved, 503);
  EXPECT_EQ(client.status("/livez"), 200) << "the process itself is alive";

  const auto recovered = client.get("/monitoring/health");
  EXPECT_EQ(recovered->status, 200) << recovered->body;
  EXPECT_EQ(client.status("/readyz"), 200);
}

TEST(Monitoring, HealthWarnsWhileRedisIsDownAndPassesOnceItIsBack) {
  RedisProcess redis;
  ServerProcess server({"--redis", redis.url()});
  Client client(server);
  ASSERT_EQ(client.status("/api/overview"), 200);
  EXPECT_EQ(waitForHealth(client, "pass")["status"], "pass");

  redis.stop();
  const json down = waitForHealth(client, "warn");
  EXPECT_EQ(healthCheck(down, "redis:connection")["status"], "warn");
  EXPECT_EQ(client.get("/monitoring/health")->status, 200) << "warn is still healthy";
  EXPECT_EQ(client.status("/api/overview"), 200) << "served from memory meanwhile";

  redis.start();
  const json back = waitForHealth(client, "pass");
  EXPECT_EQ(healthCheck(back, "redis:connection")["status"], "pass");
  EXPECT_EQ(client.getJson("/monitoring/metrics")["cache"]["backend"], "redis");
}

TEST(Monitoring, AlertOpensWhenATargetIsMissedAndEndsWhenItIsMetAgain) {
  constexpr double kMaxErrorRate = 0.02;
  ServerProcess server({"--target-error-rate", std::to_string(kMaxErrorRate), "--alert-check-interval", "0",
                        "--target-min-samples", "5"});
  Client client(server);
  postOk(client, "/admin/faults", {{"rules", {{{"path", "/api/forms"}, {"status", 503}, {"times", 10}}}}});
  for (int i = 0; i < 10; ++i) ASSERT_EQ(client.status("/api/forms"), 503);

  const json missed = client.getJson("/monitoring/status");
  ASSERT_EQ(missed["alerts"]["open"].size(), 1u) << missed.dump(2);
  EXPECT_EQ(missed["alerts"]["open"][0]["target"], "error_rate");
  EXPECT_NE(missed["alerts"]["open"][0]["startedAt"], nullptr);
  for (const auto& target : missed["targets"]) {
    if (target["name"] == "error_rate") {
      EXPECT_EQ(target["met"], false);
    }
  }

  // Enough successful API requests to bring the service's error rate under the target again.
  const json totals = client.getJson("/monitoring/api-metrics")["service"];
  const auto errors = totals["serverErrors"].get<double>();
  const auto requests = totals["requests"].get<double>();
  const int needed = static_cast<int>(errors / kMaxErrorRate - requests) + 5;
  for (int i = 0; i < needed; ++i) ASSERT_EQ(client.status("/api/campaigns"), 200);
  const json met = client.getJson("/monitoring/status");
  EXPECT_TRUE(met["alerts"]["open"].empty()) << met.dump(2);
  ASSERT_EQ(met["alerts"]["history"].size(), 1u);
  EXPECT_EQ(met["alerts"]["history"][0]["target"], "error_rate");
  EXPECT_NE(met["alerts"]["history"][0]["endedAt"], nullptr);

  server.terminate();
  std::ifstream log(server.logPath());
  const std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(logged.find(R"("msg":"service target missed")"), std::string::npos);
  EXPECT_NE(logged.find(R"("msg":"service target met again")"), std::string::npos);
}

TEST(Monitoring, PromtoolAcceptsTheExposition) {
  LIVEDATA_REQUIRE_TOOL("promtool");  // Debian package prometheus; scripts/setup.sh --test
  ServerProcess server;
  Client client(server);
  ASSERT_EQ(client.status("/api/campaigns"), 200);
  ASSERT_EQ(client.status("/missing"), 404);
  const auto exposition = client.get("/metrics");
  ASSERT_TRUE(exposition);
  ASSERT_EQ(exposition->status, 200);
  const auto path = std::filesystem::temp_directory_path() / ("livedata-metrics-" + std::to_string(getpid()) + ".txt");
  std::ofstream(path) << exposition->body;
  const int status = std::system(("promtool check metrics < " + path.string()).c_str());
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << exposition->body;
}

TEST(Monitoring, EveryRouteButTheProbesNeedsTheToken) {
  ServerProcess server;
  Client client(server);
  for (const char* path : {"/monitoring/health", "/monitoring/metrics", "/monitoring/api-metrics", "/monitoring/errors",
                           "/monitoring/status", "/metrics"}) {
    const auto denied = client.get(path, /*authorized=*/false);
    ASSERT_TRUE(denied) << path;
    EXPECT_EQ(denied->status, 401) << path;
    EXPECT_EQ(json::parse(denied->body)["error"]["code"], "unauthorized") << path;
    EXPECT_EQ(client.get(path)->status, 200) << path;
  }
  EXPECT_EQ(client.status("/livez"), 200);
  EXPECT_EQ(client.status("/readyz"), 200);
}

}  // namespace
}  // namespace livedata
