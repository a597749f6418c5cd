#include "monitoring/health_checks.h"

#include <algorithm>
#include <cstdio>

#include "model/civil_time.h"
#include "monitoring/utf8_text.h"

namespace livedata::server::monitoring {

namespace {

// A check whose value is bad when high: above failAt fails, above warnAt warns.
HealthStatus highIsBad(double value, double warnAt, double failAt) {
  if (value > failAt) return HealthStatus::fail;
  if (value > warnAt) return HealthStatus::warn;
  return HealthStatus::pass;
}

// A check whose value is bad when low: below failAt fails, below warnAt warns.
HealthStatus lowIsBad(double value, double warnAt, double failAt) {
  if (value < failAt) return HealthStatus::fail;
  if (value < warnAt) return HealthStatus::warn;
  return HealthStatus::pass;
}

std::optional<double> ratio(std::optional<std::uint64_t> part, std::optional<std::uint64_t> whole) {
  if (!part || !whole || *whole == 0) return std::nullopt;
  return static_cast<double>(*part) / static_cast<double>(*whole);
}

struct CheckBuilder {
  std::int64_t nowMs;

  HealthCheck make(std::string component, std::string measurement, std::string componentType) const {
    HealthCheck check;
    check.component = std::move(component);
    check.measurement = std::move(measurement);
    check.componentType = std::move(componentType);
    check.timeMs = nowMs;
    return check;
  }
};

// Records the threshold `check` was judged against (the one crossed: the fail threshold once
// failing), and when not pass says so: "<what> <value> <unit> beyond threshold <t>". One
// place for both, so a check's text and its JSON name the same threshold.
void judgeAgainst(HealthCheck& check, const std::string& what, double value, const std::string& unit, double threshold) {
  if (check.status == HealthStatus::pass) return;
  check.threshold = threshold;
  char text[160];
  std::snprintf(text, sizeof text, "%s %.4g %s beyond threshold %.4g", what.c_str(), value, unit.c_str(), threshold);
  check.output = text;
}

HealthCheck databaseCheck(const HealthObservations& o, const HealthThresholds& t, const CheckBuilder& b) {
  HealthCheck check = b.make("database", "responseTime", "datastore");
  check.observedUnit = "ms";
  check.threshold = t.databaseWarnMillis;
  check.observedValue = o.databasePingMillis ? nlohmann::ordered_json(*o.databasePingMillis) : nullptr;
  if (!o.databaseReachable) {
    check.status = HealthStatus::fail;
    check.output = o.databaseError.empty() ? "database query failed" : "database query failed: " + boundedUtf8(o.databaseError, 512);
  } else if (o.databasePingMillis && *o.databasePingMillis > t.databaseWarnMillis) {
    check.status = HealthStatus::warn;
    judgeAgainst(check, "database ping", *o.databasePingMillis, "ms", t.databaseWarnMillis);
  }
  return check;
}

HealthCheck redisCheck(const HealthObservations& o, const CheckBuilder& b) {
  HealthCheck check = b.make("redis", "connection", "datastore");
  check.threshold = "connected";
  if (!o.redisConfigured) {
    check.observedValue = "not configured";
  } else if (!o.redisReachable || o.cacheOnMemoryFallback) {
    check.observedValue = o.redisReachable ? "memory fallback" : "unreachable";
    check.status = HealthStatus::warn;
    check.output = "Redis is configured but the cache is serving from memory";
  } else {
    check.observedValue = "connected";
  }
  return check;
}

HealthCheck memoryCheck(const HealthObservations& o, const HealthThresholds& t, const CheckBuilder& b) {
  HealthCheck check = b.make("memory", "utilization", "system");
  // Utilization is the share in use, as cpu:utilization is (the draft's measurement); the
  // host reports what is available, which includes reclaimable caches.
  check.observedUnit = "ratio used";
  check.threshold = t.memoryWarnRatio;
  const auto available = ratio(o.hostMemoryAvailableBytes, o.hostMemoryTotalBytes);
  if (!available) {
    check.status = HealthStatus::warn;
    check.output = "host memory could not be read";
    return check;
  }
  const double used = 1 - *available;
  check.observedValue = used;
  check.status = highIsBad(used, t.memoryWarnRatio, t.memoryFailRatio);
  judgeAgainst(check, "memory used", used, "of total",
               check.status == HealthStatus::fail ? t.memoryFailRatio : t.memoryWarnRatio);
  return check;
}

HealthCheck cpuCheck(const HealthObservations& o, const HealthThresholds& t, const CheckBuilder& b) {
  HealthCheck check = b.make("cpu", "utilization", "system");
  check.observedUnit = "percent";
  check.threshold = t.cpuWarnPercent;
  if (!o.processCpuPercent) {
    check.status = HealthStatus::warn;
    check.output = "process CPU could not be read";
    return check;
  }
  check.observedValue = *o.processCpuPercent;
  check.status = highIsBad(*o.processCpuPercent, t.cpuWarnPercent, t.cpuFailPercent);
  judgeAgainst(check, "process CPU", *o.processCpuPercent, "percent",
          check.status == HealthStatus::fail ? t.cpuFailPercent : t.cpuWarnPercent);
  return check;
}

HealthCheck diskCheck(const HealthObservations& o, const HealthThresholds& t, const CheckBuilder& b) {
  HealthCheck check = b.make("disk", "free", "system");
  check.observedUnit = "ratio free";
  check.threshold = t.diskWarnRatio;
  const auto free = ratio(o.diskFreeBytes, o.diskTotalBytes);
  if (!free) {
    check.status = HealthStatus::warn;
    check.output = "free disk space could not be read";
    return check;
  }
  check.observedValue = *free;
  check.status = lowIsBad(*free, t.diskWarnRatio, t.diskFailRatio);
  judgeAgainst(check, "free disk", *free, "of total", check.status == HealthStatus::fail ? t.diskFailRatio : t.diskWarnRatio);
  return check;
}

// " over the last 5 min": what an API figure covers, for its output.
std::string overWindow(std::int64_t seconds) {
  if (seconds <= 0) return "";
  if (seconds % 60 == 0) return " over the last " + std::to_string(seconds / 60) + " min";
  return " over the last " + std::to_string(seconds) + " s";
}

HealthCheck latencyCheck(const HealthObservations& o, const HealthThresholds& t, const CheckBuilder& b) {
  HealthCheck check = b.make("api", "responseTime", "component");
  check.observedUnit = "ms";
  check.threshold = t.latencyWarnMillis;
  if (!o.apiAverageLatencyMillis) return check;  // no requests yet
  check.observedValue = *o.apiAverageLatencyMillis;
  check.status = highIsBad(*o.apiAverageLatencyMillis, t.latencyWarnMillis, t.latencyFailMillis);
  judgeAgainst(check, "average response time" + overWindow(o.apiWindowSeconds), *o.apiAverageLatencyMillis, "ms",
          check.status == HealthStatus::fail ? t.latencyFailMillis : t.latencyWarnMillis);
  return check;
}

HealthCheck errorRateCheck(const HealthObservations& o, const HealthThresholds& t, const CheckBuilder& b) {
  HealthCheck check = b.make("api", "errorRate", "component");
  check.observedUnit = "ratio";
  check.threshold = t.errorRateWarn;
  if (!o.apiErrorRate) return check;  // no requests yet
  check.observedValue = *o.apiErrorRate;
  check.status = highIsBad(*o.apiErrorRate, t.errorRateWarn, t.errorRateFail);
  judgeAgainst(check, "5xx ratio" + overWindow(o.apiWindowSeconds), *o.apiErrorRate, "of requests",
          check.status == HealthStatus::fail ? t.errorRateFail : t.errorRateWarn);
  return check;
}

HealthCheck syncAgeCheck(const HealthObservations& o, const HealthThresholds& t, const CheckBuilder& b) {
  HealthCheck check = b.make("sync", "lastSuccessAge", "component");
  check.observedUnit = "s";
  check.threshold = t.syncAgeWarnSeconds;
  if (!o.syncAgeSeconds) return check;  // a follower: nothing of its own to judge
  check.observedValue = *o.syncAgeSeconds;
  check.status = highIsBad(*o.syncAgeSeconds, t.syncAgeWarnSeconds, t.syncAgeFailSeconds);
  judgeAgainst(check, "no complete sync for", *o.syncAgeSeconds, "s",
               check.status == HealthStatus::fail ? t.syncAgeFailSeconds : t.syncAgeWarnSeconds);
  return check;
}

}  // namespace

const char* toString(HealthStatus status) {
  switch (status) {
    case HealthStatus::pass: return "pass";
    case HealthStatus::warn: return "warn";
    case HealthStatus::fail: return "fail";
  }
  return "fail";
}

int httpStatusFor(HealthStatus status) { return status == HealthStatus::fail ? 503 : 200; }

HealthReport evaluateHealth(const HealthObservations& observations, const HealthThresholds& thresholds,
                            std::int64_t nowMs) {
  const CheckBuilder builder{nowMs};
  HealthReport report;
  report.checks = {
      databaseCheck(observations, thresholds, builder),  redisCheck(observations, builder),
      memoryCheck(observations, thresholds, builder),    cpuCheck(observations, thresholds, builder),
      diskCheck(observations, thresholds, builder),      latencyCheck(observations, thresholds, builder),
      errorRateCheck(observations, thresholds, builder), syncAgeCheck(observations, thresholds, builder),
  };
  for (const auto& check : report.checks) report.status = std::max(report.status, check.status);
  return report;
}

nlohmann::ordered_json renderHealthJson(const HealthReport& report, const HealthServiceInfo& service) {
  auto checks = nlohmann::ordered_json::object();
  std::vector<std::string> problems;
  for (const auto& check : report.checks) {
    nlohmann::ordered_json entry = {
        {"componentType", check.componentType},
        {"observedValue", check.observedValue},
        {"observedUnit", check.observedUnit},
        {"status", toString(check.status)},
        {"time", formatIsoTimestamp(check.timeMs / 1000)},
        {"threshold", check.threshold},
    };
    if (!check.output.empty()) {
      entry["output"] = check.output;
      problems.push_back(check.component + ":" + check.measurement + " " + toString(check.status));
    }
    checks[check.component + ":" + check.measurement].push_back(std::move(entry));
  }
  nlohmann::ordered_json json = {
      {"status", toString(report.status)},
      {"version", service.version},
      {"releaseId", service.releaseId},
      {"serviceId", service.serviceId},
      {"description", service.description},
      {"checks", checks},
  };
  if (report.status != HealthStatus::pass) {
    std::string output;
    for (const auto& problem : problems) output += (output.empty() ? "" : "; ") + problem;
    json["output"] = output;
  }
  return json;
}

}  // namespace livedata::server::monitoring
