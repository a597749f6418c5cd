// The one implementation of the Store's semantics (store.h), over either engine: the same
// statements (entity_tables.h), transactions, change log and reads, so the two engines
// cannot drift apart. Internal to the store module; sqlite_store.cpp and
// postgres_store.cpp instantiate it with their Engine:
//
//   struct Engine {
//     using Connection = ...;  using Transaction = ...;   // sqlite.h / postgres.h shapes
//     static constexpr const char* kName;                 // Store::engine()
//     static constexpr Transaction::Kind kWrite, kSnapshot;
//     // Opens a writer connection, migrated; a reader connection. Throw on failure.
//     static std::unique_ptr<Connection> openWriter(const std::string& location, const StoreOptions&);
//     static std::unique_ptr<Connection> openReader(const std::string& location);
//     static bool usable(const Connection&);              // false once its link broke
//     // Appends (?1 committed_at_ms, ?2 entity, ?3 keys) to `changes`, RETURNING version:
//     // one more than the last version ever used, never reused.
//     static const char* const kAppendChangeSql;
//     static const char* const kLastChangeVersionSql;      // that last version, 0 before any
//     static void ping(const std::string& location);      // a real query on a new connection
//     static bool corrupt(const std::exception& failure);  // it found the stored data damaged
//     // The write lease (Store::holdWriteLease): hold() takes or confirms it, token() is its
//     // fencing token (0: none); checkFence() runs first in every write transaction and
//     // throws when the token is no longer the latest.
//     class Lease { Lease(location, options); bool hold(); std::int64_t token() const; };
//     static void checkFence(Connection& writer, std::int64_t token);
//     // Calls wake() whenever other processes may have committed, from a thread of its own,
//     // until destroyed; null when no other process can (SQLite).
//     static std::unique_ptr<Watcher> watch(const std::string& location, std::function<void()> wake);
//   };
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "store/connection_pool.h"
#include "store/entity_tables.h"
#include "store/store.h"

namespace livedata::server {

template <typename Engine>
class SqlStore final : public Store {
  using Connection = typename Engine::Connection;
  using Transaction = typename Engine::Transaction;

 public:
  static std::unique_ptr<Store> open(const std::string& location, const StoreOptions& options) {
    auto writer = Engine::openWriter(location, options);
    {
      Transaction transaction(*writer, Engine::kWrite);
      for (const Entity entity : kAllEntities) {
        tables::visitRowType(entity, [&](auto table) { decltype(table)::fillMissingSortKeys(*writer); });
      }
      transaction.commit();
    }
    const std::int64_t lastVersion = writer->queryInteger(Engine::kLastChangeVersionSql);
    std::unique_ptr<SqlStore> store(new SqlStore(location, std::move(writer), lastVersion, options));
    // Each entity's newest change, in one pass over the log; an entity it does not name stays
    // at 0 (Store::dataVersion).
    auto newest = store->writer_->use("SELECT entity, max(version) FROM changes GROUP BY entity");
    while (newest->step()) {
      if (const auto entity = entityFromName(newest->text(0))) {
        store->versions_[static_cast<std::size_t>(*entity)].store(static_cast<std::uint64_t>(newest->integer(1)));
      }
    }
    store->watcher_ = Engine::watch(location, [raw = store.get()] { raw->catchUp(); });
    return store;
  }

  const char* engine() const override { return Engine::kName; }

  Expected<CommittedPage, std::string> commitPage(Entity entity, const EntityRows& rows,
                                                  const std::optional<SyncCursor>& cursor, FieldGroup group) override {
    const Entity rowsEntity = std::visit(
        [](const auto& list) { return RecordSchema<typename std::decay_t<decltype(list)>::value_type>::entity; }, rows);
    if (group == FieldGroup::statistics && !hasStatistics(entity)) {
      return std::string("store: ") + nameOf(entity) + " have no statistics";
    }
    if (rowsEntity != entity && server::rowCount(rows) > 0) {
      return std::string("store: rows of ") + nameOf(rowsEntity) + " committed as " + nameOf(entity);
    }
    // A statistics commit always changes what the lists serve (their statisticsAsOf), so it
    // is logged as a change of the whole entity even when no figure moved.
    const bool statistics = group == FieldGroup::statistics;
    return commitChange(entity, statistics, std::string("store: cannot commit a page of ") + nameOf(entity),
                        [&](Connection& writer, Change& change) {
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

  Expected<CommittedPage, std::string> removeRows(Entity entity, const std::vector<std::string>& ids) override {
    if (entity == Entity::metrics) return std::string("store: the daily metrics are not removed by id");
    return commitChange(entity, false, std::string("store: cannot remove rows of ") + nameOf(entity),
                        [&](Connection& writer, Change& change) {
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

  std::optional<SyncCursor> cursor(Entity entity) const override {
    auto result = readSnapshot<std::optional<SyncCursor>>("read a cursor", [&](Connection& c) {
      auto query = c.use("SELECT updated_at, id FROM sync_cursors WHERE entity = ?1");
      query->bind(1, nameOf(entity));
      if (!query->step()) return std::optional<SyncCursor>{};
      return std::optional<SyncCursor>{SyncCursor{query->integer(0), query->text(1)}};
    });
    // A cursor that cannot be read is treated as absent: the sync then starts over, which is
    // slower but correct (upserts are idempotent).
    return result ? std::move(result).value() : std::nullopt;
  }

  std::optional<std::string> resetCursor(Entity entity) override {
    std::lock_guard<std::mutex> lock(writeMutex_);
    try {
      auto& writer = usableWriter();
      auto forget = writer.use("DELETE FROM sync_cursors WHERE entity = ?1");
      forget->bind(1, nameOf(entity)).run();
      return std::nullopt;
    } catch (const std::exception& error) {
      noteDamage(error);
      return std::string("store: cannot reset the cursor of ") + nameOf(entity) + ": " + error.what();
    }
  }

  Expected<ListPage, std::string> list(Entity entity, const ListQuery& query) const override {
    if (entity == Entity::metrics) return std::string("store: metrics are not a list");
    if (query.limit < 1 || query.offset < 0) return std::string("store: limit must be positive and offset not negative");
    return tables::visitRowType(entity, [&](auto table) -> Expected<ListPage, std::string> {
      using Table = decltype(table);
      const std::string sortBy = Table::sortExpressionForField(query.sortField);
      if (sortBy.empty()) return std::string("store: cannot sort ") + Table::table + " by '" + query.sortField + "'";
      // Only constants and whitelisted column names reach the SQL text; values are bound.
      // The status parameter is ?3 so that a page without it numbers ?1 ?2 without a gap.
      // Ties (names equal but for case, say) go by id, so pages never overlap.
      const std::string where = query.status ? " WHERE status = ?3" : "";
      const std::string order = std::string(" ORDER BY ") + sortBy + (query.descending ? " DESC" : " ASC") +
                                (sortBy == "id" ? "" : ", id ASC");
      const std::string pageSql = selectSql<Table>(where + order + " LIMIT ?1 OFFSET ?2");
      const std::string countSql =
          std::string("SELECT count(*) FROM ") + Table::table + (query.status ? " WHERE status = ?1" : "");
      return readSnapshot<ListPage>("list rows", [&](Connection& c) {
        ListPage page;
        {
          auto rows = c.use(pageSql);
          rows->bind(1, query.limit).bind(2, query.offset);
          if (query.status) rows->bind(3, *query.status);
          page.items = readRows<Table>(*rows);
        }
        {
          auto count = c.use(countSql);
          if (query.status) count->bind(1, *query.status);
          page.total = count->step() ? count->integer(0) : 0;
        }
        auto asOf = c.use("SELECT as_of_ms FROM statistics_runs WHERE entity = ?1");
        asOf->bind(1, nameOf(entity));
        if (asOf->step()) page.statisticsAsOfMs = asOf->integer(0);
        return page;
      });
    });
  }

  Expected<MetricsOverview, std::string> overview(DayNumber from, DayNumber to) const override {
    using Table = tables::Table<DailyMetrics>;
    static const std::string kSql = selectSql<Table>(" WHERE day BETWEEN ?1 AND ?2 ORDER BY day");
    return readSnapshot<MetricsOverview>("read metrics", [&](Connection& c) {
      MetricsOverview overview;
      auto rows = c.use(kSql);
      rows->bind(1, from).bind(2, to);
      overview.series = readRows<Table>(*rows);
      // Summed here rather than with SUM(): the same additions in the same order as the
      // in-memory renderer, so the rounded totals agree to the last digit, on either engine.
      for (const DailyMetrics& day : overview.series) {
        overview.sends += day.sends;
        overview.opens += day.opens;
        overview.clicks += day.clicks;
        overview.revenue += day.revenue;
      }
      return overview;
    });
  }

  Expected<std::optional<DayNumber>, std::string> latestMetricsDay() const override {
    return readSnapshot<std::optional<DayNumber>>("read metrics", [](Connection& c) {
      auto query = c.use("SELECT max(day) FROM metrics");
      if (!query->step() || query->isNull(0)) return std::optional<DayNumber>{};
      return std::optional<DayNumber>{query->integer(0)};
    });
  }

  Expected<EntityRows, std::string> allRows(Entity entity) const override {
    return tables::visitRowType(entity, [&](auto table) {
      using Table = decltype(table);
      const std::string sql = selectSql<Table>(std::string(" ORDER BY ") + Table::keyColumn());
      return readSnapshot<EntityRows>("read rows", [&](Connection& c) {
        auto rows = c.use(sql);
        return EntityRows(readRows<Table>(*rows));
      });
    });
  }

  Expected<std::int64_t, std::string> rowCount(Entity entity) const override {
    return tables::visitRowType(entity, [&](auto table) {
      using Table = decltype(table);
      const std::string sql = std::string("SELECT count(*) FROM ") + Table::table;
      return readSnapshot<std::int64_t>("count rows", [&](Connection& c) {
        auto count = c.use(sql);
        return count->step() ? count->integer(0) : std::int64_t{0};
      });
    });
  }

  Expected<std::vector<std::string>, std::string> absentIds(
      Entity entity, const std::unordered_set<std::string>& present) const override {
    if (entity == Entity::metrics) return std::string("store: the daily metrics have no ids");
    return tables::visitRowType(entity, [&](auto table) {
      using Table = decltype(table);
      const std::string sql = std::string("SELECT id FROM ") + Table::table + " ORDER BY id";
      return readSnapshot<std::vector<std::string>>("read ids", [&](Connection& c) {
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

  Expected<int, std::string> upstreamCallsOn(std::string_view operation, DayNumber day) const override {
    return readSnapshot<int>("read the upstream's calls", [&](Connection& c) {
      auto calls = c.use("SELECT calls FROM upstream_calls WHERE operation = ?1 AND day = ?2");
      calls->bind(1, operation).bind(2, day);
      return calls->step() ? static_cast<int>(calls->integer(0)) : 0;
    });
  }

  std::optional<std::string> countUpstreamCall(std::string_view operation, DayNumber day) override {
    std::lock_guard<std::mutex> lock(writeMutex_);
    try {
      auto count = usableWriter().use(
          "INSERT INTO upstream_calls (operation, day, calls) VALUES (?1, ?2, 1) "
          "ON CONFLICT (operation, day) DO UPDATE SET calls = upstream_calls.calls + 1");
      count->bind(1, operation).bind(2, day).run();
      // Only today's count is read (and yesterday's, by an instance whose clock is behind):
      // older days go, so the table holds a few rows per budgeted operation for good.
      auto prune = usableWriter().use("DELETE FROM upstream_calls WHERE day < ?1");
      prune->bind(1, day - 1).run();
      return std::nullopt;
    } catch (const std::exception& error) {
      noteDamage(error);
      return "store: cannot count a call of " + std::string(operation) + ": " + error.what();
    }
  }

  std::optional<std::string> ping() const override {
    {
      std::lock_guard<std::mutex> lock(damageMutex_);
      const auto since = std::chrono::steady_clock::now() - lastDamage_.at;
      if (!lastDamage_.message.empty() && since < std::chrono::milliseconds(options_.damageHoldMs)) {
        return "store: the database is damaged (met " +
               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) +
               " s ago): " + lastDamage_.message;
      }
    }
    try {
      Engine::ping(location_);
      return std::nullopt;
    } catch (const std::exception& error) {
      return std::string("store: cannot answer a ping: ") + error.what();
    }
  }

  std::uint64_t dataVersion(Entity entity) const override {
    return versions_[static_cast<std::size_t>(entity)].load(std::memory_order_acquire);
  }

  std::int64_t changeVersion() const override { return changeVersion_.load(std::memory_order_acquire); }

  void observeChanges(std::int64_t afterVersion, ChangeObserver observer) override {
    std::lock_guard<std::mutex> lock(deliverMutex_);
    observer_ = std::move(observer);
    if (!observer_) return;  // delivery stopped
    // Delivered before the observer was set. Should the log not answer, the observer's next
    // change does not follow its last: a gap, as when changes left the log unseen.
    const std::int64_t delivered = changeVersion_.load();
    while (afterVersion < delivered) {
      auto missed = changesAfter(afterVersion);
      if (!missed || missed.value().empty()) return;
      for (const Change& change : missed.value()) {
        if (change.version > delivered) return;  // not delivered yet: it will be
        observer_(change, /*committedHere=*/false);
        afterVersion = change.version;
      }
    }
  }

  bool holdWriteLease() override {
    std::lock_guard<std::mutex> lock(leaseMutex_);
    return lease_.hold();
  }

  std::int64_t fencingToken() const override {
    std::lock_guard<std::mutex> lock(leaseMutex_);
    return lease_.token();
  }

  Expected<std::vector<Change>, std::string> recentChanges(std::size_t limit) const override {
    return readSnapshot<std::vector<Change>>("read the change log", [&](Connection& c) {
      auto rows = c.use(
          "SELECT version, committed_at_ms, entity, keys FROM "
          "(SELECT * FROM changes ORDER BY version DESC LIMIT ?1) AS newest ORDER BY version");
      rows->bind(1, static_cast<std::int64_t>(limit));
      std::vector<Change> changes;
      while (rows->step()) changes.push_back(readChange(*rows));
      return changes;
    });
  }

 private:
  SqlStore(std::string location, std::unique_ptr<Connection> writer, std::int64_t lastVersion, const StoreOptions& options)
      : location_(std::move(location)),
        options_(options),
        writer_(std::move(writer)),
        readers_([location = location_] { return Engine::openReader(location); },
                 [](const Connection& connection) { return Engine::usable(connection); }, options.readConnections),
        lease_(location_, options),
        changeVersion_(lastVersion) {}

  // Moves the versions to `change` and tells the observer. REQUIRES: deliverMutex_, and
  // change.version > changeVersion_.
  void deliver(const Change& change) {
    const bool committedHere = change.version == ownPendingVersion_;
    versions_[static_cast<std::size_t>(change.entity)].store(static_cast<std::uint64_t>(change.version),
                                                            std::memory_order_release);
    changeVersion_.store(change.version, std::memory_order_release);
    if (observer_) observer_(change, committedHere);
  }

  static constexpr std::int64_t kChangesPerRead = 1000;

  // The oldest kChangesPerRead changes in the log after `version`, oldest first.
  Expected<std::vector<Change>, std::string> changesAfter(std::int64_t version) const {
    return readSnapshot<std::vector<Change>>("read the change log", [&](Connection& c) {
      auto rows = c.use(
          "SELECT version, committed_at_ms, entity, keys FROM changes WHERE version > ?1 ORDER BY version LIMIT ?2");
      rows->bind(1, version).bind(2, kChangesPerRead);
      std::vector<Change> changes;
      while (rows->step()) changes.push_back(readChange(*rows));
      return changes;
    });
  }

  // Delivers what the log holds after the last change delivered. REQUIRES: deliverMutex_.
  void catchUpLocked() {
    for (;;) {
      auto newer = changesAfter(changeVersion_.load());
      if (!newer) return;  // the watcher tries again on its next wake
      for (const Change& change : newer.value()) deliver(change);
      if (static_cast<std::int64_t>(newer.value().size()) < kChangesPerRead) return;
    }
  }

  void catchUp() {
    std::lock_guard<std::mutex> lock(deliverMutex_);
    catchUpLocked();
  }

  static std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  template <typename Table>
  static std::string selectSql(const std::string& rest) {
    return "SELECT " + Table::columnList() + " FROM " + Table::table + rest;
  }

  template <typename Table, typename Statement>
  static std::vector<typename Table::Row> readRows(Statement& statement) {
    std::vector<typename Table::Row> rows;
    while (statement.step()) rows.push_back(Table::read(statement));
    return rows;
  }

  // A log row as appendChange wrote it. Only the store writes the table: a row that does
  // not parse is a damaged database.
  template <typename Statement>
  static Change readChange(const Statement& row) {
    Change change;
    change.version = row.integer(0);
    change.committedAtMs = row.integer(1);
    const std::string entity = row.text(2);
    const auto parsed = entityFromName(entity);
    if (!parsed) throw std::runtime_error("the change log names an unknown entity '" + entity + "'");
    change.entity = *parsed;
    const auto keys = nlohmann::json::parse(row.text(3), nullptr, /*allow_exceptions=*/false);
    if (!keys.is_array()) throw std::runtime_error("the change log holds keys that are not a JSON array");
    for (const auto& key : keys) {
      if (!key.is_string()) throw std::runtime_error("the change log holds a key that is not a string");
      change.keys.push_back(key.template get<std::string>());
    }
    return change;
  }

  // Upserts `rows`, naming the first kMaxKeysPerChange changed ones in `change`. Returns how
  // many changed.
  template <typename Table, typename Row>
  static std::size_t upsertRows(Connection& writer, const std::vector<Row>& rows, FieldGroup group, Change& change) {
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

  // Appends `change` to the log (setting its version) and trims the log to its capacity.
  void appendChange(Connection& writer, Change& change) {
    auto append = writer.use(Engine::kAppendChangeSql);
    append->bind(1, change.committedAtMs).bind(2, nameOf(change.entity)).bind(3, nlohmann::json(change.keys).dump());
    if (!append->step()) throw std::runtime_error("the change log returned no version");
    change.version = append->integer(0);
    append->reset();
    auto trim = writer.use("DELETE FROM changes WHERE version <= ?1");
    trim->bind(1, change.version - static_cast<std::int64_t>(options_.changeLogCapacity)).run();
  }

  // The writer connection, opened anew when the last one broke. REQUIRES: writeMutex_.
  Connection& usableWriter() {
    if (!writer_ || !Engine::usable(*writer_)) {
      writer_.reset();
      writer_ = Engine::openWriter(location_, options_);
    }
    return *writer_;
  }

  // The one way rows are written: `write(writer, change)` runs in ONE write transaction,
  // after the fence check, naming changed keys in `change` and returning how many rows
  // changed; when any did (or `alwaysLogged`), the change is appended to the log in the same
  // transaction (its keys emptied, "the whole entity", past kMaxKeysPerChange), and once
  // committed it is delivered. Without the write lease nothing is tried. An exception rolls
  // everything back and becomes `failure` + its message.
  template <typename Write>
  Expected<CommittedPage, std::string> commitChange(Entity entity, bool alwaysLogged, const std::string& failure,
                                                    Write write) {
    std::lock_guard<std::mutex> lock(writeMutex_);
    CommittedPage committed;
    Change change;
    std::int64_t token = 0;
    {
      std::lock_guard<std::mutex> leaseLock(leaseMutex_);
      if (!lease_.hold()) return failure + ": another instance holds the write lease (docs/backend.md)";
      token = lease_.token();
    }
    // A writer whose link broke since its last commit (the server restarted) fails at once;
    // the commit is then tried once more on a new connection. Should the link have broken
    // during COMMIT itself, the second try finds the rows already there (upserts and
    // deletes are idempotent) and changes nothing.
    for (int attempt = 1;; ++attempt) {
      committed = CommittedPage{};
      change = Change{};
      change.entity = entity;
      try {
        Connection& writer = usableWriter();
        Transaction transaction(writer, Engine::kWrite);
        Engine::checkFence(writer, token);
        committed.changedRows = write(writer, change);
        if (committed.changedRows > kMaxKeysPerChange) change.keys.clear();
        if (committed.changedRows > 0 || alwaysLogged) {
          change.committedAtMs = nowMs();
          appendChange(writer, change);
          // Named before COMMIT: the listener may deliver it before this thread does.
          std::lock_guard<std::mutex> deliverLock(deliverMutex_);
          ownPendingVersion_ = change.version;
        }
        transaction.commit();
        break;
      } catch (const std::exception& error) {
        noteDamage(error);
        {
          // Not ours after all: another process may commit that number now.
          std::lock_guard<std::mutex> deliverLock(deliverMutex_);
          ownPendingVersion_ = 0;
        }
        if (attempt == 1 && writer_ && !Engine::usable(*writer_)) continue;
        return failure + ": " + error.what();
      }
    }
    // After the commit, so a reader that sees the new version also sees the new rows.
    if (change.version > 0) {
      std::lock_guard<std::mutex> deliverLock(deliverMutex_);
      const std::int64_t delivered = changeVersion_.load();
      if (change.version == delivered + 1) deliver(change);
      else if (change.version > delivered) catchUpLocked();  // another process committed in between
      committed.change = std::move(change);
    }
    return committed;
  }

  // Runs `read` on a leased reader connection inside one snapshot transaction, turning
  // failures into messages. `what` names the operation for the message.
  // A pooled connection whose link broke since its last use (the server restarted) fails
  // its first query; the read is then tried once more on a new connection, so a restart
  // costs no request an error once the server is back.
  template <typename Result, typename Read>
  Expected<Result, std::string> readSnapshot(const char* what, Read&& read) const {
    for (int attempt = 1;; ++attempt) {
      bool linkBroke = false;
      try {
        auto connection = readers_.acquire();
        try {
          Transaction snapshot(*connection, Engine::kSnapshot);
          Result result = read(*connection);
          snapshot.commit();
          return result;
        } catch (const std::exception&) {
          linkBroke = !Engine::usable(*connection);
          throw;
        }
      } catch (const std::exception& error) {
        noteDamage(error);
        if (linkBroke && attempt == 1) {
          readers_.closeIdle();  // the try again must not meet another of them
          continue;
        }
        return std::string("store: cannot ") + what + ": " + error.what();
      }
    }
  }

  // A failure that found the stored data damaged fails the store's ping (so /readyz and the
  // health check) for StoreOptions::damageHoldMs: no retry of the statement gets past it, and
  // a ping that reads other pages would still pass.
  void noteDamage(const std::exception& failure) const {
    if (!Engine::corrupt(failure)) return;
    std::lock_guard<std::mutex> lock(damageMutex_);
    lastDamage_ = {failure.what(), std::chrono::steady_clock::now()};
  }

  const std::string location_;
  const StoreOptions options_;

  struct MetDamage {
    std::string message;  // empty: none met
    std::chrono::steady_clock::time_point at;
  };
  mutable std::mutex damageMutex_;  // a leaf: taken inside writeMutex_ and deliverMutex_, takes nothing
  mutable MetDamage lastDamage_;    // GUARDED_BY(damageMutex_)

  std::mutex writeMutex_;
  std::unique_ptr<Connection> writer_;  // GUARDED_BY(writeMutex_)
  mutable ConnectionPool<Connection> readers_;

  mutable std::mutex leaseMutex_;  // taken inside writeMutex_, never the other way round
  typename Engine::Lease lease_;   // GUARDED_BY(leaseMutex_)

  std::array<std::atomic<std::uint64_t>, kAllEntities.size()> versions_{};
  // The last version delivered (written only under deliverMutex_; read anywhere).
  std::atomic<std::int64_t> changeVersion_{0};
  // Delivery of changes, in version order, to the observer (observeChanges).
  std::mutex deliverMutex_;                      // taken inside writeMutex_, never the other way round
  ChangeObserver observer_;                      // GUARDED_BY(deliverMutex_)
  // The version this Store's commit in progress (or last commit) appended: delivered as
  // committedHere, by whichever thread delivers it.
  std::int64_t ownPendingVersion_ = 0;           // GUARDED_BY(deliverMutex_)

  // Last: destroyed first, so its thread never calls into a half-destroyed store.
  std::unique_ptr<typename Engine::Watcher> watcher_;
};

}  // namespace livedata::server
