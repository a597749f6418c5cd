// The Redis tier alone, against a real redis-server (tests/support/redis_process.h).
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "cache/redis_backend.h"
#include "cache_test_support.h"
#include "redis_process.h"

namespace livedata::server {
namespace {

using livedata::testing::RedisProcess;
using testing::makeRepresentation;
using testing::RedisClient;
using testing::tagOf;

constexpr std::chrono::seconds kTtl{300};

// Timeouts generous enough for a loaded test machine, unless a test is about them.
std::unique_ptr<RedisCacheBackend> connectTo(const std::string& url, int poolSize = 4) {
  RedisBackendOptions options;
  options.url = url;
  options.poolSize = poolSize;
  options.connectTimeoutMs = 2000;
  options.commandTimeoutMs = 2000;
  options.poolWaitMs = 10000;
  auto created = RedisCacheBackend::create(options);
  if (!created) {
    ADD_FAILURE() << created.error();
    return nullptr;
  }
  return std::move(created.value());
}

TEST(RedisProcessHarness, StartsStopsAndRestartsOnTheSamePort) {
  RedisProcess redis;
  EXPECT_TRUE(redis.ping());
  const int port = redis.port();
  EXPECT_GT(port, 0);
  redis.stop();
  EXPECT_FALSE(redis.running());
  EXPECT_FALSE(redis.ping(std::chrono::milliseconds(100)));
  redis.start();
  EXPECT_EQ(redis.port(), port);
  EXPECT_TRUE(redis.ping());
  redis.kill();
  EXPECT_FALSE(redis.ping(std::chrono::milliseconds(100)));
  redis.start();
  EXPECT_TRUE(redis.ping());
}

TEST(RedisBackend, RoundTripsARepresentationBinarySafe) {
  RedisProcess redis;
  auto backend = connectTo(redis.url());
  ASSERT_TRUE(backend);
  EXPECT_TRUE(backend->ping());
  const auto original = makeRepresentation("campaigns-50");
  backend->put("campaigns?limit=50", original, kTtl);
  const auto loaded = backend->get("campaigns?limit=50");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->body, original->body);
  EXPECT_EQ(loaded->etag, original->etag);
  EXPECT_EQ(loaded->gzipBody, original->gzipBody);  // NULs and all
  EXPECT_EQ(loaded->gzipEtag, original->gzipEtag);
  EXPECT_EQ(backend->get("campaigns?limit=51"), nullptr);

  RedisClient client(redis.port());
  const auto raw = client.command({"GET", "livedata:v1:campaigns?limit=50"});
  EXPECT_EQ(raw.type, REDIS_REPLY_STRING);
  EXPECT_EQ(raw.text, encodeRepresentation(*original));
}

TEST(RedisBackend, SetsTheTtlOnEveryKey) {
  RedisProcess redis;
  auto backend = connectTo(redis.url());
  ASSERT_TRUE(backend);
  backend->put("overview", makeRepresentation("o"), std::chrono::seconds(120));
  RedisClient client(redis.port());
  const auto ttl = client.command({"TTL", "livedata:v1:overview"});
  EXPECT_GT(ttl.integer, 0);
  EXPECT_LE(ttl.integer, 120);
}

TEST(RedisBackend, SelectsTheDatabaseOfTheUrl) {
  RedisProcess redis;
  auto backend = connectTo(redis.url() + "/3");
  ASSERT_TRUE(backend);
  backend->put("lists", makeRepresentation("l"), kTtl);
  RedisClient client(redis.port());
  EXPECT_TRUE(client.scanKeys().empty()) << "nothing in db 0";
  client.command({"SELECT", "3"});
  EXPECT_EQ(client.scanKeys(), std::set<std::string>{"livedata:v1:lists"});
}

// A Redis that requires a password (requirepass, or an ACL user) is used with the URL's
// credentials; wrong ones are an error that names the server's reply, never the password.
TEST(RedisBackend, AuthenticatesWithTheUrlsCredentials) {
  RedisProcess redis;
  RedisClient admin(redis.port());
  admin.command({"ACL", "SETUSER", "cache", "on", ">c@che pw", "~*", "+@all"});
  admin.command({"CONFIG", "SET", "requirepass", "s3cret"});
  const std::string at = "@127.0.0.1:" + std::to_string(redis.port());

  auto byPassword = connectTo("redis://:s3cret" + at);
  ASSERT_TRUE(byPassword);
  byPassword->put("k", makeRepresentation("by password"), kTtl);
  EXPECT_EQ(tagOf(byPassword->get("k")), "by password");

  auto byUser = connectTo("redis://cache:c%40che%20pw" + at);  // percent-encoded: "c@che pw"
  ASSERT_TRUE(byUser);
  EXPECT_EQ(tagOf(byUser->get("k")), "by password");

  auto wrong = connectTo("redis://:wr0ng" + at);
  ASSERT_TRUE(wrong);
  try {
    wrong->get("k");
    ADD_FAILURE() << "a wrong password was accepted";
  } catch (const CacheBackendError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("AUTH"), std::string::npos) << message;
    EXPECT_EQ(message.find("wr0ng"), std::string::npos) << message;
  }
}

TEST(RedisBackend, PatternInvalidationRemovesExactlyTheMatchingKeys) {
  RedisProcess redis;
  auto backend = connectTo(redis.url());
  ASSERT_TRUE(backend);
  RedisClient client(redis.port());
  // Keys that are not ours, including one a careless pattern would catch.
  client.command({"SET", "other:campaigns", "x"});
  client.command({"SET", "livedata:v2:campaigns", "x"});
  // Many keys, so SCAN takes several rounds.
  for (int i = 0; i < 1200; ++i) {
    backend->put("campaigns?offset=" + std::to_string(i), makeRepresentation("c" + std::to_string(i)), kTtl);
  }
  for (const char* key : {"campaigns", "campaigns-summary", "lists?limit=10", "x[1]", "x1", "overview?from=a\\b"}) {
    backend->put(key, makeRepresentation(key), kTtl);
  }
  EXPECT_EQ(backend->stats().keys, 1206u);

  EXPECT_EQ(backend->invalidate(KeyPattern::glob("campaigns?offset=1*")), 1u + 10u + 100u + 200u);
  EXPECT_EQ(backend->invalidate(KeyPattern::endpoint("campaigns")), 1200u - 311u + 1u);
  EXPECT_EQ(backend->invalidate(KeyPattern::glob("x[1]")), 1u) << "'[' is literal, as in globMatch";
  EXPECT_EQ(backend->invalidate(KeyPattern::glob("overview?from=a\\b")), 1u) << "'\\' is literal too";

  const std::set<std::string> expected{"other:campaigns", "livedata:v2:campaigns", "livedata:v1:campaigns-summary",
                                       "livedata:v1:lists?limit=10", "livedata:v1:x1"};
  EXPECT_EQ(client.scanKeys(), expected);

  EXPECT_EQ(backend->clear(), 3u);
  EXPECT_EQ(client.scanKeys(), (std::set<std::string>{"other:campaigns", "livedata:v2:campaigns"}))
      << "clear removes our prefix only";
}

TEST(RedisBackend, StatsCountOurKeysAndBytes) {
  RedisProcess redis;
  auto backend = connectTo(redis.url());
  ASSERT_TRUE(backend);
  RedisClient client(redis.port());
  client.command({"SET", "unrelated", "12345"});
  const auto a = makeRepresentation("a", 1000);
  const auto b = makeRepresentation("b", 2000);
  backend->put("a", a, kTtl);
  backend->put("b", b, kTtl);
  const auto stats = backend->stats();
  EXPECT_EQ(stats.keys, 2u);
  EXPECT_EQ(stats.bytes, 2 + encodeRepresentation(*a).size() + encodeRepresentation(*b).size());
}

TEST(RedisBackend, AGarbageValueIsAMissAndIsDeleted) {
  RedisProcess redis;
  auto backend = connectTo(redis.url());
  ASSERT_TRUE(backend);
  RedisClient client(redis.port());
  client.command({"SET", "livedata:v1:lists", std::string("garbage\0bytes", 13)});
  EXPECT_EQ(backend->get("lists"), nullptr);
  EXPECT_EQ(client.command({"EXISTS", "livedata:v1:lists"}).integer, 0);

  client.command({"RPUSH", "livedata:v1:overview", "a list, not a string"});
  EXPECT_EQ(backend->get("overview"), nullptr) << "WRONGTYPE is a miss, not an outage";
  EXPECT_EQ(client.command({"EXISTS", "livedata:v1:overview"}).integer, 0);

  backend->put("lists", makeRepresentation("fresh"), kTtl);
  EXPECT_EQ(tagOf(backend->get("lists")), "fresh");
}

TEST(RedisBackend, FailsFastWhenRedisIsGoneAndRecoversWhenItIsBack) {
  RedisProcess redis;
  auto backend = connectTo(redis.url());
  ASSERT_TRUE(backend);
  backend->put("k", makeRepresentation("k"), kTtl);
  redis.stop();
  const auto started = std::chrono::steady_clock::now();
  // A pooled connection to a dead server, then new ones refused: errors, not crashes (SIGPIPE).
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(backend->put("k", makeRepresentation("k"), kTtl), CacheBackendError);
    EXPECT_THROW(backend->get("k"), CacheBackendError);
  }
  EXPECT_FALSE(backend->ping());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  redis.start();
  EXPECT_TRUE(backend->ping());
  backend->put("k", makeRepresentation("again"), kTtl);
  EXPECT_EQ(tagOf(backend->get("k")), "again");
}

// hiredis writes with write(2): a large value written to a connection Redis closed raises
// SIGPIPE, which would end this test process (its disposition is the default here).
TEST(RedisBackend, WritingToAClosedConnectionIsAnErrorNotASignal) {
  ASSERT_EQ(signal(SIGPIPE, SIG_DFL), SIG_DFL);
  RedisProcess redis;
  auto backend = connectTo(redis.url(), 1);
  ASSERT_TRUE(backend);
  backend->put("small", makeRepresentation("s"), kTtl);  // the pool now holds one open connection
  redis.kill();
  const auto big = makeRepresentation("big", 16u << 20);
  for (int i = 0; i < 3; ++i) EXPECT_THROW(backend->put("big", big, kTtl), CacheBackendError);
}

TEST(RedisBackend, AHungRedisCostsOneCommandTimeout) {
  RedisProcess redis;
  RedisBackendOptions options;
  options.url = redis.url();
  options.commandTimeoutMs = 100;
  auto created = RedisCacheBackend::create(options);
  ASSERT_TRUE(created.ok());
  auto& backend = created.value();
  backend->put("k", makeRepresentation("k"), kTtl);
  redis.pause();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(backend->get("k"), CacheBackendError);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, std::chrono::milliseconds(90));
  EXPECT_LT(waited, std::chrono::milliseconds(1000));
  EXPECT_FALSE(backend->ping());
  redis.resume();
  EXPECT_TRUE(backend->ping());
  EXPECT_EQ(tagOf(backend->get("k")), "k");
}

TEST(RedisBackend, ManyThreadsShareTheSmallPool) {
  RedisProcess redis;
  auto backend = connectTo(redis.url(), 3);
  ASSERT_TRUE(backend);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string key = "k" + std::to_string((t * 100 + i) % 40);
        try {
          backend->put(key, makeRepresentation(key), kTtl);
          const auto value = backend->get(key);
          if (value && tagOf(value) != key) ++failures;
        } catch (const CacheBackendError&) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  RedisClient client(redis.port());
  const auto clients = client.command({"CLIENT", "LIST"}).text;
  EXPECT_LE(std::count(clients.begin(), clients.end(), '\n'), 3 + 1) << clients;
}

}  // namespace
}  // namespace livedata::server
