// Watched queries and the live feed, against a scripted stream and transport on a manual
// timeline: what is fetched on a notice (watched at once, unwatched on next read), how
// notices coalesce, resume and reset, reconnect backoff with jitter, the silence watchdog,
// the fallback poll, and the focus and online triggers.
#include <gtest/gtest.h>

#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

#include "fakes.h"
#include "livedata/client.h"
#include "livedata/live_feed.h"

namespace livedata {
namespace {

using testing::acceptsJson;
using testing::FakeStream;
using testing::FakeTimeline;
using testing::FakeTransport;
using testing::jsonResponse;

const std::string kCampaignsV1 = R"({"items":[{"id":"c1"}],"total":1,"limit":50,"offset":0})";
const std::string kCampaignsV2 = R"({"items":[{"id":"c1"},{"id":"c2"}],"total":2,"limit":50,"offset":0})";
const std::string kFlows = R"({"items":[],"total":0,"limit":50,"offset":0})";

std::string changeEvent(int version, const std::string& endpoint) {
  return "id: " + std::to_string(version) + "\nevent: change\ndata: {\"version\":" + std::to_string(version) +
         ",\"endpoints\":[{\"name\":\"" + endpoint + "\"}]}\n\n";
}
// An IMF-fixdate (RFC 9110 section 5.6.7) of a time in whole seconds.
std::string httpDate(Millis epochMs) {
  const auto seconds = static_cast<std::time_t>(epochMs / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

std::string subscribedEvent(int clientVersion, int current) {
  return "retry: 1000\nid: " + std::to_string(clientVersion) + "\nevent: subscribed\ndata: {\"version\":" +
         std::to_string(current) + "}\n\n";
}

class LiveClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.baseUrl = "http://api.test:8080";
    config.defaultTtlMs = 60'000;
    config.retry.maxAttempts = 1;
    config.live.reconnectBaseMs = 1000;
    config.live.maxReconnectDelayMs = 8000;
    config.live.idleTimeoutMs = 45'000;
    config.live.fallbackPollMs = 30'000;
  }

  Client& client() {
    if (!client_) {
      ClientDependencies deps;
      deps.transport = transport;
      deps.stream = stream;
      deps.clock = timeline;
      deps.scheduler = timeline;
      deps.random = [this] { return random; };
      deps.acceptsJson = acceptsJson;
      auto created = Client::create(config, deps);
      EXPECT_TRUE(created.ok());
      client_ = std::move(created.value());
      connection_ = client_->events().on<ConnectionChangedEvent>(
          [this](const ConnectionChangedEvent& e) { states.push_back(e.state); });
    }
    return *client_;
  }

  // Each pending request gets `body` with an ETag naming it, or a 304 when the request
  // already holds that ETag.
  void answerAll(const std::string& campaigns, const std::string& flows = kFlows) {
    while (!transport->pending.empty()) {
      const HttpRequest& request = transport->pending.front().request;
      const std::string& body = request.path == "/api/flows" ? flows : campaigns;
      const std::string etag = "\"" + std::to_string(std::hash<std::string>{}(body)) + "\"";
      if (request.headers.get("If-None-Match") == etag) {
        transport->respond(jsonResponse(304, "", {{"ETag", etag}}));
      } else {
        transport->respond(jsonResponse(200, body, {{"ETag", etag}}));
      }
    }
  }

  WatchHandle watchCampaigns(std::vector<std::string>& seen) {
    return client().watch("/api/campaigns", {}, [&seen](const FetchResult& r) { seen.push_back(*r.body); });
  }

  // Watches campaigns, serves the first fetch, and brings the feed live at `version`.
  WatchHandle liveWithCampaigns(std::vector<std::string>& seen, int version = 10) {
    WatchHandle handle = watchCampaigns(seen);
    answerAll(kCampaignsV1);
    stream->accept();
    stream->send(subscribedEvent(version, version));
    answerAll(kCampaignsV1);  // the revalidation a new subscription asks for: a 304
    transport->sent.clear();
    return handle;
  }

  std::size_t requestsTo(const std::string& path) const {
    std::size_t count = 0;
    for (const auto& request : transport->sent) count += request.path == path ? 1 : 0;
    return count;
  }

  ClientConfig config;
  double random = 0.5;
  std::shared_ptr<FakeTimeline> timeline = std::make_shared<FakeTimeline>();
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  std::shared_ptr<FakeStream> stream = std::make_shared<FakeStream>();
  std::vector<ConnectionState> states;
  std::unique_ptr<Client> client_;
  Subscription connection_;
};

TEST_F(LiveClientTest, AWatchDeliversTheDataAndOpensOneStream) {
  std::vector<std::string> seen;
  EXPECT_EQ(client().connection().state, ConnectionState::idle);
  auto handle = watchCampaigns(seen);
  auto second = client().watch("/api/flows", {}, [](const FetchResult&) {});
  ASSERT_EQ(stream->openCount(), 1u) << "one stream, whatever is watched";
  const HttpRequest& request = stream->last().request;
  EXPECT_EQ(request.url, "http://api.test:8080/api/changes");
  EXPECT_EQ(request.headers.get("Accept"), "text/event-stream");
  EXPECT_FALSE(request.headers.has("Last-Event-ID")) << "nothing to resume yet";
  EXPECT_EQ(client().connection().state, ConnectionState::connecting);
  answerAll(kCampaignsV1);
  EXPECT_EQ(seen, (std::vector<std::string>{kCampaignsV1}));

  stream->accept();
  stream->send(subscribedEvent(10, 10));
  EXPECT_EQ(client().connection().state, ConnectionState::live);
  EXPECT_EQ(client().connection().version, 10);
  EXPECT_EQ(states, (std::vector<ConnectionState>{ConnectionState::connecting, ConnectionState::live}));
  // Subscribed now: what was fetched before may be older, so it is revalidated, cheaply.
  ASSERT_EQ(transport->pending.size(), 2u);
  EXPECT_TRUE(transport->pending[0].request.headers.has("If-None-Match"));
  answerAll(kCampaignsV1);
  EXPECT_EQ(seen.size(), 1u) << "a 304 is not news";
}

TEST_F(LiveClientTest, ANoticeRefetchesTheWatchedQueriesOfItsEndpointAtOnceAndConditionally) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  std::vector<std::string> flowsSeen;
  auto flows = client().watch("/api/flows", {}, [&](const FetchResult& r) { flowsSeen.push_back(*r.body); });
  answerAll(kCampaignsV1);
  // An unwatched variant of campaigns, in the cache.
  client().fetchFromAPI("/api/campaigns", {{{"limit", "5"}}, false}, [](FetchResult) {});
  answerAll(kCampaignsV1);
  transport->sent.clear();

  stream->send(changeEvent(11, "campaigns"));
  ASSERT_EQ(transport->pending.size(), 1u) << "only the watched query of the named endpoint";
  EXPECT_EQ(transport->pending[0].request.path, "/api/campaigns");
  EXPECT_TRUE(transport->pending[0].request.headers.has("If-None-Match"));
  answerAll(kCampaignsV2);
  EXPECT_EQ(seen.back(), kCampaignsV2);
  EXPECT_EQ(flowsSeen.size(), 1u);
  EXPECT_EQ(client().connection().version, 11);

  // The unwatched variant was marked: its next read asks the server.
  client().fetchFromAPI("/api/campaigns", {{{"limit", "5"}}, false}, [](FetchResult) {});
  EXPECT_EQ(transport->pending.size(), 1u);
}

// Another instance behind the feed's may answer the refetch: each read names the newest
// version the client knows of, which the server does not answer older data than.
TEST_F(LiveClientTest, ReadsNameTheNewestChangeVersionTheFeedToldOf) {
  std::vector<std::string> seen;
  client().fetchFromAPI("/api/flows", {}, [](FetchResult) {});
  ASSERT_EQ(transport->pending.size(), 1u);
  EXPECT_FALSE(transport->pending[0].request.headers.has(kMinVersionHeader)) << "no version known yet";
  answerAll(kCampaignsV1);
  auto handle = liveWithCampaigns(seen, 10);
  stream->send(changeEvent(11, "campaigns"));
  ASSERT_EQ(transport->pending.size(), 1u);
  EXPECT_EQ(transport->pending[0].request.headers.get(kMinVersionHeader), "11");
  answerAll(kCampaignsV2);
  client().fetchFromAPI("/api/flows", {{}, true}, [](FetchResult) {});
  ASSERT_EQ(transport->pending.size(), 1u);
  EXPECT_EQ(transport->pending[0].request.headers.get(kMinVersionHeader), "11") << "every read, not only refetches";
  answerAll(kCampaignsV2);
  // A reset may move the client back (the database was replaced): it names what it has now.
  stream->send("id: 3\nevent: reset\ndata: {\"version\":3}\n\n");
  ASSERT_FALSE(transport->pending.empty());
  EXPECT_EQ(transport->pending[0].request.headers.get(kMinVersionHeader), "3");
}

TEST_F(LiveClientTest, AChangeThatSkipsVersionsRevalidatesEverythingWatched) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen, 10);
  auto flows = client().watch("/api/flows", {}, [](const FetchResult&) {});
  answerAll(kCampaignsV1);
  transport->sent.clear();
  stream->send(changeEvent(11, "campaigns"));  // the next version: only what it names
  answerAll(kCampaignsV1);
  EXPECT_EQ(requestsTo("/api/flows"), 0u);
  stream->send(changeEvent(13, "campaigns"));  // 12 went unheard: it may have been of flows
  answerAll(kCampaignsV1);
  EXPECT_EQ(requestsTo("/api/flows"), 1u);
  EXPECT_EQ(client().connection().version, 13);
}

TEST_F(LiveClientTest, NoticesFasterThanAnswersCoalesceIntoOneMoreRequest) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  stream->send(changeEvent(11, "campaigns"));
  ASSERT_EQ(transport->pending.size(), 1u);
  stream->send(changeEvent(12, "campaigns") + changeEvent(13, "campaigns"));
  stream->send(changeEvent(14, "campaigns"));
  EXPECT_EQ(transport->pending.size(), 1u) << "the request in flight is not joined or duplicated";
  answerAll(kCampaignsV2);  // it may predate 12..14, so one more follows it
  EXPECT_EQ(requestsTo("/api/campaigns"), 2u);
  EXPECT_TRUE(transport->pending.empty());
  EXPECT_EQ(seen.back(), kCampaignsV2);
}

TEST_F(LiveClientTest, AnAnswerUnderWayWhenANoticeArrivesIsNotTakenAsCurrent) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  client().fetchFromAPI("/api/flows", {}, [](FetchResult) {});  // unwatched, in flight
  stream->send(changeEvent(11, "flows"));
  answerAll(kCampaignsV1);
  transport->sent.clear();
  client().fetchFromAPI("/api/flows", {}, [](FetchResult) {});
  EXPECT_EQ(requestsTo("/api/flows"), 1u) << "the answer landed after the notice: it must be asked again";
}

TEST_F(LiveClientTest, ANoticeThatNamesNothingReadableRefetchesEverythingWatched) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  auto flows = client().watch("/api/flows", {}, [](const FetchResult&) {});
  answerAll(kCampaignsV1);
  transport->sent.clear();
  stream->send("id: 11\nevent: change\ndata: {\"something\":\"else\"}\n\n");
  EXPECT_EQ(transport->pending.size(), 2u);
}

TEST_F(LiveClientTest, ADropReconnectsAfterAJitteredDelayAndResumesWithoutRefetching) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen, 10);
  stream->send(changeEvent(11, "flows"));  // not watched: no request
  random = 0.25;
  stream->end(TransportFailure{TransportFailureKind::network, "reset by peer"});
  EXPECT_EQ(client().connection().state, ConnectionState::reconnecting);
  timeline->advance(249);
  EXPECT_EQ(stream->openCount(), 1u) << "waits random * base = 250 ms";
  timeline->advance(1);
  ASSERT_EQ(stream->openCount(), 2u);
  EXPECT_EQ(stream->last().request.headers.get("Last-Event-ID"), "11");
  stream->accept();
  stream->send(subscribedEvent(11, 13) + changeEvent(12, "flows") + changeEvent(13, "campaigns"));
  EXPECT_EQ(client().connection().state, ConnectionState::live);
  EXPECT_EQ(client().connection().version, 13);
  EXPECT_EQ(requestsTo("/api/campaigns"), 1u) << "only the replayed change of campaigns";
}

TEST_F(LiveClientTest, AStreamThatDoesNotCarryOnFromOurVersionMeansAResync) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen, 10);
  stream->end();
  timeline->advance(1000);
  ASSERT_EQ(stream->openCount(), 2u);
  stream->accept();
  stream->send(subscribedEvent(15, 15));  // e.g. another tab's stream, already further on
  EXPECT_EQ(requestsTo("/api/campaigns"), 1u) << "versions 11 to 15 were never seen: revalidate";
  EXPECT_EQ(client().connection().version, 15);
}

TEST_F(LiveClientTest, ReconnectDelaysGrowWithFullJitterUpToTheCapAndObeyRetryAfter) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  random = 0.999;
  std::vector<Millis> waits;
  for (int attempt = 1; attempt <= 6; ++attempt) {
    stream->end(TransportFailure{TransportFailureKind::network, "refused"});
    const std::size_t before = stream->openCount();
    Millis waited = 0;
    while (stream->openCount() == before && waited < 60'000) {
      timeline->advance(10);
      waited += 10;
    }
    waits.push_back(waited);
  }
  // random * min(cap, 1000 * 2^(n-1)), random just under 1.
  EXPECT_EQ(waits, (std::vector<Millis>{1000, 2000, 4000, 8000, 8000, 8000}));

  // A refusal's Retry-After is waited for even when the jitter says less.
  random = 0.0;
  stream->accept(503, {{"Content-Type", "application/json"}, {"Retry-After", "5"}});
  stream->send("{\"error\":{\"code\":\"too_many_subscribers\",\"message\":\"...\"}}");
  stream->end();
  const std::size_t before = stream->openCount();
  timeline->advance(4999);
  EXPECT_EQ(stream->openCount(), before);
  timeline->advance(1);
  EXPECT_EQ(stream->openCount(), before + 1);
  // As an HTTP-date too; and a wait past the cap (here with more digits than an int64's
  // milliseconds hold) waits the cap.
  const Millis due = (timeline->nowMs() / 1000 + 3) * 1000;  // a date is in whole seconds
  stream->accept(503, {{"Content-Type", "application/json"}, {"Retry-After", httpDate(due)}});
  stream->end();
  timeline->advance(due - timeline->nowMs() - 1);
  EXPECT_EQ(stream->openCount(), before + 1);
  timeline->advance(1);
  EXPECT_EQ(stream->openCount(), before + 2);
  stream->accept(503, {{"Content-Type", "application/json"}, {"Retry-After", "99999999999999999999"}});
  stream->end();
  timeline->advance(7999);
  EXPECT_EQ(stream->openCount(), before + 2);
  timeline->advance(1);
  EXPECT_EQ(stream->openCount(), before + 3) << "the cap, 8 s";
  // A subscription resets the backoff.
  stream->accept();
  stream->send(subscribedEvent(10, 10));
  random = 0.5;
  stream->end();
  timeline->advance(500);
  EXPECT_EQ(stream->openCount(), before + 4);
}

TEST_F(LiveClientTest, AResetRevalidatesEverythingHeld) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  client().fetchFromAPI("/api/flows", {}, [](FetchResult) {});
  answerAll(kCampaignsV1);
  transport->sent.clear();
  stream->send("id: 90\nevent: reset\ndata: {\"version\":90}\n\n");
  EXPECT_EQ(requestsTo("/api/campaigns"), 1u) << "the watched query at once";
  EXPECT_EQ(requestsTo("/api/flows"), 0u) << "the unwatched one when next read";
  answerAll(kCampaignsV2);
  client().fetchFromAPI("/api/flows", {}, [](FetchResult) {});
  EXPECT_EQ(requestsTo("/api/flows"), 1u);
  EXPECT_EQ(client().connection().version, 90);
}

TEST_F(LiveClientTest, SilenceLongerThanTheIdleTimeoutMeansADeadConnection) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  timeline->advance(30'000);
  stream->send(": heartbeat\n\n");
  timeline->advance(44'000);
  EXPECT_EQ(stream->openCount(), 1u) << "heartbeats keep it alive";
  EXPECT_FALSE(stream->last().closed);
  timeline->advance(1'000);
  EXPECT_TRUE(stream->opened[0].closed) << "45 s of silence";
  EXPECT_EQ(client().connection().state, ConnectionState::reconnecting);
  timeline->advance(1'000);
  EXPECT_EQ(stream->openCount(), 2u);
}

TEST_F(LiveClientTest, HeartbeatsKeepWatchedDataFreshAndNotStale) {
  config.defaultTtlMs = 20'000;
  config.staleThresholdMs = 40'000;
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  for (int i = 0; i < 8; ++i) {
    timeline->advance(15'000);
    stream->send(": heartbeat\n\n");
  }
  const auto peeked = client().peek("/api/campaigns", {});
  ASSERT_TRUE(peeked.has_value()) << "two minutes on, still fresh: the feed confirms it";
  EXPECT_FALSE(peeked->stale);
  EXPECT_TRUE(transport->sent.empty()) << "and not a single request";
}

TEST_F(LiveClientTest, WhileTheFeedIsDownWatchedQueriesArePolledAndNeverWhileLive) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  for (int i = 0; i < 4; ++i) {
    timeline->advance(15'000);
    stream->send(": heartbeat\n\n");
  }
  EXPECT_TRUE(transport->sent.empty()) << "no poll while live";
  // The feed goes down and stays down (every reconnect refused).
  random = 0.999;
  stream->end(TransportFailure{TransportFailureKind::network, "down"});
  std::size_t ended = 1;
  for (Millis elapsed = 0; elapsed < 61'000; elapsed += 100) {
    timeline->advance(100);
    if (stream->openCount() > ended) {
      stream->end(TransportFailure{TransportFailureKind::network, "refused"});
      ++ended;
    }
    answerAll(kCampaignsV1);
  }
  EXPECT_GT(ended, 3u) << "it kept trying to reconnect meanwhile";
  EXPECT_EQ(requestsTo("/api/campaigns"), 2u) << "every 30 s while down";
}

TEST_F(LiveClientTest, FocusRevalidatesOnlyWhatTheFeedDoesNotKeepCurrent) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  client().setFocused(false);
  client().setFocused(true);
  EXPECT_TRUE(transport->sent.empty()) << "live and fresh: nothing to ask";
  stream->end(TransportFailure{TransportFailureKind::network, "down"});
  timeline->advance(70'000);  // polled meanwhile; the feed is still down
  answerAll(kCampaignsV1);
  transport->sent.clear();
  client().setFocused(false);
  client().setFocused(true);
  EXPECT_EQ(requestsTo("/api/campaigns"), 1u);
}

TEST_F(LiveClientTest, WithoutAFeedFocusAndReconnectRevalidateWatchedQueries) {
  config.live.enabled = false;
  config.live.fallbackPollMs = 0;  // no polling: the other triggers alone
  std::vector<std::string> seen;
  auto handle = watchCampaigns(seen);
  answerAll(kCampaignsV1);
  EXPECT_EQ(stream->openCount(), 0u);
  transport->sent.clear();
  timeline->advance(61'000);
  client().setFocused(false);
  client().setFocused(true);
  EXPECT_EQ(requestsTo("/api/campaigns"), 1u);
  answerAll(kCampaignsV2);
  EXPECT_EQ(seen.back(), kCampaignsV2);
  timeline->advance(61'000);
  client().setOnline(false);
  client().setOnline(true);
  EXPECT_EQ(requestsTo("/api/campaigns"), 2u);
}

// With the feed off (or no stream transport), watched queries are polled every
// fallbackPollMs instead: they still follow the server, only later. Nothing polls while
// offline or once nothing is watched.
TEST_F(LiveClientTest, WithTheFeedOffWatchedQueriesArePolled) {
  config.live.enabled = false;
  config.live.fallbackPollMs = 10'000;
  std::vector<std::string> seen;
  auto handle = watchCampaigns(seen);
  answerAll(kCampaignsV1);
  transport->sent.clear();
  timeline->advance(9'999);
  EXPECT_EQ(requestsTo("/api/campaigns"), 0u);
  timeline->advance(1);
  ASSERT_EQ(requestsTo("/api/campaigns"), 1u) << "polled after 10 s";
  EXPECT_TRUE(transport->pending.front().request.headers.has("If-None-Match")) << "a revalidation";
  answerAll(kCampaignsV2);
  EXPECT_EQ(seen.back(), kCampaignsV2);
  EXPECT_EQ(stream->openCount(), 0u);
  EXPECT_EQ(client().connection().state, ConnectionState::idle);

  client().setOnline(false);
  transport->sent.clear();
  timeline->advance(60'000);
  EXPECT_EQ(requestsTo("/api/campaigns"), 0u) << "not while offline";
  client().setOnline(true);
  answerAll(kCampaignsV2);
  transport->sent.clear();
  handle.reset();
  timeline->advance(60'000);
  EXPECT_EQ(requestsTo("/api/campaigns"), 0u) << "nothing watched, nothing polled";
}

// A body too large for the cache is kept nowhere, yet each one has a version of its own: a
// watcher of such a query hears every change (it heard only the first when they shared 0).
TEST_F(LiveClientTest, AWatchedQueryWhoseAnswersAreTooLargeToCacheStillHearsEachChange) {
  config.cache.maxBytes = 8;
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen, 10);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), kCampaignsV1);
  stream->send(changeEvent(11, "campaigns"));
  answerAll(kCampaignsV2);
  EXPECT_EQ(seen.back(), kCampaignsV2);
  stream->send(changeEvent(12, "campaigns"));
  answerAll(kCampaignsV1);
  EXPECT_EQ(seen.back(), kCampaignsV1);
}

TEST_F(LiveClientTest, OfflineClosesTheStreamAndOnlineResumesAtOnce) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen, 10);
  stream->send(changeEvent(11, "flows"));
  client().setOnline(false);
  EXPECT_TRUE(stream->last().closed);
  EXPECT_EQ(client().connection().state, ConnectionState::offline);
  timeline->advance(120'000);
  EXPECT_EQ(stream->openCount(), 1u) << "no attempts while offline";
  client().setOnline(true);
  ASSERT_EQ(stream->openCount(), 2u) << "at once";
  EXPECT_EQ(stream->last().request.headers.get("Last-Event-ID"), "11");
}

// What is on screen recovers by itself: a watched query whose fetch failed (here with no
// feed, so no notice will ever come) is tried again after a jittered wait that grows with
// each failure in a row, until an answer comes; then nothing more is asked.
TEST_F(LiveClientTest, AWatchedQueryThatFailedIsTriedAgainByItselfUntilItSucceeds) {
  config.live.enabled = false;
  config.live.fallbackPollMs = 0;  // no polling: the other triggers alone
  std::vector<FetchResult> seen;
  auto handle = client().watch("/api/campaigns", {}, [&seen](const FetchResult& r) { seen.push_back(r); });
  transport->respond(jsonResponse(503, R"({"error":{"code":"x","message":"down"}})"));
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_TRUE(seen.back().error.has_value());
  EXPECT_TRUE(seen.back().fallback);
  transport->sent.clear();

  // random 0.5: half of min(8 s, 1 s * 2^(n-1)) before try n.
  timeline->advance(499);
  EXPECT_TRUE(transport->pending.empty()) << "not before its time";
  timeline->advance(1);
  ASSERT_EQ(transport->pending.size(), 1u) << "tried again after 500 ms";
  transport->respond(jsonResponse(503, "{}"));
  timeline->advance(999);
  EXPECT_TRUE(transport->pending.empty());
  timeline->advance(1);
  ASSERT_EQ(transport->pending.size(), 1u) << "then after 1 s";
  transport->respond(jsonResponse(200, kCampaignsV1, {{"ETag", "\"v1\""}}));
  ASSERT_FALSE(seen.back().error.has_value()) << "the watcher hears the recovery";
  EXPECT_EQ(*seen.back().body, kCampaignsV1);

  timeline->advance(50'000);
  EXPECT_EQ(requestsTo("/api/campaigns"), 2u) << "nothing more once it succeeded";
}

// The same while the feed is live: a notice's refetch that fails keeps the data it had
// (served stale, with the error) and is revalidated by itself.
TEST_F(LiveClientTest, ALiveQueryWhoseRefetchFailedIsRevalidatedByItself) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  stream->send(changeEvent(11, "campaigns"));
  ASSERT_EQ(transport->pending.size(), 1u);
  transport->respond(jsonResponse(503, "{}"));
  transport->sent.clear();
  timeline->advance(500);
  ASSERT_EQ(transport->pending.size(), 1u);
  EXPECT_TRUE(transport->pending.front().request.headers.has("If-None-Match")) << "a revalidation";
  answerAll(kCampaignsV2);
  EXPECT_EQ(seen.back(), kCampaignsV2);
}

// A body that is not JSON (a cut transfer, a proxy's page) is the server's failure too: the
// query is tried again by itself. A refusal (4xx) is not: it waits for news or a refresh.
TEST_F(LiveClientTest, AWatchedQueryAnsweredWithABadBodyIsTriedAgainButARefusalIsNot) {
  config.live.enabled = false;
  config.live.fallbackPollMs = 0;  // no polling: the other triggers alone
  std::vector<FetchResult> seen;
  auto handle = client().watch("/api/campaigns", {}, [&seen](const FetchResult& r) { seen.push_back(r); });
  transport->respond(jsonResponse(200, "<html>502 Bad Gateway</html>"));
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_TRUE(seen.back().error.has_value());
  EXPECT_EQ(seen.back().error->kind, ErrorKind::parse);
  transport->sent.clear();
  timeline->advance(500);
  ASSERT_EQ(transport->pending.size(), 1u) << "tried again after the backoff's first wait";
  transport->respond(jsonResponse(200, kCampaignsV1));
  EXPECT_FALSE(seen.back().error.has_value()) << "the watcher hears the recovery";

  auto refused = client().watch("/api/flows", {}, [](const FetchResult&) {});
  transport->respond(jsonResponse(403, R"({"error":{"code":"forbidden","message":"no"}})"));
  transport->sent.clear();
  timeline->advance(60'000);
  EXPECT_EQ(requestsTo("/api/flows"), 0u);
}

TEST_F(LiveClientTest, AFailedQueryNoLongerWatchedIsNotTriedAgain) {
  config.live.enabled = false;
  auto handle = client().watch("/api/campaigns", {}, [](const FetchResult&) {});
  transport->respond(jsonResponse(503, "{}"));
  handle.reset();
  transport->sent.clear();
  timeline->advance(60'000);
  EXPECT_EQ(requestsTo("/api/campaigns"), 0u);
}

TEST_F(LiveClientTest, AWatchedQueryThatFailedOfflineIsAskedAgainWhenTheNetworkReturns) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen, 10);
  client().setOnline(false);
  // Watched while offline: it fails at once, and nothing of it is cached to refetch.
  std::vector<FetchResult> flows;
  auto watch = client().watch("/api/flows", {}, [&flows](const FetchResult& r) { flows.push_back(r); });
  transport->sent.clear();
  timeline->advance(120'000);
  EXPECT_TRUE(transport->sent.empty()) << "nothing is tried while offline";
  client().setOnline(true);
  EXPECT_EQ(requestsTo("/api/flows"), 1u) << "what failed offline is asked again at once";
  answerAll(kCampaignsV1);
  ASSERT_FALSE(flows.empty());
  EXPECT_FALSE(flows.back().error.has_value());
}

// A server that asks for time (429 or 503 with Retry-After) gets it: the next try waits
// at least that long, however short the backoff.
TEST_F(LiveClientTest, ARecoveryWaitsWhatTheServerAskedFor) {
  config.live.enabled = false;
  config.retry.maxRetryAfterMs = 1000;  // longer asks fail the fetch at once
  auto handle = client().watch("/api/campaigns", {}, [](const FetchResult&) {});
  transport->respond(jsonResponse(429, "{}", {{"Retry-After", "20"}}));
  transport->sent.clear();
  timeline->advance(19'999);
  EXPECT_TRUE(transport->pending.empty()) << "not before the 20 s asked for";
  timeline->advance(1);
  EXPECT_EQ(transport->pending.size(), 1u);
}


// The feed vouches only for the endpoints it announces: an entry of any other path keeps
// its own lifetime, and turns stale however long the feed stays live.
TEST_F(LiveClientTest, TheFeedKeepsFreshOnlyTheEndpointsItCovers) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  std::optional<FetchResult> status;
  client().fetchFromAPI("/api/sync/status", {}, [&status](FetchResult r) { status = std::move(r); });
  transport->respond(jsonResponse(200, R"({"state":"idle"})", {{"Cache-Control", "max-age=10"}}));
  ASSERT_TRUE(status && status->ok());
  for (int second = 0; second < 30; ++second) {
    timeline->advance(1000);
    stream->send(": heartbeat\n\n");
  }
  EXPECT_FALSE(client().peek("/api/sync/status", {}).has_value()) << "its 10 s are over, heartbeats or not";
  const auto campaigns = client().peek("/api/campaigns", {});
  ASSERT_TRUE(campaigns.has_value()) << "what the feed covers is still confirmed";
  EXPECT_FALSE(campaigns->stale);
}

// A refresh asks again for what is on screen, cached or not: a query refused earlier has no
// entry, and is not the endpoint's default query either.
TEST_F(LiveClientTest, ForceRefreshDataAsksAgainForWatchedQueriesWithNothingCached) {
  config.live.enabled = false;
  config.live.fallbackPollMs = 0;
  std::vector<FetchResult> seen;
  auto handle = client().watch("/api/campaigns", {{"status", "sent"}}, [&seen](const FetchResult& r) { seen.push_back(r); });
  transport->respond(jsonResponse(403, R"({"error":{"code":"forbidden","message":"no"}})"));
  ASSERT_TRUE(seen.back().error.has_value());
  transport->sent.clear();

  std::optional<RefreshReport> report;
  client().forceRefreshData({"campaigns"}, [&report](RefreshReport r) { report = std::move(r); });
  ASSERT_EQ(transport->pending.size(), 1u);
  EXPECT_EQ(transport->pending.front().request.path, "/api/campaigns");
  EXPECT_NE(transport->pending.front().request.url.find("status=sent"), std::string::npos)
      << transport->pending.front().request.url;
  transport->respond(jsonResponse(200, kCampaignsV1));
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->allOk());
  EXPECT_FALSE(seen.back().error.has_value()) << "the watcher hears the refreshed data";
}

// A path that is no absolute path of this server is refused once and never watched: a
// later refetch would send it (here, "@evil.example/..." after the base URL's authority).
TEST_F(LiveClientTest, AWatchOfAPathThatIsRefusedIsNeverFetched) {
  std::vector<FetchResult> seen;
  auto handle = client().watch("@evil.example/api/campaigns", {}, [&seen](const FetchResult& r) { seen.push_back(r); });
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_TRUE(seen[0].error.has_value());
  EXPECT_EQ(seen[0].error->kind, ErrorKind::config);
  client().setFocused(false);
  client().setFocused(true);
  client().forceRefreshData({}, [](RefreshReport) {});
  for (const auto& request : transport->sent) EXPECT_EQ(request.url.find("evil"), std::string::npos) << request.url;
  EXPECT_EQ(stream->openCount(), 0u) << "nothing watched, so no feed";
}

// A listener that destroys the Client (a CLI stopping on the data it waited for) ends the
// effects of that step: no refetch or request goes out on a destroyed Client.
TEST_F(LiveClientTest, AClientDestroyedByAListenerStartsNothingMore) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  auto stopOnUpdate = client().events().on<DataUpdatedEvent>([this](const DataUpdatedEvent&) {
    client_.reset();  // the data came: done
  });
  // A second notice while the first one's refetch is under way: its answer's step also refetches.
  stream->send(changeEvent(11, "campaigns"));
  ASSERT_EQ(transport->pending.size(), 1u);
  stream->send(changeEvent(12, "campaigns"));
  const std::size_t sentBefore = transport->sent.size();
  transport->respond(jsonResponse(200, kCampaignsV2));
  EXPECT_EQ(client_, nullptr);
  EXPECT_EQ(transport->sent.size(), sentBefore) << "nothing is sent once the Client is gone";
}

// The same from a callback a public call runs before it returns (offline, a fetch completes
// at once): the call holds the Client's state for the rest of its step.
TEST_F(LiveClientTest, AClientDestroyedByTheCallbackOfItsOwnCallIsNotTouchedAgain) {
  client().setOnline(false);
  bool called = false;
  client().fetchFromAPI("/api/campaigns", {}, [this, &called](FetchResult result) {
    called = true;
    EXPECT_EQ(result.error->kind, ErrorKind::offline);
    client_.reset();
  });
  EXPECT_TRUE(called);
  EXPECT_EQ(client_, nullptr);
}

// Native transports answer on worker threads: a listener still busy with one answer when
// the next one of its key arrives hears that one after, never at the same time (which let
// the older one land last).
TEST_F(LiveClientTest, AListenerHearsOneAnswerAtATime) {
  std::mutex mutex;
  std::condition_variable changed;
  int inside = 0, mostInside = 0, calls = 0;
  std::vector<std::string> heard;
  auto handle = client().watch("/api/campaigns", {}, [&](const FetchResult& result) {
    std::unique_lock<std::mutex> lock(mutex);
    mostInside = std::max(mostInside, ++inside);
    const int call = ++calls;
    changed.notify_all();
    // The first answer waits (up to a second) for another to come in meanwhile.
    if (call == 1) changed.wait_for(lock, std::chrono::seconds(1), [&] { return calls > 1; });
    heard.push_back(*result.body);
    --inside;
  });
  stream->accept();
  stream->send(subscribedEvent(10, 10));  // live: notices refetch at once
  std::thread first([&] { transport->respond(jsonResponse(200, kCampaignsV1, {{"ETag", "\"1\""}})); });
  {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return calls == 1; });
  }
  stream->send(changeEvent(11, "campaigns"));
  ASSERT_FALSE(transport->pending.empty());
  std::thread second([&] { transport->respond(jsonResponse(200, kCampaignsV2, {{"ETag", "\"2\""}})); });
  first.join();
  second.join();
  EXPECT_EQ(mostInside, 1);
  EXPECT_EQ(heard, (std::vector<std::string>{kCampaignsV1, kCampaignsV2}));
}

TEST_F(LiveClientTest, AnUnwatchedListenerHearsNothingMoreAndItsQueryIsNotRefetched) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  handle.reset();
  stream->send(changeEvent(11, "campaigns"));
  EXPECT_TRUE(transport->pending.empty()) << "no longer on screen: refetched when next read";
  EXPECT_EQ(seen.size(), 1u);
}

TEST_F(LiveClientTest, DestroyingTheClientClosesTheStream) {
  std::vector<std::string> seen;
  auto handle = liveWithCampaigns(seen);
  client_.reset();
  EXPECT_TRUE(stream->last().closed);
  handle.reset();  // outliving the client is safe
  timeline->advance(100'000);
  EXPECT_EQ(stream->openCount(), 1u);
}

}  // namespace
}  // namespace livedata
