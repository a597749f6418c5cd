// The native client's watched queries against a real server and its live feed: a sync's
// commit reaches the watcher by itself with one conditional request; a server restart is
// ridden out and nothing is missed; a client whose version fell out of the log resets and
// ends with current data; and `livedata watch` prints each change.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "livedata/livedata.h"
#include "livedata_native/livedata_native.h"
#include "server_client.h"
#include "server_process.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::ServerProcess;
using Http = testing::ServerClient;
using namespace std::chrono_literals;

// What a watch listener has been given, waited on by the test.
class Watched {
 public:
  WatchListener listener() {
    return [this](const FetchResult& result) {
      std::lock_guard<std::mutex> lock(mutex_);
      bodies_.push_back(result.body ? *result.body : "");
      changed_.notify_all();
    };
  }
  // Waits until the latest body satisfies `done`; false on timeout.
  bool waitFor(const std::function<bool(const std::string& latest)>& done, std::chrono::milliseconds limit = 15s) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return !bodies_.empty() && done(bodies_.back()); });
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_.size();
  }
  std::string latest() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_.empty() ? "" : bodies_.back();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> bodies_;
};

// Waits until the client's feed is in `state`.
bool waitForConnection(Client& client, ConnectionState state, std::chrono::milliseconds limit = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (client.connection().state == state) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

std::unique_ptr<Client> makeLiveClient(const std::string& baseUrl) {
  ClientConfig config;
  config.baseUrl = baseUrl;
  config.live.reconnectBaseMs = 200;
  config.live.maxReconnectDelayMs = 1000;
  auto created = Client::create(config, native::makeNativeDependencies());
  EXPECT_TRUE(created.ok());
  return std::move(created.value());
}

std::string currentBody(const ServerProcess& server, const std::string& target) {
  httplib::Client http("127.0.0.1", server.port());
  const auto answer = http.Get(target);
  return answer && answer->status == 200 ? answer->body : "";
}

void touch(Http& http, const std::string& endpoint) {
  const auto touched = http.post("/admin/touch", {{"endpoint", endpoint}});
  ASSERT_TRUE(touched);
  ASSERT_EQ(touched->status, 200) << touched->body;
}

// The data requests the server saw for `path` with an If-None-Match.
int conditionalRequestsTo(Http& http, const std::string& path) {
  int count = 0;
  const json log = http.getJson("/admin/requests")["log"];
  for (const auto& record : log) {
    if (record["path"] == path && !record["ifNoneMatch"].get<std::string>().empty()) ++count;
  }
  return count;
}

TEST(LiveClient, ASyncCommitReachesAWatchingClientByItselfWithOneConditionalRequest) {
  ServerProcess server;
  Http http(server);
  auto client = makeLiveClient(server.baseUrl());
  Watched campaigns;
  auto handle = client->watch("/api/campaigns", {{"limit", "20"}}, campaigns.listener());
  ASSERT_TRUE(campaigns.waitFor([](const std::string& body) { return !body.empty(); }));
  ASSERT_TRUE(waitForConnection(*client, ConnectionState::live));
  std::this_thread::sleep_for(300ms);  // the subscription's revalidation lands
  const std::string before = campaigns.latest();
  ASSERT_TRUE(http.post("/admin/reset", json::object()));
  const std::int64_t versionBefore = client->connection().version;

  touch(http, "campaigns");
  const std::string expected = currentBody(server, "/api/campaigns?limit=20");
  ASSERT_NE(expected, before);
  EXPECT_TRUE(campaigns.waitFor([&](const std::string& body) { return body == expected; }))
      << "the change reached the watcher without any call of ours";
  EXPECT_GT(client->connection().version, versionBefore);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(conditionalRequestsTo(http, "/api/campaigns"), 1) << "one conditional request per notice";

  // Data the feed confirms stays current: a read is answered from the cache.
  const auto peeked = client->peek("/api/campaigns", {{"limit", "20"}});
  ASSERT_TRUE(peeked.has_value());
  EXPECT_EQ(*peeked->body, expected);
}

TEST(LiveClient, AServerRestartIsRiddenOutAndNothingIsMissed) {
  auto server = std::make_unique<ServerProcess>();
  const int port = server->port();
  const auto dataDir = server->dataDir();
  auto client = makeLiveClient(server->baseUrl());
  Watched flows;
  auto handle = client->watch("/api/flows", {}, flows.listener());
  ASSERT_TRUE(waitForConnection(*client, ConnectionState::live));
  const std::int64_t versionBefore = client->connection().version;

  ASSERT_EQ(server->terminate(), 0);
  EXPECT_TRUE(waitForConnection(*client, ConnectionState::reconnecting, 5s));
  server = std::make_unique<ServerProcess>(std::vector<std::string>{"--port", std::to_string(port)}, dataDir);
  Http http(*server);
  touch(http, "flows");  // may land before the client is back: its resume replays it
  const std::string expected = currentBody(*server, "/api/flows");
  EXPECT_TRUE(flows.waitFor([&](const std::string& body) { return body == expected; }));
  EXPECT_TRUE(waitForConnection(*client, ConnectionState::live));
  EXPECT_GT(client->connection().version, versionBefore);
}

TEST(LiveClient, AClientWhoseVersionLeftTheLogResetsAndEndsWithCurrentData) {
  ServerProcess server({"--change-log-size", "1"});
  Http http(server);
  auto client = makeLiveClient(server.baseUrl());
  Watched segments;
  auto handle = client->watch("/api/segments", {}, segments.listener());
  ASSERT_TRUE(waitForConnection(*client, ConnectionState::live));
  client->setOnline(false);
  touch(http, "segments");
  touch(http, "forms");  // two changes: the client's version is no longer in a log of one
  client->setOnline(true);
  const std::string expected = currentBody(server, "/api/segments");
  EXPECT_TRUE(segments.waitFor([&](const std::string& body) { return body == expected; }));
  EXPECT_TRUE(waitForConnection(*client, ConnectionState::live));
}

TEST(LiveClient, TheCliWatchPrintsEachChange) {
  ServerProcess server;
  Http http(server);
  std::thread toucher([&] {
    std::this_thread::sleep_for(1500ms);
    touch(http, "campaigns");
  });
  const auto result = testing::runCommand({LIVEDATA_CLI_PATH, "watch", "campaigns", "--limit", "3", "--count", "2",
                                           "--json", "--server", server.baseUrl()});
  toucher.join();
  EXPECT_EQ(result.exitCode, 0) << result.out;
  std::vector<json> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = result.out.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(json::parse(result.out.substr(start, end - start), nullptr, false));
  }
  ASSERT_EQ(lines.size(), 2u) << result.out;
  EXPECT_EQ(lines[0]["endpoint"], "campaigns");
  EXPECT_NE(lines[0]["data"], lines[1]["data"]) << "the second line is the changed data";
  EXPECT_EQ(lines[1]["data"], json::parse(currentBody(server, "/api/campaigns?limit=3")));
}

}  // namespace
}  // namespace livedata
