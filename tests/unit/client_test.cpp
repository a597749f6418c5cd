#include "livedata/client.h"

#include <gtest/gtest.h>

#include "fakes.h"
#include "livedata/endpoints.h"

namespace livedata {
namespace {

using testing::acceptsJson;
using testing::FakeTimeline;
using testing::FakeTransport;
using testing::jsonResponse;
using testing::queryValue;

const std::string kCampaigns = R"({"items":[{"id":"c1"}],"total":1,"limit":50,"offset":0})";
const std::string kCampaignsV2 = R"({"items":[{"id":"c1"},{"id":"c2"}],"total":2,"limit":50,"offset":0})";

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.baseUrl = "http://api.test:8080";
    config.defaultTtlMs = 60'000;
    config.obeyCacheControl = true;
    config.retry.maxAttempts = 3;
    config.retry.baseDelayMs = 100;
    config.retry.maxDelayMs = 1000;
  }

  Client& client() {
    if (!client_) {
      ClientDependencies deps;
      deps.transport = transport;
      deps.clock = timeline;
      deps.scheduler = timeline;
      deps.random = [] { return 0.5; };
      deps.acceptsJson = acceptsJson;
      deps.logger = [this](LogLevel level, std::string_view message) {
        logs.emplace_back(std::string(toString(level)) + ": " + std::string(message));
      };
      auto created = Client::create(config, deps);
      EXPECT_TRUE(created.ok());
      client_ = std::move(created.value());
    }
    return *client_;
  }

  // Starts a fetch and returns where its result will land.
  std::shared_ptr<std::optional<FetchResult>> fetch(const std::string& path, Query query = {},
                                                     bool forceFresh = false) {
    auto slot = std::make_shared<std::optional<FetchResult>>();
    FetchOptions options;
    options.query = std::move(query);
    options.forceFresh = forceFresh;
    client().fetchFromAPI(path, std::move(options), [slot](FetchResult r) { *slot = std::move(r); });
    return slot;
  }

  // Fetches against a responder that always answers `response`.
  FetchResult fetchNow(const std::string& path, Query query = {}, bool forceFresh = false) {
    auto slot = fetch(path, std::move(query), forceFresh);
    EXPECT_TRUE(slot->has_value()) << "fetch did not complete";
    return slot->value_or(FetchResult{});
  }

  void serveAlways(int status, const std::string& body, Headers headers = {}) {
    transport->responder = [=](const HttpRequest&) {
      return TransportResult::ok(jsonResponse(status, body, headers));
    };
  }

  ClientConfig config;
  std::shared_ptr<FakeTimeline> timeline = std::make_shared<FakeTimeline>();
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  std::vector<std::string> logs;
  std::unique_ptr<Client> client_;
};

// ---- construction ---------------------------------------------------------------------

TEST_F(ClientTest, BadBaseUrlIsAConfigErrorAtConstruction) {
  config.baseUrl = "not a url";
  ClientDependencies deps{transport, timeline, timeline, {}, {}, acceptsJson, nullptr};
  const auto created = Client::create(config, deps);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, ErrorKind::config);
  EXPECT_NE(created.error().detail.find("baseUrl"), std::string::npos);
}

TEST_F(ClientTest, MissingDependencyIsAConfigError) {
  ClientDependencies deps{nullptr, timeline, timeline, {}, {}, acceptsJson, nullptr};
  const auto created = Client::create(config, deps);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().detail.find("transport"), std::string::npos);
  const auto withoutJsonCheck = Client::create(config, ClientDependencies{transport, timeline, timeline, {}, {}, {}, nullptr});
  ASSERT_FALSE(withoutJsonCheck.ok());
  EXPECT_EQ(withoutJsonCheck.error().kind, ErrorKind::config);
  EXPECT_NE(withoutJsonCheck.error().detail.find("acceptsJson"), std::string::npos);
}

// ---- cache ----------------------------------------------------------------------------

TEST_F(ClientTest, SecondReadWithinTtlIsServedFromCacheWithoutNetwork) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  const auto first = fetchNow("/api/campaigns", {{"limit", "5"}});
  EXPECT_FALSE(first.fromCache);
  EXPECT_EQ(*first.body, kCampaigns);
  const auto second = fetchNow("/api/campaigns", {{"limit", "5"}});
  EXPECT_TRUE(second.fromCache);
  EXPECT_EQ(second.body.get(), first.body.get());  // the same shared body, not a copy
  EXPECT_EQ(second.version, first.version);
  EXPECT_EQ(transport->sent.size(), 1u);
  EXPECT_EQ(client().stats().hits, 1u);
  EXPECT_EQ(client().stats().misses, 1u);
  EXPECT_DOUBLE_EQ(client().stats().hitRate(), 0.5);
}

TEST_F(ClientTest, CacheHitCompletesBeforeReturningAndOutsideTheLock) {
  serveAlways(200, kCampaigns);
  const auto first = fetchNow("/api/campaigns", {{"status", "sent"}, {"limit", "5"}});
  bool completed = false;
  std::optional<FetchResult> nested;
  client().fetchFromAPI("/api/campaigns", FetchOptions{{{"limit", "5"}, {"_t", "1"}, {"status", "sent"}}, false},
                        [&](FetchResult hit) {
                          completed = true;
                          EXPECT_TRUE(hit.fromCache);
                          EXPECT_EQ(hit.key, "GET campaigns?limit=5&status=sent");
                          EXPECT_EQ(hit.endpoint, "campaigns");
                          EXPECT_EQ(hit.status, 200);
                          EXPECT_EQ(hit.version, first.version);
                          EXPECT_EQ(client().stats().hits, 1u);  // would deadlock under the lock
                          client().fetchFromAPI("/api/campaigns", {{{"status", "sent"}, {"limit", "5"}}, false},
                                                [&](FetchResult again) { nested = std::move(again); });
                        });
  EXPECT_TRUE(completed);
  ASSERT_TRUE(nested.has_value());
  EXPECT_TRUE(nested->fromCache);
  EXPECT_EQ(client().stats().hits, 2u);
  EXPECT_EQ(transport->sent.size(), 1u);
}

TEST_F(ClientTest, PeekReturnsTheFreshEntryAsAHitWithoutRequestOrEvent) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  const auto fetched = fetchNow("/api/campaigns", {{"status", "sent"}, {"limit", "5"}});
  int events = 0;
  const Subscription subscription = client().events().subscribe(std::nullopt, [&](const Event&) { ++events; });
  // The same key as fetchFromAPI's: parameter order and `_t` do not matter.
  const auto peeked = client().peek("/api/campaigns", {{"limit", "5"}, {"_t", "9"}, {"status", "sent"}});
  ASSERT_TRUE(peeked.has_value());
  const auto read = fetchNow("/api/campaigns", {{"limit", "5"}, {"status", "sent"}});
  EXPECT_EQ(peeked->key, read.key);
  EXPECT_EQ(peeked->endpoint, read.endpoint);
  EXPECT_EQ(peeked->body.get(), fetched.body.get());
  EXPECT_EQ(peeked->version, read.version);
  EXPECT_EQ(peeked->fromCache, read.fromCache);
  EXPECT_EQ(peeked->stale, read.stale);
  EXPECT_EQ(peeked->updatedAt, read.updatedAt);
  EXPECT_EQ(peeked->status, read.status);
  EXPECT_FALSE(peeked->error.has_value());
  EXPECT_EQ(client().peek(read.entryId)->version, read.version);
  EXPECT_FALSE(client().peek(read.entryId + 1).has_value());
  EXPECT_EQ(events, 0);
  EXPECT_EQ(transport->sent.size(), 1u);
  EXPECT_EQ(client().stats().hits, 3u);  // the two peeks that found it, and the second fetch
}

TEST_F(ClientTest, ARereadAtTheEntrysVersionIsAHitAndAtAnotherOrWhenStaleIsNothing) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  const auto first = fetchNow("/api/campaigns");
  const auto reread = client().reread(first.entryId, first.version);
  ASSERT_TRUE(reread.has_value());
  const auto peeked = client().peek(first.entryId);
  EXPECT_EQ(reread->updatedAt, peeked->updatedAt) << "what peek would say";
  EXPECT_EQ(reread->stale, peeked->stale);
  EXPECT_EQ(client().stats().hits, 2u) << "counted like a peek";

  EXPECT_FALSE(client().reread(first.entryId, first.version + 1).has_value()) << "another version: peek gives it";
  EXPECT_FALSE(client().reread(first.entryId + 1, first.version).has_value());
  timeline->advance(61'000);
  EXPECT_FALSE(client().reread(first.entryId, first.version).has_value()) << "expired";
  EXPECT_EQ(client().stats().hits, 2u) << "nothing found, nothing counted";
}

TEST_F(ClientTest, PeekFindsNothingWhereFetchWouldNeedMoreThanTheCache) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  EXPECT_FALSE(client().peek("/api/campaigns", {}).has_value());  // nothing cached
  fetchNow("/api/campaigns");
  fetchNow("/api/flows");
  EXPECT_FALSE(client().peek("/api/campaigns", {{"limit", "5"}}).has_value());  // another key
  client().setOnline(false);
  EXPECT_FALSE(client().peek("/api/campaigns", {}).has_value());  // offline: fetch would fail fast
  client().setOnline(true);
  client().invalidateKey("GET campaigns");
  EXPECT_FALSE(client().peek("/api/campaigns", {}).has_value());  // invalidated
  timeline->advance(61'000);
  EXPECT_FALSE(client().peek("/api/flows", {}).has_value());  // expired
  EXPECT_EQ(transport->sent.size(), 2u);
  EXPECT_EQ(client().stats().hits, 0u);
  EXPECT_EQ(client().stats().misses, 2u);  // the two fetches; a peek that finds nothing counts nothing
}

TEST_F(ClientTest, ExpiredEntryRevalidatesWithIfNoneMatchAnd304RefreshesIt) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  const auto first = fetchNow("/api/campaigns");
  timeline->advance(61'000);
  transport->responder = [](const HttpRequest& request) {
    EXPECT_EQ(request.headers.get("If-None-Match"), "\"v1\"");
    return TransportResult::ok(jsonResponse(304, "", {{"ETag", "\"v1\""}}));
  };
  const auto revalidated = fetchNow("/api/campaigns");
  EXPECT_TRUE(revalidated.fromCache);
  EXPECT_TRUE(revalidated.revalidated);
  EXPECT_EQ(*revalidated.body, kCampaigns);
  EXPECT_EQ(revalidated.updatedAt, timeline->nowMs());  // timestamp refreshed without a body
  EXPECT_EQ(client().stats().notModified, 1u);
  EXPECT_EQ(client().stats().revalidations, 1u);
  // Refreshed: the next read within the TTL needs no network at all.
  fetchNow("/api/campaigns");
  EXPECT_EQ(transport->sent.size(), 2u);
}

TEST_F(ClientTest, ChangedDataAfterExpiryReplacesTheEntry) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  const auto first = fetchNow("/api/campaigns");
  timeline->advance(61'000);
  serveAlways(200, kCampaignsV2, {{"ETag", "\"v2\""}});
  const auto second = fetchNow("/api/campaigns");
  EXPECT_FALSE(second.fromCache);
  EXPECT_EQ(*second.body, kCampaignsV2);
  EXPECT_NE(second.version, first.version);
}

TEST_F(ClientTest, ResponseMaxAgeOverridesConfiguredTtl) {
  serveAlways(200, kCampaigns, {{"Cache-Control", "public, max-age=5"}});
  fetchNow("/api/campaigns");
  timeline->advance(4'000);
  fetchNow("/api/campaigns");
  EXPECT_EQ(transport->sent.size(), 1u);
  timeline->advance(2'000);
  fetchNow("/api/campaigns");
  EXPECT_EQ(transport->sent.size(), 2u);
}

TEST_F(ClientTest, AgeHeaderShortensTheTtl) {
  serveAlways(200, kCampaigns, {{"Cache-Control", "max-age=10"}, {"Age", "8"}});
  fetchNow("/api/campaigns");
  timeline->advance(3'000);
  fetchNow("/api/campaigns");
  EXPECT_EQ(transport->sent.size(), 2u);
}

TEST_F(ClientTest, NoStoreResponsesAreNotCached) {
  serveAlways(200, kCampaigns, {{"Cache-Control", "no-store"}});
  fetchNow("/api/campaigns");
  fetchNow("/api/campaigns");
  EXPECT_EQ(transport->sent.size(), 2u);
  EXPECT_EQ(client().stats().entries, 0u);
}

TEST_F(ClientTest, PerEndpointTtlFromConfigWhenServerSaysNothing) {
  config.ttlByEndpointMs["flows"] = 1'000;
  serveAlways(200, "{}");
  fetchNow("/api/flows");
  fetchNow("/api/campaigns");
  timeline->advance(2'000);
  fetchNow("/api/flows");
  fetchNow("/api/campaigns");
  EXPECT_EQ(transport->sent.size(), 3u);  // flows refetched, campaigns still fresh
}

TEST_F(ClientTest, CacheEvictsBeyondItsEntryLimit) {
  config.cache.maxEntries = 2;
  serveAlways(200, "{}");
  fetchNow("/api/campaigns", {{"offset", "0"}});
  fetchNow("/api/campaigns", {{"offset", "1"}});
  fetchNow("/api/campaigns", {{"offset", "2"}});
  EXPECT_EQ(client().stats().entries, 2u);
  EXPECT_EQ(client().stats().evictions, 1u);
  fetchNow("/api/campaigns", {{"offset", "0"}});  // evicted: back to the network
  EXPECT_EQ(transport->sent.size(), 4u);
}

TEST_F(ClientTest, AnnouncesEveryEntryTheCacheDropsByItsId) {
  config.cache.maxEntries = 2;
  std::vector<EntryRemovedEvent> removed;
  serveAlways(200, "{}");
  const Subscription subscription =
      client().events().on<EntryRemovedEvent>([&](const EntryRemovedEvent& e) { removed.push_back(e); });
  const auto first = fetchNow("/api/campaigns", {{"offset", "0"}});
  const auto second = fetchNow("/api/campaigns", {{"offset", "1"}});
  EXPECT_NE(first.entryId, 0u);
  EXPECT_NE(first.entryId, second.entryId);
  EXPECT_EQ(fetchNow("/api/campaigns", {{"offset", "0"}}).entryId, first.entryId);  // a hit, the same entry
  fetchNow("/api/campaigns", {{"offset", "2"}});  // evicts offset=1, the least recently used
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].entryId, second.entryId);
  EXPECT_EQ(removed[0].key, second.key);
  EXPECT_EQ(removed[0].endpoint, "campaigns");
  EXPECT_FALSE(client().peek(second.entryId).has_value());

  serveAlways(200, "{}", {{"Cache-Control", "no-store"}});
  const auto unstored = fetchNow("/api/campaigns", {{"offset", "0"}}, true);  // no-store drops offset=0
  EXPECT_EQ(unstored.entryId, 0u);
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[1].entryId, first.entryId);

  client().clear();  // the last one
  EXPECT_EQ(removed.size(), 3u);
  EXPECT_EQ(client().stats().entries, 0u);
}

// ---- cache busting --------------------------------------------------------------------

TEST_F(ClientTest, ForceFreshSkipsCacheAddsTimestampAndNoCache) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  fetchNow("/api/campaigns", {{"status", "sent"}});
  timeline->advance(1'234);
  const auto forced = fetchNow("/api/campaigns", {{"status", "sent"}}, true);
  ASSERT_EQ(transport->sent.size(), 2u);
  const HttpRequest& request = transport->sent.back();
  EXPECT_EQ(queryValue(request, "_t"), std::to_string(timeline->nowMs()));
  EXPECT_NE(request.url.find("_t=" + std::to_string(timeline->nowMs())), std::string::npos);
  EXPECT_EQ(request.headers.get("Cache-Control"), "no-cache");
  EXPECT_FALSE(request.headers.has("If-None-Match"));
  EXPECT_FALSE(forced.fromCache);
  // The forced response landed under the same key: the next plain read is a hit.
  EXPECT_EQ(forced.key, "GET campaigns?status=sent");
  EXPECT_EQ(client().stats().entries, 1u);
  EXPECT_TRUE(fetchNow("/api/campaigns", {{"status", "sent"}}).fromCache);
}

TEST_F(ClientTest, CallerSuppliedTimestampNeverReachesTheKey) {
  serveAlways(200, kCampaigns);
  const auto a = fetchNow("/api/campaigns", {{"_t", "1"}});
  const auto b = fetchNow("/api/campaigns", {{"_t", "2"}});
  EXPECT_EQ(a.key, "GET campaigns");
  EXPECT_TRUE(b.fromCache);
}

TEST_F(ClientTest, UrlCarriesBaseUrlPrefixAndEncodedQuery) {
  config.baseUrl = "http://api.test:8080/dash";
  serveAlways(200, "{}");
  fetchNow("/api/campaigns", {{"status", "a b"}, {"limit", "5"}});
  EXPECT_EQ(transport->sent[0].url, "http://api.test:8080/dash/api/campaigns?limit=5&status=a%20b");
}

// The path is appended to the base URL: one that is not an absolute path of its own would
// send the request elsewhere, so it is a config error and nothing is sent.
TEST_F(ClientTest, APathThatIsNotAnAbsolutePathIsAConfigErrorAndSendsNothing) {
  serveAlways(200, kCampaigns);
  for (const std::string path : {"api/campaigns", "http://elsewhere.test/x", "/api/campaigns?limit=5", "/api/a b", "", "/api/x#y"}) {
    const auto result = fetchNow(path);
    ASSERT_TRUE(result.error.has_value()) << path;
    EXPECT_EQ(result.error->kind, ErrorKind::config) << path;
    EXPECT_NE(result.error->detail.find("invalid path"), std::string::npos) << path;
    EXPECT_TRUE(result.fallback) << path;
  }
  EXPECT_TRUE(transport->sent.empty());
  EXPECT_FALSE(fetchNow("/api/campaigns").error.has_value());
  EXPECT_EQ(transport->sent.size(), 1u);
}

// ---- de-duplication and supersession --------------------------------------------------

TEST_F(ClientTest, ConcurrentIdenticalRequestsShareOneNetworkRequest) {
  std::vector<std::shared_ptr<std::optional<FetchResult>>> results;
  for (int i = 0; i < 10; ++i) results.push_back(fetch("/api/flows"));
  ASSERT_EQ(transport->sent.size(), 1u);
  transport->respond(jsonResponse(200, "{\"items\":[]}"));
  for (const auto& r : results) {
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ(*(*r)->body, "{\"items\":[]}");
  }
  EXPECT_EQ(client().stats().deduplicated, 9u);
}

TEST_F(ClientTest, ForceFreshSupersedesInFlightAndOlderResponseNeverOverwrites) {
  auto old = fetch("/api/campaigns");
  auto forced = fetch("/api/campaigns", {}, true);
  ASSERT_EQ(transport->sent.size(), 2u);
  ASSERT_EQ(transport->cancelled.size(), 1u);  // the superseded request was cancelled
  // The forced request answers with the newer data...
  transport->respond(jsonResponse(200, kCampaignsV2));
  ASSERT_TRUE(old->has_value());
  ASSERT_TRUE(forced->has_value());
  EXPECT_EQ(*(*old)->body, kCampaignsV2);  // the older caller gets the newest result
  EXPECT_EQ(*(*forced)->body, kCampaignsV2);
  EXPECT_EQ(*fetchNow("/api/campaigns").body, kCampaignsV2);
}

TEST_F(ClientTest, LateAnswerToSupersededRequestIsIgnored) {
  // A transport that cannot cancel: the old answer arrives after the new one.
  auto old = fetch("/api/campaigns");
  const RequestId oldId = transport->pending.front().id;
  auto stuck = std::move(transport->pending.front());
  transport->pending.pop_front();
  auto forced = fetch("/api/campaigns", {}, true);
  transport->respond(jsonResponse(200, kCampaignsV2));
  stuck.done(TransportResult::ok(jsonResponse(200, kCampaigns)));
  EXPECT_NE(oldId, 0u);
  EXPECT_EQ(*fetchNow("/api/campaigns").body, kCampaignsV2);
  EXPECT_EQ(*(*old)->body, kCampaignsV2);
}

// ---- retry ----------------------------------------------------------------------------

TEST_F(ClientTest, RetriesServerErrorsWithBackoffThenSucceeds) {
  auto result = fetch("/api/segments");
  transport->respond(jsonResponse(503, "{}"));
  EXPECT_FALSE(result->has_value());
  ASSERT_EQ(timeline->scheduledDelays().size(), 1u);
  EXPECT_EQ(timeline->scheduledDelays()[0], 50);  // jitter 0.5 of base 100
  timeline->advance(50);
  ASSERT_EQ(transport->sent.size(), 2u);
  transport->respond(jsonResponse(502, "{}"));
  EXPECT_EQ(timeline->scheduledDelays()[1], 100);  // ceiling doubled to 200
  timeline->advance(100);
  transport->respond(jsonResponse(200, kCampaigns));
  ASSERT_TRUE(result->has_value());
  EXPECT_TRUE((*result)->ok());
  EXPECT_EQ(client().stats().retries, 2u);
  EXPECT_EQ(client().stats().networkRequests, 3u);
  ASSERT_GE(logs.size(), 2u);
  EXPECT_NE(logs[0].find("retry 1/2"), std::string::npos);
}

TEST_F(ClientTest, DoesNotRetryClientErrors) {
  serveAlways(404, R"({"error":{"code":"not_found","message":"no"}})");
  const auto result = fetchNow("/api/campaigns");
  EXPECT_EQ(transport->sent.size(), 1u);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::http_client);
  EXPECT_EQ(result.error->status, 404);
  EXPECT_EQ(result.error->attempts, 1);
}

// The wait is announced (RetryScheduledEvent), so a page can say why it loads and until when.
TEST_F(ClientTest, HonoursRetryAfterOn429AndAnnouncesTheWait) {
  std::vector<RetryScheduledEvent> announced;
  const Subscription subscription =
      client().events().on<RetryScheduledEvent>([&](const RetryScheduledEvent& e) { announced.push_back(e); });
  const Millis askedAt = timeline->nowMs();
  auto result = fetch("/api/forms");
  transport->respond(jsonResponse(429, "{}", {{"Retry-After", "2"}}));
  ASSERT_EQ(timeline->scheduledDelays().size(), 1u);
  EXPECT_EQ(timeline->scheduledDelays()[0], 2000);
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].endpoint, "forms");
  EXPECT_EQ(announced[0].error.kind, ErrorKind::rate_limited);
  EXPECT_EQ(announced[0].error.attempts, 1);
  EXPECT_EQ(announced[0].delayMs, 2000);
  EXPECT_EQ(announced[0].retryAt, askedAt + 2000);
  timeline->advance(1999);
  EXPECT_EQ(transport->sent.size(), 1u);
  timeline->advance(1);
  EXPECT_EQ(transport->sent.size(), 2u);
  transport->respond(jsonResponse(200, "{}"));
  EXPECT_TRUE((*result)->ok());
  EXPECT_EQ(announced.size(), 1u);  // a success announces no wait
}

TEST_F(ClientTest, RetriesNetworkErrorsAndTimeouts) {
  auto result = fetch("/api/forms");
  transport->respond(TransportResult::failed(TransportFailureKind::network, "connection refused"));
  timeline->advance(1000);
  transport->respond(TransportResult::failed(TransportFailureKind::timeout, "read timeout"));
  timeline->advance(1000);
  transport->respond(TransportResult::failed(TransportFailureKind::timeout, "read timeout"));
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ((*result)->error->kind, ErrorKind::timeout);
  EXPECT_EQ((*result)->error->attempts, 3);
  EXPECT_EQ(transport->sent.size(), 3u);
}

// ---- errors and fallback --------------------------------------------------------------

TEST_F(ClientTest, PersistentFailureReturnsStaleDataWithTheError) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  const auto good = fetchNow("/api/campaigns");
  timeline->advance(61'000);
  serveAlways(500, "boom");
  auto result = fetch("/api/campaigns");
  timeline->advance(10'000);  // let every retry run
  ASSERT_TRUE(result->has_value());
  const FetchResult& r = **result;
  EXPECT_EQ(*r.body, kCampaigns);
  EXPECT_TRUE(r.stale);
  EXPECT_TRUE(r.fromCache);
  EXPECT_FALSE(r.fallback);
  EXPECT_EQ(r.updatedAt, good.updatedAt);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->kind, ErrorKind::http_server);
  EXPECT_EQ(r.error->attempts, 3);
  EXPECT_EQ(client().stats().staleServed, 1u);
}

TEST_F(ClientTest, FailureWithNothingCachedReturnsEmptyValueOfTheRightShape) {
  serveAlways(503, "down");
  auto result = fetch("/api/campaigns");
  timeline->advance(10'000);
  ASSERT_TRUE(result->has_value());
  EXPECT_TRUE((*result)->fallback);
  EXPECT_EQ(*(*result)->body, R"({"items":[],"total":0,"limit":50,"offset":0,"statisticsAsOf":null})");
  EXPECT_EQ((*result)->updatedAt, 0);
}

TEST_F(ClientTest, MalformedJsonIsAParseErrorWithFallbackAndNotCached) {
  serveAlways(200, "{\"items\": [1, 2");
  const auto result = fetchNow("/api/flows");
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::parse);
  EXPECT_TRUE(result.fallback);
  EXPECT_EQ(transport->sent.size(), 1u);  // not retried
  EXPECT_EQ(client().stats().entries, 0u);
}

// The transport stops reading past the request's maxResponseBytes (the client's
// maxResponseBytes); downloading that body again could only end the same way.
TEST_F(ClientTest, ABodyPastMaxResponseBytesIsAParseErrorNotRetriedWithTheCachedData) {
  config.maxResponseBytes = 4096;
  serveAlways(200, kCampaigns, {{"Cache-Control", "max-age=1"}});
  ASSERT_TRUE(fetchNow("/api/campaigns").ok());
  EXPECT_EQ(transport->sent.back().maxResponseBytes, 4096u);
  timeline->advance(2'000);
  transport->responder = [](const HttpRequest&) {
    return TransportResult::failed(TransportFailureKind::tooLarge, "response body over 4096 bytes");
  };
  const auto result = fetchNow("/api/campaigns");
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, ErrorKind::parse);
  EXPECT_NE(result.error->detail.find("response body over 4096 bytes"), std::string::npos) << result.error->detail;
  EXPECT_EQ(transport->sent.size(), 2u);  // not retried
  EXPECT_EQ(*result.body, kCampaigns);     // the cached data, marked stale
  EXPECT_TRUE(result.stale);
}

TEST_F(ClientTest, UnknownEndpointNameIsAnErrorNotACrash) {
  std::optional<FetchResult> result;
  fetchEndpoint(client(), "campains", {}, {}, [&](FetchResult r) { result = std::move(r); });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->error->kind, ErrorKind::config);
  EXPECT_TRUE(transport->sent.empty());
}

TEST_F(ClientTest, InvalidParamsNeverReachTheNetwork) {
  std::optional<FetchResult> result;
  ListParams params;
  params.limit = 9999;
  getCampaigns(client(), params, {}, [&](FetchResult r) { result = std::move(r); });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->error->kind, ErrorKind::config);
  EXPECT_EQ(result->error->endpoint, "campaigns");
  EXPECT_TRUE(transport->sent.empty());
}

TEST_F(ClientTest, TypedEndpointFunctionsHitTheirRoutes) {
  serveAlways(200, "{}");
  std::vector<std::string> paths;
  const FetchCallback ignore = [](FetchResult) {};
  getOverviewMetrics(client(), {"2026-10-01", "2026-10-31"}, {}, ignore);
  getCampaigns(client(), {}, {}, ignore);
  getFlows(client(), {}, {}, ignore);
  getForms(client(), {}, {}, ignore);
  getSegments(client(), {}, {true}, ignore);
  for (const auto& r : transport->sent) paths.push_back(r.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/api/overview", "/api/campaigns", "/api/flows", "/api/forms",
                                             "/api/segments"}));
  EXPECT_EQ(queryValue(transport->sent[0], "from"), "2026-10-01");
  EXPECT_TRUE(queryValue(transport->sent[4], "_t").has_value());
}

// ---- offline --------------------------------------------------------------------------

TEST_F(ClientTest, OfflineFailsFastWithCachedDataAndRevalidatesWhenBack) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  fetchNow("/api/campaigns");
  client().setOnline(false);
  timeline->advance(61'000);
  const auto offline = fetchNow("/api/campaigns");
  EXPECT_EQ(offline.error->kind, ErrorKind::offline);
  EXPECT_EQ(*offline.body, kCampaigns);
  EXPECT_TRUE(offline.stale);
  EXPECT_EQ(transport->sent.size(), 1u);  // failed fast, nothing sent
  transport->responder = [](const HttpRequest& request) {
    EXPECT_EQ(request.headers.get("If-None-Match"), "\"v1\"");
    return TransportResult::ok(jsonResponse(304, ""));
  };
  client().setOnline(true);
  EXPECT_EQ(transport->sent.size(), 2u);  // the expired entry was revalidated
  EXPECT_FALSE(client().freshness("campaigns").error.has_value());
}

// A key back online for several reasons at once (expired, watched and unconfirmed) is
// asked for once, not once per reason (the second ask was joined to the first, or served
// its answer as a cache hit, inflating the counters).
TEST_F(ClientTest, ComingBackOnlineAsksForAWatchedExpiredKeyOnce) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  auto watch = client().watch("/api/campaigns", {}, [](const FetchResult&) {});
  ASSERT_EQ(transport->sent.size(), 1u);
  client().setOnline(false);
  timeline->advance(61'000);
  const auto before = client().stats();
  client().setOnline(true);
  EXPECT_EQ(transport->sent.size(), 2u);
  const auto after = client().stats();
  EXPECT_EQ(after.deduplicated, before.deduplicated) << "no second request queued to be joined";
  EXPECT_EQ(after.hits + after.misses, before.hits + before.misses + 1) << "one lookup, not one per reason";
}

TEST_F(ClientTest, TransportReportingOfflineTakesClientOffline) {
  transport->responder = [](const HttpRequest&) {
    return TransportResult::failed(TransportFailureKind::offline, "navigator.onLine is false");
  };
  const auto result = fetchNow("/api/flows");
  EXPECT_EQ(result.error->kind, ErrorKind::offline);
  EXPECT_FALSE(client().isOnline());
  EXPECT_EQ(transport->sent.size(), 1u);  // not retried
}

// ---- forceRefreshData, invalidation, clear --------------------------------------------

TEST_F(ClientTest, ForceRefreshDataRefetchesAllEndpointsAndEmitsEvent) {
  serveAlways(200, "{}");
  std::vector<std::string> named;
  auto sub = client().events().on<ForceDataRefreshEvent>(
      [&](const ForceDataRefreshEvent& e) { named = e.endpoints; });
  std::optional<RefreshReport> report;
  client().forceRefreshData({}, [&](RefreshReport r) { report = std::move(r); });
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->allOk());
  EXPECT_EQ(report->endpoints.size(), 5u);
  EXPECT_EQ(named, (std::vector<std::string>{"overview", "campaigns", "flows", "forms", "segments"}));
  ASSERT_EQ(transport->sent.size(), 5u);
  for (const auto& request : transport->sent) {
    EXPECT_TRUE(queryValue(request, "_t").has_value()) << request.url;
  }
}

TEST_F(ClientTest, ForceRefreshDataRefetchesEveryCachedVariantOfSelectedEndpoints) {
  serveAlways(200, "{}");
  fetchNow("/api/campaigns", {{"status", "sent"}});
  fetchNow("/api/campaigns", {{"status", "draft"}});
  fetchNow("/api/flows");
  transport->sent.clear();
  std::optional<RefreshReport> report;
  client().forceRefreshData({"campaigns"}, [&](RefreshReport r) { report = std::move(r); });
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->endpoints.size(), 1u);
  EXPECT_EQ(report->endpoints[0].requests, 2);
  ASSERT_EQ(transport->sent.size(), 2u);
  for (const auto& request : transport->sent) EXPECT_EQ(request.path, "/api/campaigns");
}

TEST_F(ClientTest, ForceRefreshDataReportsUnknownNamesAndFailures) {
  serveAlways(404, "{}");
  std::optional<RefreshReport> report;
  client().forceRefreshData({"flows", "nope"}, [&](RefreshReport r) { report = std::move(r); });
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->endpoints.size(), 2u);
  EXPECT_FALSE(report->endpoints[0].ok);
  EXPECT_EQ(report->endpoints[0].error->kind, ErrorKind::http_client);
  EXPECT_FALSE(report->endpoints[1].ok);
  EXPECT_EQ(report->endpoints[1].error->kind, ErrorKind::config);
  EXPECT_FALSE(report->allOk());
}

TEST_F(ClientTest, InvalidatedEntriesRevalidateButStayAsFallback) {
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  fetchNow("/api/campaigns", {{"limit", "1"}});
  fetchNow("/api/flows");
  EXPECT_EQ(client().invalidatePattern("campaigns*"), 1u);
  fetchNow("/api/flows");
  EXPECT_EQ(transport->sent.size(), 2u);  // flows still fresh
  serveAlways(500, "down");
  config.retry.maxAttempts = 1;
  auto result = fetch("/api/campaigns", {{"limit", "1"}});
  timeline->advance(10'000);
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ(transport->sent.back().headers.get("If-None-Match"), "\"v1\"");
  EXPECT_EQ(*(*result)->body, kCampaigns);  // still there as a stale fallback
  EXPECT_EQ(client().invalidateEndpoint("flows"), 1u);
  EXPECT_EQ(client().invalidateKey("GET flows"), 1u);
  EXPECT_EQ(client().invalidateAll(), 2u);
}

TEST_F(ClientTest, ClearDropsEverythingAndInFlightAnswersAreNotStored) {
  serveAlways(200, kCampaigns);
  fetchNow("/api/campaigns");
  transport->responder = nullptr;
  auto pending = fetch("/api/flows");
  client().clear();
  EXPECT_EQ(client().stats().entries, 0u);
  transport->respond(jsonResponse(200, "{\"user\":\"previous\"}"));
  ASSERT_TRUE(pending->has_value());
  EXPECT_EQ(client().stats().entries, 0u);  // the answer of before sign-out is not kept
}

TEST_F(ClientTest, AnotherUrlThanACachedRouteIsAskedForItself) {
  serveAlways(200, kCampaigns);
  fetchNow("/api/campaigns");
  const std::size_t sent = transport->sent.size();
  fetchNow("/campaigns");  // a 404, or the dashboard's page: never the route's cached answer
  fetchNow("/api/campaigns/");
  EXPECT_EQ(transport->sent.size(), sent + 2);
  fetchNow("/api/campaigns");
  EXPECT_EQ(transport->sent.size(), sent + 2) << "the route's own entry still answers";
}

TEST_F(ClientTest, AReadAfterClearDoesNotTakeTheAnswerOfARequestFromBefore) {
  auto before = fetch("/api/campaigns");
  ASSERT_EQ(transport->pending.size(), 1u);
  client().clear();
  auto after = fetch("/api/campaigns");
  ASSERT_EQ(transport->sent.size(), 2u) << "asked again, not joined to the request of before";
  EXPECT_EQ(transport->cancelled.size(), 1u) << "the request of before is given up";
  ASSERT_EQ(transport->pending.size(), 1u);
  transport->respond(jsonResponse(200, kCampaignsV2));
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ(*(*after)->body, kCampaignsV2);
  ASSERT_TRUE(before->has_value());
  EXPECT_EQ(*(*before)->body, kCampaignsV2) << "its caller gets the newer answer too";
  EXPECT_EQ(client().stats().entries, 1u);
}

// ---- freshness, stale detection, events -----------------------------------------------

TEST_F(ClientTest, FreshnessReportsAgeStaleLoadingAndError) {
  config.staleThresholdMs = 10'000;
  EXPECT_FALSE(client().freshness("campaigns").lastUpdated.has_value());
  auto pending = fetch("/api/campaigns");
  EXPECT_TRUE(client().freshness("campaigns").loading);
  const Millis fetchedAt = timeline->nowMs();
  transport->respond(jsonResponse(200, kCampaigns));
  timeline->advance(4'000);
  auto f = client().freshness("campaigns");
  EXPECT_FALSE(f.loading);
  EXPECT_EQ(f.lastUpdated, fetchedAt);
  EXPECT_EQ(f.ageMs, 4'000);
  EXPECT_FALSE(f.stale);
  timeline->advance(7'000);
  EXPECT_TRUE(client().freshness("campaigns").stale);
  serveAlways(400, "{}");
  fetchNow("/api/campaigns", {}, true);
  f = client().freshness("campaigns");
  ASSERT_TRUE(f.error.has_value());
  EXPECT_EQ(f.error->status, 400);
  serveAlways(200, kCampaigns);
  fetchNow("/api/campaigns", {}, true);
  EXPECT_FALSE(client().freshness("campaigns").error.has_value());
}

TEST_F(ClientTest, TickEmitsDataStaleOncePerFetch) {
  config.staleThresholdMs = 10'000;
  config.defaultTtlMs = 1'000;
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  fetchNow("/api/campaigns");
  int staleEvents = 0;
  auto sub = client().events().on<DataStaleEvent>([&](const DataStaleEvent& e) {
    EXPECT_EQ(e.endpoint, "campaigns");
    ++staleEvents;
  });
  timeline->advance(5'000);
  client().tick(timeline->nowMs());
  EXPECT_EQ(staleEvents, 0);
  timeline->advance(6'000);
  client().tick(timeline->nowMs());
  client().tick(timeline->nowMs());
  EXPECT_EQ(staleEvents, 1);
  serveAlways(304, "");
  fetchNow("/api/campaigns");  // revalidated: fresh again, may turn stale again later
  timeline->advance(11'000);
  client().tick(timeline->nowMs());
  EXPECT_EQ(staleEvents, 2);
}

TEST_F(ClientTest, EmitsLoadingUpdatedAndErrorEventsInOrder) {
  std::vector<std::string> seen;
  auto sub = client().events().subscribe(std::nullopt, [&](const Event& e) {
    std::string name = toString(typeOf(e));
    if (const auto* loading = std::get_if<LoadingChangedEvent>(&e)) name += loading->loading ? "(on)" : "(off)";
    if (const auto* updated = std::get_if<DataUpdatedEvent>(&e)) name += updated->fromCache ? "(cache)" : "(net)";
    seen.push_back(name);
  });
  serveAlways(200, kCampaigns, {{"ETag", "\"v1\""}});
  fetchNow("/api/campaigns");
  fetchNow("/api/campaigns");  // a plain hit emits nothing
  timeline->advance(61'000);
  serveAlways(304, "");
  fetchNow("/api/campaigns");
  serveAlways(404, "{}");
  fetchNow("/api/flows");
  EXPECT_EQ(seen, (std::vector<std::string>{"loadingChanged(on)", "loadingChanged(off)", "dataUpdated(net)",
                                            "loadingChanged(on)", "loadingChanged(off)", "dataUpdated(cache)",
                                            "loadingChanged(on)", "loadingChanged(off)", "dataError"}));
}

TEST_F(ClientTest, ListenerMayCallBackIntoTheClient) {
  serveAlways(200, kCampaigns);
  int nested = 0;
  auto sub = client().events().on<DataUpdatedEvent>([&](const DataUpdatedEvent&) {
    client().fetchFromAPI("/api/campaigns", {}, [&](FetchResult r) { nested += r.fromCache ? 1 : 0; });
  });
  fetchNow("/api/campaigns");
  EXPECT_EQ(nested, 1);
}

TEST_F(ClientTest, StatsCountBytesAndErrors) {
  serveAlways(200, kCampaigns);
  fetchNow("/api/campaigns");
  serveAlways(404, "{}");
  fetchNow("/api/flows");
  const auto stats = client().stats();
  EXPECT_EQ(stats.bytesReceived, kCampaigns.size() + 2);
  EXPECT_EQ(stats.errors, 1u);
  EXPECT_EQ(stats.fallbacks, 1u);
  EXPECT_EQ(stats.cacheBytes, kCampaigns.size());
}

TEST_F(ClientTest, DestroyingClientCancelsInFlightAndPendingRetries) {
  auto a = fetch("/api/campaigns");
  auto b = fetch("/api/flows");
  transport->respond(jsonResponse(503, "{}"));  // campaigns now waits for a retry timer
  EXPECT_EQ(timeline->pendingTasks(), 1u);
  client_.reset();
  EXPECT_EQ(transport->cancelled.size(), 1u);  // flows was on the wire
  EXPECT_EQ(timeline->pendingTasks(), 0u);
  EXPECT_FALSE(a->has_value());
  EXPECT_FALSE(b->has_value());
}

TEST_F(ClientTest, UnsolicitedNotModifiedIsAnError) {
  serveAlways(304, "");
  const auto result = fetchNow("/api/flows");
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->status, 304);
}

}  // namespace
}  // namespace livedata
