// The server's copy of the upstream account: the rows the sync commits and the API reads,
// each entity's sync cursor, and the change log of the live feed. Two engines, one set of
// semantics (sql_store.h holds the one implementation, over either):
//   - SQLite (WAL mode), the embedded default: a file, one server process;
//   - PostgreSQL, for several server processes sharing one store (docs/backend.md).
// Every response rendered from either is byte-identical for the same data.
//
// Invariant: an entity's cursor and the rows it covers are committed in one transaction,
// so after a crash at any point the store holds exactly the rows up to its cursor (and
// possibly more, which the next sync's upserts make harmless).
// Invariant: so is the change log entry of a commit that changed rows. Change versions grow
// by one per such commit and are never reused (a restart, a trimmed log or an emptied
// table never makes them go back), so a version names one state of the store for good.
//
// Threading: every public member is safe to call from any number of threads; writes are
// serialised, reads run concurrently with them (WAL; PostgreSQL's snapshots).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "livedata/expected.h"
#include "model/change.h"
#include "model/civil_time.h"
#include "model/dataset.h"
#include "model/entity.h"
#include "model/record_fields.h"

namespace livedata::server {

struct StoreOptions {
  // Connections kept for readers (each read borrows one; with all of them busy a
  // reader waits for one). Bounds the open file handles and the memory of page caches.
  // Must be at least 1. Default: 8.
  std::size_t readConnections = 8;
  // Changes the change log keeps (the newest): how far behind a live client may fall and
  // still resume without a reset (docs/api.md, "Live changes"). At least 1. Default: 1000.
  std::size_t changeLogCapacity = 1000;
  // PostgreSQL: how long the write lease outlives the last sign of life of its holder, in
  // ms: a holder paused or cut off for longer has lost it (docs/backend.md). At least 500.
  // Default: 5000.
  int writeLeaseMs = 5000;
  // How long damaged data met by a read or write (a corrupt page, a broken index) keeps the
  // store's ping failing, in ms: each such failure starts it anew, so damage that is still
  // there keeps failing it while reads meet it, and damage repaired (a REINDEX, a restored
  // file) stops failing it that long after the last failure, without a restart. At least 1.
  // Default: 300000 (5 minutes, the window the API's health checks judge).
  int damageHoldMs = 300000;
};

// What one commitPage did.
struct CommittedPage {
  std::size_t changedRows = 0;  // rows inserted or actually changed (an identical upsert: 0)
  std::optional<Change> change;  // its change log entry; nullopt when no row changed
};

// One page of a list endpoint (docs/api.md, "Lists"): filter, order and window.
struct ListQuery {
  std::optional<std::string> status;    // only rows with exactly this status
  std::string sortField = "updatedAt";  // an item field name of docs/api.md
  bool descending = true;               // ties are always broken by ascending id
  std::int64_t limit = 50;              // at least 1
  std::int64_t offset = 0;              // at least 0
};

struct ListPage {
  EntityRows items;        // at most `limit` rows of the listed entity, in the query's order
  std::int64_t total = 0;  // rows matching the filter, regardless of limit and offset
  // When the entity's statistics were last committed (Unix ms); nullopt before the first time.
  std::optional<std::int64_t> statisticsAsOfMs;
};

// The metrics of a range of days, read in one snapshot.
struct MetricsOverview {
  std::vector<DailyMetrics> series;  // the stored days in the range, oldest first
  std::int64_t sends = 0;            // sums over `series`
  std::int64_t opens = 0;
  std::int64_t clicks = 0;
  double revenue = 0;  // summed oldest day first, unrounded
};

// Whether `location` names a PostgreSQL database (postgres:// or postgresql://) rather
// than an SQLite file.
bool isPostgresUrl(const std::string& location);

class Store {
 public:
  // Opens the store at `location` and applies pending migrations:
  //   - postgres://USER[:PASSWORD]@HOST[:PORT]/DB (or postgresql://): a PostgreSQL database,
  //     which must exist; its tables are created on first use;
  //   - anything else is an SQLite file, created with its folder when missing and switched
  //     to WAL. ":memory:" is not supported (readers need their own connections to the same
  //     database). Durability: synchronous=NORMAL, so a power loss may lose the last commits
  //     (each with its cursor, so the sync simply fetches them again) but never corrupts it.
  // On failure, a message naming the location (never a password) and the cause.
  static Expected<std::unique_ptr<Store>, std::string> open(const std::string& location,
                                                                const StoreOptions& options = {});

  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // "sqlite" or "postgres".
  virtual const char* engine() const = 0;

  // In ONE transaction: writes `group`'s fields of `rows` (by id; entity given by the
  // variant's alternative), when `cursor` is set saves it as `entity`'s cursor, and when rows
  // changed appends the change to the change log (trimmed to options.changeLogCapacity).
  // Attributes are upserted (a new row is inserted whole, an existing one keeps its
  // statistics); statistics update existing rows only (ids the store lacks are skipped), set
  // the entity's statisticsAsOfMs (ListPage) to now, and are always logged, as a change of the
  // whole entity (every list page's statisticsAsOf moved).
  // Returns what changed, or an error message, in which case nothing was written. Non-empty
  // rows of another entity than `entity`, or statistics of the daily metrics (which have
  // none), are an error. Efficient for pages of up to a few thousand rows (one prepared
  // statement per entity and group, one transaction per page).
  virtual Expected<CommittedPage, std::string> commitPage(Entity entity, const EntityRows& rows,
                                                          const std::optional<SyncCursor>& cursor,
                                                          FieldGroup group = FieldGroup::attributes) = 0;

  // In ONE transaction: deletes the rows of `entity` (a list entity, not metrics) with these
  // ids (ids it lacks are skipped), and when any were, appends the change to the change log
  // (their ids, or none, meaning the whole entity, past kMaxKeysPerChange). Returns what
  // changed (changedRows: the rows deleted), or an error message, in which case nothing was
  // deleted.
  virtual Expected<CommittedPage, std::string> removeRows(Entity entity, const std::vector<std::string>& ids) = 0;

  // The saved cursor of `entity`; nullopt before its first committed page, and also when it
  // cannot be read (the sync then starts over, which idempotent upserts make harmless).
  virtual std::optional<SyncCursor> cursor(Entity entity) const = 0;

  // Forgets `entity`'s cursor, so the next sync starts from the beginning (a full sync).
  // Rows stay; the full sync's upserts overwrite them.
  virtual std::optional<std::string> resetCursor(Entity entity) = 0;

  // --- Read side. Each call reads one consistent snapshot (one read transaction), never
  // blocks on commitPage and never sees half of a commit. Errors (I/O, corruption, a bad
  // sort field) come back as a message.

  // A page of a list entity (not metrics). `query.sortField` must be a field of the
  // entity's items; strings sort by their bytes, numbers by value, timestamps by time.
  virtual Expected<ListPage, std::string> list(Entity entity, const ListQuery& query) const = 0;

  // The stored days from `from` to `to` inclusive, with their sums.
  virtual Expected<MetricsOverview, std::string> overview(DayNumber from, DayNumber to) const = 0;

  // The latest day with metrics; nullopt while there are none.
  virtual Expected<std::optional<DayNumber>, std::string> latestMetricsDay() const = 0;

  // Every row of `entity` ordered by id (metrics: by day), for tests and consistency checks.
  virtual Expected<EntityRows, std::string> allRows(Entity entity) const = 0;

  virtual Expected<std::int64_t, std::string> rowCount(Entity entity) const = 0;

  // The ids of `entity`'s rows (a list entity) that are not in `present`, in id order.
  virtual Expected<std::vector<std::string>, std::string> absentIds(
      Entity entity, const std::unordered_set<std::string>& present) const = 0;

  // Opens a new connection and runs a real query on it: nullopt when it answers, else the
  // error (the file is gone, unreadable, or not our database; the server is down). Damage
  // a read or write met fails it too, for StoreOptions::damageHoldMs.
  virtual std::optional<std::string> ping() const = 0;

  // The version of the last change of `entity` delivered to this Store (see
  // observeChanges), so it moves only when a commit changed its rows, after the commit is
  // visible to readers: a response rendered after reading version v is at least as new as
  // v. Versions are the store's, so every process on one store agrees on them once it has
  // seen the same changes: (resource, dataVersion) names the same data on every instance
  // (the response cache's keys). At open, the entity's newest change in the log, or 0 when
  // the log holds none of it (its rows have not changed since the log's oldest entry).
  virtual std::uint64_t dataVersion(Entity entity) const = 0;

  // The version of the latest change committed (0 before the first), including commits of
  // earlier processes on this database.
  virtual std::int64_t changeVersion() const = 0;

  // The newest `limit` entries of the change log, oldest first.
  virtual Expected<std::vector<Change>, std::string> recentChanges(std::size_t limit) const = 0;

  // --- The upstream's budget.

  // The calls of a budgeted upstream operation (Klaviyo's values reports, by path) counted
  // on a UTC day (days since 1970-01-01) by every process on this store, so that a restarted
  // server, or another instance taking the lead, spends only what is left of the day's
  // allowance; 0 before the first.
  virtual Expected<int, std::string> upstreamCallsOn(std::string_view operation, DayNumber day) const = 0;
  // Counts one more call; the error when it could not. Not fenced: a call a former leader
  // sent was spent all the same. Forgets the counts of days before the day before `day`.
  virtual std::optional<std::string> countUpstreamCall(std::string_view operation, DayNumber day) = 0;

  // --- Several processes on one store (docs/backend.md).

  // Calls `observer` with every change the log gains, once each and in version order,
  // whoever committed it: this Store's own commits synchronously (after the commit, before
  // commitPage or removeRows returns; `committedHere` true), and, with PostgreSQL, other
  // processes' commits from a listener thread moments after they commit (LISTEN/NOTIFY,
  // and a look every second in case a notification was lost with its connection).
  // dataVersion and changeVersion move as changes are delivered, observer or not. A
  // version that does not follow the one before means changes left the log before this
  // Store saw them. The observer starts after `afterVersion`: the changes up to the last
  // one delivered are read back from the log and handed to it first, under the same lock as
  // deliveries, so that none delivered while the caller set up (a listener thread runs from
  // open) is missed or seen twice. Those carry committedHere false, whoever committed them:
  // set the observer before this Store's first commit, as the server does, for its own
  // commits to be told apart. The observer must not write to the store. An empty observer
  // stops delivery: once that call returns, the one before is never called again (the
  // server does so on stop, before what its observer uses is destroyed, while a listener
  // thread may still be delivering other processes' changes).
  using ChangeObserver = std::function<void(const Change& change, bool committedHere)>;
  virtual void observeChanges(std::int64_t afterVersion, ChangeObserver observer) = 0;

  // Whether this process holds the write lease: takes it when it is free, and confirms it
  // when held (at most every writeLeaseMs/4). Writes take it on their own when they can, and
  // are refused when another process holds it. SQLite: always held (one process per file).
  // PostgreSQL: an advisory lock on a session of its own, which the server ends when the
  // holder dies or stays silent for writeLeaseMs; every new holder draws a larger fencing
  // token, and each write transaction checks, under a row lock, that its token is still the
  // latest, so a holder that lost the lease without knowing it has its writes refused by
  // the database itself.
  virtual bool holdWriteLease() = 0;

  // The fencing token of the lease held; 0 when none is. SQLite: always 1.
  virtual std::int64_t fencingToken() const = 0;

 protected:
  Store() = default;
};

}  // namespace livedata::server
