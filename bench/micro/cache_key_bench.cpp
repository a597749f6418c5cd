// Cache key building: makeCacheKey percent-encodes, drops `_t` and sorts the parameters;
// the baseline only joins parts that are already encoded and sorted, which is the least any
// key builder must do.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "livedata/cache.h"
#include "sample_data.h"

namespace livedata::bench {
namespace {

void BM_CacheKey_Build(benchmark::State& state) {
  const Query query = dashboardQuery();
  for (auto _ : state) {
    std::string key = makeCacheKey("GET", "/api/campaigns", query);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_CacheKey_Build);

void BM_CacheKey_Baseline_Concat(benchmark::State& state) {
  // The same parameters as dashboardQuery(), sorted by name; none needs encoding.
  const std::vector<std::pair<std::string, std::string>> sortedParts{
      {"limit", "50"}, {"offset", "100"}, {"sort", "-updatedAt"}, {"status", "sent"}};
  const std::string method = "GET";
  const std::string resource = "campaigns";
  for (auto _ : state) {
    std::string key = method;
    key += ' ';
    key += resource;
    char separator = '?';
    for (const auto& [name, value] : sortedParts) {
      key += separator;
      key += name;
      key += '=';
      key += value;
      separator = '&';
    }
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_CacheKey_Baseline_Concat);

}  // namespace
}  // namespace livedata::bench
