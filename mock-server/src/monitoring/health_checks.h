// Health evaluation, pure: the owner observes (database ping, Redis state, system sample,
// request averages) and this turns observations into checks by fixed rules, rendered in the
// shape of the IETF "Health Check Response Format for HTTP APIs" draft
// (draft-inadarei-api-health-check-06, media type application/health+json).
//
// Rules (thresholds from HealthThresholds; "ratio" is a fraction 0..1):
//   database:responseTime  ping failed -> fail; slower than databaseWarnMillis -> warn
//   redis:connection       not configured -> pass (memory cache by choice);
//                          configured but unreachable or on the memory fallback -> warn
//   memory:utilization     host used/total (used = total - available) > memoryFailRatio -> fail,
//                          > memoryWarnRatio -> warn
//   cpu:utilization        process CPU % > cpuFailPercent -> fail, > cpuWarnPercent -> warn
//   disk:free              free/total < diskFailRatio -> fail, < diskWarnRatio -> warn
//   api:responseTime       average > latencyFailMillis -> fail, > latencyWarnMillis -> warn
//   api:errorRate          5xx ratio > errorRateFail -> fail, > errorRateWarn -> warn
// A system value that could not be read is a warn (we cannot vouch for it); no requests yet
// is a pass (nothing is wrong). Overall status is the worst check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace livedata::server::monitoring {

inline constexpr const char* kHealthContentType = "application/health+json";

// Ordered best to worst, so the worst of several is their maximum.
enum class HealthStatus { pass = 0, warn = 1, fail = 2 };
const char* toString(HealthStatus status);
// 200 for pass and warn, 503 for fail (the draft: warn is still healthy).
int httpStatusFor(HealthStatus status);

struct HealthCheck {
  std::string component;    // "database"
  std::string measurement;  // "responseTime"; the draft's key is "component:measurement"
  std::string componentType;  // "datastore", "component", "system"
  HealthStatus status = HealthStatus::pass;
  nlohmann::ordered_json observedValue;  // number, string or null
  std::string observedUnit;               // "ms", "percent", "bytes", "ratio"; may be empty
  // The bound the observed value is judged against: the one it crossed when it crossed one
  // (the fail threshold of a failing measurement), else the warn threshold (number, string
  // or null).
  nlohmann::ordered_json threshold;
  std::string output;                     // why not pass; empty when pass
  std::int64_t timeMs = 0;
};

struct HealthObservations {
  bool databaseReachable = false;
  std::optional<double> databasePingMillis;
  std::string databaseError;

  bool redisConfigured = false;
  bool redisReachable = false;          // meaningful when configured
  bool cacheOnMemoryFallback = false;   // configured Redis, but serving from memory

  std::optional<std::uint64_t> hostMemoryTotalBytes;
  std::optional<std::uint64_t> hostMemoryAvailableBytes;
  std::optional<double> processCpuPercent;
  std::optional<std::uint64_t> diskFreeBytes;
  std::optional<std::uint64_t> diskTotalBytes;

  std::optional<double> apiAverageLatencyMillis;  // nullopt: no requests yet
  std::optional<double> apiErrorRate;             // 5xx / requests; nullopt: no requests yet
  std::int64_t apiWindowSeconds = 0;              // the trailing window the two above cover; 0: unsaid

  // Since the stalest entity last synced, or since the start while one has not; nullopt on a
  // follower, which does not sync (its leader's health says it).
  std::optional<double> syncAgeSeconds;
};

struct HealthThresholds {
  double databaseWarnMillis = 100;   // a ping slower than this warns
  double memoryWarnRatio = 0.90;     // host memory over 90% used warns
  double memoryFailRatio = 0.95;     // ... over 95% fails
  double cpuWarnPercent = 80;        // process CPU (percent of one core)
  double cpuFailPercent = 95;
  double diskWarnRatio = 0.10;       // free disk below 10% warns
  double diskFailRatio = 0.05;       // ... below 5% fails
  double latencyWarnMillis = 200;    // API average response time
  double latencyFailMillis = 1000;
  double errorRateWarn = 0.01;       // API 5xx ratio
  double errorRateFail = 0.05;
  // Since the data last synced (SyncSnapshot::lastSuccessAgeMs): 15 min warns, as the
  // stale-sync alert pages; an hour fails: the dashboard shows data that old as current.
  double syncAgeWarnSeconds = 900;
  double syncAgeFailSeconds = 3600;
};

struct HealthReport {
  HealthStatus status = HealthStatus::pass;
  std::vector<HealthCheck> checks;
};

// Every check above, in that order; the overall status is the worst.
HealthReport evaluateHealth(const HealthObservations& observations, const HealthThresholds& thresholds,
                            std::int64_t nowMs);

struct HealthServiceInfo {
  std::string version;      // the public API version, e.g. "1"
  std::string releaseId;    // the build, e.g. "0.1.0"
  std::string serviceId;    // e.g. "livedata-mock-server"
  std::string description;
};

// {"status", "version", "releaseId", "serviceId", "description",
//  "checks": {"<component>:<measurement>": [{componentType, observedValue, observedUnit,
//             status, time, threshold, output?}]}, "output"?}
// "output" appears only when not pass, as the draft asks.
nlohmann::ordered_json renderHealthJson(const HealthReport& report, const HealthServiceInfo& service);

}  // namespace livedata::server::monitoring
