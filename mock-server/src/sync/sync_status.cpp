#include "sync/sync_status.h"

#include <algorithm>

namespace livedata::server {

namespace {

// nlohmann 3.11 has no std::optional conversion: absent values are null.
template <typename T>
nlohmann::ordered_json orNull(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

const char* nameOf(SyncState state) {
  switch (state) {
    case SyncState::idle: return "idle";
    case SyncState::running: return "running";
    case SyncState::failed: return "failed";
  }
  return "idle";
}

std::optional<double> SyncStatus::successRate() const {
  const std::uint64_t finished = counters.successes + counters.failures;
  if (finished == 0) return std::nullopt;
  return static_cast<double>(counters.successes) / static_cast<double>(finished);
}

nlohmann::ordered_json SyncStatus::toJson() const { return nlohmann::ordered_json(*this); }

bool SyncRunReport::succeeded() const {
  return !stopped && !skippedAsFollower && std::all_of(entities.begin(), entities.end(),
                                 [](const EntityRunReport& entity) { return entity.completed && !entity.error; });
}

bool SyncRunReport::failed() const {
  return std::any_of(entities.begin(), entities.end(),
                     [](const EntityRunReport& entity) { return entity.error.has_value(); });
}

std::vector<Entity> SyncRunReport::changedEntities() const {
  std::vector<Entity> changed;
  for (const EntityRunReport& entity : entities) {
    if (entity.changedRows > 0) changed.push_back(entity.entity);
  }
  return changed;
}

void to_json(nlohmann::ordered_json& json, const SyncCursor& cursor) {
  json = {{"updatedAt", cursor.updatedAt}, {"id", cursor.id}};
}

void to_json(nlohmann::ordered_json& json, const SyncProgress& progress) {
  json = {{"entity", nameOf(progress.entity)},
          {"pagesDone", progress.pagesDone},
          {"recordsDone", progress.recordsDone},
          {"estimate", orNull(progress.estimate)}};
}

void to_json(nlohmann::ordered_json& json, const SyncFailure& failure) {
  json = {{"message", failure.message}, {"at", failure.at}};
}

void to_json(nlohmann::ordered_json& json, const StatisticsSchedule& schedule) {
  json = {{"asOf", orNull(schedule.asOf)}, {"nextRunAt", orNull(schedule.nextRunAt)}};
}

void to_json(nlohmann::ordered_json& json, const EntitySyncStatus& status) {
  json = {{"cursor", orNull(status.cursor)},
          {"lastSuccessAt", orNull(status.lastSuccessAt)},
          {"lastError", orNull(status.lastError)},
          {"recordsSynced", status.recordsSynced},
          {"rowsChanged", status.rowsChanged},
          {"statistics", orNull(status.statistics)}};
}

void to_json(nlohmann::ordered_json& json, const BudgetUse& use) {
  json = {{"operation", use.operation}, {"usedToday", use.usedToday}, {"dailyLimit", use.dailyLimit}, {"resetsAt", use.resetsAt}};
}

void to_json(nlohmann::ordered_json& json, const SyncCounters& counters) {
  json = {{"runs", counters.runs},         {"successes", counters.successes},
          {"failures", counters.failures}, {"pages", counters.pages},
          {"records", counters.records},   {"retries", counters.retries},
          {"rateLimitedRetries", counters.rateLimitedRetries}};
}

void to_json(nlohmann::ordered_json& json, const SyncStatus& status) {
  nlohmann::ordered_json entities = nlohmann::ordered_json::object();
  for (const auto& [entity, entityStatus] : status.entities) entities[nameOf(entity)] = entityStatus;
  nlohmann::ordered_json lastError = nullptr;
  if (status.lastError) {
    lastError = {{"entity", nameOf(status.lastError->entity)},
                 {"message", status.lastError->failure.message},
                 {"at", status.lastError->failure.at}};
  }
  json = {{"state", nameOf(status.state)},
          {"progress", orNull(status.progress)},
          {"entities", std::move(entities)},
          {"lastError", std::move(lastError)},
          {"counters", status.counters},
          {"lastRunDurationMs", orNull(status.lastRunDurationMs)},
          {"successRate", orNull(status.successRate())},
          {"reportBudget", status.reportBudget},
          {"leader", status.leader},
          {"fencingToken", status.fencingToken},
          {"leaderSince", orNull(status.leaderSince)}};
}

void to_json(nlohmann::ordered_json& json, const EntityRunReport& report) {
  json = {{"entity", nameOf(report.entity)}, {"pages", report.pages},
          {"records", report.records},       {"changedRows", report.changedRows},
          {"removedRows", report.removedRows}, {"retries", report.retries},       {"completed", report.completed},
          {"statisticsFetched", report.statisticsFetched}, {"error", orNull(report.error)}};
}

void to_json(nlohmann::ordered_json& json, const SyncRunReport& report) {
  json = {{"startedAt", report.startedAt},
          {"finishedAt", report.finishedAt},
          {"stopped", report.stopped},
          {"skippedAsFollower", report.skippedAsFollower},
          {"succeeded", report.succeeded()},
          {"entities", report.entities}};
}

}  // namespace livedata::server
