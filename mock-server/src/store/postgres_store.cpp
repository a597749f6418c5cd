#include "store/postgres_store.h"

#include <poll.h>

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.h"
#include "store/postgres.h"
#include "store/sql_store.h"

namespace livedata::server {
namespace {

// Migration 7's function, created again by 9.
constexpr const char* kNaturalKeyFunctionSql = R"sql(
CREATE FUNCTION natural_key(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(
           CASE WHEN run[1] ~ '^[0-9]' THEN lpad(length(ltrim(run[1], '0'))::text, 3, '0') || ltrim(run[1], '0')
                ELSE translate(run[1], 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') END,
           '' ORDER BY position), '')
  FROM regexp_matches($1, '[0-9]+|[^0-9]+', 'g') WITH ORDINALITY AS runs(run, position)
$$;
)sql";

// PostgreSQL's counterpart of migrations.cpp: the same tables, columns in the same order, with
// PostgreSQL's types. Text columns use the "C" collation, so ORDER BY compares bytes as
// SQLite does whatever the database's locale (responses must be byte-identical). A
// published migration is never edited: a change is a new migration, in both lists.
const std::vector<Migration>& postgresMigrations() {
  static const std::vector<Migration> kMigrations{
      {1, "entity tables and sync cursors", R"sql(
CREATE TABLE campaigns (
  id text COLLATE "C" NOT NULL PRIMARY KEY CHECK (id <> ''),
  name text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  send_time bigint NOT NULL,
  recipients bigint NOT NULL,
  opens bigint NOT NULL,
  clicks bigint NOT NULL,
  revenue double precision NOT NULL,
  open_rate double precision NOT NULL,
  click_rate double precision NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE flows (
  id text COLLATE "C" NOT NULL PRIMARY KEY CHECK (id <> ''),
  name text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  trigger_name text COLLATE "C" NOT NULL,
  recipients bigint NOT NULL,
  revenue double precision NOT NULL,
  conversion_rate double precision NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE forms (
  id text COLLATE "C" NOT NULL PRIMARY KEY CHECK (id <> ''),
  name text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  views bigint NOT NULL,
  submissions bigint NOT NULL,
  submit_rate double precision NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE segments (
  id text COLLATE "C" NOT NULL PRIMARY KEY CHECK (id <> ''),
  name text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  members bigint NOT NULL,
  growth double precision NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE metrics (
  day bigint NOT NULL PRIMARY KEY,
  sends bigint NOT NULL,
  opens bigint NOT NULL,
  clicks bigint NOT NULL,
  revenue double precision NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE sync_cursors (
  entity text COLLATE "C" NOT NULL PRIMARY KEY,
  updated_at bigint NOT NULL,
  id text COLLATE "C" NOT NULL
);
)sql"},
      // The same statements as SQLite's migration 2: one text for both engines.
      {2, schemaMigrations()[1].summary, schemaMigrations()[1].sql},
      // The change log. Versions come from the one-row change_versions table, updated in the
      // committing transaction: its row lock serialises committers, so versions commit in
      // their order, and a rolled-back commit gives its number back (no gaps, unlike a
      // sequence), and trimming the log never lowers it.
      {3, "the change log of the live feed", R"sql(
CREATE TABLE changes (
  version bigint NOT NULL PRIMARY KEY,
  committed_at_ms bigint NOT NULL,
  entity text COLLATE "C" NOT NULL,
  keys text NOT NULL
);
CREATE TABLE change_versions (
  singleton boolean NOT NULL PRIMARY KEY DEFAULT true CHECK (singleton),
  last bigint NOT NULL
);
INSERT INTO change_versions (last) VALUES (0);
)sql"},
      {4, "when each entity's statistics were last committed", R"sql(
CREATE TABLE statistics_runs (
  entity text COLLATE "C" PRIMARY KEY,
  as_of_ms bigint NOT NULL
);
)sql"},
      // Several instances on one database (docs/backend.md). Every change committed is
      // announced on the channel livedata_changes (delivered at commit, to sessions that
      // LISTEN), and the write lease's fencing token lives in one row that every write
      // transaction locks and checks.
      {5, "change notifications and the write lease's fencing token", R"sql(
CREATE FUNCTION livedata_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('livedata_changes', NEW.version::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER changes_notify AFTER INSERT ON changes FOR EACH ROW EXECUTE FUNCTION livedata_notify_change();
CREATE TABLE write_fence (
  singleton boolean NOT NULL PRIMARY KEY DEFAULT true CHECK (singleton),
  token bigint NOT NULL
);
INSERT INTO write_fence (token) VALUES (0);
)sql"},
      // SQLite's migration 5; here the count is shared by every instance, so the one that
      // takes the lead spends only what the others left of the day's allowance.
      {6, "the upstream's budgeted calls per day", R"sql(
CREATE TABLE upstream_calls (
  operation text COLLATE "C" NOT NULL,
  day bigint NOT NULL,
  calls integer NOT NULL,
  PRIMARY KEY (operation, day)
);
)sql"},
      // The lists' order for text, as a function the lists sorted by; replaced by 8. The
      // text's runs of digits and of other characters in order; translate() lowers ASCII
      // letters alone (lower() would follow the database's locale).
      {7, "natural_key(text), the lists' order for names", kNaturalKeyFunctionSql},
      // SQLite's migration 6: stored sort keys, which the store computes (natural_order.h)
      // and fills for older rows when it opens, so 7's copy of the rule in SQL goes.
      {8, schemaMigrations()[5].summary, R"sql(
ALTER TABLE campaigns ADD COLUMN name_key text COLLATE "C";
ALTER TABLE flows ADD COLUMN name_key text COLLATE "C";
ALTER TABLE flows ADD COLUMN trigger_name_key text COLLATE "C";
ALTER TABLE forms ADD COLUMN name_key text COLLATE "C";
ALTER TABLE segments ADD COLUMN name_key text COLLATE "C";
CREATE INDEX campaigns_by_name_key ON campaigns (name_key, id);
CREATE INDEX flows_by_name_key ON flows (name_key, id);
CREATE INDEX forms_by_name_key ON forms (name_key, id);
CREATE INDEX segments_by_name_key ON segments (name_key, id);
DROP FUNCTION natural_key(text);
)sql"},
      // 8 dropped the function that instances still at 7 sort by, and they keep serving
      // until a rolling upgrade replaces them (docs/deploy.md): it is back, unused by this
      // version. A later migration may drop it once no instance older than 8 can run.
      {9, "natural_key(text) again, for instances at migration 7 during a rolling upgrade", kNaturalKeyFunctionSql},
  };
  return kMigrations;
}

// Numbers that no other use of advisory locks in the database is likely to pick.
constexpr std::int64_t kMigrationLock = 0x6c69766564617461;  // "livedata"
constexpr std::int64_t kWriteLeaseLock = 0x6c6976656c656164;  // "liveload"

// The write lease (Store::holdWriteLease): a session-scoped advisory lock on a session of
// its own. The server ends that session, and so frees the lock, when the holder dies (its
// socket closes) or stays silent for writeLeaseMs (idle_session_timeout): a paused or cut-off
// holder loses the lease without doing anything. Each new holder increments the fencing
// token in write_fence; checkFence() refuses a transaction whose token is not the latest.
class PostgresLease {
 public:
  PostgresLease(std::string url, const StoreOptions& options) : url_(std::move(url)), leaseMs_(options.writeLeaseMs) {}

  bool hold() {
    const auto now = std::chrono::steady_clock::now();
    if (session_) {
      // Within a quarter of the lease since the last proof of life the server cannot have
      // timed the session out; anything else that ended it, the fence check catches.
      if (now - confirmedAt_ < std::chrono::milliseconds(leaseMs_ / 4)) return true;
      try {
        session_->queryInteger("SELECT 1");
        confirmedAt_ = now;
        return true;
      } catch (const std::exception&) {
        session_.reset();
        token_ = 0;
      }
    }
    try {
      auto session = std::make_unique<postgres::Connection>(url_);
      session->execute("SET idle_session_timeout = " + std::to_string(leaseMs_));
      if (session->queryText("SELECT pg_try_advisory_lock(" + std::to_string(kWriteLeaseLock) + ")") != "t") {
        return false;
      }
      // Waits, when a former holder's write transaction still holds the row, until the
      // server ends that transaction (idle_in_transaction_session_timeout, openWriter).
      token_ = session->queryInteger("UPDATE write_fence SET token = token + 1 RETURNING token");
      session_ = std::move(session);
      confirmedAt_ = now;
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  std::int64_t token() const { return session_ ? token_ : 0; }

 private:
  const std::string url_;
  const int leaseMs_;
  std::unique_ptr<postgres::Connection> session_;  // holds the advisory lock while set
  std::int64_t token_ = 0;
  std::chrono::steady_clock::time_point confirmedAt_{};
};

// A thread that LISTENs on livedata_changes and calls wake() on every notification, after
// every (re)connection (notifications sent meanwhile are lost) and at least every second.
class ChangeWatcher {
 public:
  ChangeWatcher(std::string url, std::function<void()> wake)
      : url_(std::move(url)), wake_(std::move(wake)), thread_([this] { run(); }) {}
  ~ChangeWatcher() {
    stopping_ = true;
    thread_.join();
  }
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

 private:
  void run() {
    using Clock = std::chrono::steady_clock;
    constexpr auto kLookEvery = std::chrono::seconds(1);
    constexpr int kPollMs = 200;  // how soon stop() is noticed
    std::unique_ptr<postgres::Connection> listener;
    auto lastLook = Clock::now();
    while (!stopping_) {
      if (!listener || listener->broken()) {
        listener.reset();
        try {
          listener = std::make_unique<postgres::Connection>(url_);
          listener->execute("LISTEN livedata_changes");
        } catch (const std::exception&) {
          listener.reset();
          std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
          continue;
        }
        lastLook = Clock::now();
        wake_();
      }
      pollfd socket{PQsocket(listener->handle()), POLLIN, 0};
      ::poll(&socket, 1, kPollMs);
      if (PQconsumeInput(listener->handle()) == 0) {
        listener.reset();
        continue;
      }
      bool notified = false;
      while (PGnotify* notification = PQnotifies(listener->handle())) {
        notified = true;
        PQfreemem(notification);
      }
      if (notified || Clock::now() - lastLook >= kLookEvery) {
        lastLook = Clock::now();
        wake_();
      }
    }
  }

  const std::string url_;
  const std::function<void()> wake_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts once the rest is built
};

// Applies the migrations the database lacks, each in its own transaction with its row in
// schema_migrations. A transaction-scoped advisory lock serialises instances starting
// together, so no step is applied twice. Throws on a database from a newer server.
void migratePostgres(postgres::Connection& connection) {
  connection.execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, summary text NOT NULL, "
      "applied_at timestamptz NOT NULL DEFAULT now())");
  const int latest = static_cast<int>(postgresMigrations().size());
  for (const Migration& migration : postgresMigrations()) {
    postgres::Transaction transaction(connection, postgres::Transaction::Kind::write);
    connection.execute("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
    const auto current = connection.queryInteger("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (current > latest) {
      throw postgres::Error("database schema version " + std::to_string(current) + " is newer than this server's (" +
                            std::to_string(latest) + ")");
    }
    if (current >= migration.version) continue;  // rolls back the empty transaction
    try {
      connection.execute(migration.sql);
    } catch (const postgres::Error& error) {
      throw postgres::Error("migration " + std::to_string(migration.version) + " (" + migration.summary +
                            ") failed: " + error.what());
    }
    auto record = connection.use("INSERT INTO schema_migrations (version, summary) VALUES (?1, ?2)");
    record->bind(1, static_cast<std::int64_t>(migration.version)).bind(2, migration.summary).run();
    transaction.commit();
  }
}

struct PostgresEngine {
  using Connection = postgres::Connection;
  using Transaction = postgres::Transaction;
  static constexpr const char* kName = "postgres";
  static constexpr Transaction::Kind kWrite = Transaction::Kind::write;
  static constexpr Transaction::Kind kSnapshot = Transaction::Kind::snapshot;
  static constexpr const char* kAppendChangeSql =
      "WITH next AS (UPDATE change_versions SET last = last + 1 RETURNING last) "
      "INSERT INTO changes (version, committed_at_ms, entity, keys) "
      "SELECT last, ?1::bigint, ?2::text, ?3::text FROM next RETURNING version";
  static constexpr const char* kLastChangeVersionSql = "SELECT last FROM change_versions";

  static std::unique_ptr<Connection> openWriter(const std::string& url, const StoreOptions& options) {
    auto writer = std::make_unique<Connection>(url);
    migratePostgres(*writer);
    // A writer paused inside a transaction holds write_fence's row; the server ends it after
    // the lease, so the next holder is not kept waiting by it.
    writer->execute("SET idle_in_transaction_session_timeout = " + std::to_string(options.writeLeaseMs));
    return writer;
  }

  static std::unique_ptr<Connection> openReader(const std::string& url) { return std::make_unique<Connection>(url); }

  static bool usable(const Connection& connection) { return !connection.broken(); }

  static bool corrupt(const std::exception& failure) {
    const auto* error = dynamic_cast<const postgres::Error*>(&failure);
    return error != nullptr && error->corrupt();
  }

  static void ping(const std::string& url) {
    Connection probe(url);
    probe.queryInteger("SELECT count(*) FROM sync_cursors");
  }

  using Lease = PostgresLease;

  static void checkFence(Connection& writer, std::int64_t token) {
    auto latest = writer.use("SELECT token FROM write_fence FOR UPDATE");
    const std::int64_t current = latest->step() ? latest->integer(0) : 0;
    if (token == 0 || current != token) {
      throw postgres::Error("refused by the write fence: this instance's lease (token " + std::to_string(token) +
                            ") is not the latest (token " + std::to_string(current) + ")");
    }
  }

  using Watcher = ChangeWatcher;
  static std::unique_ptr<Watcher> watch(const std::string& url, std::function<void()> wake) {
    return std::make_unique<Watcher>(url, std::move(wake));
  }
};

}  // namespace

Expected<std::unique_ptr<Store>, std::string> openPostgresStore(const std::string& url, const StoreOptions& options) {
  try {
    return SqlStore<PostgresEngine>::open(url, options);
  } catch (const std::exception& error) {
    return "store: cannot open " + postgres::redacted(url) + ": " + error.what();
  }
}

}  // namespace livedata::server
