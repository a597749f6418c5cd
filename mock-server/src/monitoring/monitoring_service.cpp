#include "monitoring/monitoring_service.h"

#include <algorithm>
#include <chrono>

#include "model/civil_time.h"
#include "monitoring/prometheus_exposition.h"

namespace livedata::server::monitoring {

namespace {

SlowRequestCallback slowRequestLogger(const MonitoringLogger& log) {
  if (!log) return {};
  return [log](const SlowRequest& slow) {
    log(livedata::LogLevel::warn, "slow request",
        {{"route", slow.route},
         {"method", slow.method},
         {"status", slow.status},
         {"durationMs", static_cast<double>(slow.durationMicros) / 1000.0}});
  };
}

Counters countersOf(const RequestMetricsSnapshot& requests, const CacheSnapshot& cache, const SyncSnapshot& sync) {
  Counters counters;
  counters.requests = requests.serviceTotals.requests;
  counters.serverErrors = requests.serviceTotals.serverErrors();
  counters.latencySumMicros = requests.serviceTotals.latency.sumMicros;
  counters.cacheHits = cache.hits;
  counters.cacheMisses = cache.misses;
  counters.syncSuccesses = sync.successes;
  counters.syncFailures = sync.failures;
  return counters;
}

}  // namespace

std::int64_t systemMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

bool isRatio(double value) { return value >= 0 && value <= 1; }  // false for NaN

// "<field> must be <rule>" when `valid` is false.
std::optional<std::string> require(bool valid, const char* field, const char* rule) {
  if (valid) return std::nullopt;
  return std::string(field) + " must be " + rule;
}

}  // namespace

std::optional<std::string> validateMonitoringOptions(const MonitoringOptions& options) {
  const HealthThresholds& h = options.health;
  const TargetThresholds& t = options.targets;
  const std::optional<std::string> problems[] = {
      require(options.requests.maxRouteSeries >= 1, "requests.maxRouteSeries", "at least 1"),
      require(options.errors.maxGroups >= 1, "errors.maxGroups", "at least 1"),
      require(!options.system.diskPath.empty(), "system.diskPath", "a folder"),
      require(options.system.cpuWindowSeconds > 0, "system.cpuWindowSeconds", "over 0"),
      require(h.databaseWarnMillis >= 0, "health.databaseWarnMillis", "at least 0"),
      require(isRatio(h.memoryWarnRatio), "health.memoryWarnRatio", "within [0, 1]"),
      require(isRatio(h.memoryFailRatio) && h.memoryFailRatio >= h.memoryWarnRatio, "health.memoryFailRatio",
              "within [health.memoryWarnRatio, 1]"),
      require(h.cpuWarnPercent >= 0, "health.cpuWarnPercent", "at least 0"),
      require(h.cpuFailPercent >= h.cpuWarnPercent, "health.cpuFailPercent", "at least health.cpuWarnPercent"),
      require(isRatio(h.diskWarnRatio), "health.diskWarnRatio", "within [0, 1]"),
      require(isRatio(h.diskFailRatio) && h.diskFailRatio <= h.diskWarnRatio, "health.diskFailRatio",
              "within [0, health.diskWarnRatio]"),
      require(h.latencyWarnMillis >= 0, "health.latencyWarnMillis", "at least 0"),
      require(h.latencyFailMillis >= h.latencyWarnMillis, "health.latencyFailMillis",
              "at least health.latencyWarnMillis"),
      require(isRatio(h.errorRateWarn), "health.errorRateWarn", "within [0, 1]"),
      require(isRatio(h.errorRateFail) && h.errorRateFail >= h.errorRateWarn, "health.errorRateFail",
              "within [health.errorRateWarn, 1]"),
      require(h.syncAgeWarnSeconds > 0, "health.syncAgeWarnSeconds", "over 0"),
      require(h.syncAgeFailSeconds >= h.syncAgeWarnSeconds, "health.syncAgeFailSeconds",
              "at least health.syncAgeWarnSeconds"),
      require(isRatio(t.minCacheHitRate), "targets.minCacheHitRate", "within [0, 1]"),
      require(isRatio(t.minSyncSuccessRate), "targets.minSyncSuccessRate", "within [0, 1]"),
      require(isRatio(t.maxErrorRate), "targets.maxErrorRate", "within [0, 1]"),
      require(t.maxAverageResponseMillis > 0, "targets.maxAverageResponseMillis", "over 0"),
      require(options.recentWindowSeconds >= 1, "recentWindowSeconds", "at least 1"),
      require(options.syncWindowSeconds >= 1, "syncWindowSeconds", "at least 1"),
  };
  for (const auto& problem : problems) {
    if (problem) return problem;
  }
  return std::nullopt;
}

MonitoringService::MonitoringService(MonitoringOptions options, MonitoringLogger log, MillisClock clock)
    : options_(std::move(options)),
      log_(std::move(log)),
      clock_(clock ? std::move(clock) : MillisClock(systemMillisNow)),
      startedAtMs_(clock_()),
      requests_(options_.requests, slowRequestLogger(log_)),
      errors_(options_.errors),
      sampler_(options_.system),
      targets_(options_.targets, options_.alertHistoryCapacity, log_),
      recent_(startedAtMs_, std::max(options_.recentWindowSeconds, options_.syncWindowSeconds) * 1000) {}

HealthReport MonitoringService::checkHealth(const DatabaseProbe& database, const CacheSnapshot& cache,
                                            const SystemMetrics& system, const SyncSnapshot& sync) const {
  const RequestMetricsSnapshot requests = requests_.snapshot();
  HealthObservations observations;
  observations.databaseReachable = database.reachable;
  observations.databasePingMillis = database.pingMillis;
  observations.databaseError = database.error;
  observations.redisConfigured = cache.redisConfigured;
  observations.redisReachable = cache.redisAnswersPing.value_or(cache.backend == "redis");
  observations.cacheOnMemoryFallback = cache.redisConfigured && cache.backend != "redis";
  if (system.hostMemory) {
    observations.hostMemoryTotalBytes = system.hostMemory->totalBytes;
    observations.hostMemoryAvailableBytes = system.hostMemory->availableBytes;
  }
  observations.processCpuPercent = system.processCpuPercent;
  observations.diskFreeBytes = system.diskFreeBytes;
  observations.diskTotalBytes = system.diskTotalBytes;
  const std::int64_t nowMs = clock_();
  const Counters now = countersOf(requests, cache, sync);
  recent_.sample(nowMs, now);
  const Counters recent = recent_.changeOver(nowMs, now, options_.recentWindowSeconds * 1000);
  observations.apiAverageLatencyMillis = recent.averageResponseMillis();
  observations.apiErrorRate = recent.errorRate();
  observations.apiWindowSeconds = options_.recentWindowSeconds;
  if (sync.lastSuccessAgeMs) observations.syncAgeSeconds = static_cast<double>(*sync.lastSuccessAgeMs) / 1000.0;
  return evaluateHealth(observations, options_.health, nowMs);
}

std::vector<TargetStatus> MonitoringService::evaluateTargets(const CacheSnapshot& cache, const SyncSnapshot& sync) {
  const std::int64_t nowMs = clock_();
  const Counters now = countersOf(requests_.snapshot(), cache, sync);
  recent_.sample(nowMs, now);
  const Counters recent = recent_.changeOver(nowMs, now, options_.recentWindowSeconds * 1000);
  const Counters syncRecent = recent_.changeOver(nowMs, now, options_.syncWindowSeconds * 1000);
  const std::uint64_t minSamples = options_.targets.minSamples;
  TargetInputs inputs;
  inputs.windowSeconds = options_.recentWindowSeconds;
  inputs.syncWindowSeconds = options_.syncWindowSeconds;
  if (recent.cacheHits + recent.cacheMisses >= minSamples) inputs.cacheHitRate = recent.cacheHitRate();
  inputs.syncSuccessRate = syncRecent.syncSuccessRate();
  if (recent.requests >= minSamples) {
    inputs.errorRate = recent.errorRate();
    inputs.averageResponseMillis = recent.averageResponseMillis();
  }
  return targets_.evaluate(nowMs, inputs);
}

double MonitoringService::uptimeSeconds() const {
  return static_cast<double>(std::max<std::int64_t>(0, clock_() - startedAtMs_)) / 1000.0;
}

nlohmann::ordered_json MonitoringService::healthJson(const HealthReport& report) const {
  return renderHealthJson(report, options_.service);
}

nlohmann::ordered_json MonitoringService::metricsJson(const SystemMetrics& system, const CacheSnapshot& cache) const {
  return {{"system", system}, {"cache", cache}};
}

nlohmann::ordered_json MonitoringService::apiMetricsJson() const { return requests_.snapshot(); }

nlohmann::ordered_json MonitoringService::errorsJson() const { return errors_.snapshot(); }

nlohmann::ordered_json MonitoringService::statusJson(const SyncSnapshot& sync, const CacheSnapshot& cache,
                                                     const HealthReport& health) const {
  auto checks = nlohmann::ordered_json::object();
  for (const auto& check : health.checks) checks[check.component + ":" + check.measurement] = toString(check.status);
  auto targets = nlohmann::ordered_json::array();
  for (const auto& target : targets_.lastStatuses()) targets.push_back(target);
  auto open = nlohmann::ordered_json::array();
  for (const auto& alert : targets_.openAlerts()) open.push_back(alert);
  auto history = nlohmann::ordered_json::array();
  for (const auto& alert : targets_.alertHistory()) history.push_back(alert);
  return {
      {"serviceId", options_.service.serviceId},
      {"version", options_.service.version},
      {"releaseId", options_.service.releaseId},
      {"startedAt", formatIsoTimestamp(startedAtMs_ / 1000)},
      {"uptimeSeconds", uptimeSeconds()},
      {"sync", sync},
      {"cache", {{"backend", cache.backend}, {"redisConfigured", cache.redisConfigured}}},
      {"health", {{"status", toString(health.status)}, {"checks", checks}}},
      {"targets", targets},
      {"alerts", {{"open", open}, {"history", history}}},
  };
}

std::string MonitoringService::prometheusText(const SystemMetrics& system, const CacheSnapshot& cache,
                                              const SyncSnapshot& sync) const {
  const RequestMetricsSnapshot requests = requests_.snapshot();
  const std::vector<TargetStatus> targets = targets_.lastStatuses();
  return renderPrometheus({requests, errors_.totalErrors(), cache, sync, system, uptimeSeconds(), targets,
                           targets_.openAlerts().size(), options_.service});
}

}  // namespace livedata::server::monitoring
