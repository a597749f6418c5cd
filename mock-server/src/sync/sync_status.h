// What the sync service reports: a snapshot of its state and counters (GET /admin/sync),
// and the outcome of one run (the service's onRunFinished hook, runNow's result).
// Plain values; the service builds them under its lock and hands out copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/entity.h"
#include "upstream_client/upstream_source.h"  // BudgetUse
#include "livedata/types.h"

namespace livedata::server {

// idle: no run, and the last one (if any) did not fail. failed: no run, and the last one
// failed for at least one entity. running: a run is in progress.
enum class SyncState { idle, running, failed };
const char* nameOf(SyncState state);

// The entity the running run is copying, and how far it got.
struct SyncProgress {
  Entity entity = Entity::campaigns;
  std::size_t pagesDone = 0;
  std::size_t recordsDone = 0;
  // Records this entity is expected to have in all, when known (a full sync's estimate is
  // the number of rows already stored); nullopt otherwise, and once recordsDone passes it.
  std::optional<std::size_t> estimate;
};

struct SyncFailure {
  std::string message;
  Millis at = 0;  // unix ms, from the service's clock
};

// The schedule of an entity's statistics (the values reports, budgeted by the upstream).
struct StatisticsSchedule {
  std::optional<Millis> asOf;       // when the statistics committed last were fetched
  std::optional<Millis> nextRunAt;  // the first run at or after this fetches them again
};

struct EntitySyncStatus {
  std::optional<SyncCursor> cursor;     // as last committed; nullopt before the first page
  std::optional<Millis> lastSuccessAt;  // end of the last complete pass over the entity
  std::optional<SyncFailure> lastError; // kept after later successes; compare the times
  std::uint64_t recordsSynced = 0;      // records committed since the service started
  std::uint64_t rowsChanged = 0;        // of those, rows inserted or actually changed
  std::optional<StatisticsSchedule> statistics;  // nullopt: the entity has none (metrics)
};

// Totals since the service started. runs = successes + failures + runs stopped early
// + the run in progress.
struct SyncCounters {
  std::uint64_t runs = 0;
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;
  std::uint64_t pages = 0;    // pages committed
  std::uint64_t records = 0;  // records committed
  std::uint64_t retries = 0;  // page fetches repeated after a retryable failure
  // Of which the upstream's rate limits held the attempt back: its 429, or the client's own
  // pacing that kept the call within them (KlaviyoSource).
  std::uint64_t rateLimitedRetries = 0;
};

struct SyncStatus {
  SyncState state = SyncState::idle;
  std::optional<SyncProgress> progress;  // set while running
  std::map<Entity, EntitySyncStatus> entities;  // every entity, in kAllEntities order
  struct LastError {
    Entity entity = Entity::campaigns;
    SyncFailure failure;
  };
  std::optional<LastError> lastError;
  SyncCounters counters;
  std::optional<Millis> lastRunDurationMs;
  // The upstream's budgeted operations: calls used today of each daily limit.
  std::vector<BudgetUse> reportBudget;
  // Whether this instance holds the store's write lease, so its runs sync (a follower's are
  // skipped), and that lease's fencing token (Store::fencingToken; 0 when not the leader).
  bool leader = false;
  std::int64_t fencingToken = 0;
  // When this process took the lease it holds now (as first seen by status()); nullopt on a
  // follower. Until every entity has synced under it, the data is at least this old.
  std::optional<Millis> leaderSince;

  // successes / (successes + failures); nullopt before the first finished run.
  std::optional<double> successRate() const;

  // {"state", "progress", "entities": {"campaigns": {...}, ...}, "lastError", "counters",
  //  "lastRunDurationMs", "successRate", "reportBudget", "leader", "fencingToken",
  //  "leaderSince"}; absent
  //  values are null, times are
  //  unix ms.
  nlohmann::ordered_json toJson() const;
};

// How one entity fared in one run.
struct EntityRunReport {
  Entity entity = Entity::campaigns;
  std::size_t pages = 0;        // pages committed
  std::size_t records = 0;      // records committed
  std::size_t changedRows = 0;  // rows inserted, changed or removed
  std::size_t removedRows = 0;  // rows a whole pass found gone from the upstream, removed
  std::size_t retries = 0;
  bool completed = false;       // reached the upstream's last page
  bool statisticsFetched = false;  // its statistics were due, fetched and committed
  // Why it did not complete, or why its statistics failed (then `completed` may be true).
  std::optional<std::string> error;
};

struct SyncRunReport {
  Millis startedAt = 0;
  Millis finishedAt = 0;
  bool stopped = false;  // stop() cut the run short at a page boundary
  // Another instance holds the store's write lease: this one synced nothing.
  bool skippedAsFollower = false;
  // The entities the run started on, in the order it synced them.
  std::vector<EntityRunReport> entities;

  // Every requested entity completed without an error.
  bool succeeded() const;
  bool failed() const;  // some entity ended with an error
  // Entities with changedRows > 0: the ones whose derived responses are now out of date.
  std::vector<Entity> changedEntities() const;
};

void to_json(nlohmann::ordered_json& json, const SyncCursor& cursor);
void to_json(nlohmann::ordered_json& json, const SyncProgress& progress);
void to_json(nlohmann::ordered_json& json, const SyncFailure& failure);
void to_json(nlohmann::ordered_json& json, const StatisticsSchedule& schedule);
void to_json(nlohmann::ordered_json& json, const EntitySyncStatus& status);
void to_json(nlohmann::ordered_json& json, const BudgetUse& use);
void to_json(nlohmann::ordered_json& json, const SyncCounters& counters);
void to_json(nlohmann::ordered_json& json, const SyncStatus& status);
void to_json(nlohmann::ordered_json& json, const EntityRunReport& report);
void to_json(nlohmann::ordered_json& json, const SyncRunReport& report);

}  // namespace livedata::server
