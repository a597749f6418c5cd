// MonitoringService: the one object the server holds for monitoring. It owns the request
// metrics, the error tracker, the system sampler and the service targets; it is handed plain
// snapshots (monitoring_snapshots.h) of what it does not own, and renders the bodies of
// /monitoring/health, /monitoring/metrics, /monitoring/api-metrics, /monitoring/errors,
// /monitoring/status and /metrics. It has no threads and no HTTP: the server's middleware
// calls beginRequest/recordRequest/endRequest, its handlers call the renderers.
//
// What the owner does per request: InFlightRequest guard (or begin/endRequest) around the
// handler, then recordRequest with the matched route template; recordError for every handler
// error and every 5xx it produces (the service does not turn statuses into errors itself, so
// an exception that became a 500 is counted once).
//
// Slow requests are logged at warn ("slow request", with route, method, status, durationMs);
// alerts at warn on open and info on close (service_targets.h).
//
// Time comes from the injected clock (milliseconds since the Unix epoch), so tests script it.
//
// Threading: every member is safe from any thread. The logger may be called from any of
// them, never under a lock of this module.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "monitoring/error_tracker.h"
#include "monitoring/health_checks.h"
#include "monitoring/monitoring_log.h"
#include "monitoring/monitoring_snapshots.h"
#include "monitoring/recent_counters.h"
#include "monitoring/request_metrics.h"
#include "monitoring/service_targets.h"
#include "monitoring/system_metrics.h"

namespace livedata::server::monitoring {

using MillisClock = std::function<std::int64_t()>;
// Wall-clock milliseconds since the Unix epoch.
std::int64_t systemMillisNow();

struct MonitoringOptions {
  // Identity in /monitoring/health, /monitoring/status and /metrics. Defaults: version "1",
  // releaseId the project's version (CMake's PROJECT_VERSION), serviceId "livedata-mock-server".
  HealthServiceInfo service{"1", LIVEDATA_VERSION, "livedata-mock-server", "livedata mock API server"};
  RequestMetricsOptions requests;
  ErrorTrackerOptions errors;
  SystemSamplerOptions system;
  HealthThresholds health;
  TargetThresholds targets;
  // Closed alerts kept for /monitoring/status. Default 50.
  std::size_t alertHistoryCapacity = 50;
  // The trailing windows health and the targets judge over (recent_counters.h): the API's
  // error rate and latency and the cache's hit rate over recentWindowSeconds (default 5 min,
  // as the alerting rules' rate5m), sync runs over syncWindowSeconds (default 1 h: a run a
  // minute gives too few in 5 min to judge 99%). Each at least 1.
  std::int64_t recentWindowSeconds = 300;
  std::int64_t syncWindowSeconds = 3600;
};

// The first invalid field of `options`, by its name ("health.diskFailRatio must be ..."), or
// nullopt when every field is valid. Call once at startup; the service itself accepts any
// options (it never throws), but thresholds out of order make its verdicts meaningless.
std::optional<std::string> validateMonitoringOptions(const MonitoringOptions& options);

class MonitoringService {
 public:
  explicit MonitoringService(MonitoringOptions options = {}, MonitoringLogger log = {},
                             MillisClock clock = systemMillisNow);

  // The request path.
  RequestMetrics& requests() { return requests_; }
  void recordRequest(const RequestRecord& request) { requests_.recordRequest(request); }
  // Returns the error's fingerprint.
  std::string recordError(const ErrorEvent& error) { return errors_.recordError(error, clock_()); }

  // Reads /proc and statvfs now (the CPU % is since the previous call).
  SystemMetrics sampleSystem() { return sampler_.sample(); }

  // The health rules (health_checks.h) over the probe, the cache state, a system sample,
  // the service-level requests (RequestRecord::serviceLevel) of the recent window and the
  // sync's age.
  HealthReport checkHealth(const DatabaseProbe& database, const CacheSnapshot& cache, const SystemMetrics& system,
                           const SyncSnapshot& sync) const;
  // Evaluates the service targets now, opening and closing alerts.
  std::vector<TargetStatus> evaluateTargets(const CacheSnapshot& cache, const SyncSnapshot& sync);

  double uptimeSeconds() const;

  // Response bodies.
  nlohmann::ordered_json healthJson(const HealthReport& report) const;  // application/health+json
  nlohmann::ordered_json metricsJson(const SystemMetrics& system, const CacheSnapshot& cache) const;
  nlohmann::ordered_json apiMetricsJson() const;
  nlohmann::ordered_json errorsJson() const;
  // Uses the targets of the latest evaluateTargets() (call it first for fresh values).
  nlohmann::ordered_json statusJson(const SyncSnapshot& sync, const CacheSnapshot& cache,
                                    const HealthReport& health) const;
  // The exposition text (kPrometheusContentType); targets as of the latest evaluateTargets().
  std::string prometheusText(const SystemMetrics& system, const CacheSnapshot& cache, const SyncSnapshot& sync) const;

  const MonitoringOptions& options() const { return options_; }

 private:
  MonitoringOptions options_;
  MonitoringLogger log_;
  MillisClock clock_;
  std::int64_t startedAtMs_;
  RequestMetrics requests_;
  ErrorTracker errors_;
  SystemSampler sampler_;
  ServiceTargets targets_;
  // Sampled by every judgement: evaluateTargets and checkHealth (mutable for it: it has its
  // own lock), so each window moves whoever asks.
  mutable RecentCounters recent_;
};

}  // namespace livedata::server::monitoring
