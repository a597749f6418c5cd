// mock-server with its response cache in a real redis-server (started by the harness on a
// free port): one key per resource whatever the cache buster, and no failed request when
// Redis dies, with Redis used again once it is back.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "redis_process.h"
#include "server_process.h"

namespace livedata {
namespace {

using json = nlohmann::json;
using testing::RedisProcess;
using testing::ServerProcess;
using namespace std::chrono_literals;

// Every key under livedata's prefix, read with SCAN as the server does.
std::set<std::string> livedataKeys(const RedisProcess& redis) {
  std::set<std::string> keys;
  redisContext* context = redisConnect("127.0.0.1", redis.port());
  if (context == nullptr || context->err) {
    ADD_FAILURE() << "cannot connect to redis";
    if (context) redisFree(context);
    return keys;
  }
  std::string cursor = "0";
  do {
    auto* reply = static_cast<redisReply*>(
        redisCommand(context, "SCAN %s MATCH %s COUNT 1000", cursor.c_str(), "livedata:v1:*"));
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
      ADD_FAILURE() << "SCAN failed";
      if (reply) freeReplyObject(reply);
      break;
    }
    cursor = reply->element[0]->str;
    for (std::size_t i = 0; i < reply->element[1]->elements; ++i) keys.insert(reply->element[1]->element[i]->str);
    freeReplyObject(reply);
  } while (cursor != "0");
  redisFree(context);
  return keys;
}

json cacheStats(const ServerProcess& server) {
  httplib::Client client("127.0.0.1", server.port());
  const auto result = client.Get("/api/cache/stats", {{"Authorization", server.bearer()}});
  if (!result || result->status != 200) return json();
  return json::parse(result->body, nullptr, false);
}

TEST(RedisCache, CacheBustedRequestsCreateNoNewKeys) {
  RedisProcess redis;
  ServerProcess server({"--redis", redis.url()});
  ASSERT_EQ(cacheStats(server)["backend"], "redis");
  httplib::Client client("127.0.0.1", server.port());
  ASSERT_EQ(client.Get("/api/campaigns?limit=5")->status, 200);
  ASSERT_EQ(client.Get("/api/overview")->status, 200);
  const auto before = livedataKeys(redis);
  EXPECT_EQ(before.size(), 2u);
  // The resource key and, after '@', the version of the data it was rendered from.
  EXPECT_EQ(std::count_if(before.begin(), before.end(),
                          [](const std::string& key) {
                            return key.rfind("livedata:v1:campaigns?limit=5&offset=0&sort=-updatedAt@", 0) == 0;
                          }),
            1);

  for (int i = 0; i < 20; ++i) {
    const std::string t = std::to_string(1764063000000 + i);
    ASSERT_EQ(client.Get("/api/campaigns?limit=5&_t=" + t)->status, 200);
    ASSERT_EQ(client.Get("/api/overview?_t=" + t)->status, 200);
  }
  ASSERT_EQ(client.Get("/api/campaigns?_t=1&offset=0&limit=5")->status, 200);  // same resource, other spelling
  EXPECT_EQ(livedataKeys(redis), before);
}

TEST(RedisCache, RedisDyingMidRunFailsNoRequestAndItsReturnIsUsedAgain) {
  RedisProcess redis;
  ServerProcess server({"--redis", redis.url()});
  ASSERT_EQ(cacheStats(server)["backend"], "redis");

  std::atomic<bool> done{false};
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> users;
  for (int user = 0; user < 4; ++user) {
    users.emplace_back([&, user] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_read_timeout(10, 0);
      const char* paths[] = {"/api/overview", "/api/campaigns", "/api/flows", "/api/forms", "/api/segments"};
      for (int i = 0; !done; ++i) {
        const std::string path = std::string(paths[i % 5]) + "?limit=" + std::to_string(1 + (i + user) % 40);
        const auto result = client.Get(path.find("overview") != std::string::npos ? paths[0] : path);
        (result && result->status == 200 ? ok : failed)++;
      }
    });
  }
  auto waitForRequests = [&](int count) {
    const int target = ok + failed + count;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (ok + failed < target && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  };

  waitForRequests(200);
  redis.stop();
  waitForRequests(500);
  const auto during = cacheStats(server);
  EXPECT_EQ(during["backend"], "memory") << during.dump();
  EXPECT_GE(during["fallbacks"].get<int>(), 1);

  redis.start();  // same port, empty data folder contents aside
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (cacheStats(server)["backend"] != "redis" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(cacheStats(server)["backend"], "redis");
  waitForRequests(300);
  done = true;
  for (auto& user : users) user.join();

  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 1000);
  EXPECT_FALSE(livedataKeys(redis).empty()) << "the server stores into Redis again";
}

}  // namespace
}  // namespace livedata
