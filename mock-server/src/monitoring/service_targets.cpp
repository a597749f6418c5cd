#include "monitoring/service_targets.h"

#include "model/civil_time.h"

namespace livedata::server::monitoring {

namespace {

TargetStatus target(std::string name, const char* comparison, double threshold, std::optional<double> current,
                    std::int64_t windowSeconds) {
  TargetStatus status{std::move(name), comparison, threshold, current, true, windowSeconds};
  if (current) status.met = comparison[0] == '>' ? *current > threshold : *current < threshold;
  return status;
}

}  // namespace

std::vector<TargetStatus> evaluateTargets(const TargetInputs& inputs, const TargetThresholds& thresholds) {
  return {
      target("cache_hit_rate", ">", thresholds.minCacheHitRate, inputs.cacheHitRate, inputs.windowSeconds),
      target("sync_success_rate", ">", thresholds.minSyncSuccessRate, inputs.syncSuccessRate, inputs.syncWindowSeconds),
      target("error_rate", "<", thresholds.maxErrorRate, inputs.errorRate, inputs.windowSeconds),
      target("average_response_ms", "<", thresholds.maxAverageResponseMillis, inputs.averageResponseMillis,
             inputs.windowSeconds),
  };
}

ServiceTargets::ServiceTargets(TargetThresholds thresholds, std::size_t historyCapacity, MonitoringLogger log)
    : thresholds_(thresholds), historyCapacity_(historyCapacity), log_(std::move(log)) {}

std::vector<TargetStatus> ServiceTargets::evaluate(std::int64_t nowMs, const TargetInputs& inputs) {
  std::vector<TargetStatus> statuses = evaluateTargets(inputs, thresholds_);
  std::vector<Alert> opened;
  std::vector<Alert> closed;
  {
    std::lock_guard lock(mutex_);
    for (const auto& status : statuses) {
      auto open = open_.find(status.name);
      if (!status.met && open == open_.end()) {
        Alert alert{status.name, status.target, nowMs, *status.current, std::nullopt, std::nullopt};
        open_.emplace(status.name, alert);
        opened.push_back(std::move(alert));
      } else if (status.met && status.current && open != open_.end()) {
        Alert alert = std::move(open->second);
        open_.erase(open);
        alert.endedAtMs = nowMs;
        alert.valueAtEnd = status.current;
        history_.push_front(alert);
        while (history_.size() > historyCapacity_) history_.pop_back();
        closed.push_back(std::move(alert));
      }
    }
    lastStatuses_ = statuses;
  }
  if (log_) {
    for (const auto& alert : opened) log_(livedata::LogLevel::warn, "service target missed", nlohmann::ordered_json(alert));
    for (const auto& alert : closed) log_(livedata::LogLevel::info, "service target met again", nlohmann::ordered_json(alert));
  }
  return statuses;
}

std::vector<TargetStatus> ServiceTargets::lastStatuses() const {
  std::lock_guard lock(mutex_);
  return lastStatuses_;
}

std::vector<Alert> ServiceTargets::openAlerts() const {
  std::lock_guard lock(mutex_);
  std::vector<Alert> alerts;
  for (const auto& [name, alert] : open_) alerts.push_back(alert);
  return alerts;
}

std::vector<Alert> ServiceTargets::alertHistory() const {
  std::lock_guard lock(mutex_);
  return {history_.begin(), history_.end()};
}

void to_json(nlohmann::ordered_json& json, const TargetStatus& status) {
  json = {{"name", status.name},
          {"comparison", status.comparison},
          {"target", status.target},
          {"current", status.current ? nlohmann::ordered_json(*status.current) : nullptr},
          {"met", status.met},
          {"windowSeconds", status.windowSeconds}};
}

void to_json(nlohmann::ordered_json& json, const Alert& alert) {
  json = {{"target", alert.target},
          {"threshold", alert.threshold},
          {"startedAt", formatIsoTimestamp(alert.startedAtMs / 1000)},
          {"valueAtStart", alert.valueAtStart},
          {"endedAt", alert.endedAtMs ? nlohmann::ordered_json(formatIsoTimestamp(*alert.endedAtMs / 1000)) : nullptr},
          {"valueAtEnd", alert.valueAtEnd ? nlohmann::ordered_json(*alert.valueAtEnd) : nullptr}};
}

}  // namespace livedata::server::monitoring
