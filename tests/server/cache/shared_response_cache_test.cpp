// The SharedResponseCache facade on its memory tier: cache-aside, single-flight, errors, the race
// rule between invalidation and computation, and stats. (Redis: response_cache_redis_test.)
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/api_error.h"
#include "cache/shared_response_cache.h"
#include "cache_test_support.h"

namespace livedata::server {
namespace {

using testing::Latch;
using testing::makeRepresentation;
using testing::tagOf;
using testing::waitUntil;

std::unique_ptr<SharedResponseCache> makeCache(SharedResponseCacheOptions options = {}, SharedResponseCacheDependencies dependencies = {}) {
  auto created = SharedResponseCache::create(std::move(options), std::move(dependencies));
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

TEST(SharedResponseCache, ComputesOnAMissAndServesTheHitAfterwards) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  int computations = 0;
  const auto compute = [&]() -> ComputeResult {
    ++computations;
    return makeRepresentation("c1");
  };
  CacheOutcome outcome{};
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=1", compute, &outcome)), "c1");
  EXPECT_EQ(outcome, CacheOutcome::computed);
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=1", compute, &outcome)), "c1");
  EXPECT_EQ(outcome, CacheOutcome::hit);
  EXPECT_EQ(computations, 1);

  const auto stats = cache->stats();
  EXPECT_EQ(stats.backend, "memory");
  EXPECT_FALSE(stats.redisConfigured);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.computations, 1u);
  EXPECT_DOUBLE_EQ(stats.hitRatio(), 0.5);
  EXPECT_EQ(stats.keys, 1u);
  EXPECT_GT(stats.bytes, 0u);
}

TEST(SharedResponseCache, HundredConcurrentMissesComputeOnce) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  std::atomic<int> computations{0};
  std::atomic<bool> go{false};
  std::vector<std::string> tags(100);
  std::vector<std::thread> threads;
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      tags[i] = tagOf(cache->getOrCompute("overview?from=2026-10-01", [&]() -> ComputeResult {
        ++computations;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return makeRepresentation("overview");
      }));
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(computations.load(), 1);
  for (const auto& tag : tags) EXPECT_EQ(tag, "overview");
  const auto stats = cache->stats();
  EXPECT_EQ(stats.computations, 1u);
  EXPECT_EQ(stats.hits + stats.misses, 100u);
  EXPECT_EQ(stats.misses, stats.computations + stats.coalesced);
}

TEST(SharedResponseCache, DifferentKeysComputeConcurrently) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  Latch bothInside;
  std::atomic<int> inside{0};
  const auto compute = [&](const std::string& tag) {
    return [&, tag]() -> ComputeResult {
      if (++inside == 2) bothInside.open();
      EXPECT_TRUE(bothInside.waitFor(std::chrono::seconds(5))) << "the other key's compute never started";
      return makeRepresentation(tag);
    };
  };
  std::thread other([&] { cache->getOrCompute("lists", compute("lists")); });
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns", compute("campaigns"))), "campaigns");
  other.join();
}

TEST(SharedResponseCache, ErrorsAreHandedBackAndNeverStored) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  using Result = ComputeResult;
  int computations = 0;
  const std::function<Result()> failing = [&]() -> Result {
    ++computations;
    return invalidParameter("limit must be 1..500");
  };
  for (int i = 0; i < 2; ++i) {
    const Result result = cache->getOrCompute("campaigns?limit=0", failing);
    ASSERT_TRUE(!result.ok());
    EXPECT_EQ(result.error().status, 400);
    EXPECT_EQ(result.error().code, "invalid_parameter");
  }
  EXPECT_EQ(computations, 2);
  EXPECT_EQ(cache->stats().keys, 0u);
  EXPECT_EQ(cache->stats().computeErrors, 2u);

  const Result ok = cache->getOrCompute("campaigns?limit=0", [&]() -> Result { return makeRepresentation("now ok"); });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(testing::tagOf(ok.value()), "now ok");
}

TEST(SharedResponseCache, WaitersGetTheLeadersErrorAndExceptionToo) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  Latch leaderInside;
  Latch release;
  std::atomic<int> computations{0};
  const auto blockingError = [&]() -> ComputeResult {
    ++computations;
    leaderInside.open();
    release.wait();
    return ApiError{503, "upstream_unavailable", "upstream broke"};
  };
  ComputeResult leaderResult, waiterResult;
  std::thread leader([&] { leaderResult = cache->getOrCompute("lists", blockingError); });
  ASSERT_TRUE(leaderInside.waitFor(std::chrono::seconds(5)));
  CacheOutcome waiterOutcome{};
  std::thread waiter([&] { waiterResult = cache->getOrCompute("lists", blockingError, &waiterOutcome); });
  ASSERT_TRUE(waitUntil([&] { return cache->stats().coalesced == 1; }, std::chrono::seconds(5)))
      << "the second request did not wait for the first";
  release.open();
  leader.join();
  waiter.join();
  EXPECT_EQ(computations.load(), 1);
  EXPECT_EQ(waiterOutcome, CacheOutcome::coalesced);
  ASSERT_FALSE(waiterResult.ok());
  EXPECT_EQ(waiterResult.error().message, "upstream broke");

  // An exception reaches the leader and its waiters, and nothing is stored.
  Latch throwerInside;
  Latch throwNow;
  const auto throwing = [&]() -> ComputeResult {
    throwerInside.open();
    throwNow.wait();
    throw std::runtime_error("render failed");
  };
  std::atomic<int> caught{0};
  std::thread first([&] {
    try {
      cache->getOrCompute("overview", throwing);
    } catch (const std::runtime_error&) {
      ++caught;
    }
  });
  ASSERT_TRUE(throwerInside.waitFor(std::chrono::seconds(5)));
  std::thread second([&] {
    try {
      cache->getOrCompute("overview", throwing);
    } catch (const std::runtime_error&) {
      ++caught;
    }
  });
  ASSERT_TRUE(waitUntil([&] { return cache->stats().coalesced == 2; }, std::chrono::seconds(5)));
  throwNow.open();
  first.join();
  second.join();
  EXPECT_EQ(caught.load(), 2);
  EXPECT_EQ(tagOf(cache->getOrCompute("overview", [] { return ComputeResult(makeRepresentation("fine")); })), "fine");
}

// The race rule: a computation that started before an invalidation covering its key read
// data the invalidation declared old; its result goes to its caller but is not stored.
TEST(SharedResponseCache, AnInvalidationRacingAComputationPreventsTheStaleStore) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  std::atomic<int> version{1};
  Latch inside;
  Latch release;
  ComputeResult first;
  std::thread computing([&] {
    first = cache->getOrCompute("campaigns?limit=10", [&]() -> ComputeResult {
      const int seen = version.load();  // reads the data...
      inside.open();
      release.wait();                   // ...which changes before the result is stored
      return makeRepresentation("v" + std::to_string(seen));
    });
  });
  ASSERT_TRUE(inside.waitFor(std::chrono::seconds(5)));
  version = 2;                       // the write...
  cache->invalidate("campaigns*");  // ...then its invalidation, while the compute runs
  release.open();
  computing.join();
  EXPECT_EQ(tagOf(first), "v1");
  EXPECT_EQ(cache->stats().storesSkipped, 1u);
  EXPECT_EQ(cache->stats().keys, 0u);
  EXPECT_EQ(tagOf(cache->getOrCompute("campaigns?limit=10", [&] {
              return ComputeResult(makeRepresentation("v" + std::to_string(version.load())));
            })),
            "v2");
}

TEST(SharedResponseCache, ARequestAfterAnInvalidationDoesNotJoinTheOvertakenFlight) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  std::atomic<int> version{1};
  std::atomic<int> computations{0};
  Latch oldInside;
  Latch releaseOld;
  const auto compute = [&]() -> ComputeResult {
    const int seen = version.load();
    if (++computations == 1) {
      oldInside.open();
      releaseOld.wait();
    }
    return makeRepresentation("v" + std::to_string(seen));
  };
  ComputeResult old;
  std::thread slow([&] { old = cache->getOrCompute("lists?limit=5", compute); });
  ASSERT_TRUE(oldInside.waitFor(std::chrono::seconds(5)));
  version = 2;
  cache->invalidateEndpoints({"lists"});
  CacheOutcome outcome{};
  EXPECT_EQ(tagOf(cache->getOrCompute("lists?limit=5", compute, &outcome)), "v2");
  EXPECT_EQ(outcome, CacheOutcome::computed);
  releaseOld.open();
  slow.join();
  EXPECT_EQ(tagOf(old), "v1");
  EXPECT_EQ(computations.load(), 2);
  EXPECT_EQ(tagOf(cache->getOrCompute("lists?limit=5", compute, &outcome)), "v2") << "the old flight did not overwrite";
  EXPECT_EQ(outcome, CacheOutcome::hit);
}

TEST(SharedResponseCache, AnUnrelatedInvalidationDoesNotPreventTheStore) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  Latch inside;
  Latch release;
  std::thread computing([&] {
    cache->getOrCompute("campaigns?limit=10", [&]() -> ComputeResult {
      inside.open();
      release.wait();
      return makeRepresentation("c");
    });
  });
  ASSERT_TRUE(inside.waitFor(std::chrono::seconds(5)));
  cache->invalidate("lists*");
  cache->invalidateEndpoints({"campaigns-summary", "overview"});
  release.open();
  computing.join();
  EXPECT_EQ(cache->stats().storesSkipped, 0u);
  EXPECT_EQ(cache->stats().keys, 1u);
}

TEST(SharedResponseCache, AFlightOlderThanTheInvalidationLogIsNotStored) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  Latch inside;
  Latch release;
  std::thread computing([&] {
    cache->getOrCompute("campaigns", [&]() -> ComputeResult {
      inside.open();
      release.wait();
      return makeRepresentation("c");
    });
  });
  ASSERT_TRUE(inside.waitFor(std::chrono::seconds(5)));
  for (std::size_t i = 0; i < SharedResponseCache::kInvalidationLogSize + 1; ++i) cache->invalidate("unrelated" + std::to_string(i));
  release.open();
  computing.join();
  EXPECT_EQ(cache->stats().storesSkipped, 1u) << "the log forgot what happened since it started: not stored";
}

TEST(SharedResponseCache, InvalidationRemovesMatchesAndCounts) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  for (const char* key : {"campaigns", "campaigns?limit=10", "campaigns-summary", "lists?limit=10", "overview"}) {
    cache->getOrCompute(key, [key] { return ComputeResult(makeRepresentation(key)); });
  }
  EXPECT_EQ(cache->invalidateEndpoints({"campaigns", "overview"}), 3u);
  EXPECT_EQ(cache->invalidate("lists*"), 1u);
  EXPECT_EQ(cache->stats().keys, 1u);
  EXPECT_EQ(cache->clear(), 1u);
  const auto json = cache->toJson();
  EXPECT_EQ(json["backend"], "memory");
  EXPECT_EQ(json["redisConfigured"], false);
  EXPECT_EQ(json["keys"], 0);
  EXPECT_EQ(json["invalidations"]["calls"], 3);
  EXPECT_EQ(json["invalidations"]["keysRemoved"], 5);
  EXPECT_EQ(json["lastRedisError"], nullptr);
  for (const char* field : {"hits", "misses", "hitRatio", "computations", "coalesced", "bytes", "fallbacks", "reconnects"}) {
    EXPECT_TRUE(json.contains(field)) << field;
  }
}

TEST(SharedResponseCache, EntriesExpireAfterTheTtl) {
  std::atomic<Millis> now{0};
  SharedResponseCacheOptions options;
  options.ttlSeconds = 30;
  SharedResponseCacheDependencies dependencies;
  dependencies.steadyNowMs = [&] { return now.load(); };
  auto cache = makeCache(options, dependencies);
  ASSERT_TRUE(cache);
  int computations = 0;
  const auto compute = [&] {
    ++computations;
    return ComputeResult(makeRepresentation("x"));
  };
  cache->getOrCompute("overview", compute);
  now = 29'999;
  cache->getOrCompute("overview", compute);
  EXPECT_EQ(computations, 1);
  now = 30'000;
  cache->getOrCompute("overview", compute);
  EXPECT_EQ(computations, 2);
}

TEST(SharedResponseCache, ANullRepresentationIsReturnedButNotStored) {
  auto cache = makeCache();
  ASSERT_TRUE(cache);
  const auto result = cache->getOrCompute("overview", [] { return ComputeResult(std::shared_ptr<const Representation>()); });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), nullptr);
  EXPECT_EQ(cache->stats().keys, 0u);
}

}  // namespace
}  // namespace livedata::server
