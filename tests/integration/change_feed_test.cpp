// The live feed over HTTP against a real server (docs/api.md, "Live changes"): a sync's
// commit reaches a subscribed stream, after the cache stopped serving the older data; a
// client that resumes gets exactly what it missed, also across a restart; one too far
// behind gets a reset; the long-poll form; the subscriber bound; held streams leave the
// data routes their workers; heartbeats, and clients that vanish.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "event_stream_client.h"
#include "server_client.h"
#include "server_process.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::EventStreamClient;
using testing::ServerProcess;
using testing::StreamEvent;
using Http = testing::ServerClient;
using namespace std::chrono_literals;

constexpr auto kEventWait = 10s;

// Makes the upstream change and syncs `endpoint` until the store committed a change of it.
void touch(Http& http, const std::string& endpoint) {
  const auto touched = http.post("/admin/touch", {{"endpoint", endpoint}});
  ASSERT_TRUE(touched);
  ASSERT_EQ(touched->status, 200) << touched->body;
}

json dataOf(const StreamEvent& event) { return json::parse(event.data); }

// The next event that is not a heartbeat; a test failure when none comes in time.
StreamEvent nextEvent(EventStreamClient& stream) {
  auto event = stream.next(kEventWait);
  EXPECT_TRUE(event.has_value()) << "no event within " << kEventWait.count() << " s";
  return event.value_or(StreamEvent{});
}

std::int64_t currentVersion(Http& http) {
  const auto answer = http.get("/api/changes", false);
  EXPECT_TRUE(answer && answer->status == 200);
  return json::parse(answer->body)["version"].get<std::int64_t>();
}

TEST(ChangeFeed, ASyncCommitReachesTheStreamAfterTheCacheDroppedTheOlderData) {
  ServerProcess server({"--max-age", "3600", "--cache-ttl", "3600"});
  Http http(server);
  const auto before = http.get("/api/campaigns?limit=20", false);
  ASSERT_TRUE(before && before->status == 200);
  const std::string etag = before->get_header_value("ETag");

  EventStreamClient stream(server.port(), "/api/changes", {{"Accept-Encoding", "gzip, br"}});
  ASSERT_EQ(stream.status(), 200);
  EXPECT_EQ(stream.header("content-type"), "text/event-stream");
  EXPECT_EQ(stream.header("cache-control"), "no-store");
  EXPECT_EQ(stream.header("x-accel-buffering"), "no");
  EXPECT_EQ(stream.header("content-encoding"), "") << "events are not buffered in a compressor";
  const StreamEvent subscribed = nextEvent(stream);
  EXPECT_EQ(subscribed.event, "subscribed");
  EXPECT_EQ(subscribed.retry, "1000");
  const std::int64_t version = dataOf(subscribed)["version"].get<std::int64_t>();
  EXPECT_GT(version, 0) << "the first sync committed changes";
  EXPECT_EQ(subscribed.id, std::to_string(version));

  touch(http, "campaigns");
  const StreamEvent change = nextEvent(stream);
  EXPECT_EQ(change.event, "change");
  const json notice = dataOf(change);
  EXPECT_EQ(notice["version"], version + 1) << notice.dump();
  EXPECT_EQ(change.id, std::to_string(version + 1));
  ASSERT_EQ(notice["endpoints"].size(), 1u);
  EXPECT_EQ(notice["endpoints"][0]["name"], "campaigns");
  EXPECT_FALSE(notice["endpoints"][0]["ids"].empty());
  EXPECT_TRUE(notice["committedAt"].is_string());

  // Notify, then fetch: the conditional request the notice prompts gets the new data.
  httplib::Client client("127.0.0.1", server.port());
  const auto after = client.Get("/api/campaigns?limit=20", {{"If-None-Match", etag}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_NE(after->get_header_value("ETag"), etag);
}

// A client told of change version V (by any instance) sends Livedata-Min-Version: V with
// its reads. One instance is always in step with its store, so it never waits: a version it
// has is answered as always, and one its store never committed (another database's) at
// once too. (Waiting for a committed version: min_version_test.cpp; across instances:
// cluster_test.cpp.)
TEST(ChangeFeed, ADataReadNamingAChangeVersionIsAnsweredAtOnceByASingleInstance) {
  ServerProcess server({"--max-age", "3600", "--cache-ttl", "3600"});
  Http http(server);
  const std::int64_t version = currentVersion(http);
  const auto before = http.get("/api/campaigns?limit=20", false);
  ASSERT_TRUE(before && before->status == 200);
  const std::string etag = before->get_header_value("ETag");
  for (const std::int64_t named : {std::int64_t{0}, version, version + 1000}) {
    httplib::Client client("127.0.0.1", server.port());
    const auto answer = client.Get("/api/campaigns?limit=20", {{"If-None-Match", etag}, {"Livedata-Min-Version", std::to_string(named)}});
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 304) << named;
  }
  for (const char* bad : {"-1", "v12", "12, 13"}) {
    httplib::Client client("127.0.0.1", server.port());
    const auto refused = client.Get("/api/campaigns", {{"Livedata-Min-Version", bad}});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << bad;
    EXPECT_EQ(json::parse(refused->body)["error"]["code"], "invalid_parameter") << bad;
  }
}

TEST(ChangeFeed, AResumingClientGetsExactlyWhatItMissedInOrder) {
  ServerProcess server;
  Http http(server);
  const std::int64_t start = currentVersion(http);
  touch(http, "flows");
  touch(http, "segments");
  const std::int64_t now = currentVersion(http);
  ASSERT_GE(now, start + 2);

  EventStreamClient stream(server.port(), "/api/changes?since=0", {{"Last-Event-ID", std::to_string(start)}});
  const StreamEvent subscribed = nextEvent(stream);
  EXPECT_EQ(subscribed.event, "subscribed");
  EXPECT_EQ(subscribed.id, std::to_string(start)) << "Last-Event-ID wins over the URL's since";
  EXPECT_EQ(dataOf(subscribed)["version"], now);
  std::vector<std::string> endpoints;
  for (std::int64_t v = start + 1; v <= now; ++v) {
    const StreamEvent change = nextEvent(stream);
    ASSERT_EQ(change.event, "change");
    EXPECT_EQ(change.id, std::to_string(v)) << "every version, in order";
    endpoints.push_back(dataOf(change)["endpoints"][0]["name"]);
  }
  EXPECT_EQ(endpoints.front(), "flows");
  EXPECT_EQ(endpoints.back(), "segments");
  EXPECT_FALSE(stream.next(300ms).has_value()) << "nothing else happened";
}

TEST(ChangeFeed, AClientOlderThanTheLogIsToldToReset) {
  ServerProcess server({"--change-log-size", "1"});
  Http http(server);
  const std::int64_t start = currentVersion(http);
  touch(http, "flows");
  touch(http, "forms");

  EventStreamClient stream(server.port(), "/api/changes?since=" + std::to_string(start));
  EXPECT_EQ(nextEvent(stream).event, "subscribed");
  const StreamEvent reset = nextEvent(stream);
  EXPECT_EQ(reset.event, "reset");
  EXPECT_EQ(reset.id, std::to_string(currentVersion(http)));

  // A version the store never reached (the database was replaced) is a reset too.
  EventStreamClient ahead(server.port(), "/api/changes?since=999999");
  EXPECT_EQ(nextEvent(ahead).event, "subscribed");
  EXPECT_EQ(nextEvent(ahead).event, "reset");
}

TEST(ChangeFeed, VersionsSurviveARestartAndAClientResumesAcrossIt) {
  ServerProcess first;
  Http firstHttp(first);
  const std::int64_t before = currentVersion(firstHttp);
  const auto dataDir = first.dataDir();
  ASSERT_EQ(first.terminate(), 0);

  ServerProcess second({}, dataDir);
  Http http(second);
  EXPECT_GE(currentVersion(http), before) << "a restart never goes back";
  touch(http, "campaigns");
  EventStreamClient stream(second.port(), "/api/changes?since=" + std::to_string(before));
  EXPECT_EQ(nextEvent(stream).event, "subscribed");
  const StreamEvent change = nextEvent(stream);
  EXPECT_EQ(change.event, "change");
  EXPECT_EQ(change.id, std::to_string(before + 1));
}

TEST(ChangeFeed, TheLongPollWaitsForAChangeAndAnswersAtOnceWhenOneWasMissed) {
  ServerProcess server;
  Http http(server);
  const std::int64_t start = currentVersion(http);

  httplib::Client waiting("127.0.0.1", server.port());
  waiting.set_read_timeout(30, 0);
  auto answer = std::async(std::launch::async, [&] {
    return waiting.Get("/api/changes?since=" + std::to_string(start) + "&wait=20");
  });
  EXPECT_EQ(answer.wait_for(300ms), std::future_status::timeout) << "it waits while nothing changes";
  touch(http, "forms");
  ASSERT_EQ(answer.wait_for(10s), std::future_status::ready);
  const auto result = answer.get();
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200);
  const json body = json::parse(result->body);
  EXPECT_EQ(body["reset"], false);
  ASSERT_FALSE(body["changes"].empty());
  EXPECT_EQ(body["changes"][0]["version"], start + 1);
  EXPECT_EQ(body["version"], body["changes"].back()["version"]);
  EXPECT_EQ(result->get_header_value("Cache-Control"), "public, max-age=60") << "changes after a version never change";

  httplib::Client client("127.0.0.1", server.port());
  const auto missed = client.Get("/api/changes?since=" + std::to_string(start));
  ASSERT_TRUE(missed);
  EXPECT_FALSE(json::parse(missed->body)["changes"].empty()) << "without wait: at once";
  const auto idle = client.Get("/api/changes?since=" + std::to_string(currentVersion(http)) + "&wait=0");
  ASSERT_TRUE(idle);
  EXPECT_TRUE(json::parse(idle->body)["changes"].empty());
  EXPECT_EQ(idle->get_header_value("Cache-Control"), "no-store") << "\"nothing yet\" must not be reused";
}

// The stream goes to a client that names it with a weight above 0 (case aside); every other
// client gets the JSON answer.
TEST(ChangeFeed, TheStreamIsForAClientThatAcceptsItTheRestGetJson) {
  ServerProcess server;
  httplib::Client client("127.0.0.1", server.port());
  for (const std::string accept : {"text/event-stream;q=0", "*/*", "application/json", "text/event-stream-ish"}) {
    const auto answer = client.Get("/api/changes?since=0", {{"Accept", accept}});
    ASSERT_TRUE(answer) << accept;
    EXPECT_EQ(answer->status, 200) << accept;
    EXPECT_EQ(answer->get_header_value("Content-Type").rfind("application/json", 0), 0u) << accept;
  }
  httplib::Client streaming("127.0.0.1", server.port());
  std::string contentType;
  streaming.Get(
      "/api/changes", {{"Accept", "TEXT/EVENT-STREAM"}},
      [&](const httplib::Response& response) {
        contentType = response.get_header_value("Content-Type");
        return false;  // the head is enough: end the stream
      },
      [](const char*, std::size_t) { return false; });
  EXPECT_EQ(contentType, "text/event-stream");
}

TEST(ChangeFeed, BadParametersAreJsonErrors) {
  ServerProcess server;
  httplib::Client client("127.0.0.1", server.port());
  for (const std::string target : {"/api/changes?since=-1", "/api/changes?since=x", "/api/changes?wait=61&since=1",
                                   "/api/changes?wait=soon&since=1", "/api/changes?limit=5"}) {
    const auto answer = client.Get(target);
    ASSERT_TRUE(answer) << target;
    EXPECT_EQ(answer->status, 400) << target;
    const json body = json::parse(answer->body, nullptr, false);
    EXPECT_TRUE(body["error"]["code"].is_string()) << target << ": " << answer->body;
  }
  EventStreamClient badId(server.port(), "/api/changes", {{"Last-Event-ID", "twelve"}});
  EXPECT_EQ(badId.status(), 400);
  EXPECT_EQ(json::parse(badId.readWholeBody(5s))["error"]["code"], "invalid_parameter");
}

TEST(ChangeFeed, PastMaxSubscribersIsA503WithRetryAfterAndAFreedSlotIsReused) {
  ServerProcess server({"--max-subscribers", "2", "--heartbeat-seconds", "1"});
  auto first = std::make_unique<EventStreamClient>(server.port(), "/api/changes");
  EventStreamClient second(server.port(), "/api/changes");
  ASSERT_EQ(nextEvent(*first).event, "subscribed");
  ASSERT_EQ(nextEvent(second).event, "subscribed");

  Http http(server);
  const json feed = http.getJson("/monitoring/metrics")["liveFeed"];
  EXPECT_EQ(feed["subscribers"], 2) << feed.dump();
  EXPECT_EQ(feed["maxSubscribers"], 2);

  EventStreamClient refused(server.port(), "/api/changes");
  EXPECT_EQ(refused.status(), 503);
  EXPECT_EQ(refused.header("retry-after"), "5");
  EXPECT_EQ(json::parse(refused.readWholeBody(5s))["error"]["code"], "too_many_subscribers");
  // A long-poll that would wait needs a place; one with changes to give is answered at once.
  const auto version = http.getJson("/api/changes")["version"].get<std::uint64_t>();
  ASSERT_GT(version, 0u) << "the start-up sync committed changes";
  EXPECT_EQ(http.status("/api/changes?since=" + std::to_string(version) + "&wait=1"), 503);
  EXPECT_EQ(http.status("/api/changes?since=0&wait=5"), 200);
  EXPECT_EQ(http.status("/api/changes?since=" + std::to_string(version - 1) + "&wait=5"), 200);
  // One from ahead of the store has its reset to give, at once, whatever the count.
  const json ahead = http.getJson("/api/changes?since=" + std::to_string(version + 1000) + "&wait=5");
  EXPECT_EQ(ahead["reset"], true) << ahead.dump();

  first.reset();  // a clean close: the server's next write fails at once
  // The slot frees once the server notices, at the latest on the next heartbeat.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    EventStreamClient again(server.port(), "/api/changes");
    status = again.status();
    if (status == 200) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(status, 200);
}

TEST(ChangeFeed, VanishedClientsAreFoundByHeartbeatsAndDropped) {
  ServerProcess server({"--max-subscribers", "1", "--heartbeat-seconds", "1"});
  {
    EventStreamClient stream(server.port(), "/api/changes");
    ASSERT_EQ(nextEvent(stream).event, "subscribed");
    EXPECT_FALSE(stream.next(2500ms).has_value()) << "heartbeats are comments, not events";
    EXPECT_FALSE(stream.comments().empty()) << "an idle stream gets heartbeats";
    EventStreamClient full(server.port(), "/api/changes");
    EXPECT_EQ(full.status(), 503);
  }  // both sockets close without a word
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    EventStreamClient again(server.port(), "/api/changes");
    status = again.status();
    if (status != 200) std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(status, 200) << "the vanished subscriber's slot was freed";
}

TEST(ChangeFeed, HeldStreamsLeaveTheDataRoutesTheirWorkers) {
  ServerProcess server({"--threads", "2", "--max-subscribers", "50"});
  std::vector<std::unique_ptr<EventStreamClient>> streams;
  for (int i = 0; i < 20; ++i) {
    streams.push_back(std::make_unique<EventStreamClient>(server.port(), "/api/changes"));
    ASSERT_EQ(nextEvent(*streams.back()).event, "subscribed") << "stream " << i;
  }
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(5, 0);
  for (int i = 0; i < 5; ++i) {
    const auto answer = client.Get("/api/flows?limit=1");
    ASSERT_TRUE(answer) << "20 held streams on 2 workers must not starve the API";
    EXPECT_EQ(answer->status, 200);
  }
  Http http(server);
  touch(http, "flows");
  for (auto& stream : streams) EXPECT_EQ(nextEvent(*stream).event, "change");
}

TEST(ChangeFeed, StoppingTheServerEndsItsStreams) {
  ServerProcess server;
  EventStreamClient stream(server.port(), "/api/changes");
  ASSERT_EQ(nextEvent(stream).event, "subscribed");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.terminate(), 0) << "held streams must not hold up a clean shutdown";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(stream.next(5s).has_value());
  EXPECT_TRUE(stream.ended());
}

}  // namespace
}  // namespace livedata
