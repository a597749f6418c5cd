#include "livedata/expected.h"
#include "store/store.h"

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "store/entity_tables.h"
#include "store/migrations.h"
#include "store/reader_pool.h"
#include "store/sqlite.h"

namespace livedata::server {
namespace {

using sqlite::Transaction;

// Writer settings. WAL lets readers go on during a commit; synchronous=NORMAL syncs at
// checkpoints only, so a power loss may drop the last commits but never corrupts the
// database, and a lost page is simply synced again from the cursor before it.
// A page of a full sync arrives in (updatedAt, id) order, so its ids land on about as many
// b-tree leaves as it has rows: a 1,000-row commit writes some 4 MB to the WAL. With the
// default checkpoint every 1,000 pages (4 MB) each commit would pay a checkpoint and its
// fsyncs; every 10,000 pages halves a million-row sync's time (measured: 200k rows, 16 s
// to 10 s). journal_size_limit truncates the WAL back after a checkpoint. The larger page
// cache keeps the trees' inner pages in memory during such syncs.
constexpr const char* kWriterPragmas =
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA wal_autocheckpoint = 10000;"
    "PRAGMA journal_size_limit = 67108864;"
    "PRAGMA cache_size = -65536;"  // KiB: 64 MiB
    "PRAGMA temp_store = MEMORY;";

std::size_t indexOf(Entity entity) { return static_cast<std::size_t>(entity); }

template <typename Table>
std::string selectSql(const std::string& rest) {
  return "SELECT " + Table::columnList() + " FROM " + Table::table + rest;
}

// Runs `read` on a leased reader connection inside one read transaction, turning failures
// into messages. `what` names the operation for the message.
template <typename Result, typename Read>
Expected<Result, std::string> readSnapshot(ReaderPool& readers, const char* what, Read&& read) {
  try {
    auto connection = readers.acquire();
    Transaction snapshot(*connection, Transaction::Kind::deferred);
    Result result = read(*connection);
    snapshot.commit();
    return result;
  } catch (const std::exception& error) {
    return std::string("store: cannot ") + what + ": " + error.what();
  }
}

// Upserts `rows`, naming the first kMaxKeysPerChange changed ones in `change`. Returns how
// many changed.
template <typename Table, typename Row>
std::size_t upsertRows(sqlite::Connection& writer, const std::vector<Row>& rows, FieldGroup group, Change& change) {
  static const std::string kAttributesSql = Table::upsertSql();
  static const std::string kStatisticsSql = hasStatistics<Row>() ? Table::statisticsUpdateSql() : std::string();
  if (group == FieldGroup::statistics && !hasStatistics<Row>()) {
    throw std::runtime_error(std::string(nameOf(Table::entity)) + " have no statistics");
  }
  std::size_t changed = 0;
  auto statement = writer.use(group == FieldGroup::attributes ? kAttributesSql : kStatisticsSql);
  for (const Row& row : rows) {
    if (group == FieldGroup::attributes) Table::bind(*statement, row);
    else Table::bindStatistics(*statement, row);
    statement->run();
    if (writer.changes() > 0) {
      if (++changed <= kMaxKeysPerChange) change.keys.push_back(keyOf(row));
    }
    statement->reset();
  }
  return changed;
}

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Appends `change` to the log (setting its version) and trims the log to `capacity`.
void appendChange(sqlite::Connection& writer, Change& change, std::size_t capacity) {
  auto append = writer.use("INSERT INTO changes (committed_at_ms, entity, keys) VALUES (?1, ?2, ?3) RETURNING version");
  append->bind(1, change.committedAtMs).bind(2, nameOf(change.entity)).bind(3, nlohmann::json(change.keys).dump());
  if (!append->step()) throw sqlite::Error("the change log returned no version");
  change.version = append->integer(0);
  append->reset();
  auto trim = writer.use("DELETE FROM changes WHERE version <= ?1");
  trim->bind(1, change.version - static_cast<std::int64_t>(capacity)).run();
}

// A log row as written by appendChange. Only the store writes the table: a row that does
// not parse is a damaged file.
Change readChange(const sqlite::Statement& row) {
  Change change;
  change.version = row.integer(0);
  change.committedAtMs = row.integer(1);
  const std::string entity = row.text(2);
  const auto parsed = entityFromName(entity);
  if (!parsed) throw sqlite::Error("the change log names an unknown entity '" + entity + "'");
  change.entity = *parsed;
  const auto keys = nlohmann::json::parse(row.text(3), nullptr, /*allow_exceptions=*/false);
  if (!keys.is_array()) throw sqlite::Error("the change log holds keys that are not a JSON array");
  for (const auto& key : keys) {
    if (!key.is_string()) throw sqlite::Error("the change log holds a key that is not a string");
    change.keys.push_back(key.get<std::string>());
  }
  return change;
}

template <typename Table>
std::vector<typename Table::Row> readRows(sqlite::Statement& statement) {
  std::vector<typename Table::Row> rows;
  while (statement.step()) rows.push_back(Table::read(statement));
  return rows;
}

}  // namespace

struct Store::Impl {
  Impl(const std::string& path, std::unique_ptr<sqlite::Connection> writerConnection, const StoreOptions& options)
      : path(path),
        changeLogCapacity(options.changeLogCapacity),
        writer(std::move(writerConnection)),
        readers(path, options.readConnections) {}

  const std::string path;
  const std::size_t changeLogCapacity;

  std::mutex writeMutex;
  std::unique_ptr<sqlite::Connection> writer;  // GUARDED_BY(writeMutex)
  ReaderPool readers;
  std::array<std::atomic<std::uint64_t>, kAllEntities.size()> versions{};
  std::atomic<std::int64_t> changeVersion{0};

  // The one way rows are written: `write(writer, change)` runs in ONE immediate transaction,
  // naming changed keys in `change` and returning how many rows changed; when any did (or
  // `alwaysLogged`), the change is appended to the log in the same transaction (its keys
  // emptied, "the whole entity", past kMaxKeysPerChange), and once committed its version is
  // published. An exception rolls everything back and becomes `failure` + its message.
  template <typename Write>
  Expected<CommittedPage, std::string> commitChange(Entity entity, bool alwaysLogged, const std::string& failure, Write write) {
    std::lock_guard<std::mutex> lock(writeMutex);
    CommittedPage committed;
    Change change;
    change.entity = entity;
    try {
      Transaction transaction(*writer, Transaction::Kind::immediate);
      committed.changedRows = write(*writer, change);
      if (committed.changedRows > kMaxKeysPerChange) change.keys.clear();
      if (committed.changedRows > 0 || alwaysLogged) {
        change.committedAtMs = nowMs();
        appendChange(*writer, change, changeLogCapacity);
      }
      transaction.commit();
    } catch (const std::exception& error) {
      return failure + ": " + error.what();
    }
    // After the commit, so a reader that sees the new version also sees the new rows.
    if (change.version > 0) {
      versions[indexOf(entity)].fetch_add(1, std::memory_order_release);
      changeVersion.store(change.version, std::memory_order_release);
      committed.change = std::move(change);
    }
    return committed;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() = default;

Expected<std::unique_ptr<Store>, std::string> Store::open(const std::string& path, const StoreOptions& options) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    return "store: '" + path + "' is not a database file path (in-memory and URI databases are not supported)";
  }
  if (options.readConnections < 1) return std::string("store: readConnections must be at least 1");
  if (options.changeLogCapacity < 1) return std::string("store: changeLogCapacity must be at least 1");
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) return "store: cannot create folder " + parent.string() + ": " + error.message();
  }
  try {
    auto writer = std::make_unique<sqlite::Connection>(path, sqlite::Connection::Mode::readWriteCreate);
    // journal_mode answers with the mode in effect, which stays "delete" (or "memory") when
    // WAL is impossible, e.g. on a file system without shared memory.
    const std::string mode = writer->queryText("PRAGMA journal_mode = WAL");
    if (mode != "wal") throw sqlite::Error("cannot switch to WAL mode (journal mode is '" + mode + "')");
    writer->execute(kWriterPragmas);
    migrate(*writer, latestSchemaVersion());
    // AUTOINCREMENT's own record of the largest version ever used: it survives trimming.
    const std::int64_t lastVersion =
        writer->queryInteger("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'changes'");
    auto impl = std::make_unique<Impl>(path, std::move(writer), options);
    impl->changeVersion.store(lastVersion);
    return std::unique_ptr<Store>(new Store(std::move(impl)));
  } catch (const std::exception& error) {
    return "store: cannot open " + path + ": " + error.what();
  }
}

Expected<CommittedPage, std::string> Store::commitPage(Entity entity, const EntityRows& rows,
                                                       const std::optional<SyncCursor>& cursor, FieldGroup group) {
  const Entity rowsEntity = std::visit(
      [](const auto& list) { return RecordSchema<typename std::decay_t<decltype(list)>::value_type>::entity; },
      rows);
  if (group == FieldGroup::statistics && !hasStatistics(entity)) {
    return std::string("store: ") + nameOf(entity) + " have no statistics";
  }
  if (rowsEntity != entity && server::rowCount(rows) > 0) {
    return std::string("store: rows of ") + nameOf(rowsEntity) + " committed as " + nameOf(entity);
  }
  // A statistics commit always changes what the lists serve (their statisticsAsOf), so it is
  // logged as a change of the whole entity even when no figure moved.
  const bool statistics = group == FieldGroup::statistics;
  return impl_->commitChange(
      entity, statistics, std::string("store: cannot commit a page of ") + nameOf(entity),
      [&](sqlite::Connection& writer, Change& change) {
        const std::size_t changed = std::visit(
            [&](const auto& list) {
              using Row = typename std::decay_t<decltype(list)>::value_type;
              return upsertRows<tables::Table<Row>>(writer, list, group, change);
            },
            rows);
        if (statistics) {
          change.keys.clear();
          auto asOf = writer.use(
              "INSERT INTO statistics_runs (entity, as_of_ms) VALUES (?1, ?2) "
              "ON CONFLICT (entity) DO UPDATE SET as_of_ms = excluded.as_of_ms");
          asOf->bind(1, nameOf(entity)).bind(2, nowMs()).run();
        }
        if (cursor) {
          auto save = writer.use(
              "INSERT INTO sync_cursors (entity, updated_at, id) VALUES (?1, ?2, ?3) "
              "ON CONFLICT (entity) DO UPDATE SET updated_at = excluded.updated_at, id = excluded.id");
          save->bind(1, nameOf(entity)).bind(2, cursor->updatedAt).bind(3, cursor->id).run();
        }
        return changed;
      });
}

Expected<CommittedPage, std::string> Store::removeRows(Entity entity, const std::vector<std::string>& ids) {
  if (entity == Entity::metrics) return std::string("store: the daily metrics are not removed by id");
  return impl_->commitChange(
      entity, false, std::string("store: cannot remove rows of ") + nameOf(entity), [&](sqlite::Connection& writer, Change& change) {
        return tables::visitRowType(entity, [&](auto table) {
          using Table = decltype(table);
          auto remove = writer.use(std::string("DELETE FROM ") + Table::table + " WHERE id = ?1");
          std::size_t removed = 0;
          for (const std::string& id : ids) {
            remove->bind(1, id).run();
            remove->reset();
            if (writer.changes() == 0) continue;
            if (++removed <= kMaxKeysPerChange) change.keys.push_back(id);
          }
          return removed;
        });
      });
}

std::optional<SyncCursor> Store::cursor(Entity entity) const {
  auto result = readSnapshot<std::optional<SyncCursor>>(impl_->readers, "read a cursor", [&](sqlite::Connection& c) {
    auto query = c.use("SELECT updated_at, id FROM sync_cursors WHERE entity = ?1");
    query->bind(1, nameOf(entity));
    if (!query->step()) return std::optional<SyncCursor>{};
    return std::optional<SyncCursor>{SyncCursor{query->integer(0), query->text(1)}};
  });
  // A cursor that cannot be read is treated as absent: the sync then starts over, which is
  // slower but correct (upserts are idempotent).
  return result ? std::move(result).value() : std::nullopt;
}

std::optional<std::string> Store::resetCursor(Entity entity) {
  std::lock_guard<std::mutex> lock(impl_->writeMutex);
  try {
    auto forget = impl_->writer->use("DELETE FROM sync_cursors WHERE entity = ?1");
    forget->bind(1, nameOf(entity)).run();
    return std::nullopt;
  } catch (const std::exception& error) {
    return std::string("store: cannot reset the cursor of ") + nameOf(entity) + ": " + error.what();
  }
}

Expected<ListPage, std::string> Store::list(Entity entity, const ListQuery& query) const {
  if (entity == Entity::metrics) return std::string("store: metrics are not a list");
  if (query.limit < 1 || query.offset < 0) return std::string("store: limit must be positive and offset not negative");
  return tables::visitRowType(entity, [&](auto table) -> Expected<ListPage, std::string> {
    using Table = decltype(table);
    const char* sortColumn = Table::columnForField(query.sortField);
    if (!sortColumn) return std::string("store: cannot sort ") + Table::table + " by '" + query.sortField + "'";
    // Only constants and whitelisted column names reach the SQL text; values are bound.
    const std::string where = query.status ? " WHERE status = ?1" : "";
    const std::string order = std::string(" ORDER BY ") + sortColumn + (query.descending ? " DESC" : " ASC") +
                              (std::string_view(sortColumn) == "id" ? "" : ", id ASC");
    const std::string pageSql = selectSql<Table>(where + order + " LIMIT ?2 OFFSET ?3");
    const std::string countSql = std::string("SELECT count(*) FROM ") + Table::table + where;
    return readSnapshot<ListPage>(impl_->readers, "list rows", [&](sqlite::Connection& c) {
      ListPage page;
      {
        auto rows = c.use(pageSql);
        if (query.status) rows->bind(1, *query.status);
        rows->bind(2, query.limit).bind(3, query.offset);
        page.items = readRows<Table>(*rows);
      }
      auto count = c.use(countSql);
      if (query.status) count->bind(1, *query.status);
      page.total = count->step() ? count->integer(0) : 0;
      auto asOf = c.use("SELECT as_of_ms FROM statistics_runs WHERE entity = ?1");
      asOf->bind(1, nameOf(entity));
      if (asOf->step()) page.statisticsAsOfMs = asOf->integer(0);
      return page;
    });
  });
}

Expected<MetricsOverview, std::string> Store::overview(DayNumber from, DayNumber to) const {
  using Table = tables::Table<DailyMetrics>;
  static const std::string kSql = selectSql<Table>(" WHERE day BETWEEN ?1 AND ?2 ORDER BY day");
  return readSnapshot<MetricsOverview>(impl_->readers, "read metrics", [&](sqlite::Connection& c) {
    MetricsOverview overview;
    auto rows = c.use(kSql);
    rows->bind(1, from).bind(2, to);
    overview.series = readRows<Table>(*rows);
    // Summed here rather than with SUM(): the same additions in the same order as the
    // in-memory renderer, so the rounded totals agree to the last digit.
    for (const DailyMetrics& day : overview.series) {
      overview.sends += day.sends;
      overview.opens += day.opens;
      overview.clicks += day.clicks;
      overview.revenue += day.revenue;
    }
    return overview;
  });
}

Expected<std::optional<DayNumber>, std::string> Store::latestMetricsDay() const {
  return readSnapshot<std::optional<DayNumber>>(impl_->readers, "read metrics", [](sqlite::Connection& c) {
    auto query = c.use("SELECT max(day) FROM metrics");
    if (!query->step() || query->isNull(0)) return std::optional<DayNumber>{};
    return std::optional<DayNumber>{query->integer(0)};
  });
}

Expected<EntityRows, std::string> Store::allRows(Entity entity) const {
  return tables::visitRowType(entity, [&](auto table) {
    using Table = decltype(table);
    const std::string sql = selectSql<Table>(std::string(" ORDER BY ") + Table::keyColumn());
    return readSnapshot<EntityRows>(impl_->readers, "read rows", [&](sqlite::Connection& c) {
      auto rows = c.use(sql);
      return EntityRows(readRows<Table>(*rows));
    });
  });
}

Expected<std::int64_t, std::string> Store::rowCount(Entity entity) const {
  return tables::visitRowType(entity, [&](auto table) {
    using Table = decltype(table);
    const std::string sql = std::string("SELECT count(*) FROM ") + Table::table;
    return readSnapshot<std::int64_t>(impl_->readers, "count rows", [&](sqlite::Connection& c) {
      auto count = c.use(sql);
      return count->step() ? count->integer(0) : std::int64_t{0};
    });
  });
}

Expected<std::vector<std::string>, std::string> Store::absentIds(Entity entity,
                                                                 const std::unordered_set<std::string>& present) const {
  if (entity == Entity::metrics) return std::string("store: the daily metrics have no ids");
  return tables::visitRowType(entity, [&](auto table) {
    using Table = decltype(table);
    const std::string sql = std::string("SELECT id FROM ") + Table::table + " ORDER BY id";
    return readSnapshot<std::vector<std::string>>(impl_->readers, "read ids", [&](sqlite::Connection& c) {
      auto ids = c.use(sql);
      std::vector<std::string> absent;
      while (ids->step()) {
        std::string id = ids->text(0);
        if (present.count(id) == 0) absent.push_back(std::move(id));
      }
      return absent;
    });
  });
}

std::optional<std::string> Store::ping() const {
  // A new connection, not a pooled one: pooled connections keep reading a file that was
  // deleted or moved away, while every later open (a restart) would find none. Reading a
  // table, not just "SELECT 1", proves the schema is there.
  try {
    sqlite::Connection probe(impl_->path, sqlite::Connection::Mode::readOnly);
    probe.queryInteger("SELECT count(*) FROM sync_cursors");
    return std::nullopt;
  } catch (const std::exception& error) {
    return std::string("store: cannot answer a ping: ") + error.what();
  }
}

std::uint64_t Store::dataVersion(Entity entity) const {
  return impl_->versions[indexOf(entity)].load(std::memory_order_acquire);
}

std::int64_t Store::changeVersion() const { return impl_->changeVersion.load(std::memory_order_acquire); }

Expected<std::vector<Change>, std::string> Store::recentChanges(std::size_t limit) const {
  return readSnapshot<std::vector<Change>>(impl_->readers, "read the change log", [&](sqlite::Connection& c) {
    auto rows = c.use(
        "SELECT version, committed_at_ms, entity, keys FROM "
        "(SELECT * FROM changes ORDER BY version DESC LIMIT ?1) ORDER BY version");
    rows->bind(1, static_cast<std::int64_t>(limit));
    std::vector<Change> changes;
    while (rows->step()) changes.push_back(readChange(*rows));
    return changes;
  });
}

}  // namespace livedata::server
