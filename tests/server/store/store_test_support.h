// Helpers for the store's tests: a scratch folder per test, a store location on either engine,
// opening a store that must open, and a few hand-made records.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "livedata/expected.h"
#include "model/record_json.h"  // ordered_json of a record
#include "postgres_process.h"
#include "store/postgres.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace livedata::server::testing {

// A fresh folder under the system's temporary folder, removed with everything in it.
class ScratchFolder {
 public:
  ScratchFolder() {
    static std::atomic<int> counter{0};
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() / ("livedata-store-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(counter++) + "-" + (test ? test->name() : "test"));
    std::filesystem::remove_all(path_);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

enum class StoreEngine { sqlite, postgres };

inline const char* nameOf(StoreEngine engine) { return engine == StoreEngine::sqlite ? "sqlite" : "postgres"; }
inline void PrintTo(StoreEngine engine, std::ostream* out) { *out << nameOf(engine); }  // gtest's messages

// For INSTANTIATE_TEST_SUITE_P(..., ::testing::Values(StoreEngine::sqlite, StoreEngine::postgres),
// engineName): "sqlite" / "postgres" in the test's name.
inline std::string engineName(const ::testing::TestParamInfo<StoreEngine>& info) { return nameOf(info.param); }

// One PostgreSQL server per test process, started on first use (postgres_process.h).
inline livedata::testing::PostgresProcess& sharedPostgres() {
  static livedata::testing::PostgresProcess server;
  return server;
}

// Where a test's store lives: a file in a scratch folder, or a database of its own on the
// shared PostgreSQL server. execute() runs SQL on it directly, as an operator (or damage)
// would, behind the store's back.
class StoreLocation {
 public:
  explicit StoreLocation(StoreEngine engine, const std::string& name = "store") : engine_(engine) {
    if (engine == StoreEngine::sqlite) {
      location_ = folder_.file(name + ".db");
      return;
    }
    static std::atomic<int> counter{0};
    const std::string database = "t" + std::to_string(counter++) + "_" + name;
    auto& server = sharedPostgres();
    postgres::Connection admin(server.url());
    admin.execute("CREATE DATABASE " + database);
    location_ = "postgresql://livedata@127.0.0.1:" + std::to_string(server.port()) + "/" + database;
  }

  StoreEngine engine() const { return engine_; }
  const std::string& location() const { return location_; }

  void execute(const std::string& sql) const {
    if (engine_ == StoreEngine::sqlite) {
      sqlite::Connection connection(location_, sqlite::Connection::Mode::readWriteCreate);
      connection.execute(sql);
    } else {
      postgres::Connection connection(location_);
      connection.execute(sql);
    }
  }

 private:
  StoreEngine engine_;
  ScratchFolder folder_;
  std::string location_;
};

// Skips (or, with LIVEDATA_REQUIRE_TOOLS set, as in CI, fails) a PostgreSQL instance of a
// test where PostgreSQL is not installed. Use at the top of SetUp or a TEST_P body.
#define LIVEDATA_REQUIRE_ENGINE(engine)                                                                  \
  do {                                                                                                   \
    if ((engine) == ::livedata::server::testing::StoreEngine::postgres &&                                \
        !::livedata::testing::PostgresProcess::installed()) {                                            \
      if (std::getenv("LIVEDATA_REQUIRE_TOOLS") != nullptr) FAIL() << "PostgreSQL is not installed";    \
      GTEST_SKIP() << "PostgreSQL is not installed";                                                     \
    }                                                                                                    \
  } while (false)

inline std::unique_ptr<Store> openStore(const std::string& path) {
  auto opened = Store::open(path);
  if (!opened) {
    ADD_FAILURE() << opened.error();
    return nullptr;
  }
  return std::move(opened.value());
}

// The value of a successful store call; records a failure (and returns a default) otherwise.
template <typename Value>
Value valueOf(Expected<Value, std::string> result) {
  if (!result) {
    ADD_FAILURE() << result.error();
    return Value{};
  }
  return std::move(result).value();
}

// `status` is the status word, e.g. "sent".
inline Campaign makeCampaign(std::string id, std::string_view status, UnixSeconds updatedAt, double revenue = 0) {
  Campaign c;
  c.id = std::move(id);
  c.name = "Campaign " + c.id;
  c.status = enumFromWord<CampaignStatus>(status).value();
  c.sendTime = updatedAt - 3600;
  c.recipients = 1000;
  c.opens = 250;
  c.clicks = 40;
  c.revenue = revenue;
  c.openRate = 0.25;
  c.clickRate = 0.04;
  c.updatedAt = updatedAt;
  return c;
}

inline Segment makeSegment(std::string id, std::int64_t members, UnixSeconds updatedAt) {
  return Segment{std::move(id), "Segment", SegmentStatus::active, members, 0.01, updatedAt};
}

inline DailyMetrics makeDay(DayNumber day, std::int64_t sends, double revenue) {
  return DailyMetrics{day, sends, sends / 4, sends / 20, revenue, day * kSecondsPerDay + 3600};
}

template <typename Row>
std::vector<std::string> idsOf(const EntityRows& rows) {
  std::vector<std::string> ids;
  for (const Row& row : std::get<std::vector<Row>>(rows)) ids.push_back(row.id);
  return ids;
}

}  // namespace livedata::server::testing
