// What the monitoring service reports but does not own: plain values the server fills in
// from the cache, the sync service and a database probe just before rendering, so this
// module depends on none of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace livedata::server::monitoring {

struct CacheSnapshot {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t keys = 0;
  std::uint64_t bytes = 0;
  std::string backend = "memory";  // "redis" or "memory": the one serving now
  bool redisConfigured = false;
  std::uint64_t fallbacks = 0;      // switches from Redis to memory
  std::uint64_t invalidations = 0;
  // Whether the configured Redis answered a PING just now (health checks probe it); nullopt
  // when not probed, and then the backend in use stands for it.
  std::optional<bool> redisAnswersPing;

  // hits / (hits + misses); nullopt before the first lookup.
  std::optional<double> hitRate() const;
};

struct SyncSnapshot {
  std::uint64_t runs = 0;
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;
  std::uint64_t records = 0;
  std::uint64_t retries = 0;             // upstream fetches repeated, rate-limited ones included
  std::uint64_t rateLimitedRetries = 0;  // of which the upstream's rate limits had held back
  std::uint64_t lastRunDurationMs = 0;
  // The upstream's budgeted operations (its values reports): calls spent today of each
  // daily limit, one budget for the account. The leader's alone: a follower spends none,
  // and each instance reporting the shared count would alert once per instance.
  struct ReportCalls {
    std::string operation;
    std::uint64_t today = 0;
    std::uint64_t dailyLimit = 0;
  };
  std::vector<ReportCalls> reportCalls;
  // Since the stalest entity's last success, or since the process started while an entity
  // has not synced since; nullopt on a follower, which does not sync.
  std::optional<std::int64_t> lastSuccessAgeMs;
  std::string state = "idle";                    // the sync service's own word

  // successes / (successes + failures): a run in progress (or stopped early) is neither,
  // so a sync under way does not dent the rate. nullopt before the first finished run.
  std::optional<double> successRate() const;
};

// The result of the server's real database query for /monitoring/health.
struct DatabaseProbe {
  bool reachable = false;
  std::optional<double> pingMillis;
  std::string error;  // why not reachable
};

void to_json(nlohmann::ordered_json& json, const CacheSnapshot& cache);
void to_json(nlohmann::ordered_json& json, const SyncSnapshot& sync);

}  // namespace livedata::server::monitoring
