// The response cache: a hit (lookup, which also moves the entry to the front of the LRU
// list) and an insert that evicts, each against the plain standard-library equivalent.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "livedata/cache.h"
#include "sample_data.h"

namespace livedata::bench {
namespace {

// Entries held by the caches under test: a busy dashboard's worth of query variants.
constexpr std::size_t kCachedEntries = 1000;

// The keys of the cached entries in a fixed shuffled order, so consecutive lookups do not
// walk the index or the LRU list in insertion order.
std::vector<std::string> shuffledKeys(const std::vector<SampleRequest>& requests) {
  std::vector<std::string> keys;
  keys.reserve(requests.size());
  for (const auto& request : requests) keys.push_back(request.key);
  std::shuffle(keys.begin(), keys.end(), std::mt19937(42));
  return keys;
}

void BM_CacheLookup_Hit(benchmark::State& state) {
  const auto requests = sampleRequests(kCachedEntries);
  ResponseCache cache(limitsForEntries(kCachedEntries));
  for (const auto& request : requests) cache.put(entryFor(request, typicalBody()));
  const auto keys = shuffledKeys(requests);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.lookup(keys[i++ % keys.size()]));
  }
  if (cache.size() != kCachedEntries) state.SkipWithError("the cache lost entries");
}
BENCHMARK(BM_CacheLookup_Hit);

void BM_CacheLookup_Baseline_UnorderedMapFind(benchmark::State& state) {
  const auto requests = sampleRequests(kCachedEntries);
  std::unordered_map<std::string, std::shared_ptr<const std::string>> bodies;
  for (const auto& request : requests) bodies.emplace(request.key, typicalBody());
  const auto keys = shuffledKeys(requests);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(bodies.find(keys[i++ % keys.size()]));
  }
}
BENCHMARK(BM_CacheLookup_Baseline_UnorderedMapFind);

// Twice as many distinct requests as the cache holds, inserted round-robin: the request
// inserted next was evicted kCachedEntries puts ago, so every put is a new key that evicts
// exactly one entry (reported as the `evictions` counter, which must read 1 per put).
constexpr std::size_t kRequestRing = 2 * kCachedEntries;

void BM_CachePut_Evicting(benchmark::State& state) {
  const auto requests = sampleRequests(kRequestRing);
  const auto body = typicalBody();
  ResponseCache cache(limitsForEntries(kCachedEntries));
  for (std::size_t i = 0; i < kCachedEntries; ++i) cache.put(entryFor(requests[i], body));
  const std::uint64_t evictionsBefore = cache.evictions();
  std::size_t next = kCachedEntries;
  for (auto _ : state) {
    // Building the entry is timed: it is what a caller of put must do for each response.
    benchmark::DoNotOptimize(cache.put(entryFor(requests[next++ % kRequestRing], body)));
  }
  state.counters["evictions"] =
      benchmark::Counter(static_cast<double>(cache.evictions() - evictionsBefore), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_CachePut_Evicting);

// The least an LRU map of bodies needs: a recency list and a hash index into it.
class MinimalLru {
 public:
  explicit MinimalLru(std::size_t capacity) : capacity_(capacity) {}

  void put(std::string key, std::shared_ptr<const std::string> body) {
    if (const auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(body);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(std::move(key), std::move(body));
    index_.emplace(order_.front().first, order_.begin());
    if (index_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
      ++evictions_;
    }
  }

  std::uint64_t evictions() const { return evictions_; }

 private:
  using Item = std::pair<std::string, std::shared_ptr<const std::string>>;
  std::size_t capacity_;
  std::list<Item> order_;  // front = most recently used
  std::unordered_map<std::string, std::list<Item>::iterator> index_;
  std::uint64_t evictions_ = 0;
};

void BM_CachePut_Baseline_MinimalLru(benchmark::State& state) {
  const auto requests = sampleRequests(kRequestRing);
  const auto body = typicalBody();
  MinimalLru cache(kCachedEntries);
  for (std::size_t i = 0; i < kCachedEntries; ++i) cache.put(requests[i].key, body);
  std::size_t next = kCachedEntries;
  for (auto _ : state) {
    cache.put(requests[next++ % kRequestRing].key, body);
  }
  state.counters["evictions"] =
      benchmark::Counter(static_cast<double>(cache.evictions()), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_CachePut_Baseline_MinimalLru);

}  // namespace
}  // namespace livedata::bench
