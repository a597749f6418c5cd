// Everything the monitoring service knows, as one Prometheus scrape (GET /metrics), under
// conventional names: livedata_* for this service, process_* for the process as the
// official client libraries name them. Counters end in _total; times are in seconds,
// sizes in bytes (base units).
#pragma once

#include <string>
#include <vector>

#include "monitoring/health_checks.h"
#include "monitoring/monitoring_snapshots.h"
#include "monitoring/request_metrics.h"
#include "monitoring/service_targets.h"
#include "monitoring/system_metrics.h"

namespace livedata::server::monitoring {

struct ExpositionInputs {
  const RequestMetricsSnapshot& requests;
  std::uint64_t errorsTotal = 0;
  const CacheSnapshot& cache;
  const SyncSnapshot& sync;
  const SystemMetrics& system;
  double uptimeSeconds = 0;
  const std::vector<TargetStatus>& targets;
  std::size_t openAlerts = 0;
  const HealthServiceInfo& service;  // livedata_build_info's labels
};

// The exposition text (kPrometheusContentType). Optional values that are missing (a system
// value that could not be read, a sync that never succeeded) are left out, not written as 0.
std::string renderPrometheus(const ExpositionInputs& inputs);

}  // namespace livedata::server::monitoring
