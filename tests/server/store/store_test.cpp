// The store on both engines (SQLite, and PostgreSQL started by the test harness): transactional
// pages with their cursor, the change log, and the read side the API uses; SQLite's schema
// migrations and WAL.
#include "store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "model/record_fields.h"
#include "store/migrations.h"
#include "store/entity_tables.h"
#include "store/sqlite.h"
#include "store_test_support.h"

namespace livedata::server {
namespace {

using testing::idsOf;
using testing::makeCampaign;
using testing::makeDay;
using testing::makeSegment;
using testing::openStore;
using testing::ScratchFolder;
using testing::StoreEngine;
using testing::StoreLocation;
using testing::valueOf;

constexpr UnixSeconds kT0 = 1'790'000'000;  // 2026-09-21

// Every field of a row, for equality checks (to_json leaves out a day's updatedAt).
template <typename Row>
std::string describe(const Row& row) {
  return nlohmann::ordered_json(row).dump() + "@" + std::to_string(row.updatedAt);
}

template <typename Row>
std::vector<std::string> describeAll(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const Row& row : rows) out.push_back(describe(row));
  return out;
}

std::int64_t schemaVersionOf(const std::string& path) {
  sqlite::Connection connection(path, sqlite::Connection::Mode::readOnly);
  return connection.queryInteger("PRAGMA user_version");
}

std::vector<std::string> indexNamesOf(const std::string& path) {
  sqlite::Connection connection(path, sqlite::Connection::Mode::readOnly);
  auto query = connection.use("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
  std::vector<std::string> names;
  while (query->step()) names.push_back(query->text(0));
  return names;
}

// --- Migrations

TEST(StoreMigrations, FreshDatabaseIsMigratedToTheLatestVersion) {
  ScratchFolder folder;
  const auto path = folder.file("fresh.db");
  ASSERT_NE(openStore(path), nullptr);
  EXPECT_EQ(schemaVersionOf(path), latestSchemaVersion());
  EXPECT_EQ(latestSchemaVersion(), static_cast<int>(schemaMigrations().size()));
  EXPECT_FALSE(indexNamesOf(path).empty());
}

TEST(StoreMigrations, ReopeningAppliesNothingTwice) {
  ScratchFolder folder;
  const auto path = folder.file("reopen.db");
  {
    auto store = openStore(path);
    ASSERT_NE(store, nullptr);
    ASSERT_EQ(valueOf(store->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c1", "sent", kT0)},
                                        std::nullopt))
                  .changedRows,
              1u);
  }
  {
    sqlite::Connection connection(path, sqlite::Connection::Mode::readWriteCreate);
    EXPECT_EQ(migrate(connection, latestSchemaVersion()), 0);
  }
  auto reopened = openStore(path);  // would fail on "table campaigns already exists"
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(schemaVersionOf(path), latestSchemaVersion());
  EXPECT_EQ(valueOf(reopened->rowCount(Entity::campaigns)), 1);
}

TEST(StoreMigrations, UpgradesADatabaseAtVersionOneKeepingItsRows) {
  ScratchFolder folder;
  const auto path = folder.file("v1.db");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  {
    sqlite::Connection connection(path, sqlite::Connection::Mode::readWriteCreate);
    EXPECT_EQ(migrate(connection, 1), 1);
    connection.execute(
        "INSERT INTO segments (id, name, status, members, growth, updated_at) "
        "VALUES ('seg_1', 'Old', 'active', 12, 0.5, 1790000000)");
  }
  ASSERT_EQ(schemaVersionOf(path), 1);
  ASSERT_TRUE(indexNamesOf(path).empty());

  auto store = openStore(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(schemaVersionOf(path), latestSchemaVersion());
  const auto indexes = indexNamesOf(path);
  EXPECT_NE(std::find(indexes.begin(), indexes.end(), "campaigns_by_status"), indexes.end());
  EXPECT_NE(std::find(indexes.begin(), indexes.end(), "segments_by_updated_at"), indexes.end());
  const auto rows = valueOf(store->allRows(Entity::segments));
  EXPECT_EQ(idsOf<Segment>(rows), std::vector<std::string>{"seg_1"});
}

TEST(StoreMigrations, RefusesADatabaseFromANewerServer) {
  ScratchFolder folder;
  const auto path = folder.file("newer.db");
  ASSERT_NE(openStore(path), nullptr);
  {
    sqlite::Connection connection(path, sqlite::Connection::Mode::readWriteCreate);
    connection.execute("PRAGMA user_version = " + std::to_string(latestSchemaVersion() + 1));
  }
  auto opened = Store::open(path);
  ASSERT_TRUE(!opened.ok());
  EXPECT_NE(opened.error().find("newer"), std::string::npos) << opened.error();
}

// --- Opening

TEST(Store, RunsInWalModeAndCreatesItsFolder) {
  ScratchFolder folder;
  const auto path = folder.file("nested/deeper/live.db");
  auto store = openStore(path);
  ASSERT_NE(store, nullptr);
  sqlite::Connection connection(path, sqlite::Connection::Mode::readOnly);
  EXPECT_EQ(connection.queryText("PRAGMA journal_mode"), "wal");
}

TEST(Store, RefusesInMemoryDatabases) {
  auto opened = Store::open(":memory:");
  ASSERT_TRUE(!opened.ok());
  EXPECT_NE(opened.error().find(":memory:"), std::string::npos);
}

TEST(Store, ReportsAPathItCannotOpen) {
  ScratchFolder folder;
  const auto path = folder.file("a-folder.db");
  std::filesystem::create_directories(path);  // a folder where the file should be
  auto opened = Store::open(path);
  ASSERT_TRUE(!opened.ok());
  EXPECT_NE(opened.error().find(path), std::string::npos) << opened.error();
}

// Damage: the first bytes of the campaigns table's root page overwritten, as a failing disk
// or a stray write would leave them. The store must be closed (its WAL checkpointed into the
// file) before, so the damaged page is the one SQLite reads.
void damageTheCampaignsTable(const std::string& path) {
  std::int64_t pageSize = 0;
  std::int64_t rootPage = 0;
  {
    sqlite::Connection inspect(path, sqlite::Connection::Mode::readOnly);
    pageSize = inspect.queryInteger("PRAGMA page_size");
    rootPage = inspect.queryInteger("SELECT rootpage FROM sqlite_master WHERE name = 'campaigns'");
  }
  ASSERT_GT(rootPage, 1);
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>((rootPage - 1) * pageSize));
  const std::string garbage(16, '\xff');
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  ASSERT_TRUE(file.good());
}

// A store at `path`, closed, whose campaigns table spans several pages (300 rows).
void writeManyCampaigns(const std::string& path) {
  std::vector<Campaign> campaigns;
  for (int i = 0; i < 300; ++i) campaigns.push_back(makeCampaign("c" + std::to_string(i), "sent", kT0 + i));
  auto store = openStore(path);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->commitPage(Entity::campaigns, campaigns, std::nullopt).ok());
}

TEST(Store, RefusesToOpenADamagedFileNamingTheDamage) {
  ScratchFolder folder;
  const auto path = folder.file("live.db");
  ASSERT_NO_FATAL_FAILURE(writeManyCampaigns(path));
  ASSERT_NO_FATAL_FAILURE(damageTheCampaignsTable(path));
  auto opened = Store::open(path);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().find(path), std::string::npos) << opened.error();
  EXPECT_NE(opened.error().find("damaged"), std::string::npos) << opened.error();
}

// Damage met while serving (the file changed under a running server) fails the reads that
// meet it, and the store's ping, which /readyz and the health check ask, for damageHoldMs
// after each such read: a ping that reads another table would pass meanwhile, and damage
// repaired without a restart stops failing it.
TEST(Store, DamageMetWhileRunningFailsThePingForAWhileAfterEachReadThatMeetsIt) {
  ScratchFolder folder;
  const auto path = folder.file("live.db");
  ASSERT_NO_FATAL_FAILURE(writeManyCampaigns(path));
  StoreOptions options;
  options.damageHoldMs = 1000;
  auto opened = Store::open(path, options);
  ASSERT_TRUE(opened.ok()) << opened.error();
  const auto& store = opened.value();
  EXPECT_EQ(store->ping(), std::nullopt);
  ASSERT_NO_FATAL_FAILURE(damageTheCampaignsTable(path));
  EXPECT_EQ(store->ping(), std::nullopt);  // its own query reads sync_cursors, which is intact
  ASSERT_FALSE(store->allRows(Entity::campaigns).ok());
  const auto ping = store->ping();
  ASSERT_TRUE(ping.has_value());
  EXPECT_NE(ping->find("damaged"), std::string::npos) << *ping;
  EXPECT_NE(ping->find("malformed"), std::string::npos) << *ping;  // SQLite's own word for it
  // Well past the hold with no read meeting the damage, the ping passes again ...
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(store->ping(), std::nullopt);
  // ... and the next read that meets it fails it again.
  ASSERT_FALSE(store->allRows(Entity::campaigns).ok());
  EXPECT_TRUE(store->ping().has_value());
}

// PostgreSQL names damage by its error code (data_corrupted XX001, index_corrupted XX002):
// a read that meets it fails, and the ping with it, as with SQLite's file above. The damage
// is made as a failing disk would: the campaigns table's first page header overwritten while
// the server is stopped (its clean stop wrote every page out), so the restarted server reads
// it from the file.
TEST(PostgresStore, DamageMetWhileRunningFailsThePing) {
  LIVEDATA_REQUIRE_ENGINE(StoreEngine::postgres);
  livedata::testing::PostgresProcess server;
  StoreOptions options;
  options.damageHoldMs = 60'000;
  auto opened = Store::open(server.url(), options);
  ASSERT_TRUE(opened.ok()) << opened.error();
  const auto& store = opened.value();
  std::vector<Campaign> campaigns;
  for (int i = 0; i < 300; ++i) campaigns.push_back(makeCampaign("c" + std::to_string(i), "sent", kT0 + i));
  ASSERT_TRUE(store->commitPage(Entity::campaigns, campaigns, std::nullopt).ok());
  const std::string tableFile = postgres::Connection(server.url())
                                    .queryText("SELECT current_setting('data_directory') || '/' || "
                                               "pg_relation_filepath('campaigns')");

  server.stop();
  {
    std::fstream file(tableFile, std::ios::in | std::ios::out | std::ios::binary);
    const std::string garbage(16, '\xff');  // pd_lower past pd_upper, unknown flags: no valid page
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    ASSERT_TRUE(file.good()) << tableFile;
  }
  server.start();

  // The ping's own query reads sync_cursors, which is intact. The store's reading connection
  // died with the server: the read below finds it broken and reads again on a new one.
  ASSERT_EQ(store->ping(), std::nullopt);
  const auto rows = store->allRows(Entity::campaigns);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().find("invalid page in block 0"), std::string::npos) << rows.error();
  const auto ping = store->ping();
  ASSERT_TRUE(ping.has_value());
  EXPECT_NE(ping->find("damaged"), std::string::npos) << *ping;
  EXPECT_NE(ping->find("invalid page in block 0"), std::string::npos) << *ping;
}

// --- Writing

class StoreTest : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override {
    LIVEDATA_REQUIRE_ENGINE(GetParam());
    location_ = std::make_unique<StoreLocation>(GetParam());
    store_ = openStore(location_->location());
    ASSERT_NE(store_, nullptr);
  }

  std::size_t commit(const EntityRows& rows, std::optional<SyncCursor> cursor = std::nullopt) {
    const Entity entity = static_cast<Entity>(rows.index());
    return valueOf(store_->commitPage(entity, rows, cursor)).changedRows;
  }
  std::size_t commitStatistics(const EntityRows& rows) {
    const Entity entity = static_cast<Entity>(rows.index());
    return valueOf(store_->commitPage(entity, rows, std::nullopt, FieldGroup::statistics)).changedRows;
  }

  std::unique_ptr<StoreLocation> location_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, ::testing::Values(StoreEngine::sqlite, StoreEngine::postgres),
                         testing::engineName);

TEST_P(StoreTest, UpsertCountsOnlyRowsThatReallyChange) {
  std::vector<Campaign> rows{makeCampaign("c1", "sent", kT0), makeCampaign("c2", "draft", kT0 + 1),
                             makeCampaign("c3", "sent", kT0 + 2)};
  EXPECT_EQ(commit(rows), 3u);
  EXPECT_EQ(commit(rows), 0u) << "identical rows are not changes";

  rows[1].name += " (edited)";
  rows.push_back(makeCampaign("c4", "sending", kT0 + 3));
  EXPECT_EQ(commit(rows), 2u) << "one changed, one new, two identical";

  // Statistics are the values reports' to write: a page of attributes leaves them alone.
  rows[1].opens += 1;
  EXPECT_EQ(commit(rows), 0u);
  EXPECT_EQ(commitStatistics(rows), 1u);
  EXPECT_EQ(commitStatistics(rows), 0u);

  rows[0].revenue = 0.3;
  EXPECT_EQ(commitStatistics(std::vector<Campaign>{rows[0]}), 1u);
  rows[0].revenue = 0.1 + 0.2;  // differs from 0.3 in the last bit only
  EXPECT_EQ(commitStatistics(std::vector<Campaign>{rows[0]}), 1u);
  EXPECT_EQ(commitStatistics(std::vector<Campaign>{rows[0]}), 0u);

  const auto stored = valueOf(store_->allRows(Entity::campaigns));
  EXPECT_EQ(describeAll(std::get<std::vector<Campaign>>(stored)), describeAll(rows));
}

TEST_P(StoreTest, StatisticsUpdateOnlyStoredRowsAndTheirOwnColumnsAndAreAlwaysLoggedWithTheirTime) {
  std::vector<Campaign> rows{makeCampaign("c1", "sent", kT0), makeCampaign("c2", "draft", kT0 + 1)};
  EXPECT_EQ(commit(rows), 2u);
  const std::int64_t versionBefore = store_->changeVersion();

  std::vector<Campaign> report = rows;
  report[0].opens = 999;
  report[0].name = "not from a report";  // attributes in a statistics commit are ignored
  report.push_back(makeCampaign("c9", "sent", kT0 + 9));  // not stored yet: skipped
  const CommittedPage committed = valueOf(store_->commitPage(Entity::campaigns, report, std::nullopt, FieldGroup::statistics));
  EXPECT_EQ(committed.changedRows, 1u);
  ASSERT_TRUE(committed.change);
  EXPECT_TRUE(committed.change->keys.empty()) << "every list page's statisticsAsOf moved: the whole entity";
  EXPECT_EQ(store_->changeVersion(), versionBefore + 1);
  const auto page = valueOf(store_->list(Entity::campaigns, ListQuery{}));
  ASSERT_TRUE(page.statisticsAsOfMs);
  EXPECT_GT(*page.statisticsAsOfMs, std::int64_t{1'700'000'000'000});
  EXPECT_FALSE(valueOf(store_->list(Entity::flows, ListQuery{})).statisticsAsOfMs);

  // The same figures again change no row, but the statistics are newer: still a change.
  const CommittedPage again = valueOf(store_->commitPage(Entity::campaigns, report, std::nullopt, FieldGroup::statistics));
  EXPECT_EQ(again.changedRows, 0u);
  EXPECT_TRUE(again.change);

  const auto stored = std::get<std::vector<Campaign>>(valueOf(store_->allRows(Entity::campaigns)));
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].opens, 999);
  EXPECT_EQ(stored[0].name, rows[0].name);

  const auto metrics = store_->commitPage(Entity::metrics, std::vector<DailyMetrics>{}, std::nullopt, FieldGroup::statistics);
  ASSERT_FALSE(metrics.ok());
  EXPECT_NE(metrics.error().find("no statistics"), std::string::npos) << metrics.error();
  EXPECT_FALSE(store_->commitPage(Entity::metrics, std::vector<Campaign>{}, std::nullopt, FieldGroup::statistics).ok())
      << "empty rows of another type do not make the metrics' statistics acceptable";

  // An empty report of forms is news for forms (their statisticsAsOf), whatever the rows' type.
  const auto formsBefore = store_->dataVersion(Entity::forms);
  const auto campaignsBefore = store_->dataVersion(Entity::campaigns);
  const auto formsReport = valueOf(store_->commitPage(Entity::forms, EntityRows{}, std::nullopt, FieldGroup::statistics));
  ASSERT_TRUE(formsReport.change.has_value());
  EXPECT_GT(store_->dataVersion(Entity::forms), formsBefore);
  EXPECT_EQ(store_->dataVersion(Entity::forms), static_cast<std::uint64_t>(formsReport.change->version));
  EXPECT_EQ(store_->dataVersion(Entity::campaigns), campaignsBefore);
}

TEST_P(StoreTest, RoundTripsEveryFieldOfEveryEntity) {
  const std::vector<Flow> flows{{"f1", "Welcome", FlowStatus::live, "List join", 42, 1234.56, 0.0375, kT0}};
  const std::vector<Form> forms{{"fm1", "Popup", FormStatus::draft, 900, 45, 0.05, kT0 + 5}};
  const std::vector<Segment> segments{makeSegment("s1", 77, kT0 + 9)};
  const std::vector<DailyMetrics> days{makeDay(20'000, 1000, 99.99), makeDay(20'001, 2000, 0.01)};
  EXPECT_EQ(commit(flows), 1u);
  EXPECT_EQ(commit(forms), 1u);
  EXPECT_EQ(commit(segments), 1u);
  EXPECT_EQ(commit(days), 2u);
  EXPECT_EQ(describeAll(std::get<std::vector<Flow>>(valueOf(store_->allRows(Entity::flows)))), describeAll(flows));
  EXPECT_EQ(describeAll(std::get<std::vector<Form>>(valueOf(store_->allRows(Entity::forms)))), describeAll(forms));
  EXPECT_EQ(describeAll(std::get<std::vector<Segment>>(valueOf(store_->allRows(Entity::segments)))),
            describeAll(segments));
  EXPECT_EQ(describeAll(std::get<std::vector<DailyMetrics>>(valueOf(store_->allRows(Entity::metrics)))),
            describeAll(days));
}

TEST_P(StoreTest, SavesTheCursorWithItsRows) {
  EXPECT_EQ(store_->cursor(Entity::campaigns), std::nullopt);
  commit(std::vector<Campaign>{makeCampaign("c1", "sent", kT0)}, SyncCursor{kT0, "c1"});
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{kT0, "c1"}));
  commit(std::vector<Campaign>{makeCampaign("c2", "sent", kT0 + 5)}, SyncCursor{kT0 + 5, "c2"});
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{kT0 + 5, "c2"}));
  EXPECT_EQ(store_->cursor(Entity::flows), std::nullopt) << "cursors are per entity";

  // An empty last page still moves the cursor (nothing changed, nothing to count).
  EXPECT_EQ(commit(std::vector<Campaign>{}, SyncCursor{kT0 + 9, "c9"}), 0u);
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{kT0 + 9, "c9"}));
}

TEST_P(StoreTest, AFailedCommitWritesNeitherRowsNorCursor) {
  commit(std::vector<Campaign>{makeCampaign("c1", "sent", kT0)}, SyncCursor{kT0, "c1"});
  const auto versionBefore = store_->dataVersion(Entity::campaigns);

  auto changed = makeCampaign("c1", "sent", kT0 + 10);
  changed.opens = 999;
  const std::vector<Campaign> page{changed, makeCampaign("c2", "sent", kT0 + 11),
                                   makeCampaign("", "sent", kT0 + 12)};  // violates CHECK (id <> '')
  auto result = store_->commitPage(Entity::campaigns, page, SyncCursor{kT0 + 12, ""});
  ASSERT_TRUE(!result.ok());
  // SQLite: "CHECK constraint failed"; PostgreSQL: "violates check constraint".
  std::string message = result.error();
  std::transform(message.begin(), message.end(), message.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_NE(message.find("check constraint"), std::string::npos) << result.error();

  const auto rows = std::get<std::vector<Campaign>>(valueOf(store_->allRows(Entity::campaigns)));
  EXPECT_EQ(describeAll(rows), describeAll(std::vector<Campaign>{makeCampaign("c1", "sent", kT0)}));
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{kT0, "c1"}));
  EXPECT_EQ(store_->dataVersion(Entity::campaigns), versionBefore);
  EXPECT_EQ(store_->changeVersion(), 1) << "no change was logged for the failed commit";
  EXPECT_EQ(valueOf(store_->recentChanges(10)).size(), 1u);

  // The writer is usable again afterwards.
  EXPECT_EQ(commit(std::vector<Campaign>{makeCampaign("c2", "sent", kT0 + 11)}, SyncCursor{kT0 + 11, "c2"}), 1u);
}

TEST_P(StoreTest, AbsentIdsAndRemoveRowsDeleteWhatAWholePassMissedAsOneLoggedChange) {
  commit(std::vector<Campaign>{makeCampaign("c1", "sent", kT0), makeCampaign("c2", "draft", kT0 + 1),
                               makeCampaign("c3", "sent", kT0 + 2)},
         SyncCursor{kT0 + 2, "c3"});
  EXPECT_EQ(valueOf(store_->absentIds(Entity::campaigns, {"c1", "c9"})), (std::vector<std::string>{"c2", "c3"}));
  EXPECT_FALSE(store_->absentIds(Entity::metrics, {}).ok());
  const auto versionBefore = store_->dataVersion(Entity::campaigns);
  const auto changeBefore = store_->changeVersion();

  const auto removed = store_->removeRows(Entity::campaigns, {"c2", "c9"});  // c9: not stored, skipped
  ASSERT_TRUE(removed.ok()) << removed.error();
  EXPECT_EQ(removed.value().changedRows, 1u);
  ASSERT_TRUE(removed.value().change);
  EXPECT_EQ(removed.value().change->keys, std::vector<std::string>{"c2"});
  EXPECT_EQ(removed.value().change->version, changeBefore + 1);
  EXPECT_GT(store_->dataVersion(Entity::campaigns), versionBefore);
  EXPECT_EQ(store_->dataVersion(Entity::campaigns), static_cast<std::uint64_t>(store_->changeVersion()));
  const auto rows = std::get<std::vector<Campaign>>(valueOf(store_->allRows(Entity::campaigns)));
  EXPECT_EQ(describeAll(rows), describeAll(std::vector<Campaign>{makeCampaign("c1", "sent", kT0), makeCampaign("c3", "sent", kT0 + 2)}));
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{kT0 + 2, "c3"}));  // the cursor stays

  // Nothing removed: no change logged. The daily metrics are never removed by id.
  const auto again = store_->removeRows(Entity::campaigns, {"c2"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().changedRows, 0u);
  EXPECT_FALSE(again.value().change);
  EXPECT_EQ(store_->changeVersion(), changeBefore + 1);
  EXPECT_FALSE(store_->removeRows(Entity::metrics, {}).ok());
}

TEST_P(StoreTest, RemovingMoreRowsThanAChangeNamesLogsTheWholeEntity) {
  std::vector<Campaign> many;
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < kMaxKeysPerChange + 1; ++i) {
    many.push_back(makeCampaign("c" + std::to_string(1000 + i), "sent", kT0 + static_cast<UnixSeconds>(i)));
    ids.push_back(many.back().id);
  }
  commit(many, SyncCursor{many.back().updatedAt, many.back().id});
  const auto removed = store_->removeRows(Entity::campaigns, ids);
  ASSERT_TRUE(removed.ok()) << removed.error();
  EXPECT_EQ(removed.value().changedRows, kMaxKeysPerChange + 1);
  ASSERT_TRUE(removed.value().change);
  EXPECT_TRUE(removed.value().change->keys.empty());  // the whole entity, as commitPage logs it
  EXPECT_EQ(valueOf(store_->rowCount(Entity::campaigns)), 0);
}

TEST_P(StoreTest, RejectsRowsOfAnotherEntity) {
  auto result =
      store_->commitPage(Entity::flows, std::vector<Campaign>{makeCampaign("c1", "sent", kT0)}, SyncCursor{kT0, "c1"});
  ASSERT_TRUE(!result.ok());
  EXPECT_EQ(store_->cursor(Entity::flows), std::nullopt);
  EXPECT_EQ(valueOf(store_->rowCount(Entity::campaigns)), 0);
}

TEST_P(StoreTest, ReopeningKeepsRowsCursorsAndDataVersions) {
  commit(std::vector<Campaign>{makeCampaign("c1", "sent", kT0), makeCampaign("c2", "draft", kT0 + 1)},
         SyncCursor{kT0 + 1, "c2"});
  commit(std::vector<DailyMetrics>{makeDay(20'000, 10, 1.5)}, SyncCursor{kT0, "2024-10-04"});
  commit(std::vector<Campaign>{makeCampaign("c3", "sent", kT0 + 2)});
  const std::uint64_t campaigns = store_->dataVersion(Entity::campaigns);
  const std::uint64_t metrics = store_->dataVersion(Entity::metrics);
  ASSERT_GT(campaigns, metrics);
  store_.reset();

  auto reopened = openStore(location_->location());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(idsOf<Campaign>(valueOf(reopened->allRows(Entity::campaigns))), (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(valueOf(reopened->rowCount(Entity::metrics)), 1);
  EXPECT_EQ(reopened->cursor(Entity::campaigns), (SyncCursor{kT0 + 1, "c2"}));
  EXPECT_EQ(reopened->cursor(Entity::metrics), (SyncCursor{kT0, "2024-10-04"}));
  // Each entity's version is its newest change in the log; one without any stays at 0.
  EXPECT_EQ(reopened->dataVersion(Entity::campaigns), campaigns);
  EXPECT_EQ(reopened->dataVersion(Entity::metrics), metrics);
  EXPECT_EQ(reopened->dataVersion(Entity::flows), 0u);
}

// The upstream's budgeted calls are counted per operation and UTC day, and a reopened store
// (a restarted server, or another instance on the same database) reads what was spent.
TEST_P(StoreTest, CountsTheUpstreamsBudgetedCallsPerOperationAndDayAcrossReopening) {
  constexpr DayNumber kDay = 20'427;
  EXPECT_EQ(valueOf(store_->upstreamCallsOn("/api/form-values-reports", kDay)), 0);
  for (int call = 0; call < 3; ++call) {
    EXPECT_EQ(store_->countUpstreamCall("/api/form-values-reports", kDay), std::nullopt);
  }
  EXPECT_EQ(store_->countUpstreamCall("/api/form-values-reports", kDay + 1), std::nullopt);
  EXPECT_EQ(store_->countUpstreamCall("/api/segment-values-reports", kDay), std::nullopt);
  store_.reset();

  auto reopened = openStore(location_->location());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(valueOf(reopened->upstreamCallsOn("/api/form-values-reports", kDay)), 3);
  EXPECT_EQ(valueOf(reopened->upstreamCallsOn("/api/form-values-reports", kDay + 1)), 1);
  EXPECT_EQ(valueOf(reopened->upstreamCallsOn("/api/segment-values-reports", kDay)), 1);
  EXPECT_EQ(valueOf(reopened->upstreamCallsOn("/api/flow-values-reports", kDay)), 0);
  EXPECT_EQ(reopened->countUpstreamCall("/api/form-values-reports", kDay), std::nullopt);
  EXPECT_EQ(valueOf(reopened->upstreamCallsOn("/api/form-values-reports", kDay)), 4);
}

// Only today's count (and yesterday's, for an instance whose clock is behind) is ever read:
// counting a call forgets older days, so the table does not grow day after day.
TEST_P(StoreTest, CountingACallForgetsTheCountsOfDaysBeforeYesterday) {
  constexpr DayNumber kDay = 20'427;
  for (const DayNumber day : {kDay - 5, kDay - 2, kDay - 1}) {
    EXPECT_EQ(store_->countUpstreamCall("/api/flow-values-reports", day), std::nullopt);
  }
  EXPECT_EQ(store_->countUpstreamCall("/api/form-values-reports", kDay), std::nullopt);
  EXPECT_EQ(valueOf(store_->upstreamCallsOn("/api/flow-values-reports", kDay - 5)), 0);
  EXPECT_EQ(valueOf(store_->upstreamCallsOn("/api/flow-values-reports", kDay - 2)), 0);
  EXPECT_EQ(valueOf(store_->upstreamCallsOn("/api/flow-values-reports", kDay - 1)), 1);
  EXPECT_EQ(valueOf(store_->upstreamCallsOn("/api/form-values-reports", kDay)), 1);
}

TEST_P(StoreTest, ResetCursorForgetsOnlyThatCursorAndKeepsRows) {
  commit(std::vector<Campaign>{makeCampaign("c1", "sent", kT0)}, SyncCursor{kT0, "c1"});
  commit(std::vector<Segment>{makeSegment("s1", 5, kT0)}, SyncCursor{kT0, "s1"});
  EXPECT_EQ(store_->resetCursor(Entity::campaigns), std::nullopt);
  EXPECT_EQ(store_->cursor(Entity::campaigns), std::nullopt);
  EXPECT_EQ(store_->cursor(Entity::segments), (SyncCursor{kT0, "s1"}));
  EXPECT_EQ(valueOf(store_->rowCount(Entity::campaigns)), 1);
  EXPECT_EQ(store_->resetCursor(Entity::campaigns), std::nullopt) << "resetting twice is harmless";
}

TEST_P(StoreTest, CommitsThousandRowPages) {
  std::vector<Campaign> page;
  std::size_t total = 0;
  for (int p = 0; p < 20; ++p) {
    page.clear();
    for (int i = 0; i < 1000; ++i) {
      const int n = p * 1000 + i;
      page.push_back(makeCampaign("c" + std::to_string(1'000'000 + n), n % 3 ? "sent" : "draft", kT0 + n));
    }
    total += commit(page, SyncCursor{page.back().updatedAt, page.back().id});
  }
  EXPECT_EQ(total, 20'000u);
  EXPECT_EQ(valueOf(store_->rowCount(Entity::campaigns)), 20'000);
  EXPECT_EQ(store_->cursor(Entity::campaigns), (SyncCursor{kT0 + 19'999, "c1019999"}));
}

// --- Reading

TEST_P(StoreTest, ListFiltersSortsAndPagesWithTiesById) {
  commit(std::vector<Campaign>{makeCampaign("c5", "sent", kT0 + 10, 5.0), makeCampaign("c1", "sent", kT0 + 30, 1.0),
                               makeCampaign("c3", "draft", kT0 + 20, 5.0), makeCampaign("c2", "sent", kT0 + 30, 2.0),
                               makeCampaign("c4", "sent", kT0, 5.0)});
  auto list = [&](const ListQuery& query) {
    const ListPage page = valueOf(store_->list(Entity::campaigns, query));
    return std::make_pair(idsOf<Campaign>(page.items), page.total);
  };
  using Ids = std::vector<std::string>;

  // Default: -updatedAt, ties (c1, c2 at kT0 + 30) by ascending id.
  EXPECT_EQ(list({}), std::make_pair(Ids{"c1", "c2", "c3", "c5", "c4"}, std::int64_t{5}));

  ListQuery byRevenue;
  byRevenue.sortField = "revenue";
  byRevenue.descending = false;
  EXPECT_EQ(list(byRevenue).first, (Ids{"c1", "c2", "c3", "c4", "c5"}));
  byRevenue.descending = true;
  EXPECT_EQ(list(byRevenue).first, (Ids{"c3", "c4", "c5", "c2", "c1"})) << "ties stay ascending by id";

  ListQuery sent;
  sent.status = "sent";
  sent.limit = 2;
  sent.offset = 1;
  EXPECT_EQ(list(sent), std::make_pair(Ids{"c2", "c5"}, std::int64_t{4})) << "total ignores limit and offset";
  sent.offset = 10;
  EXPECT_EQ(list(sent), std::make_pair(Ids{}, std::int64_t{4}));

  ListQuery byId;
  byId.sortField = "id";
  EXPECT_EQ(list(byId).first, (Ids{"c5", "c4", "c3", "c2", "c1"}));

  ListQuery none;
  none.status = "scheduled";
  EXPECT_EQ(list(none), std::make_pair(Ids{}, std::int64_t{0}));
}

// Names sort as people read them, the same on both engines: case aside, numbers by value,
// other bytes (UTF-8) as they are; equal keys by id.
TEST_P(StoreTest, NamesSortCaseAsideAndNumbersByValue) {
  const std::vector<std::pair<std::string, std::string>> names{
      {"c1", "Item 10"}, {"c2", "item 9"},  {"c3", "#203"}, {"c4", "#25"},    {"c5", "Beta"}, {"c6", "alpha"},
      {"c7", "Émile"},   {"c8", "beta"},    {"c9", "v2.10"}, {"c10", "v2.9"}, {"c11", "007"}, {"c12", "7"}};
  std::vector<Campaign> campaigns;
  for (const auto& [id, name] : names) {
    campaigns.push_back(makeCampaign(id, "sent", kT0));
    campaigns.back().name = name;
  }
  commit(campaigns);
  ListQuery byName;
  byName.sortField = "name";
  byName.descending = false;
  byName.limit = 50;
  using Ids = std::vector<std::string>;
  // "007" and "7" are one number: they tie, and the id decides.
  const Ids ascending{"c4", "c3", "c11", "c12", "c6", "c5", "c8", "c2", "c1", "c10", "c9", "c7"};
  EXPECT_EQ(idsOf<Campaign>(valueOf(store_->list(Entity::campaigns, byName)).items), ascending);
  byName.descending = true;
  EXPECT_EQ(idsOf<Campaign>(valueOf(store_->list(Entity::campaigns, byName)).items),
            (Ids{"c7", "c9", "c10", "c1", "c2", "c5", "c8", "c6", "c11", "c12", "c3", "c4"}))
      << "reversed, but equal names (Beta, beta) still by ascending id";
}

// Rows written before the sort keys were stored (or whose keys were lost) get them when the
// store opens: the lists sort them as they sort new rows, on both engines.
TEST_P(StoreTest, RowsWithoutASortKeyGetOneWhenTheStoreOpens) {
  std::vector<Campaign> campaigns;
  for (const auto& [id, name] : std::vector<std::pair<std::string, std::string>>{
           {"c1", "Item 10"}, {"c2", "item 9"}, {"c3", "#203"}, {"c4", "#25"}}) {
    campaigns.push_back(makeCampaign(id, "sent", kT0));
    campaigns.back().name = name;
  }
  commit(campaigns);
  location_->execute("UPDATE campaigns SET name_key = NULL");
  store_.reset();
  store_ = openStore(location_->location());
  ASSERT_NE(store_, nullptr);
  ListQuery byName;
  byName.sortField = "name";
  byName.descending = false;
  EXPECT_EQ(idsOf<Campaign>(valueOf(store_->list(Entity::campaigns, byName)).items),
            (std::vector<std::string>{"c4", "c3", "c2", "c1"}))
      << "without keys, the engines would put the rows in id order";
}

// The field tables (model/record_fields.h) and the migrated schema describe the same
// columns, in the same order: the statements built from the one run against the other.
TEST_P(StoreTest, EveryTableHasExactlyItsRecordsColumnsInOrder) {
  std::optional<sqlite::Connection> sqliteConnection;
  std::optional<postgres::Connection> postgresConnection;
  if (GetParam() == StoreEngine::sqlite) {
    sqliteConnection.emplace(location_->location(), sqlite::Connection::Mode::readOnly);
  } else {
    postgresConnection.emplace(location_->location());
  }
  auto columnsOf = [&](const std::string& table) {
    std::vector<std::string> names;
    auto read = [&](auto& query) {
      while (query->step()) names.push_back(query->text(0));
    };
    if (sqliteConnection) {
      auto query = sqliteConnection->use("SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid");
      read(query);
    } else {
      auto query = postgresConnection->use("SELECT column_name FROM information_schema.columns WHERE table_name = '" +
                                           table + "' ORDER BY ordinal_position");
      read(query);
    }
    return names;
  };
  for (const Entity entity : kAllEntities) {
    visitRecordType(entity, [&](auto type) {
      using Record = typename decltype(type)::type;
      std::vector<std::string> expected;
      forEachField<Record>([&](const auto& field, std::size_t) { expected.emplace_back(field.column); });
      tables::forEachSortKey<Record>([&](const auto&, const std::string& keyColumn) { expected.push_back(keyColumn); });
      EXPECT_EQ(columnsOf(RecordSchema<Record>::table), expected) << RecordSchema<Record>::table;
    });
  }
}

TEST_P(StoreTest, AStatusWordTheModelDoesNotKnowIsAnErrorNotACrash) {
  commit(std::vector<Campaign>{makeCampaign("c1", "sent", kT0)});
  location_->execute("UPDATE campaigns SET status = 'paused' WHERE id = 'c1'");
  const auto rows = store_->allRows(Entity::campaigns);
  ASSERT_TRUE(!rows.ok());
  EXPECT_NE(rows.error().find("'paused'"), std::string::npos) << rows.error();
}

TEST_P(StoreTest, ListAcceptsEveryItemFieldAndNothingElse) {
  const std::vector<std::pair<Entity, std::vector<std::string>>> fields{
      {Entity::campaigns,
       {"id", "name", "status", "sendTime", "recipients", "opens", "clicks", "revenue", "openRate", "clickRate",
        "updatedAt"}},
      {Entity::flows, {"id", "name", "status", "trigger", "recipients", "revenue", "conversionRate", "updatedAt"}},
      {Entity::forms, {"id", "name", "status", "views", "submissions", "submitRate", "updatedAt"}},
      {Entity::segments, {"id", "name", "status", "members", "growth", "updatedAt"}}};
  for (const auto& [entity, names] : fields) {
    for (const auto& name : names) {
      ListQuery query;
      query.sortField = name;
      EXPECT_TRUE(store_->list(entity, query).ok()) << nameOf(entity) << " " << name;
    }
    ListQuery bad;
    bad.sortField = "updated_at; DROP TABLE campaigns";
    EXPECT_TRUE(!store_->list(entity, bad).ok());
  }
  EXPECT_TRUE(!store_->list(Entity::metrics, ListQuery{}).ok());
}

TEST_P(StoreTest, OverviewReturnsTheRangeOldestFirstWithSums) {
  commit(std::vector<DailyMetrics>{makeDay(20'003, 400, 0.3), makeDay(20'001, 200, 0.1), makeDay(20'002, 300, 0.2),
                                   makeDay(20'004, 500, 100)});
  const auto overview = valueOf(store_->overview(20'001, 20'003));
  ASSERT_EQ(overview.series.size(), 3u);
  EXPECT_EQ(overview.series.front().day, 20'001);
  EXPECT_EQ(overview.series.back().day, 20'003);
  EXPECT_EQ(overview.sends, 900);
  EXPECT_EQ(overview.opens, 50 + 75 + 100);
  EXPECT_EQ(overview.clicks, 10 + 15 + 20);
  EXPECT_EQ(overview.revenue, (0.1 + 0.2) + 0.3) << "summed oldest first, like the in-memory renderer";

  const auto empty = valueOf(store_->overview(19'000, 19'010));
  EXPECT_TRUE(empty.series.empty());
  EXPECT_EQ(empty.sends, 0);
}

TEST_P(StoreTest, LatestMetricsDayIsEmptyUntilMetricsArrive) {
  EXPECT_EQ(valueOf(store_->latestMetricsDay()), std::nullopt);
  commit(std::vector<DailyMetrics>{makeDay(20'010, 1, 0), makeDay(20'020, 1, 0), makeDay(20'015, 1, 0)});
  EXPECT_EQ(valueOf(store_->latestMetricsDay()), std::optional<DayNumber>{20'020});
}

TEST_P(StoreTest, AllRowsAreOrderedByIdWhateverTheCommitOrder) {
  commit(std::vector<Segment>{makeSegment("seg_c", 1, kT0), makeSegment("seg_a", 2, kT0 + 9)});
  commit(std::vector<Segment>{makeSegment("seg_b", 3, kT0 - 9)});
  EXPECT_EQ(idsOf<Segment>(valueOf(store_->allRows(Entity::segments))),
            (std::vector<std::string>{"seg_a", "seg_b", "seg_c"}));
  EXPECT_EQ(valueOf(store_->rowCount(Entity::segments)), 3);
  EXPECT_EQ(valueOf(store_->rowCount(Entity::forms)), 0);
}

TEST_P(StoreTest, DataVersionGrowsOnlyWhenAnEntitysRowsChange) {
  const auto campaigns0 = store_->dataVersion(Entity::campaigns);
  const auto segments0 = store_->dataVersion(Entity::segments);
  const std::vector<Campaign> rows{makeCampaign("c1", "sent", kT0)};
  commit(rows);
  const auto campaigns1 = store_->dataVersion(Entity::campaigns);
  EXPECT_GT(campaigns1, campaigns0);
  commit(rows, SyncCursor{kT0, "c1"});
  EXPECT_EQ(store_->dataVersion(Entity::campaigns), campaigns1) << "identical rows and a cursor change no data";
  EXPECT_EQ(store_->dataVersion(Entity::segments), segments0);
  EXPECT_EQ(campaigns1, static_cast<std::uint64_t>(store_->changeVersion())) << "the version of its last change";
}

// Reopened, each entity's version is its newest change in the log: the same number every
// process on the store uses for the same data (the response cache's keys).
TEST_P(StoreTest, DataVersionsAreTheStoresAndSurviveAReopen) {
  commit(std::vector<Campaign>{makeCampaign("c1", "sent", kT0)});
  commit(std::vector<Segment>{makeSegment("s1", 10, kT0)});
  commit(std::vector<Campaign>{makeCampaign("c2", "sent", kT0)});
  const auto campaigns = store_->dataVersion(Entity::campaigns);
  const auto segments = store_->dataVersion(Entity::segments);
  EXPECT_EQ(campaigns, 3u);
  EXPECT_EQ(segments, 2u);
  store_.reset();
  auto reopened = openStore(location_->location());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->dataVersion(Entity::campaigns), campaigns);
  EXPECT_EQ(reopened->dataVersion(Entity::segments), segments);
  EXPECT_EQ(reopened->dataVersion(Entity::flows), 0u) << "no change of flows in the log";
}

// --- The change log

std::vector<std::int64_t> versionsOf(const std::vector<Change>& changes) {
  std::vector<std::int64_t> versions;
  for (const Change& change : changes) versions.push_back(change.version);
  return versions;
}

TEST_P(StoreTest, ACommitThatChangesRowsLogsOneChangeNamingThem) {
  EXPECT_EQ(store_->changeVersion(), 0);
  const std::vector<Campaign> rows{makeCampaign("c1", "sent", kT0), makeCampaign("c2", "sent", kT0 + 1)};
  const CommittedPage first = valueOf(store_->commitPage(Entity::campaigns, rows, std::nullopt));
  ASSERT_TRUE(first.change.has_value());
  EXPECT_EQ(first.change->version, 1);
  EXPECT_EQ(first.change->entity, Entity::campaigns);
  EXPECT_EQ(first.change->keys, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_GT(first.change->committedAtMs, std::int64_t{1'700'000'000'000});

  EXPECT_FALSE(valueOf(store_->commitPage(Entity::campaigns, rows, std::nullopt)).change)
      << "identical rows change nothing, so nothing is logged";
  EXPECT_FALSE(valueOf(store_->commitPage(Entity::campaigns, std::vector<Campaign>{}, SyncCursor{kT0 + 5, "c9"})).change)
      << "a moved cursor alone is not a change of what the API serves";

  std::vector<Campaign> next = rows;
  next[1].name += " (edited)";
  next.push_back(makeCampaign("c3", "draft", kT0 + 2));
  const CommittedPage second = valueOf(store_->commitPage(Entity::campaigns, next, std::nullopt));
  ASSERT_TRUE(second.change.has_value());
  EXPECT_EQ(second.change->version, 2);
  EXPECT_EQ(second.change->keys, (std::vector<std::string>{"c2", "c3"})) << "only the changed rows";
  EXPECT_EQ(store_->changeVersion(), 2);

  const auto logged = valueOf(store_->recentChanges(10));
  ASSERT_EQ(versionsOf(logged), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(logged[1].keys, second.change->keys);
  EXPECT_EQ(logged[1].committedAtMs, second.change->committedAtMs);
}

// The server sets its observer after opening the store, and (with PostgreSQL) a listener
// thread may deliver other processes' changes meanwhile: the observer starts from the
// version its caller holds, read back from the log, so it misses none and sees none twice.
TEST_P(StoreTest, AnObserverIsHandedTheChangesAfterItsVersionFirstThenEachNewOne) {
  for (int i = 1; i <= 3; ++i) commit(std::vector<Campaign>{makeCampaign("c" + std::to_string(i), "sent", kT0)});
  std::vector<std::pair<std::int64_t, bool>> seen;  // version, committedHere
  store_->observeChanges(1, [&](const Change& change, bool committedHere) { seen.emplace_back(change.version, committedHere); });
  EXPECT_EQ(seen, (std::vector<std::pair<std::int64_t, bool>>{{2, false}, {3, false}})) << "handed before it returns";
  commit(std::vector<Campaign>{makeCampaign("c4", "sent", kT0)});
  EXPECT_EQ(seen, (std::vector<std::pair<std::int64_t, bool>>{{2, false}, {3, false}, {4, true}}));
  // An empty observer stops delivery (the server's stop, before what its observer uses goes).
  store_->observeChanges(store_->changeVersion(), {});
  commit(std::vector<Campaign>{makeCampaign("c5", "sent", kT0)});
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(store_->changeVersion(), 5) << "the store goes on without an observer";
  store_.reset();  // before `seen`: the observer writes to it
}

TEST_P(StoreTest, ChangesOfMetricsNameTheirDays) {
  const CommittedPage page = valueOf(
      store_->commitPage(Entity::metrics, std::vector<DailyMetrics>{makeDay(20'000, 10, 1.0)}, std::nullopt));
  ASSERT_TRUE(page.change.has_value());
  EXPECT_EQ(page.change->entity, Entity::metrics);
  EXPECT_EQ(page.change->keys, (std::vector<std::string>{formatIsoDate(20'000)}));
}

TEST_P(StoreTest, AChangeOfManyRowsNamesTheWholeEntity) {
  std::vector<Segment> many;
  for (std::size_t i = 0; i <= kMaxKeysPerChange; ++i) many.push_back(makeSegment("s" + std::to_string(i), 1, kT0));
  const CommittedPage page = valueOf(store_->commitPage(Entity::segments, many, std::nullopt));
  EXPECT_EQ(page.changedRows, kMaxKeysPerChange + 1);
  ASSERT_TRUE(page.change.has_value());
  EXPECT_TRUE(page.change->keys.empty()) << "past the limit, no keys: the whole entity";
  EXPECT_TRUE(valueOf(store_->recentChanges(1)).front().keys.empty());
}

class StoreChangeLog : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override { LIVEDATA_REQUIRE_ENGINE(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Engines, StoreChangeLog, ::testing::Values(StoreEngine::sqlite, StoreEngine::postgres),
                         testing::engineName);

TEST_P(StoreChangeLog, IsTrimmedToItsCapacityAndVersionsNeverGoBack) {
  const StoreLocation location(GetParam(), "log");
  const std::string& path = location.location();
  StoreOptions options;
  options.changeLogCapacity = 3;
  {
    auto store = valueOf(Store::open(path, options));
    ASSERT_NE(store, nullptr);
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(store->commitPage(Entity::campaigns, std::vector<Campaign>{makeCampaign("c", "sent", kT0 + i)},
                                    std::nullopt).ok());
    }
    EXPECT_EQ(versionsOf(valueOf(store->recentChanges(10))), (std::vector<std::int64_t>{3, 4, 5}));
    EXPECT_EQ(versionsOf(valueOf(store->recentChanges(2))), (std::vector<std::int64_t>{4, 5}));
    // An observer after a version the log no longer holds is handed what it holds: the gap shows.
    std::vector<std::int64_t> seen;
    store->observeChanges(1, [&](const Change& change, bool) { seen.push_back(change.version); });
    EXPECT_EQ(seen, (std::vector<std::int64_t>{3, 4, 5}));
    store.reset();  // before `seen`: the observer writes to it
  }
  // Even with every entry of the log deleted, the version goes on from the last one used.
  location.execute("DELETE FROM changes");
  auto reopened = valueOf(Store::open(path, options));
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->changeVersion(), 5);
  EXPECT_TRUE(valueOf(reopened->recentChanges(10)).empty());
  const CommittedPage next = valueOf(reopened->commitPage(
      Entity::flows, std::vector<Flow>{{"f1", "Welcome", FlowStatus::live, "List join", 1, 1.0, 0.1, kT0}},
      std::nullopt));
  ASSERT_TRUE(next.change.has_value());
  EXPECT_EQ(next.change->version, 6);
}

TEST(StoreOptionsCheck, RefusesAChangeLogCapacityOfZero) {
  ScratchFolder folder;
  StoreOptions options;
  options.changeLogCapacity = 0;
  const auto opened = Store::open(folder.file("zero.db"), options);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().find("changeLogCapacity"), std::string::npos) << opened.error();
}

TEST_P(StoreTest, PingRunsARealQuery) {
  EXPECT_EQ(store_->ping(), std::nullopt);
  location_->execute("DROP TABLE sync_cursors");
  const auto error = store_->ping();
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("sync_cursors"), std::string::npos) << *error;
}

TEST(SqliteStore, PingNoticesTheFileWasMovedAway) {
  ScratchFolder folder;
  const std::string path = folder.file("store.db");
  auto store = openStore(path);
  ASSERT_NE(store, nullptr);
  const std::string moved = path + ".moved";
  std::filesystem::rename(path, moved);
  const auto error = store->ping();
  std::filesystem::rename(moved, path);
  ASSERT_TRUE(error.has_value()) << "the pooled connections still read the moved file; a restart would not";
  EXPECT_NE(error->find(path), std::string::npos) << *error;
  EXPECT_EQ(store->ping(), std::nullopt);
}

// Readers run while a writer commits, and each read sees one commit entirely: every row of
// a page carries that page's generation, so a mixed result would be a torn read.
TEST_P(StoreTest, ConcurrentReadsSeeWholeCommits) {
  constexpr int kRows = 300;
  constexpr int kGenerations = 60;
  auto generation = [](int g) {
    std::vector<Segment> rows;
    for (int i = 0; i < kRows; ++i) rows.push_back(makeSegment("seg_" + std::to_string(1000 + i), g, kT0 + g));
    return rows;
  };
  commit(generation(0));

  std::atomic<bool> writing{true};
  std::atomic<int> readsDuringWrites{0};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    for (int g = 1; g <= kGenerations; ++g) {
      if (!store_->commitPage(Entity::segments, generation(g), std::nullopt, FieldGroup::statistics).ok()) {
        ++failures;
      }
    }
    writing = false;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      std::int64_t lastSeen = 0;
      while (writing) {
        std::vector<std::int64_t> members;
        if (r % 2 == 0) {
          auto rows = store_->allRows(Entity::segments);
          if (!rows.ok()) {
            ++failures;
            continue;
          }
          for (const auto& s : std::get<std::vector<Segment>>(rows.value())) members.push_back(s.members);
        } else {
          ListQuery query;
          query.limit = 500;
          auto page = store_->list(Entity::segments, query);
          if (!page.ok() || page.value().total != kRows) {
            ++failures;
            continue;
          }
          for (const auto& s : std::get<std::vector<Segment>>(page.value().items))
            members.push_back(s.members);
        }
        if (members.size() != static_cast<std::size_t>(kRows) ||
            std::adjacent_find(members.begin(), members.end(), std::not_equal_to<>()) != members.end() ||
            members.front() < lastSeen) {
          ++failures;
        } else {
          lastSeen = members.front();
        }
        ++readsDuringWrites;
      }
    });
  }
  writer.join();
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(readsDuringWrites.load(), 0);
  EXPECT_EQ(std::get<std::vector<Segment>>(valueOf(store_->allRows(Entity::segments))).front().members, kGenerations);
}

}  // namespace
}  // namespace livedata::server
