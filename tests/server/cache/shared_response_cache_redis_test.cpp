// The SharedResponseCache facade with Redis (a real redis-server): single-flight, failover to
// memory when Redis stops or hangs, the return to Redis (with the purge that keeps entries
// invalidated during the outage from being served), undecodable values, and the race rule.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "cache/shared_response_cache.h"
#include "cache_test_support.h"
#include "redis_process.h"

namespace livedata::server {
namespace {

using livedata::testing::RedisProcess;
using testing::Latch;
using testing::makeRepresentation;
using testing::RedisClient;
using testing::waitUntil;

using Clock = std::chrono::steady_clock;

// Fast reconnects; timeouts generous enough for a loaded test machine (a spurious timeout
// would be a fallback), unless a test is about them.
SharedResponseCacheOptions fastOptions(const std::string& redisUrl, int timeoutMs = 2000) {
  SharedResponseCacheOptions options;
  options.redisUrl = redisUrl;
  options.connectTimeoutMs = timeoutMs;
  options.commandTimeoutMs = timeoutMs;
  options.poolSize = 4;
  options.reconnectBackoff = BackoffPolicy{0, 20, 200, 0};
  options.jitterSeed = 7;
  return options;
}

std::unique_ptr<SharedResponseCache> makeCache(const SharedResponseCacheOptions& options) {
  auto created = SharedResponseCache::create(options);
  if (!created) {
    ADD_FAILURE() << created.error();
    return nullptr;
  }
  return std::move(created.value());
}

std::string tagOf(const ComputeResult& result) {
  const auto* value = result.ok() ? &result.value() : nullptr;
  return value ? testing::tagOf(*value) : "<error>";
}

// Computes "v<version>" for any key, counting calls.
struct VersionedSource {
  std::atomic<int> version{1};
  std::atomic<int> computations{0};
  std::function<ComputeResult()> compute() {
    return [this] {
      ++computations;
      return ComputeResult(makeRepresentation("v" + std::to_string(version.load())));
    };
  }
};

TEST(SharedResponseCacheRedis, StoresInRedisWithTheTtl) {
  RedisProcess redis;
  auto options = fastOptions(redis.url());
  options.ttlSeconds = 77;
  auto cache = makeCache(options);
  ASSERT_TRUE(cache);
  EXPECT_TRUE(cache->usingRedis());
  VersionedSource source;
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=50&offset=0", source.compute())), "v1");
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=50&offset=0", source.compute())), "v1");
  EXPECT_EQ(source.computations.load(), 1);

  RedisClient client(redis.port());
  EXPECT_EQ(client.scanKeys(), std::set<std::string>{"livedata:v1:campaigns?limit=50&offset=0"});
  const auto ttl = client.command({"TTL", "livedata:v1:campaigns?limit=50&offset=0"}).integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 77);

  const auto stats = cache->stats();
  EXPECT_EQ(stats.backend, "redis");
  EXPECT_TRUE(stats.redisConfigured);
  EXPECT_EQ(stats.keys, 1u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.fallbacks, 0u);
  EXPECT_EQ(cache->toJson()["backend"], "redis");
}

TEST(SharedResponseCacheRedis, HundredThreadsOnOneColdKeyComputeOnce) {
  RedisProcess redis;
  auto cache = makeCache(fastOptions(redis.url()));
  ASSERT_TRUE(cache);
  std::atomic<int> computations{0};
  std::atomic<bool> go{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      const auto result = cache->getOrCompute("overview?from=2026-10-01&to=2026-10-31", [&]() -> ComputeResult {
        ++computations;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return makeRepresentation("overview");
      });
      if (tagOf(result) != "overview") ++wrong;
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(computations.load(), 1);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_TRUE(cache->usingRedis()) << cache->stats().lastRedisError;
  EXPECT_EQ(cache->stats().fallbacks, 0u);
}

TEST(SharedResponseCacheRedis, RedisStoppedMidRunFallsBackToMemoryAndEveryRequestIsServed) {
  RedisProcess redis;
  auto cache = makeCache(fastOptions(redis.url(), 200));
  ASSERT_TRUE(cache);
  VersionedSource source;
  std::atomic<bool> done{false};
  std::atomic<int> served{0}, empty{0};
  std::atomic<long long> slowestMs{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; !done.load(); ++i) {
        const auto started = Clock::now();
        const auto result = cache->getOrCompute("lists?offset=" + std::to_string((i + t) % 20), source.compute());
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
        if (ms > slowestMs.load()) slowestMs = ms;
        if (tagOf(result).empty() || tagOf(result) == "<error>") ++empty; else ++served;
      }
    });
  }
  ASSERT_TRUE(waitUntil([&] { return served.load() > 200; }));
  redis.stop();
  const int servedAtStop = served.load();
  ASSERT_TRUE(waitUntil([&] { return served.load() > servedAtStop + 200; }));
  done = true;
  for (auto& client : clients) client.join();

  EXPECT_EQ(empty.load(), 0);
  EXPECT_LT(slowestMs.load(), 1500) << "no request waits much longer than the Redis timeouts (200 ms)";
  const auto stats = cache->stats();
  EXPECT_EQ(stats.backend, "memory");
  EXPECT_GE(stats.fallbacks, 1u);
  EXPECT_GE(stats.redisErrors, 1u);
  EXPECT_FALSE(stats.lastRedisError.empty());
  EXPECT_GT(stats.keys, 0u) << "the memory tier took over";
}

TEST(SharedResponseCacheRedis, RedisBackOnTheSamePortIsUsedAgainWithoutServingWhatWasInvalidatedMeanwhile) {
  RedisProcess redis;
  auto cache = makeCache(fastOptions(redis.url()));
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->stats().reconnects, 0u) << "the first connection is no reconnect";
  VersionedSource source;
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=10", source.compute())), "v1");
  EXPECT_EQ(tagOf(cache->getOrCompute("lists", source.compute())), "v1");
  {
    RedisClient client(redis.port());
    EXPECT_EQ(client.command({"SAVE"}).text, "OK");  // Redis will come back with these entries
  }
  redis.stop();

  // The outage: served from memory; the data changes and is invalidated (Redis cannot hear it).
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=10", source.compute())), "v1");
  EXPECT_EQ(cache->stats().backend, "memory");
  source.version = 2;
  cache->invalidate("campaigns*");
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=10", source.compute())), "v2");

  redis.start();
  EXPECT_NE(redis.logTail(100000).find("DB loaded from disk"), std::string::npos) << "Redis came back with v1 entries";
  ASSERT_TRUE(waitUntil([&] { return cache->stats().backend == "redis"; })) << cache->stats().lastRedisError;
  EXPECT_EQ(cache->stats().reconnects, 1u);
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=10", source.compute())), "v2")
      << "the snapshot's v1 entry, invalidated during the outage, must not be served";
  RedisClient client(redis.port());
  EXPECT_EQ(client.command({"EXISTS", "livedata:v1:lists"}).integer, 0) << "everything from before was purged";
  EXPECT_EQ(client.command({"EXISTS", "livedata:v1:campaigns?limit=10"}).integer, 1) << "new entries go to Redis";
}

TEST(SharedResponseCacheRedis, AHungRedisCostsOneTimeoutThenMemoryUntilItAnswersAgain) {
  RedisProcess redis;
  auto cache = makeCache(fastOptions(redis.url(), 100));
  ASSERT_TRUE(cache);
  VersionedSource source;
  EXPECT_EQ(tagOf(cache->getOrCompute("overview", source.compute())), "v1");
  redis.pause();

  const auto started = Clock::now();
  EXPECT_EQ(tagOf(cache->getOrCompute("overview", source.compute())), "v1");
  EXPECT_LT(Clock::now() - started, std::chrono::milliseconds(1500)) << "one 100 ms command timeout";
  EXPECT_EQ(cache->stats().backend, "memory");
  source.version = 2;
  EXPECT_EQ(cache->invalidateEndpoints({"overview"}), 1u) << "the memory tier's entry";
  const auto again = Clock::now();
  EXPECT_EQ(tagOf(cache->getOrCompute("overview", source.compute())), "v2");
  EXPECT_LT(Clock::now() - again, std::chrono::milliseconds(90)) << "memory now, no more Redis timeouts";

  redis.resume();
  ASSERT_TRUE(waitUntil([&] { return cache->stats().backend == "redis"; })) << cache->stats().lastRedisError;
  EXPECT_EQ(tagOf(cache->getOrCompute("overview", source.compute())), "v2") << "Redis's v1 was purged";
}

TEST(SharedResponseCacheRedis, AnUnreachableRedisAtStartMeansMemoryUntilItComes) {
  RedisProcess redis;
  redis.stop();
  auto cache = makeCache(fastOptions(redis.url()));
  ASSERT_TRUE(cache);
  auto stats = cache->stats();
  EXPECT_EQ(stats.backend, "memory");
  EXPECT_TRUE(stats.redisConfigured);
  EXPECT_EQ(stats.fallbacks, 1u);
  EXPECT_FALSE(stats.lastRedisError.empty());
  VersionedSource source;
  EXPECT_EQ(tagOf(cache->getOrCompute("lists", source.compute())), "v1");
  redis.start();
  ASSERT_TRUE(waitUntil([&] { return cache->stats().backend == "redis"; }));
  EXPECT_EQ(tagOf(cache->getOrCompute("lists", source.compute())), "v1");
  EXPECT_EQ(source.computations.load(), 2) << "the memory tier was dropped on the way back";
}

TEST(SharedResponseCacheRedis, EntriesFoundInRedisAtStartAreNotTrusted) {
  RedisProcess redis;
  {
    RedisClient client(redis.port());
    client.command({"SET", "livedata:v1:overview", encodeRepresentation(*makeRepresentation("from a previous run"))});
    client.command({"SET", "someone-elses-key", "x"});
  }
  auto cache = makeCache(fastOptions(redis.url()));
  ASSERT_TRUE(cache);
  VersionedSource source;
  EXPECT_EQ(tagOf(cache->getOrCompute("overview", source.compute())), "v1");
  RedisClient client(redis.port());
  EXPECT_EQ(client.command({"EXISTS", "someone-elses-key"}).integer, 1);
}

TEST(SharedResponseCacheRedis, AGarbageValueIsAMiss) {
  RedisProcess redis;
  auto cache = makeCache(fastOptions(redis.url()));
  ASSERT_TRUE(cache);
  RedisClient client(redis.port());
  client.command({"SET", "livedata:v1:campaigns?limit=5", std::string("LDR\x01\xff\xff", 6)});
  VersionedSource source;
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=5", source.compute())), "v1");
  EXPECT_EQ(source.computations.load(), 1);
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=5", source.compute())), "v1");
  EXPECT_EQ(source.computations.load(), 1) << "the computed value replaced the garbage";
  EXPECT_TRUE(cache->usingRedis());
  EXPECT_EQ(cache->stats().fallbacks, 0u);
}

TEST(SharedResponseCacheRedis, PatternInvalidationRemovesExactlyTheMatchingKeys) {
  RedisProcess redis;
  auto cache = makeCache(fastOptions(redis.url()));
  ASSERT_TRUE(cache);
  VersionedSource source;
  for (const char* key : {"campaigns", "campaigns?limit=10", "campaigns?limit=20", "campaigns-summary", "lists?limit=10"}) {
    cache->getOrCompute(key, source.compute());
  }
  EXPECT_EQ(cache->invalidate("campaigns?limit=*"), 2u);
  EXPECT_EQ(cache->invalidateEndpoints({"campaigns"}), 1u);
  RedisClient client(redis.port());
  EXPECT_EQ(client.scanKeys(), (std::set<std::string>{"livedata:v1:campaigns-summary", "livedata:v1:lists?limit=10"}));
  EXPECT_EQ(cache->stats().invalidatedKeys, 3u);
}

TEST(SharedResponseCacheRedis, AnInvalidationRacingAComputationPreventsTheStaleStore) {
  RedisProcess redis;
  auto cache = makeCache(fastOptions(redis.url()));
  ASSERT_TRUE(cache);
  Latch inside;
  Latch release;
  std::atomic<int> version{1};
  ComputeResult first;
  std::thread computing([&] {
    first = cache->getOrCompute("campaigns?limit=10", [&]() -> ComputeResult {
      const int seen = version.load();
      inside.open();
      release.wait();
      return makeRepresentation("v" + std::to_string(seen));
    });
  });
  ASSERT_TRUE(inside.waitFor(std::chrono::seconds(5)));
  version = 2;
  cache->invalidate("campaigns*");
  release.open();
  computing.join();
  EXPECT_EQ(tagOf(first), "v1");
  RedisClient client(redis.port());
  EXPECT_EQ(client.command({"EXISTS", "livedata:v1:campaigns?limit=10"}).integer, 0) << "the stale result was stored";
  EXPECT_EQ(cache->stats().storesSkipped, 1u);
}

TEST(SharedResponseCacheRedis, StopEndsTheReconnectThreadPromptly) {
  RedisProcess redis;
  redis.stop();
  auto options = fastOptions(redis.url());
  options.reconnectBackoff = BackoffPolicy{0, 60000, 60000, 0};  // a long wait in progress
  auto cache = makeCache(options);
  ASSERT_TRUE(cache);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto started = Clock::now();
  cache.reset();
  EXPECT_LT(Clock::now() - started, std::chrono::milliseconds(500));
}

}  // namespace
// Two instances on one Redis: what one rendered, the other serves from Redis once and then
// from its memory tier, without a Redis round trip (here Redis is paused: a round trip
// would time out and fall back). An invalidation of this instance's tier alone (another
// instance's commit, whose committer clears Redis) leaves Redis as it was.
TEST(SharedResponseCacheRedis, TheMemoryTierInFrontOfRedisServesRepeatHitsAndScopedInvalidationsLeaveRedisAlone) {
  RedisProcess redis;
  auto first = makeCache(fastOptions(redis.url(), 300));
  auto second = makeCache(fastOptions(redis.url(), 300));
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(waitUntil([&] { return first->stats().backend == "redis" && second->stats().backend == "redis"; }));
  VersionedSource source;
  EXPECT_EQ(tagOf(first->getOrCompute("campaigns?limit=10@7", source.compute())), "v1");
  CacheOutcome outcome;
  EXPECT_EQ(tagOf(second->getOrCompute("campaigns?limit=10@7", source.compute(), &outcome)), "v1");
  EXPECT_EQ(outcome, CacheOutcome::hit) << "rendered by the other instance, found in Redis";
  EXPECT_EQ(second->stats().memoryTierHits, 0u);

  redis.pause();
  EXPECT_EQ(tagOf(second->getOrCompute("campaigns?limit=10@7", source.compute(), &outcome)), "v1");
  EXPECT_EQ(outcome, CacheOutcome::hit);
  redis.resume();  // before stats(), which asks Redis for its key count
  EXPECT_EQ(second->stats().memoryTierHits, 1u) << "the repeat came from the memory tier";
  EXPECT_EQ(second->stats().fallbacks, 0u) << "and never asked the paused Redis (it would have timed out)";

  second->invalidateEndpoints({"campaigns"}, SharedResponseCache::Scope::thisInstance);
  EXPECT_EQ(tagOf(second->getOrCompute("campaigns?limit=10@7", source.compute(), &outcome)), "v1");
  EXPECT_EQ(outcome, CacheOutcome::hit) << "Redis still had it";
  EXPECT_EQ(source.computations.load(), 1);
  RedisClient client(redis.port());
  EXPECT_EQ(client.command({"EXISTS", "livedata:v1:campaigns?limit=10@7"}).integer, 1);
  first->invalidateEndpoints({"campaigns"});
  EXPECT_EQ(client.command({"EXISTS", "livedata:v1:campaigns?limit=10@7"}).integer, 0) << "the committer's clears Redis";
}

}  // namespace livedata::server
