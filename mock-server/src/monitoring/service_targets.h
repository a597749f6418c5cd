// Service-level targets (the product's success metrics) and the alerts raised when one is missed.
//
// Targets, each met when its current value is on the right side of its threshold:
//   cache_hit_rate          > minCacheHitRate        (default 0.90)
//   sync_success_rate       > minSyncSuccessRate     (default 0.99)
//   error_rate              < maxErrorRate           (default 0.01)
//   average_response_ms     < maxAverageResponseMillis (default 200)
// A target without data (no cache lookups, no sync runs, no requests) has current = null and
// counts as met: there is no evidence it is missed.
//
// Alerts. evaluate() compares each target with the previous evaluation: a target that is
// missed and has no open alert opens one (started at nowMs, with the value then); an open
// alert whose target is met again closes (ended at nowMs) and moves to the history, which
// keeps the latest historyCapacity closed alerts. A target that loses its data keeps its alert
// open: no data is no evidence of recovery. Each open and close is logged through the
// MonitoringLogger (warn on open, info on close). There is no timer: the owner calls
// evaluate(), so tests script time.
//
// Threading: every member is safe from any thread (one mutex); the logger runs after the
// lock is released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "monitoring/monitoring_log.h"

namespace livedata::server::monitoring {

struct TargetThresholds {
  double minCacheHitRate = 0.90;
  double minSyncSuccessRate = 0.99;
  double maxErrorRate = 0.01;
  double maxAverageResponseMillis = 200;
  // Rates over fewer cache lookups or API requests than this are not judged yet (their
  // current value is null and the target counts as met): a cold server's first lookups are
  // all misses, which is no reason for an alert. Sync runs are judged from the first.
  std::uint64_t minSamples = 20;
};

struct TargetInputs {
  std::optional<double> cacheHitRate;        // hits / (hits + misses)
  std::optional<double> syncSuccessRate;     // successes / runs
  std::optional<double> errorRate;           // 5xx / requests
  std::optional<double> averageResponseMillis;
  // The trailing windows the values cover: sync runs', and the others'. 0: unsaid.
  std::int64_t windowSeconds = 0;
  std::int64_t syncWindowSeconds = 0;
};

struct TargetStatus {
  std::string name;
  std::string comparison;  // ">" or "<": met when current <comparison> target
  double target = 0;
  std::optional<double> current;
  bool met = true;
  std::int64_t windowSeconds = 0;  // what `current` covers: the last N seconds
};

struct Alert {
  std::string target;
  double threshold = 0;
  std::int64_t startedAtMs = 0;
  double valueAtStart = 0;
  std::optional<std::int64_t> endedAtMs;  // set once closed
  std::optional<double> valueAtEnd;
};

// The four targets for `inputs`, in the order above. Pure.
std::vector<TargetStatus> evaluateTargets(const TargetInputs& inputs, const TargetThresholds& thresholds);

class ServiceTargets {
 public:
  ServiceTargets(TargetThresholds thresholds = {}, std::size_t historyCapacity = 50, MonitoringLogger log = {});

  // Evaluates the targets at nowMs, opens and closes alerts, and returns the statuses.
  std::vector<TargetStatus> evaluate(std::int64_t nowMs, const TargetInputs& inputs);

  std::vector<TargetStatus> lastStatuses() const;  // empty before the first evaluate()
  std::vector<Alert> openAlerts() const;           // by target name
  std::vector<Alert> alertHistory() const;         // closed alerts, most recently ended first

 private:
  TargetThresholds thresholds_;
  std::size_t historyCapacity_;
  MonitoringLogger log_;
  mutable std::mutex mutex_;
  std::vector<TargetStatus> lastStatuses_;
  std::map<std::string, Alert> open_;
  std::deque<Alert> history_;  // front: most recently ended
};

void to_json(nlohmann::ordered_json& json, const TargetStatus& status);
void to_json(nlohmann::ordered_json& json, const Alert& alert);

}  // namespace livedata::server::monitoring
