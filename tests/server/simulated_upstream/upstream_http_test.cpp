// The upstream API over loopback: a real UpstreamServer read through the sync's KlaviyoUpstream.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "upstream_test_support.h"

namespace livedata::server {
namespace {

using namespace livedata::server::testing;
using Kind = UpstreamFailure::Kind;
using Clock = std::chrono::steady_clock;

constexpr const char* kToken = "test-token";
constexpr const char* kApiKey = "pk_upstream_http_test";

// The collections: the entities read page by page (the daily metrics come from aggregates).
constexpr Entity kCollections[] = {Entity::campaigns, Entity::flows, Entity::forms, Entity::segments};

class UpstreamHttp : public ::testing::Test {
 protected:
  void SetUp() override { start(unlimited()); }

  static UpstreamServerOptions unlimited() {
    UpstreamServerOptions options;
    options.documentedRateLimits = false;
    return options;
  }

  void start(UpstreamServerOptions options) {
    source_.reset();
    server_.reset();
    if (!account_) account_ = makeAccount();
    options.apiKey = kApiKey;
    server_ = startServer(*account_, std::move(options));
    ASSERT_TRUE(server_);
    source_ = makeUpstream(server_->baseUrl(), kApiKey);
    ASSERT_TRUE(source_);
  }

  httplib::Result get(const std::string& target, const std::string& token = "") {
    httplib::Client client(server_->baseUrl());
    if (!token.empty()) client.set_bearer_token_auth(token.c_str());
    return client.Get(target.c_str());
  }
  httplib::Result admin(const std::string& method, const std::string& path, const std::string& body = "",
                        const std::string& token = kToken) {
    httplib::Client client(server_->baseUrl());
    if (!token.empty()) client.set_bearer_token_auth(token.c_str());
    if (method == "GET") return client.Get(path.c_str());
    if (method == "DELETE") return client.Delete(path.c_str());
    if (method == "PUT") return client.Put(path.c_str(), body, "application/json");
    return client.Post(path.c_str(), body, "application/json");
  }

  std::string errorCodeOf(const httplib::Result& result) {
    return nlohmann::json::parse(result->body)["error"]["code"].get<std::string>();
  }
  std::string errorMessageOf(const httplib::Result& result) {
    return nlohmann::json::parse(result->body)["error"]["message"].get<std::string>();
  }

  std::unique_ptr<UpstreamAccount> account_;
  std::unique_ptr<UpstreamServer> server_;
  std::unique_ptr<KlaviyoUpstream> source_;
};

bool inFeedOrder(const std::vector<nlohmann::ordered_json>& rows) {
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (!(std::make_pair(stampOf(rows[i - 1]), keyOf(rows[i - 1])) < std::make_pair(stampOf(rows[i]), keyOf(rows[i])))) {
      return false;
    }
  }
  return true;
}

TEST_F(UpstreamHttp, AWholeWalkReturnsEveryRecordOnceInFeedOrder) {
  account_->applyChanges(60, endOfData() + 60);  // records sharing a second, across page ends
  for (const Entity entity : kCollections) {
    const Walk walk = walkFeed(*source_, entity, 0, 7);
    ASSERT_FALSE(walk.failure) << walk.failure->message;
    const auto snapshot = attributeRowsOf(account_->snapshot(entity));
    EXPECT_EQ(walk.rows.size(), snapshot.size()) << nameOf(entity);
    EXPECT_TRUE(inFeedOrder(walk.rows)) << nameOf(entity);
    EXPECT_EQ(latestByKey(walk.rows), snapshot) << nameOf(entity);
    EXPECT_EQ(walk.pages, static_cast<int>((snapshot.size() + 6) / 7)) << nameOf(entity);
  }
}

TEST_F(UpstreamHttp, RecordsChangedDuringAWalkComeAgainLaterAndNothingIsMissed) {
  const auto before = attributeRowsOf(account_->snapshot(Entity::campaigns));
  std::map<std::string, UnixSeconds> stampBefore;
  for (const auto& row : before) stampBefore[keyOf(row)] = stampOf(row);

  UnixSeconds now = endOfData();
  const Walk walk = walkFeed(*source_, Entity::campaigns, 0, 10, [&](int) { account_->applyChanges(8, now += 30); });
  ASSERT_FALSE(walk.failure) << walk.failure->message;
  EXPECT_TRUE(inFeedOrder(walk.rows));  // the walk only moves forward

  const auto after = attributeRowsOf(account_->snapshot(Entity::campaigns));
  EXPECT_EQ(latestByKey(walk.rows), after);  // the final version of every record, new ones too

  std::map<std::string, int> seen;
  for (const auto& row : walk.rows) ++seen[keyOf(row)];
  int changed = 0;
  for (const auto& row : after) {
    const auto old = stampBefore.find(keyOf(row));
    if (old != stampBefore.end() && old->second == stampOf(row)) {
      EXPECT_EQ(seen[keyOf(row)], 1) << keyOf(row) << " did not change but came " << seen[keyOf(row)] << " times";
    } else {
      ++changed;
    }
  }
  EXPECT_GT(changed, 20);
  // Some records were served, then changed, then served again.
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](const auto& entry) { return entry.second > 1; }));
}

TEST_F(UpstreamHttp, ChangesWithinTheSecondAWalkHasReachedAreNotMissed) {
  // Every change carries the same `now`: without the account's stamping rule a change
  // to a record with a smaller id than the walk's position would be passed over.
  const UnixSeconds now = endOfData() + 60;
  account_->applyChanges(100, now);
  const Walk walk = walkFeed(*source_, Entity::campaigns, now, 5, [&](int) { account_->applyChanges(10, now); });
  ASSERT_FALSE(walk.failure) << walk.failure->message;
  std::vector<nlohmann::ordered_json> expected;
  for (auto& row : attributeRowsOf(account_->snapshot(Entity::campaigns))) {
    if (stampOf(row) >= now) expected.push_back(std::move(row));
  }
  EXPECT_EQ(latestByKey(walk.rows), expected);
}

TEST_F(UpstreamHttp, UpdatedSinceFiltersTheFeed) {
  const UnixSeconds since = endOfData() - 20 * kSecondsPerDay;
  for (const Entity entity : kCollections) {
    const Walk walk = walkFeed(*source_, entity, since, 50);
    ASSERT_FALSE(walk.failure) << walk.failure->message;
    std::vector<nlohmann::ordered_json> expected;
    for (auto& row : attributeRowsOf(account_->snapshot(entity))) {
      if (stampOf(row) >= since) expected.push_back(std::move(row));
    }
    EXPECT_EQ(latestByKey(walk.rows), expected) << nameOf(entity);
    EXPECT_EQ(walk.rows.size(), expected.size()) << nameOf(entity);
  }
  const Walk none = walkFeed(*source_, Entity::campaigns, endOfData() + 1, 50);
  EXPECT_TRUE(none.rows.empty());
  EXPECT_EQ(none.pages, 1);
}

TEST_F(UpstreamHttp, AnInjectedBurstOf429sCarriesItsRetryAfter) {
  UpstreamFaults faults;
  faults.rateLimitBurst = 2;
  faults.retryAfterSeconds = 7;
  ASSERT_EQ(server_->setFaults(faults), std::nullopt);
  for (int i = 0; i < 2; ++i) {
    const UpstreamFailure limited = failureOf(source_->fetchPage(Entity::segments, 0, std::nullopt, 5));
    EXPECT_EQ(limited.kind, Kind::rate_limited);
    EXPECT_EQ(limited.retryAfterMs, std::optional<std::int64_t>(7000));
  }
  EXPECT_TRUE(source_->fetchPage(Entity::segments, 0, std::nullopt, 5).ok());
  EXPECT_EQ(server_->counters().faults, 2u);
  EXPECT_EQ(server_->counters().rateLimited, 2u);
}

TEST_F(UpstreamHttp, AnInjectedErrorIsAnHttpFailureWithItsStatus) {
  UpstreamFaults faults;
  faults.errorRate = 1;
  faults.errorStatuses = {503};
  ASSERT_EQ(server_->setFaults(faults), std::nullopt);
  const UpstreamFailure failure = failureOf(source_->fetchPage(Entity::campaigns, 0, std::nullopt, 5));
  EXPECT_EQ(failure.kind, Kind::http);
  EXPECT_EQ(failure.status, 503);
  EXPECT_TRUE(failure.retryable());
  EXPECT_NE(failure.message.find("503 error: A server error occurred."), std::string::npos) << failure.message;  // Klaviyo's error document

  server_->clearFaults();
  EXPECT_TRUE(source_->fetchPage(Entity::campaigns, 0, std::nullopt, 5).ok());
}

TEST_F(UpstreamHttp, AnInjectedMalformedBodyIsMalformed) {
  UpstreamFaults faults;
  faults.malformedRate = 1;
  ASSERT_EQ(server_->setFaults(faults), std::nullopt);
  const UpstreamFailure failure = failureOf(source_->fetchPage(Entity::campaigns, 0, std::nullopt, 50));
  EXPECT_EQ(failure.kind, Kind::malformed);
  EXPECT_EQ(failure.status, 200);
  EXPECT_TRUE(failure.retryable());
  EXPECT_NE(failure.message.find("the body is not JSON"), std::string::npos) << failure.message;
}

TEST_F(UpstreamHttp, AHeldRequestIsATimeoutAndStopEndsTheHold) {
  UpstreamFaults faults;
  faults.timeoutRate = 1;
  faults.timeoutMs = 60000;
  ASSERT_EQ(server_->setFaults(faults), std::nullopt);
  auto impatient = makeUpstream(server_->baseUrl(), kApiKey, {}, /*readTimeoutMs=*/300);
  const auto sent = Clock::now();
  const UpstreamFailure failure = failureOf(impatient->fetchPage(Entity::campaigns, 0, std::nullopt, 5));
  EXPECT_EQ(failure.kind, Kind::timeout) << failure.message;
  EXPECT_TRUE(failure.retryable());
  EXPECT_LT(Clock::now() - sent, std::chrono::seconds(5));

  // The server still holds the request; stopping does not wait out the minute.
  const auto stopping = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - stopping, std::chrono::seconds(10));
}

TEST_F(UpstreamHttp, LatencyDelaysEveryAnswer) {
  UpstreamFaults faults;
  faults.latencyMs = 150;
  ASSERT_EQ(server_->setFaults(faults), std::nullopt);
  const auto sent = Clock::now();
  EXPECT_TRUE(source_->fetchPage(Entity::forms, 0, std::nullopt, 5).ok());
  EXPECT_GE(Clock::now() - sent, std::chrono::milliseconds(150));
}

TEST_F(UpstreamHttp, AConnectionTheServerClosedWhileIdleIsReplacedUnnoticed) {
  UpstreamServerOptions options = unlimited();
  options.keepAliveTimeoutSeconds = 1;
  start(options);
  EXPECT_TRUE(source_->fetchPage(Entity::forms, 0, std::nullopt, 5).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the server drops the idle connection
  const UpstreamResult again = source_->fetchPage(Entity::forms, 0, std::nullopt, 5);
  EXPECT_TRUE(again.ok()) << failureOf(again).message;
}

TEST_F(UpstreamHttp, NoServerIsANetworkFailure) {
  const std::string url = server_->baseUrl();
  source_.reset();
  server_->stop();
  server_.reset();
  auto orphan = makeUpstream(url, kApiKey);
  const UpstreamFailure failure = failureOf(orphan->fetchPage(Entity::campaigns, 0, std::nullopt, 5));
  EXPECT_EQ(failure.kind, Kind::network) << failure.message;
  EXPECT_TRUE(failure.retryable());
}

TEST_F(UpstreamHttp, TheSameFaultSeedGivesTheSameFaults) {
  UpstreamFaults faults;
  faults.errorRate = 0.3;
  faults.malformedRate = 0.3;
  faults.seed = 5;
  auto outcomes = [&] {
    EXPECT_EQ(server_->setFaults(faults), std::nullopt);
    std::vector<int> kinds;
    for (int i = 0; i < 30; ++i) {
      const UpstreamResult result = source_->fetchPage(Entity::flows, 0, std::nullopt, 5);
      kinds.push_back(result.ok() ? -1 : static_cast<int>(failureOf(result).kind));
    }
    return kinds;
  };
  const auto first = outcomes();
  EXPECT_EQ(first, outcomes());
  EXPECT_EQ(std::set<int>(first.begin(), first.end()).size(), 3u);  // pages, http and malformed
}

TEST_F(UpstreamHttp, AdminRoutesNeedTheToken) {
  for (const std::string token : {"", "wrong-token", "test-token-and-more"}) {
    auto denied = admin("GET", "/admin/faults", "", token);
    ASSERT_TRUE(denied);
    EXPECT_EQ(denied->status, 401) << token;
    EXPECT_EQ(errorCodeOf(denied), "unauthorized");
    EXPECT_EQ(admin("PUT", "/admin/faults", R"({"errorRate":1})", token)->status, 401);
    EXPECT_EQ(admin("POST", "/admin/changes", R"({"count":1})", token)->status, 401);
  }
  EXPECT_EQ(server_->faults().errorRate, 0);
  EXPECT_EQ(account_->changeCount(), 0u);
  EXPECT_EQ(admin("GET", "/admin/faults")->status, 200);
}

TEST_F(UpstreamHttp, AdminRoutesWithoutAConfiguredTokenAreOff) {
  UpstreamAccountOptions options;
  auto account = makeAccount();
  auto created = UpstreamServer::create(*account, {});
  auto& server = *created.value();
  ASSERT_TRUE(server.start());
  httplib::Client client(server.baseUrl());
  client.set_bearer_token_auth("");
  EXPECT_EQ(client.Get("/admin/faults")->status, 401);
}

TEST_F(UpstreamHttp, FaultsAreSetReadAndClearedOverHttp) {
  auto put = admin("PUT", "/admin/faults", R"({"errorRate":1,"errorStatuses":[502],"seed":3})");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(nlohmann::json::parse(put->body)["errorStatuses"], nlohmann::json::array({502}));
  EXPECT_EQ(failureOf(source_->fetchPage(Entity::campaigns, 0, std::nullopt, 5)).status, 502);

  auto got = admin("GET", "/admin/faults");
  EXPECT_EQ(nlohmann::json::parse(got->body)["errorRate"], 1);

  auto cleared = admin("DELETE", "/admin/faults");
  EXPECT_EQ(cleared->status, 200);
  EXPECT_EQ(nlohmann::json::parse(cleared->body)["errorRate"], 0);
  EXPECT_TRUE(source_->fetchPage(Entity::campaigns, 0, std::nullopt, 5).ok());

  auto unknown = admin("PUT", "/admin/faults", R"({"errorRate":1,"colour":"red"})");
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(errorMessageOf(unknown).find("colour"), std::string::npos);
  auto wrongType = admin("PUT", "/admin/faults", R"({"latencyMs":"slow"})");
  EXPECT_EQ(wrongType->status, 400);
  EXPECT_NE(errorMessageOf(wrongType).find("latencyMs"), std::string::npos);
  EXPECT_EQ(server_->faults().errorRate, 0);  // a refused PUT changes nothing
}

TEST_F(UpstreamHttp, ChangesAreAppliedOverHttp) {
  auto posted = admin("POST", "/admin/changes", R"({"count":25})");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 200) << posted->body;
  EXPECT_EQ(nlohmann::json::parse(posted->body)["count"], 25);
  EXPECT_EQ(account_->changeCount(), 25u);

  EXPECT_EQ(admin("POST", "/admin/changes", R"({"count":0})")->status, 400);
  EXPECT_EQ(admin("POST", "/admin/changes", R"({"count":"5"})")->status, 400);
  EXPECT_EQ(admin("POST", "/admin/changes", R"({"count":5,"now":1})")->status, 400);
  EXPECT_EQ(admin("POST", "/admin/changes", "five")->status, 400);
  EXPECT_EQ(account_->changeCount(), 25u);

  auto stats = admin("GET", "/admin/stats");
  EXPECT_EQ(nlohmann::json::parse(stats->body)["changes"], 25);
}

TEST_F(UpstreamHttp, ConcurrentWalksThroughOneSourceWhileTheAccountChanges) {
  std::vector<std::set<std::string>> keysBefore;
  for (const Entity entity : kCollections) {
    std::set<std::string> keys;
    for (const auto& row : attributeRowsOf(account_->snapshot(entity))) keys.insert(keyOf(row));
    keysBefore.push_back(std::move(keys));
  }
  std::atomic<bool> done{false};
  std::thread changer([&] {
    UnixSeconds now = endOfData();
    while (!done) {
      account_->applyChanges(5, ++now);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::vector<Walk> walks(std::size(kCollections));
  std::vector<std::thread> walkers;
  for (std::size_t i = 0; i < std::size(kCollections); ++i) {
    walkers.emplace_back([&, i] { walks[i] = walkFeed(*source_, kCollections[i], 0, 9); });
  }
  for (auto& walker : walkers) walker.join();
  done = true;
  changer.join();
  for (std::size_t i = 0; i < std::size(kCollections); ++i) {
    ASSERT_FALSE(walks[i].failure) << walks[i].failure->message;
    EXPECT_TRUE(inFeedOrder(walks[i].rows)) << nameOf(kCollections[i]);
    std::set<std::string> seen;
    for (const auto& row : walks[i].rows) seen.insert(keyOf(row));
    for (const auto& key : keysBefore[i]) EXPECT_TRUE(seen.count(key)) << nameOf(kCollections[i]) << " missed " << key;
  }
}

TEST(KlaviyoUpstream, RejectsABadBaseUrl) {
  for (const char* url : {"", "127.0.0.1:80", "ftp://host", "http://", "http://host/?q=1"}) {
    KlaviyoUpstreamOptions options;
    options.source.http.baseUrl = url;
    options.source.apiKey = kApiKey;
    EXPECT_TRUE(!KlaviyoUpstream::create(options).ok()) << url;
  }
  KlaviyoUpstreamOptions options;
  options.source.http.baseUrl = "http://127.0.0.1:1/prefix/";
  options.source.http.readTimeoutMs = 0;
  options.source.apiKey = kApiKey;
  auto created = KlaviyoUpstream::create(options);
  ASSERT_TRUE(!created.ok());
  EXPECT_NE(created.error().find("readTimeoutMs"), std::string::npos);
}

TEST(UpstreamServer, RejectsBadOptionsNamingTheField) {
  auto account = makeAccount();
  UpstreamServerOptions options;
  options.threads = 0;
  auto created = UpstreamServer::create(*account, options);
  ASSERT_TRUE(!created.ok());
  EXPECT_NE(created.error().find("threads"), std::string::npos);
  options = {};
  options.faults.errorRate = 3;
  created = UpstreamServer::create(*account, options);
  ASSERT_TRUE(!created.ok());
  EXPECT_NE(created.error().find("faults.errorRate"), std::string::npos);
}

}  // namespace
}  // namespace livedata::server

namespace livedata::server {
namespace {

// How fast a whole feed crosses loopback. Run with --gtest_also_run_disabled_tests
// --gtest_filter='*OverHttp*' on an optimised build.
TEST(UpstreamHttpScale, DISABLED_WalksAMillionCampaignsOverHttp) {
  DatasetSizes sizes;
  sizes.campaigns = 1'000'000;
  auto account = testing::makeAccount(42, sizes);
  auto server = testing::startKlaviyoServer(*account, kApiKey, false);
  auto source = testing::makeUpstream(server->baseUrl(), kApiKey);
  const auto start = Clock::now();
  std::size_t records = 0;
  int pages = 0;
  std::optional<std::string> cursor;
  do {
    UpstreamResult result = source->fetchPage(Entity::campaigns, 0, cursor, 100);
    ASSERT_TRUE(result.ok()) << result.error().message;
    auto& page = result.value();
    records += rowCount(page.rows);
    ++pages;
    cursor = page.nextCursor;
  } while (cursor);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  EXPECT_EQ(records, 1'000'000u);
  std::printf("%zu campaigns in %d pages of 100 over loopback: %lld ms (%.0f records/s)\n", records, pages,
              static_cast<long long>(ms), 1000.0 * static_cast<double>(records) / static_cast<double>(std::max<long long>(ms, 1)));
}

}  // namespace
}  // namespace livedata::server
