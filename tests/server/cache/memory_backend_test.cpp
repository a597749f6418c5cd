// The memory tier alone: LRU by entries and by bytes, TTLs on an injected clock, patterns.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "cache/memory_backend.h"
#include "cache_test_support.h"

namespace livedata::server {
namespace {

using testing::makeRepresentation;
using testing::tagOf;

constexpr std::chrono::seconds kTtl{60};

class MemoryBackendTest : public ::testing::Test {
 protected:
  MemoryCacheBackend make(MemoryBackendLimits limits) {
    return MemoryCacheBackend(limits, [this] { return now_.load(); });
  }
  std::atomic<Millis> now_{1'000'000};
};

TEST_F(MemoryBackendTest, EvictsTheLeastRecentlyUsedBeyondMaxEntries) {
  auto memory = make({3, 1u << 20});
  memory.put("a", makeRepresentation("a"), kTtl);
  memory.put("b", makeRepresentation("b"), kTtl);
  memory.put("c", makeRepresentation("c"), kTtl);
  EXPECT_EQ(tagOf(memory.get("a")), "a");  // a is now the most recently used
  memory.put("d", makeRepresentation("d"), kTtl);
  EXPECT_EQ(memory.get("b"), nullptr);
  EXPECT_EQ(tagOf(memory.get("a")), "a");
  EXPECT_EQ(tagOf(memory.get("c")), "c");
  EXPECT_EQ(tagOf(memory.get("d")), "d");
  EXPECT_EQ(memory.stats().keys, 3u);
  EXPECT_EQ(memory.evictions(), 1u);
}

TEST_F(MemoryBackendTest, EvictsBeyondMaxBytesAndRefusesAnOversizedEntry) {
  const auto big = makeRepresentation("big", 400);
  const std::size_t oneEntry = entryBytes("k1", *big);
  auto memory = make({100, oneEntry * 2 + oneEntry / 2});
  memory.put("k1", makeRepresentation("1", 400), kTtl);
  memory.put("k2", makeRepresentation("2", 400), kTtl);
  EXPECT_EQ(memory.stats().keys, 2u);
  memory.put("k3", makeRepresentation("3", 400), kTtl);
  EXPECT_EQ(memory.get("k1"), nullptr);
  EXPECT_EQ(tagOf(memory.get("k2")), "2");
  EXPECT_EQ(tagOf(memory.get("k3")), "3");
  EXPECT_LE(memory.stats().bytes, oneEntry * 2 + oneEntry / 2);

  memory.put("k2", makeRepresentation("huge", oneEntry * 3), kTtl);
  EXPECT_EQ(memory.get("k2"), nullptr) << "an entry larger than maxBytes is not stored, the old one goes";
  EXPECT_EQ(tagOf(memory.get("k3")), "3");
}

TEST_F(MemoryBackendTest, ReplacingAnEntryKeepsTheByteCountRight) {
  auto memory = make({10, 1u << 20});
  memory.put("k", makeRepresentation("one", 1000), kTtl);
  memory.put("k", makeRepresentation("two", 10), kTtl);
  EXPECT_EQ(memory.stats().keys, 1u);
  EXPECT_EQ(memory.stats().bytes, entryBytes("k", *makeRepresentation("two", 10)));
  EXPECT_EQ(tagOf(memory.get("k")), "two");
}

TEST_F(MemoryBackendTest, EntriesExpireAfterTheirTtl) {
  auto memory = make({10, 1u << 20});
  memory.put("short", makeRepresentation("s"), std::chrono::seconds(5));
  memory.put("long", makeRepresentation("l"), std::chrono::seconds(60));
  now_ += 4'999;
  EXPECT_EQ(tagOf(memory.get("short")), "s");
  now_ += 1;
  EXPECT_EQ(memory.get("short"), nullptr);
  EXPECT_EQ(tagOf(memory.get("long")), "l");
  EXPECT_EQ(memory.stats().keys, 1u);
  now_ += 60'000;
  EXPECT_EQ(memory.stats().keys, 0u) << "stats count live entries only";
  EXPECT_EQ(memory.stats().bytes, 0u);
}

TEST_F(MemoryBackendTest, GlobInvalidationRemovesOnlyMatches) {
  auto memory = make({100, 1u << 20});
  for (const char* key : {"campaigns", "campaigns?limit=10", "campaigns?limit=20", "campaigns-summary", "lists?limit=10",
                          "overview?from=2026-10-01"}) {
    memory.put(key, makeRepresentation(key), kTtl);
  }
  EXPECT_EQ(memory.invalidate(KeyPattern::glob("campaigns?limit=*")), 2u);
  EXPECT_EQ(tagOf(memory.get("campaigns")), "campaigns");
  EXPECT_EQ(tagOf(memory.get("campaigns-summary")), "campaigns-summary");
  EXPECT_EQ(memory.get("campaigns?limit=10"), nullptr);

  EXPECT_EQ(memory.invalidate(KeyPattern::endpoint("campaigns")), 1u);
  EXPECT_EQ(tagOf(memory.get("campaigns-summary")), "campaigns-summary");
  EXPECT_EQ(memory.invalidate(KeyPattern::glob("nothing*")), 0u);
  EXPECT_EQ(memory.stats().keys, 3u);
  EXPECT_EQ(memory.clear(), 3u);
  EXPECT_EQ(memory.stats().keys, 0u);
}

TEST_F(MemoryBackendTest, IsSafeFromManyThreads) {
  auto memory = make({50, 1u << 20});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&memory, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 80);
        if (i % 3 == 0) {
          memory.put(key, makeRepresentation(key), kTtl);
        } else if (i % 97 == 0) {
          memory.invalidate(KeyPattern::glob("k1*"));
        } else if (auto value = memory.get(key)) {
          EXPECT_EQ(tagOf(value), key);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(memory.stats().keys, 50u);
}

}  // namespace
}  // namespace livedata::server
