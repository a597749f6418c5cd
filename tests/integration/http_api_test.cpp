// The HTTP contract of mock-server (docs/api.md, docs/openapi.yaml) checked with a plain
// HTTP client over loopback: conditional requests, content codings, keep-alive, errors,
// authorization and CORS.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "raw_client.h"
#include "server_process.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::RawClient;
using testing::ServerProcess;

httplib::Client clientFor(const ServerProcess& server) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  client.set_read_timeout(10, 0);
  client.set_decompress(false);  // the tests look at the coded bytes
  return client;
}

std::string errorCodeOf(const httplib::Result& result) {
  if (!result) return "no response";
  const json body = json::parse(result->body, nullptr, false);
  if (body.is_discarded() || !body.contains("error")) return "not an error body: " + result->body;
  EXPECT_TRUE(body["error"]["message"].is_string());
  return body["error"]["code"].get<std::string>();
}

TEST(HttpApi, MatchingIfNoneMatchAnswers304WithTheHeadersOfA200AndNoBody) {
  ServerProcess server;
  auto client = clientFor(server);
  const auto first = client.Get("/api/campaigns?limit=5");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');

  for (const std::string& condition : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
    // One connection per 304: httplib 0.11's client waits for a 304's (nonexistent) body
    // until the connection closes, so these requests ask the server to close it.
    httplib::Client once("127.0.0.1", server.port());
    once.set_keep_alive(false);
    const auto again = once.Get("/api/campaigns?limit=5", {{"If-None-Match", condition}});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 304) << condition;
    EXPECT_TRUE(again->body.empty());
    EXPECT_EQ(again->get_header_value("ETag"), etag);
    EXPECT_EQ(again->get_header_value("Cache-Control"), first->get_header_value("Cache-Control"));
    EXPECT_EQ(again->get_header_value("Vary"), "Accept-Encoding");
    EXPECT_FALSE(again->get_header_value("Date").empty());
    EXPECT_FALSE(again->has_header("Content-Length"));
  }
  const auto stale = client.Get("/api/campaigns?limit=5", {{"If-None-Match", "\"not-it\""}});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);
  EXPECT_EQ(stale->body, first->body);
}

// A header sent as several fields is one list (RFC 9110 section 5.3): the tag in the second
// If-None-Match field matches as if both were one field.
TEST(HttpApi, AHeaderSentAsSeveralFieldsIsReadAsOneList) {
  ServerProcess server;
  auto client = clientFor(server);
  const auto first = client.Get("/api/campaigns?limit=5");
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());

  httplib::Client once("127.0.0.1", server.port());  // one connection per 304, as above
  once.set_keep_alive(false);
  const auto matched = once.Get("/api/campaigns?limit=5", {{"If-None-Match", "\"other\""}, {"If-None-Match", etag}});
  ASSERT_TRUE(matched);
  EXPECT_EQ(matched->status, 304);
  const auto unmatched =
      client.Get("/api/campaigns?limit=5", {{"If-None-Match", "\"other\""}, {"If-None-Match", "\"neither\""}});
  ASSERT_TRUE(unmatched);
  EXPECT_EQ(unmatched->status, 200);
  EXPECT_EQ(unmatched->body, first->body);
}

// Data routes are dispatched by the server's own table (pre-routing); HEAD must still answer
// as GET does, without the body, and a path no route serves stays a 404.
TEST(HttpApi, HeadOnADataRouteAnswersAsGetWithoutTheBody) {
  ServerProcess server;
  auto client = clientFor(server);
  const auto get = client.Get("/api/campaigns?limit=5");
  ASSERT_TRUE(get);
  const auto head = client.Head("/api/campaigns?limit=5");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(head->get_header_value("ETag"), get->get_header_value("ETag"));
  EXPECT_EQ(head->get_header_value("Content-Length"), get->get_header_value("Content-Length"));
  EXPECT_FALSE(head->get_header_value("Content-Length").empty());
  // The same fields as the GET's (RFC 9110 section 9.3.2): no ranges announced that a GET
  // does not announce (and the server does not serve).
  const auto namesOf = [](const httplib::Headers& headers) {
    std::set<std::string> names;
    for (const auto& [name, value] : headers) names.insert(name);
    return names;
  };
  EXPECT_EQ(namesOf(head->headers), namesOf(get->headers));
  EXPECT_FALSE(head->has_header("Accept-Ranges"));
  EXPECT_EQ(client.Head("/api/no-such-route")->status, 404);
  EXPECT_EQ(client.Get("/api/campaigns")->status, 200) << "the connection still serves after a HEAD";
}

TEST(HttpApi, CacheBusterNeverChangesTheRepresentation) {
  ServerProcess server;
  auto client = clientFor(server);
  const auto plain = client.Get("/api/flows?limit=3");
  const auto busted = client.Get("/api/flows?limit=3&_t=1764063000000");
  ASSERT_TRUE(plain && busted);
  EXPECT_EQ(busted->status, 200);
  EXPECT_EQ(busted->get_header_value("ETag"), plain->get_header_value("ETag"));
  EXPECT_EQ(busted->body, plain->body);
}

TEST(HttpApi, GzipIsADistinctRepresentationWithItsOwnTag) {
  ServerProcess server;
  auto client = clientFor(server);
  const auto identity = client.Get("/api/campaigns?limit=50");
  const auto gzip = client.Get("/api/campaigns?limit=50", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(identity && gzip);
  EXPECT_EQ(gzip->get_header_value("Content-Encoding"), "gzip");
  EXPECT_LT(gzip->body.size(), identity->body.size());
  EXPECT_NE(gzip->get_header_value("ETag"), identity->get_header_value("ETag"));
  // The identity tag does not validate the gzip representation (strong, per coding).
  const auto cross = client.Get("/api/campaigns?limit=50",
                                {{"Accept-Encoding", "gzip"}, {"If-None-Match", identity->get_header_value("ETag")}});
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 200);
}

// The 40 ms stall of cpp-httplib's keep-alive responses (Nagle plus delayed ACK, see
// docs/notes) must stay gone: 50 requests on one connection would take 2 s or more with it.
// The bound is generous (1.5 s) so a loaded machine does not make it flake.
TEST(HttpApi, KeepAliveResponsesDoNotStall) {
  ServerProcess server;
  auto client = clientFor(server);
  ASSERT_TRUE(client.Get("/api/segments"));  // connect and warm up
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    const auto result = client.Get("/api/segments");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 1500);
}

// A kept-alive connection keeps its server thread while it idles (httplib's model, up to
// the keep-alive timeout of 5 s); a browser keeps up to six. Idle ones on every thread kept
// ready must not make the next client wait.
TEST(HttpApi, IdleKeptAliveConnectionsDoNotMakeANewClientWait) {
  ServerProcess server({"--threads", "2", "--max-threads", "64"});
  std::vector<std::unique_ptr<httplib::Client>> idle;
  for (int i = 0; i < 12; ++i) {
    idle.push_back(std::make_unique<httplib::Client>("127.0.0.1", server.port()));
    idle.back()->set_keep_alive(true);
    idle.back()->set_read_timeout(2, 0);
    const auto answer = idle.back()->Get("/api/flows?limit=1");
    ASSERT_TRUE(answer) << "connection " << i << " waited past 2 s for a thread";
    EXPECT_EQ(answer->status, 200);
  }
  auto fresh = clientFor(server);
  fresh.set_read_timeout(2, 0);
  const auto answer = fresh.Get("/api/segments");
  ASSERT_TRUE(answer) << "a new client waited past 2 s behind idle kept-alive connections";
  EXPECT_EQ(answer->status, 200);
}

TEST(HttpApi, BadParametersGetTheDocumented400s) {
  ServerProcess server;
  auto client = clientFor(server);
  const auto badLimit = client.Get("/api/campaigns?limit=0");
  ASSERT_TRUE(badLimit);
  EXPECT_EQ(badLimit->status, 400);
  EXPECT_EQ(errorCodeOf(badLimit), "invalid_parameter");
  EXPECT_EQ(badLimit->get_header_value("Cache-Control"), "no-store");

  const auto unknown = client.Get("/api/campaigns?colour=red");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(errorCodeOf(unknown), "unknown_parameter");

  const auto badDate = client.Get("/api/overview?from=2026-02-30");
  ASSERT_TRUE(badDate);
  EXPECT_EQ(badDate->status, 400);
  EXPECT_EQ(errorCodeOf(badDate), "invalid_parameter");

  const auto badStatus = client.Get("/api/forms?status=sent");
  ASSERT_TRUE(badStatus);
  EXPECT_EQ(badStatus->status, 400);
}

// RFC 9112 6.1 and 6.3: a request whose length cannot be told for sure is refused, and
// what follows it on the connection is never read as a request of its own (behind a proxy
// that reads the length otherwise, it would be a smuggled one).
TEST(HttpApi, ARequestWhoseLengthIsAmbiguousIs400AndItsConnectionIsClosed) {
  ServerProcess server;
  const std::string smuggled = "GET /monitoring/health HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const std::string& head : std::vector<std::string>{
           "POST /api/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           "POST /api/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}",
           "POST /api/sync HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
           // A space before the colon: a name that is no token, whose length a proxy may read.
           "POST /admin/reset HTTP/1.1\r\nHost: x\r\nContent-Length : " + std::to_string(smuggled.size()) + "\r\n\r\n",
           "POST /api/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n",
           // Host missing, or given twice (RFC 9112 section 3.2).
           "GET /livez HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
           "GET /livez HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
           "GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(smuggled.size()) + "\r\n\r\n",
           "HELLO\r\n\r\n",
           "POST /api/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
           "POST /api/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           // A head httplib reads, then a body it cannot (a chunk size that is not hex).
           "POST /api/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       }) {
    RawClient connection(server.port());
    connection.send(head + smuggled);
    const std::string answer = connection.readUntil("HTTP/1.1 ", 2, std::chrono::seconds(2));
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << head << answer;
    EXPECT_EQ(RawClient::occurrences(answer, "HTTP/1.1 "), 1) << "the bytes after it were read as a request: " << head << answer;
    EXPECT_NE(answer.find("\"code\":\"bad_request\""), std::string::npos) << answer;
    EXPECT_NE(answer.find("X-Request-Id: "), std::string::npos) << answer;
    EXPECT_TRUE(connection.closedWithin(std::chrono::seconds(1))) << head;
  }
  // A plain request on a kept-alive connection is served, and the next one after it too.
  RawClient keptAlive(server.port());
  keptAlive.send("GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string answers = keptAlive.readUntil("HTTP/1.1 200 ", 2);
  EXPECT_EQ(RawClient::occurrences(answers, "HTTP/1.1 200 "), 2) << answers;
  EXPECT_FALSE(keptAlive.closedWithin(std::chrono::milliseconds(300)));
}

// RFC 9110 14.2 lets a server ignore Range; this one does, everywhere: an answer is the
// whole representation, with a 200 that says so.
TEST(HttpApi, ARangeIsIgnoredAndTheWholeRepresentationIsSent) {
  testing::TempDir web;
  std::ofstream(web.path() + "/index.html") << "<!doctype html><title>livedata</title>";
  ServerProcess server({"--web-root", web.path()});
  auto client = clientFor(server);
  const auto whole = client.Get("/api/campaigns?limit=2");
  ASSERT_TRUE(whole);
  for (const char* range : {"bytes=0-9", "bytes=9999-", "bytes=0-1,5-7"}) {
    const auto page = client.Get("/", {{"Range", range}});
    ASSERT_TRUE(page) << range;
    EXPECT_EQ(page->status, 200) << range;
    EXPECT_EQ(page->body, "<!doctype html><title>livedata</title>") << range;
    EXPECT_FALSE(page->has_header("Content-Range")) << range;
    const auto data = client.Get("/api/campaigns?limit=2", {{"Range", range}});
    ASSERT_TRUE(data) << range;
    EXPECT_EQ(data->status, 200) << range;
    EXPECT_EQ(data->body, whole->body) << range;
    EXPECT_FALSE(data->has_header("Content-Range")) << range;
  }
  // A Range httplib cannot parse is its 416, which closes the connection, saying so once.
  const auto garbled = clientFor(server).Get("/api/campaigns?limit=2", {{"Range", "bytes=abc"}});
  ASSERT_TRUE(garbled);
  EXPECT_EQ(garbled->status, 416);
  EXPECT_EQ(garbled->get_header_value_count("Connection"), 1u);
}

// A value runs from its parameter's first '=' to the next '&' (the URL standard): text with
// another '=' is the value's, and judged so, never cut to what follows the last '='.
TEST(HttpApi, AValueHoldingAnEqualsSignIsReadWhole) {
  ServerProcess server;
  auto client = clientFor(server);
  for (const char* path : {"/api/campaigns?limit=9=3", "/api/campaigns?limit=5;offset=2", "/api/campaigns?status=x=sent",
                           "/api/overview?from=xx=2026-12-01", "/api/changes?since=abc=0"}) {
    const auto result = client.Get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 400) << path << " " << result->body;
    EXPECT_EQ(errorCodeOf(result), "invalid_parameter") << path;
  }
  const auto unnamed = client.Get("/api/campaigns?=5");
  ASSERT_TRUE(unnamed);
  EXPECT_EQ(errorCodeOf(unnamed), "unknown_parameter");
  EXPECT_EQ(json::parse(unnamed->body)["error"]["message"].get<std::string>().rfind("unknown parameter ''", 0), 0u);
  const auto encoded = client.Get("/api/campaigns?limit=3&status=sent%3D");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->status, 400) << "an encoded '=' is part of the value as well";
  EXPECT_EQ(client.Get("/api/campaigns?limit=3&offset=0")->status, 200);
  // A parameter repeated as it was is given twice too (httplib keeps one of identical pieces).
  for (const char* path : {"/api/campaigns?limit=5&limit=5", "/api/campaigns?status=sent&limit=2&status=sent",
                           "/api/changes?since=1&since=1"}) {
    const auto repeated = client.Get(path);
    ASSERT_TRUE(repeated) << path;
    EXPECT_EQ(repeated->status, 400) << path << " " << repeated->body;
    EXPECT_EQ(errorCodeOf(repeated), "invalid_parameter") << path;
  }
}

// `_t` is every route's: accepted and ignored (docs/api.md), the change feed's and the
// admin routes' too. A parameter the feed takes is given at most once.
TEST(HttpApi, EveryRouteAcceptsTheCacheBuster) {
  ServerProcess server;
  auto client = clientFor(server);
  const httplib::Headers admin{{"Authorization", server.bearer()}};
  EXPECT_EQ(client.Get("/api/changes?_t=1")->status, 200);
  EXPECT_EQ(client.Get("/api/sync/status?_t=1", admin)->status, 200);
  EXPECT_EQ(client.Get("/monitoring/health?_t=1", admin)->status, 200);
  const auto other = client.Get("/api/sync/status?_t=1&x=2", admin);
  EXPECT_EQ(errorCodeOf(other), "unknown_parameter");
  const auto twice = client.Get("/api/changes?since=1&since=2");
  EXPECT_EQ(errorCodeOf(twice), "invalid_parameter");
}

// A long-poll answer with changes may be cached, and the same URL is the event stream for
// Accept: text/event-stream, so it varies on Accept. A poll that does not wait holds
// nothing, so it is answered while every subscriber's place is taken.
TEST(HttpApi, ALongPollVariesOnAcceptAndOneThatDoesNotWaitTakesNoPlace) {
  ServerProcess server({"--max-subscribers", "1"});
  auto client = clientFor(server);
  const auto poll = client.Get("/api/changes?since=0");
  ASSERT_TRUE(poll);
  ASSERT_EQ(poll->get_header_value("Cache-Control"), "public, max-age=60") << poll->body;
  EXPECT_NE(poll->get_header_value("Vary").find("Accept"), std::string::npos);

  RawClient stream(server.port());
  stream.send("GET /api/changes HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
  ASSERT_NE(stream.readUntil("200 OK").find("200 OK"), std::string::npos) << "the one place is the stream's";
  EXPECT_EQ(client.Get("/api/changes?since=0")->status, 200);
  const auto latest = client.Get("/api/changes");
  ASSERT_EQ(latest->status, 200);
  EXPECT_EQ(client.Get("/api/changes?since=0&wait=1")->status, 200) << "changes to give: no wait, no place";
  const auto version = nlohmann::json::parse(latest->body)["version"].get<std::uint64_t>();
  const auto waiting = client.Get("/api/changes?since=" + std::to_string(version) + "&wait=1");
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->status, 503) << "a poll that waits takes a place";
}

TEST(HttpApi, UnknownRoutesAre404InTheErrorShape) {
  ServerProcess server;
  auto client = clientFor(server);
  for (const char* path : {"/api/nothing", "/nope", "/api"}) {
    const auto result = client.Get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 404) << path;
    EXPECT_EQ(errorCodeOf(result), "not_found") << path;
  }
}

// A method the server does not recognise is 501 (RFC 9110 section 15.6.2), in the error shape;
// a request line that is no request at all stays a 400. Either closes the connection: httplib
// stopped reading at the line, so what follows it is not a request to read.
TEST(HttpApi, AnUnknownMethodIs501AnUnknownVersion505AndAGarbledRequestLine400) {
  ServerProcess server;
  for (const std::string method : {"FOO", "PROPFIND", "get"}) {
    auto client = clientFor(server);
    httplib::Request request;
    request.method = method;
    request.path = "/api/campaigns";
    const auto answer = client.send(request);
    ASSERT_TRUE(answer) << method;
    EXPECT_EQ(answer->status, 501) << method;
    EXPECT_EQ(errorCodeOf(answer), "not_implemented") << method;
    EXPECT_NE(answer->body.find("the method " + method + " is not one"), std::string::npos) << answer->body;
    EXPECT_EQ(answer->get_header_value("Connection"), "close") << method;
  }
  auto client = clientFor(server);
  httplib::Request garbled;
  garbled.method = "G{T";  // not a token
  garbled.path = "/api/campaigns";
  const auto answer = client.send(garbled);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_EQ(errorCodeOf(answer), "bad_request");
  const auto next = clientFor(server).Get("/api/flows");
  ASSERT_TRUE(next) << "the server goes on";
  EXPECT_EQ(next->status, 200);

  // A major version this server does not speak is a 505; a later 1.x (httplib refuses it)
  // and a malformed one are 400s.
  for (const auto& [version, status] : std::vector<std::pair<std::string, std::string>>{
           {"HTTP/2.0", "505"}, {"HTTP/3.0", "505"}, {"HTTP/1.2", "400"}, {"HTTP/x", "400"}}) {
    RawClient connection(server.port());
    connection.send("GET /livez " + version + "\r\nHost: x\r\n\r\n");
    const std::string answer = connection.readUntil("\r\n\r\n{", 1, std::chrono::seconds(2));
    EXPECT_EQ(answer.rfind("HTTP/1.1 " + status + " ", 0), 0u) << version << ": " << answer;
    if (status == "505") {
      EXPECT_NE(answer.find("\"code\":\"http_version_not_supported\""), std::string::npos) << answer;
    }
    EXPECT_TRUE(connection.closedWithin(std::chrono::seconds(1))) << version;
  }
}

// httplib routes by method first, so a known path asked with another method used to be a
// 404 "no route": it is a 405 naming what the route takes (RFC 9110 section 15.5.6).
TEST(HttpApi, AKnownPathAskedWithAnotherMethodIs405WithItsAllowedMethods) {
  ServerProcess server;
  auto client = clientFor(server);
  const auto deleted = client.Delete("/api/campaigns");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 405);
  EXPECT_EQ(errorCodeOf(deleted), "method_not_allowed");
  EXPECT_EQ(deleted->get_header_value("Allow"), "GET, HEAD, OPTIONS");

  const auto posted = client.Post("/api/campaigns", "{\"limit\": 5}", "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 405);
  const auto next = client.Get("/api/flows");
  ASSERT_TRUE(next) << "the refused request's body was read, so the kept-alive connection goes on";
  EXPECT_EQ(next->status, 200);

  const auto syncRead = client.Get("/api/sync");
  ASSERT_TRUE(syncRead);
  EXPECT_EQ(syncRead->status, 405);
  EXPECT_EQ(syncRead->get_header_value("Allow"), "POST, OPTIONS");
  const auto faults = client.Put("/admin/faults", "{}", "application/json");
  ASSERT_TRUE(faults);
  EXPECT_EQ(faults->status, 405) << "before the token is asked for: the route's methods are public";
  EXPECT_EQ(faults->get_header_value("Allow"), "POST, DELETE, OPTIONS");
  const auto head = client.Head("/api/sync");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 405);
  EXPECT_TRUE(head->body.empty());

  const auto options = client.Options("/api/overview");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 204);
  EXPECT_EQ(options->get_header_value("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_TRUE(options->body.empty());
  EXPECT_FALSE(options->has_header("Content-Length")) << "a 204 sends none (RFC 9110 section 8.6)";

  const auto unknown = client.Delete("/api/nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << "a path no route serves stays a 404";
  EXPECT_EQ(errorCodeOf(unknown), "not_found");
  EXPECT_TRUE(unknown->get_header_value("Allow").empty());

  // httplib parses TRACE but routes it nowhere: answered as any method a path does not take.
  for (const auto& [path, status] : std::vector<std::pair<std::string, int>>{{"/api/campaigns", 405}, {"/api/nothing", 404}}) {
    httplib::Request trace;
    trace.method = "TRACE";
    trace.path = path;
    const auto traced = client.send(trace);
    ASSERT_TRUE(traced) << path;
    EXPECT_EQ(traced->status, status) << path;
    EXPECT_EQ(traced->get_header_value("Allow"), status == 405 ? "GET, HEAD, OPTIONS" : "") << path;
  }
  const auto after = client.Get("/api/flows");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(HttpApi, AdminRoutesRefuseMissingOrWrongTokens) {
  ServerProcess server;
  auto client = clientFor(server);
  const auto missing = client.Get("/admin/requests");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(errorCodeOf(missing), "unauthorized");
  EXPECT_EQ(missing->get_header_value("WWW-Authenticate"), "Bearer");

  const auto wrong = client.Get("/admin/requests", {{"Authorization", "Bearer " + std::string(32, '0')}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->get_header_value("WWW-Authenticate"), "Bearer error=\"invalid_token\"");
  const auto blank = client.Get("/admin/requests", {{"Authorization", "Bearer    "}});
  ASSERT_TRUE(blank);
  EXPECT_EQ(blank->status, 401);
  EXPECT_EQ(blank->get_header_value("WWW-Authenticate"), "Bearer error=\"invalid_request\"");

  const auto right = client.Get("/admin/requests", {{"Authorization", server.bearer()}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
}

TEST(HttpApi, OversizedBodiesAre413AndTheServerKeepsServing) {
  ServerProcess server({"--max-body-bytes", "1024"});
  auto client = clientFor(server);
  const std::string big(4096, 'x');
  const auto result = client.Post("/admin/faults", {{"Authorization", server.bearer()}}, big, "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
  EXPECT_EQ(errorCodeOf(result), "payload_too_large");
  auto fresh = clientFor(server);
  const auto after = fresh.Get("/api/overview");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(HttpApi, MalformedAdminBodiesAre400NotCrashes) {
  ServerProcess server;
  auto client = clientFor(server);
  for (const char* body : {"{", "[]", "{\"rules\": 5}", "{\"rules\": [{\"status\": \"x\"}]}"}) {
    const auto result = client.Post("/admin/faults", {{"Authorization", server.bearer()}}, body, "application/json");
    ASSERT_TRUE(result) << body;
    EXPECT_EQ(result->status, 400) << body;
  }
  const auto after = client.Get("/api/overview");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(HttpApi, CorsHeadersOnlyForConfiguredOrigins) {
  ServerProcess server({"--cors-origin", "http://localhost:5173"});
  auto client = clientFor(server);
  const auto allowed = client.Get("/api/forms", {{"Origin", "http://localhost:5173"}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->get_header_value("Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_NE(allowed->get_header_value("Vary").find("Origin"), std::string::npos);

  const auto other = client.Get("/api/forms", {{"Origin", "http://evil.test"}});
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  // A shared cache must not hand this copy, without CORS headers, to the allowed origin.
  EXPECT_NE(other->get_header_value("Vary").find("Origin"), std::string::npos);
  const auto none = client.Get("/api/forms");
  ASSERT_TRUE(none);
  EXPECT_NE(none->get_header_value("Vary").find("Origin"), std::string::npos);

  httplib::Headers preflight{{"Origin", "http://localhost:5173"}, {"Access-Control-Request-Method", "POST"},
                             {"Access-Control-Request-Headers", "authorization"}};
  const auto answer = client.Options("/api/sync", preflight);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 204);
  EXPECT_NE(answer->get_header_value("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
}

TEST(HttpApi, ServesTheDashboardFromTheWebRootBesideTheApi) {
  testing::TempDir web;
  std::filesystem::create_directories(web.path() + "/assets");
  std::ofstream(web.path() + "/index.html") << "<!doctype html><title>livedata</title>";
  std::ofstream(web.path() + "/assets/livedata-core-3f2a.wasm") << std::string("\0asm\1\0\0\0", 8);
  ServerProcess server({"--web-root", web.path()});
  auto client = clientFor(server);

  const auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<!doctype html><title>livedata</title>");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache") << "a new build shows at the next load";
  const auto wasm = client.Get("/assets/livedata-core-3f2a.wasm");
  ASSERT_TRUE(wasm);
  EXPECT_EQ(wasm->get_header_value("Content-Type"), "application/wasm") << "instantiateStreaming needs it";
  EXPECT_EQ(wasm->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(wasm->body.size(), 8u);
  EXPECT_EQ(client.Get("/api/flows")->status, 200) << "the API is unchanged";
  EXPECT_EQ(errorCodeOf(client.Get("/missing.js")), "not_found");
  EXPECT_EQ(client.Get("/../secret")->status, 404) << "no way out of the web root";

  const auto metrics = client.Get("/monitoring/api-metrics", {{"Authorization", server.bearer()}});
  const json routes = json::parse(metrics->body)["routes"];
  bool sawStatic = false;
  for (const auto& route : routes) sawStatic = sawStatic || (route["route"] == "(static)" && route["requests"] == 2);
  EXPECT_TRUE(sawStatic) << routes.dump();
}

TEST(HttpApi, SendsTheDashboardPrecompressedInTheCodingTheBrowserAccepts) {
  testing::TempDir web;
  std::filesystem::create_directories(web.path() + "/assets");
  const std::string module(4096, 'w');
  std::ofstream(web.path() + "/assets/livedata-core-3f2a.wasm") << module;
  std::ofstream(web.path() + "/assets/livedata-core-3f2a.wasm.br") << "brotli bytes";
  std::ofstream(web.path() + "/assets/livedata-core-3f2a.wasm.gz") << "gzip bytes";
  ServerProcess server({"--web-root", web.path()});
  auto client = clientFor(server);
  client.set_decompress(false);  // the bytes as sent
  const char* path = "/assets/livedata-core-3f2a.wasm";

  const auto brotli = client.Get(path, {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(brotli);
  EXPECT_EQ(brotli->status, 200);
  EXPECT_EQ(brotli->get_header_value("Content-Encoding"), "br");
  EXPECT_EQ(brotli->get_header_value("Content-Type"), "application/wasm");
  EXPECT_EQ(brotli->get_header_value("Vary"), "Accept-Encoding");
  EXPECT_EQ(brotli->body, "brotli bytes");

  const auto gzip = client.Get(path, {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gzip->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(gzip->body, "gzip bytes");
  const auto plain = client.Get(path, {{"Accept-Encoding", "identity"}});
  EXPECT_FALSE(plain->has_header("Content-Encoding"));
  EXPECT_EQ(plain->body, module);
  EXPECT_EQ(plain->get_header_value("Vary"), "Accept-Encoding");

  const std::string etag = brotli->get_header_value("ETag");
  EXPECT_NE(etag, gzip->get_header_value("ETag"));
  EXPECT_NE(etag, plain->get_header_value("ETag"));
  // A connection of its own: httplib 0.11's client waits for a 304's (nonexistent) body
  // until the connection closes.
  httplib::Client once("127.0.0.1", server.port());
  once.set_keep_alive(false);
  const auto revalidated = once.Get(path, {{"Accept-Encoding", "br"}, {"If-None-Match", etag}});
  ASSERT_TRUE(revalidated);
  EXPECT_EQ(revalidated->status, 304);
  EXPECT_TRUE(revalidated->body.empty());
  EXPECT_EQ(client.Get(path, {{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}})->status, 200)
      << "another coding is another representation";
  const auto head = client.Head(path, {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "10");
}

TEST(HttpApi, AWebRootThatIsNotAFolderIsRefusedAtStart) {
  const auto result = testing::runCommand({LIVEDATA_MOCK_SERVER_PATH, "--web-root", "/nonexistent/dist"});
  EXPECT_EQ(result.exitCode, 2);
}

TEST(HttpApi, SigtermStopsCleanly) {
  ServerProcess server;
  auto client = clientFor(server);
  ASSERT_TRUE(client.Get("/api/overview"));
  EXPECT_EQ(server.terminate(), 0);
}

// The request log counts by route: paths no route serves share one count, so requests for
// random paths (a probe, an attack) cannot grow it; the bounded log still names each path.
TEST(HttpApi, RequestsForPathsNoRouteServesShareOneCount) {
  ServerProcess server;
  auto client = clientFor(server);
  for (int i = 0; i < 50; ++i) {
    const auto missing = client.Get("/api/no-such-route-" + std::to_string(i));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
  }
  ASSERT_TRUE(client.Get("/api/flows?limit=5"));
  const auto requests = client.Get("/admin/requests", {{"Authorization", server.bearer()}});
  ASSERT_TRUE(requests);
  const auto json = nlohmann::json::parse(requests->body);
  EXPECT_EQ(json["counts"], nlohmann::json({{"(unmatched)", 50}, {"/api/flows", 1}})) << requests->body;
  EXPECT_EQ(json["log"][49]["path"], "/api/no-such-route-49");
}

TEST(HttpApi, ASecretInAUrlIsNeverWrittenDown) {
  ServerProcess server({"--log-requests"});
  auto client = clientFor(server);
  ASSERT_TRUE(client.Get("/?token=s3cret-in-url"));
  ASSERT_TRUE(client.Get("/api/flows?limit=5&access_token=s3cret-in-url"));
  const auto requests = client.Get("/admin/requests", {{"Authorization", server.bearer()}});
  ASSERT_TRUE(requests);
  EXPECT_EQ(requests->body.find("s3cret-in-url"), std::string::npos) << requests->body;
  EXPECT_NE(requests->body.find("access_token=[redacted]"), std::string::npos) << requests->body;
  client.stop();  // no kept-alive connection for the server to wait out as it stops
  server.terminate();
  std::ifstream log(server.logPath());
  const std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(logged.find(R"("target":"/?token=[redacted]")"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("s3cret-in-url"), std::string::npos) << logged;
}

}  // namespace
}  // namespace livedata
