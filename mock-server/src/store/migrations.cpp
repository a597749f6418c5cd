#include "store/migrations.h"

#include <string>

namespace livedata::server {

// Tables are STRICT (types enforced, so a bad bind fails instead of storing text in a number
// column) and, but for metrics, WITHOUT ROWID: the text primary key is the table's own
// b-tree, so an upsert touches one tree instead of a rowid table plus a key index.
// CHECK (id <> '') keeps records without identity out.
const std::vector<Migration>& schemaMigrations() {
  static const std::vector<Migration> kMigrations{
      {1, "entity tables and sync cursors", R"sql(
CREATE TABLE campaigns (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  send_time INTEGER NOT NULL,
  recipients INTEGER NOT NULL,
  opens INTEGER NOT NULL,
  clicks INTEGER NOT NULL,
  revenue REAL NOT NULL,
  open_rate REAL NOT NULL,
  click_rate REAL NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE flows (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  recipients INTEGER NOT NULL,
  revenue REAL NOT NULL,
  conversion_rate REAL NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE forms (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  views INTEGER NOT NULL,
  submissions INTEGER NOT NULL,
  submit_rate REAL NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE segments (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  members INTEGER NOT NULL,
  growth REAL NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One row per day (days since 1970-01-01); the integer key is the rowid itself.
CREATE TABLE metrics (
  day INTEGER NOT NULL PRIMARY KEY,
  sends INTEGER NOT NULL,
  opens INTEGER NOT NULL,
  clicks INTEGER NOT NULL,
  revenue REAL NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- The last (updated_at, id) committed per entity (entity.h, SyncCursor).
CREATE TABLE sync_cursors (
  entity TEXT NOT NULL PRIMARY KEY,
  updated_at INTEGER NOT NULL,
  id TEXT NOT NULL
) STRICT, WITHOUT ROWID;
)sql"},
      // The list endpoints' default order is -updatedAt with ties by ascending id
      // (docs/api.md): (updated_at DESC, id) yields it by a forward scan, so the first page
      // reads `limit` rows instead of sorting the table, and `sort=updatedAt` scans it
      // backwards. The status indexes serve `status=` with the same order, and its count.
      {2, "indexes for the list endpoints' status filter and default sort", R"sql(
CREATE INDEX campaigns_by_updated_at ON campaigns (updated_at DESC, id);
CREATE INDEX campaigns_by_status ON campaigns (status, updated_at DESC, id);
CREATE INDEX flows_by_updated_at ON flows (updated_at DESC, id);
CREATE INDEX flows_by_status ON flows (status, updated_at DESC, id);
CREATE INDEX forms_by_updated_at ON forms (updated_at DESC, id);
CREATE INDEX forms_by_status ON forms (status, updated_at DESC, id);
CREATE INDEX segments_by_updated_at ON segments (updated_at DESC, id);
CREATE INDEX segments_by_status ON segments (status, updated_at DESC, id);
)sql"},
      // The change log behind the live feed: one row per commit that changed what the API
      // serves, written in that commit's transaction. The version is the rowid, and
      // AUTOINCREMENT keeps it from ever being reused, even once the oldest rows are trimmed
      // or every row is gone, so a restart never goes back. `keys` is a JSON array of the
      // changed ids (metrics: days as YYYY-MM-DD); an empty array means "the whole entity".
      {3, "the change log of the live feed", R"sql(
CREATE TABLE changes (
  version INTEGER PRIMARY KEY AUTOINCREMENT,
  committed_at_ms INTEGER NOT NULL,
  entity TEXT NOT NULL,
  keys TEXT NOT NULL
) STRICT;
)sql"},
      // When each entity's statistics (the values reports' figures) were last committed:
      // the lists show it beside their rows, as the statistics' own age.
      {4, "when each entity's statistics were last committed", R"sql(
CREATE TABLE statistics_runs (
  entity TEXT PRIMARY KEY,
  as_of_ms INTEGER NOT NULL
) STRICT;
)sql"},
      // The calls of the upstream's budgeted operations (Klaviyo's values reports) per UTC
      // day (days since 1970-01-01), so that a restarted server spends only what is left of
      // the day's allowance (Store::upstreamCallsOn).
      {5, "the upstream's budgeted calls per day", R"sql(
CREATE TABLE upstream_calls (
  operation TEXT NOT NULL,
  day INTEGER NOT NULL,
  calls INTEGER NOT NULL,
  PRIMARY KEY (operation, day)
) STRICT, WITHOUT ROWID;
)sql"},
      // The lists sort names and triggers in natural order by a stored key per text
      // (entity_tables.h, forEachSortKey), written with the row; the store fills the keys of
      // rows written before this migration when it opens. The indexes serve sort=name.
      {6, "stored natural sort keys for names and triggers", R"sql(
ALTER TABLE campaigns ADD COLUMN name_key TEXT;
ALTER TABLE flows ADD COLUMN name_key TEXT;
ALTER TABLE flows ADD COLUMN trigger_name_key TEXT;
ALTER TABLE forms ADD COLUMN name_key TEXT;
ALTER TABLE segments ADD COLUMN name_key TEXT;
CREATE INDEX campaigns_by_name_key ON campaigns (name_key, id);
CREATE INDEX flows_by_name_key ON flows (name_key, id);
CREATE INDEX forms_by_name_key ON forms (name_key, id);
CREATE INDEX segments_by_name_key ON segments (name_key, id);
)sql"},
  };
  return kMigrations;
}

int latestSchemaVersion() { return static_cast<int>(schemaMigrations().size()); }

int migrate(sqlite::Connection& connection, int targetVersion) {
  const int latest = latestSchemaVersion();
  int applied = 0;
  for (const Migration& migration : schemaMigrations()) {
    if (migration.version > targetVersion) break;
    sqlite::Transaction transaction(connection, sqlite::Transaction::Kind::immediate);
    const auto current = connection.queryInteger("PRAGMA user_version");
    if (current > latest) {
      throw sqlite::Error("database schema version " + std::to_string(current) + " is newer than this server's (" +
                          std::to_string(latest) + ")");
    }
    if (current >= migration.version) continue;  // rolls back the empty transaction
    try {
      connection.execute(migration.sql);
    } catch (const sqlite::Error& error) {
      throw sqlite::Error("migration " + std::to_string(migration.version) + " (" + migration.summary +
                          ") failed: " + error.what());
    }
    connection.execute("PRAGMA user_version = " + std::to_string(migration.version));
    transaction.commit();
    ++applied;
  }
  return applied;
}

}  // namespace livedata::server
