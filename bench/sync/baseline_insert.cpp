#include "livedata/expected.h"
#include "baseline_insert.h"

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "stopwatch.h"
#include "store/store.h"

namespace livedata::bench {
namespace {

using server::Campaign;

// The store's writer settings (kWriterPragmas in mock-server/src/store/store.cpp; keep the
// two in step). WAL itself is a property of the file, set when Store::open created it.
constexpr const char* kStoreWriterPragmas =
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA wal_autocheckpoint = 10000;"
    "PRAGMA journal_size_limit = 67108864;"
    "PRAGMA cache_size = -65536;"
    "PRAGMA temp_store = MEMORY;";

// The columns of the store's campaigns table (mock-server/src/store/migrations.cpp).
constexpr const char* kInsertCampaign =
    "INSERT INTO campaigns (id, name, status, send_time, recipients, opens, clicks, revenue, open_rate,"
    " click_rate, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;
using Statement = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// Within this file SQLite failures throw; insertCampaignsPlainly turns them into a value.
void check(sqlite3* db, int code, const char* what) {
  if (code != SQLITE_OK && code != SQLITE_DONE) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

void execute(sqlite3* db, const char* sql) { check(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), sql); }

// The store's schema (tables and indexes, by its own migrations) in a new file, in WAL mode.
void createStoreSchema(const std::string& path) {
  auto opened = server::Store::open(path);
  if (!opened) throw std::runtime_error(opened.error());
}

void bindCampaign(sqlite3* db, sqlite3_stmt* insert, const Campaign& c) {
  // SQLITE_STATIC: the strings outlive the statement's step.
  check(db, sqlite3_bind_text(insert, 1, c.id.data(), static_cast<int>(c.id.size()), SQLITE_STATIC), "bind");
  check(db, sqlite3_bind_text(insert, 2, c.name.data(), static_cast<int>(c.name.size()), SQLITE_STATIC), "bind");
  check(db, sqlite3_bind_text(insert, 3, server::wordOf(c.status), -1, SQLITE_STATIC), "bind");
  check(db, sqlite3_bind_int64(insert, 4, c.sendTime), "bind");
  check(db, sqlite3_bind_int64(insert, 5, c.recipients), "bind");
  check(db, sqlite3_bind_int64(insert, 6, c.opens), "bind");
  check(db, sqlite3_bind_int64(insert, 7, c.clicks), "bind");
  check(db, sqlite3_bind_double(insert, 8, c.revenue), "bind");
  check(db, sqlite3_bind_double(insert, 9, c.openRate), "bind");
  check(db, sqlite3_bind_double(insert, 10, c.clickRate), "bind");
  check(db, sqlite3_bind_int64(insert, 11, c.updatedAt), "bind");
}

void insertBatch(sqlite3* db, sqlite3_stmt* insert, const std::vector<Campaign>& batch) {
  execute(db, "BEGIN IMMEDIATE");
  for (const Campaign& campaign : batch) {
    bindCampaign(db, insert, campaign);
    check(db, sqlite3_step(insert), "INSERT INTO campaigns");
    check(db, sqlite3_reset(insert), "reset");
  }
  execute(db, "COMMIT");
}

}  // namespace

Expected<BaselineInsertResult, std::string> insertCampaignsPlainly(const server::UpstreamAccount& account,
                                                                       const std::string& path, int batchRows) {
  BaselineInsertResult result;
  try {
    createStoreSchema(path);
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    Database db(raw);
    check(db.get(), opened, ("open " + path).c_str());
    execute(db.get(), kStoreWriterPragmas);
    sqlite3_stmt* prepared = nullptr;
    check(db.get(), sqlite3_prepare_v3(db.get(), kInsertCampaign, -1, SQLITE_PREPARE_PERSISTENT, &prepared, nullptr),
          "prepare INSERT");
    Statement insert(prepared);

    std::optional<server::SyncCursor> after;
    for (;;) {
      const Stopwatch reading;
      server::FeedPage page = account.readFeed(server::Entity::campaigns, 0, after, batchRows);
      const auto& batch = std::get<std::vector<Campaign>>(page.rows);
      result.feedReadMs += reading.elapsedMs();
      if (batch.empty()) break;

      const Stopwatch inserting;
      insertBatch(db.get(), insert.get(), batch);
      result.insertMs += inserting.elapsedMs();
      result.rows += batch.size();
      if (!page.hasMore) break;
      after = server::SyncCursor{batch.back().updatedAt, batch.back().id};
    }
  } catch (const std::exception& error) {
    return std::string("baseline insert into ") + path + ": " + error.what();
  }
  return result;
}

}  // namespace livedata::bench
