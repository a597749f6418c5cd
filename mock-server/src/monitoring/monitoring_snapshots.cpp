#include "monitoring/monitoring_snapshots.h"

namespace livedata::server::monitoring {

namespace {

nlohmann::ordered_json orNull(std::optional<double> value) {
  if (!value) return nullptr;
  return *value;
}

}  // namespace

std::optional<double> CacheSnapshot::hitRate() const {
  const std::uint64_t lookups = hits + misses;
  if (lookups == 0) return std::nullopt;
  return static_cast<double>(hits) / static_cast<double>(lookups);
}

std::optional<double> SyncSnapshot::successRate() const {
  const std::uint64_t finished = successes + failures;
  if (finished == 0) return std::nullopt;
  return static_cast<double>(successes) / static_cast<double>(finished);
}

void to_json(nlohmann::ordered_json& json, const CacheSnapshot& cache) {
  json = {{"hits", cache.hits},
          {"misses", cache.misses},
          {"hitRate", orNull(cache.hitRate())},
          {"keys", cache.keys},
          {"bytes", cache.bytes},
          {"backend", cache.backend},
          {"redisConfigured", cache.redisConfigured},
          {"fallbacks", cache.fallbacks},
          {"invalidations", cache.invalidations}};
}

void to_json(nlohmann::ordered_json& json, const SyncSnapshot& sync) {
  json = {{"state", sync.state},
          {"runs", sync.runs},
          {"successes", sync.successes},
          {"failures", sync.failures},
          {"successRate", orNull(sync.successRate())},
          {"records", sync.records},
          {"lastRunDurationMs", sync.lastRunDurationMs},
          {"lastSuccessAgeMs", sync.lastSuccessAgeMs ? nlohmann::ordered_json(*sync.lastSuccessAgeMs) : nullptr}};
}

}  // namespace livedata::server::monitoring
