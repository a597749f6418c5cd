// The native client against a real mock-server process over loopback.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "livedata/livedata.h"
#include "livedata_native/livedata_native.h"
#include "server_process.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using native::fetchBlocking;
using testing::ServerProcess;

class ClientAgainstServer : public ::testing::Test {
 protected:
  void start(std::vector<std::string> serverArgs = {}) { server = std::make_unique<ServerProcess>(serverArgs); }

  std::unique_ptr<Client> makeClient(ClientConfig config = {}) {
    if (config.baseUrl.empty()) config.baseUrl = server->baseUrl();
    config.retry.baseDelayMs = 20;
    config.retry.maxDelayMs = 200;
    auto created = Client::create(config, native::makeNativeDependencies());
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().detail);
    return std::move(created.value());
  }

  FetchResult get(Client& client, const std::string& path, Query query = {}, bool forceFresh = false) {
    return fetchBlocking([&](FetchCallback done) {
      FetchOptions options;
      options.query = query;
      options.forceFresh = forceFresh;
      client.fetchFromAPI(path, options, std::move(done));
    });
  }

  httplib::Headers adminHeaders() const { return {{"Authorization", "Bearer " + server->adminToken()}}; }

  void injectFaults(const json& rules) {
    httplib::Client admin("127.0.0.1", server->port());
    const auto res = admin.Post("/admin/faults", adminHeaders(), json{{"rules", rules}}.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status / 100, 2) << res->body;
  }

  json requests() {
    httplib::Client admin("127.0.0.1", server->port());
    const auto res = admin.Get("/admin/requests", adminHeaders());
    EXPECT_TRUE(res && res->status == 200);
    return res ? json::parse(res->body) : json::object();
  }

  int countOf(const std::string& path) {
    const auto counts = requests()["counts"];
    return counts.contains(path) ? counts[path].get<int>() : 0;
  }

  std::unique_ptr<ServerProcess> server;
};

TEST_F(ClientAgainstServer, FetchesEveryEndpointWithItsDocumentedShape) {
  start();
  auto client = makeClient();
  const auto overview = get(*client, "/api/overview");
  ASSERT_TRUE(overview.ok()) << overview.error->detail;
  const auto body = json::parse(*overview.body);
  EXPECT_TRUE(body["totals"].contains("sends"));
  EXPECT_TRUE(body["series"].is_array());
  for (const char* list : {"campaigns", "flows", "forms", "segments"}) {
    const auto result = get(*client, std::string("/api/") + list);
    ASSERT_TRUE(result.ok()) << list << ": " << result.error->detail;
    const auto value = json::parse(*result.body);
    EXPECT_TRUE(value["items"].is_array()) << list;
    EXPECT_GT(value["total"].get<int>(), 0) << list;
  }
}

TEST_F(ClientAgainstServer, ForceFreshPutsTimestampOnTheWireButNotInTheKey) {
  start();
  auto client = makeClient();
  ASSERT_TRUE(get(*client, "/api/campaigns", {{"limit", "5"}}).ok());
  const auto forced = get(*client, "/api/campaigns", {{"limit", "5"}}, true);
  ASSERT_TRUE(forced.ok());
  EXPECT_FALSE(forced.fromCache);
  EXPECT_EQ(forced.key, "GET campaigns?limit=5");
  EXPECT_EQ(client->stats().entries, 1u);
  const auto log = requests()["log"];
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["query"].get<std::string>().find("_t="), std::string::npos);
  EXPECT_NE(log[1]["query"].get<std::string>().find("_t="), std::string::npos);
  EXPECT_EQ(log[1]["cacheControl"], "no-cache");
}

TEST_F(ClientAgainstServer, ExpiredEntryRevalidatesAndServerAnswers304) {
  start({"--max-age", "0"});  // every response expires at once
  auto client = makeClient();
  const auto first = get(*client, "/api/flows");
  ASSERT_TRUE(first.ok());
  const auto second = get(*client, "/api/flows");
  ASSERT_TRUE(second.ok()) << second.error->detail;
  EXPECT_TRUE(second.revalidated);
  EXPECT_EQ(second.status, 304);
  EXPECT_EQ(*second.body, *first.body);
  const auto log = requests()["log"];
  ASSERT_EQ(log.size(), 2u);
  EXPECT_FALSE(log[1]["ifNoneMatch"].get<std::string>().empty());
  EXPECT_EQ(log[1]["status"], 304);
  EXPECT_EQ(client->stats().notModified, 1u);
}

// A 304 has no body; a transport that waits for one on a kept-alive connection (cpp-httplib
// 0.11 does, see native/src/httplib_transport.cpp) would time out here, since the server
// keeps the connection open far longer than this client's timeout.
TEST_F(ClientAgainstServer, RevalidationsOnAKeptAliveConnectionDoNotWaitForABody) {
  start({"--max-age", "0"});
  ClientConfig config;
  config.requestTimeoutMs = 2000;
  config.retry.maxAttempts = 1;
  auto client = makeClient(config);
  ASSERT_TRUE(get(*client, "/api/forms").ok());
  for (int i = 0; i < 3; ++i) {
    const auto again = get(*client, "/api/forms");
    ASSERT_TRUE(again.ok()) << again.error->detail;
    EXPECT_EQ(again.status, 304);
  }
}

TEST_F(ClientAgainstServer, ChangedDataAfterExpiryComesBackInFull) {
  start({"--max-age", "0"});
  auto client = makeClient();
  const auto first = get(*client, "/api/campaigns");
  httplib::Client admin("127.0.0.1", server->port());
  ASSERT_EQ(admin.Post("/admin/touch", adminHeaders(), R"({"endpoint":"campaigns"})", "application/json")->status / 100, 2);
  const auto second = get(*client, "/api/campaigns");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second.revalidated);
  EXPECT_NE(*second.body, *first.body);
}

TEST_F(ClientAgainstServer, TenConcurrentIdenticalGetsReachTheServerOnce) {
  start();
  injectFaults(json::array({{{"path", "/api/segments"}, {"delayMs", 300}, {"times", 1}}}));
  auto client = makeClient();
  std::vector<std::future<FetchResult>> results;
  for (int i = 0; i < 10; ++i) {
    results.push_back(std::async(std::launch::async, [&] { return get(*client, "/api/segments"); }));
  }
  for (auto& r : results) EXPECT_TRUE(r.get().ok());
  EXPECT_EQ(countOf("/api/segments"), 1);
  EXPECT_EQ(client->stats().deduplicated + client->stats().hits, 9u);
}

TEST_F(ClientAgainstServer, Injected503sAreRetriedThenSucceed) {
  start();
  injectFaults(json::array({{{"path", "/api/forms"}, {"status", 503}, {"times", 2}}}));
  auto client = makeClient();
  const auto result = get(*client, "/api/forms");
  ASSERT_TRUE(result.ok()) << result.error->detail;
  EXPECT_EQ(countOf("/api/forms"), 3);
  EXPECT_EQ(client->stats().retries, 2u);
}

TEST_F(ClientAgainstServer, RetryAfterIsHonoured) {
  start();
  injectFaults(json::array({{{"path", "/api/flows"}, {"status", 429}, {"retryAfter", "1"}, {"times", 1}}}));
  auto client = makeClient();
  const auto started = std::chrono::steady_clock::now();
  const auto result = get(*client, "/api/flows");
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result.ok());
  // A lower bound only: the retry must not come before the server's Retry-After.
  EXPECT_GE(waited, std::chrono::milliseconds(1000));
  EXPECT_EQ(countOf("/api/flows"), 2);
}

TEST_F(ClientAgainstServer, PersistentFailureReturnsStaleDataWithTheError) {
  start({"--max-age", "0"});
  auto client = makeClient();
  const auto good = get(*client, "/api/campaigns");
  ASSERT_TRUE(good.ok());
  injectFaults(json::array({{{"path", "/api/campaigns"}, {"status", 500}, {"times", -1}}}));
  const auto result = get(*client, "/api/campaigns");
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::http_server);
  EXPECT_EQ(result.error->attempts, 3);
  EXPECT_TRUE(result.stale);
  EXPECT_EQ(*result.body, *good.body);
  EXPECT_EQ(result.updatedAt, good.updatedAt);
}

TEST_F(ClientAgainstServer, ForceRefreshDataEmitsEventAndRefetchesAllFive) {
  start();
  auto client = makeClient();
  std::atomic<int> events{0};
  auto sub = client->events().on<ForceDataRefreshEvent>([&](const ForceDataRefreshEvent& e) {
    EXPECT_EQ(e.endpoints.size(), 5u);
    ++events;
  });
  const auto report = native::refreshBlocking(*client, {});
  EXPECT_TRUE(report.allOk());
  EXPECT_EQ(events.load(), 1);
  const auto log = requests()["log"];
  ASSERT_EQ(log.size(), 5u);
  for (const auto& entry : log) EXPECT_NE(entry["query"].get<std::string>().find("_t="), std::string::npos);
  for (const char* path : {"/api/overview", "/api/campaigns", "/api/flows", "/api/forms", "/api/segments"}) {
    EXPECT_EQ(countOf(path), 1) << path;
  }
}

TEST_F(ClientAgainstServer, MalformedBodyIsAParseErrorWithFallback) {
  start();
  injectFaults(json::array({{{"path", "/api/segments"}, {"malformed", true}, {"times", 1}}}));
  auto client = makeClient();
  const auto result = get(*client, "/api/segments");
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::parse);
  EXPECT_TRUE(result.fallback);
  EXPECT_TRUE(json::parse(*result.body)["items"].empty());
}

TEST_F(ClientAgainstServer, ABodyPastMaxResponseBytesIsAParseErrorWithFallbackNotRetried) {
  start();
  ClientConfig config;
  config.maxResponseBytes = 64;  // a campaigns page is kilobytes
  auto client = makeClient(config);
  const auto result = get(*client, "/api/campaigns");
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::parse);
  EXPECT_NE(result.error->detail.find("over 64 bytes"), std::string::npos) << result.error->detail;
  EXPECT_TRUE(result.fallback);
  EXPECT_EQ(countOf("/api/campaigns"), 1);
}

TEST_F(ClientAgainstServer, SlowServerIsATimeout) {
  start();
  injectFaults(json::array({{{"path", "/api/forms"}, {"delayMs", 1500}, {"times", -1}}}));
  ClientConfig config;
  config.requestTimeoutMs = 200;
  config.retry.maxAttempts = 1;
  auto client = makeClient(config);
  const auto result = get(*client, "/api/forms");
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::timeout);
  EXPECT_TRUE(result.fallback);
}

TEST_F(ClientAgainstServer, DeadServerIsANetworkErrorAndCachedDataSurvivesIt) {
  start({"--max-age", "0"});
  auto client = makeClient();
  const auto good = get(*client, "/api/overview");
  ASSERT_TRUE(good.ok());
  server->kill();
  const auto result = get(*client, "/api/overview");
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::network);
  EXPECT_TRUE(result.stale);
  EXPECT_EQ(*result.body, *good.body);
}

TEST_F(ClientAgainstServer, InvalidParameterIsAClientErrorNotRetried) {
  start();
  auto client = makeClient();
  const auto result = get(*client, "/api/campaigns", {{"limit", "abc"}});
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::http_client);
  EXPECT_EQ(result.error->status, 400);
  EXPECT_NE(result.error->detail.find("invalid_parameter"), std::string::npos);
  EXPECT_EQ(countOf("/api/campaigns"), 1);
}

TEST_F(ClientAgainstServer, UnknownEndpointNameIsAnErrorNotACrash) {
  start();
  auto client = makeClient();
  const auto result = fetchBlocking([&](FetchCallback done) { fetchEndpoint(*client, "campaign", {}, {}, done); });
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::config);
  EXPECT_EQ(countOf("/api/campaign"), 0);
}

TEST(ClientConstruction, BadBaseUrlIsAConfigError) {
  ClientConfig config;
  config.baseUrl = "127.0.0.1:8080";  // no scheme
  const auto created = Client::create(config, native::makeNativeDependencies());
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, ErrorKind::config);
}

}  // namespace
}  // namespace livedata
