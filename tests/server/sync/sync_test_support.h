// Shared by the sync's tests: a temporary store and row-by-row comparison of entity rows.
#pragma once

#include <cmath>
#include <map>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <variant>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/entity.h"
#include "model/record_json.h"  // ordered_json of a record
#include "store/store.h"

namespace livedata::server::testing {

// A folder made with mkdtemp, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "livedata-sync-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<Store> openStore(const TempDir& dir) {
  auto opened = Store::open((dir.path() / "store.db").string());
  if (!opened) {
    ADD_FAILURE() << "Store::open: " << opened.error();
    return nullptr;
  }
  return std::move(opened.value());
}

// Every row of `entity` in the store, or a test failure and no rows.
inline EntityRows storedRows(const Store& store, Entity entity) {
  auto rows = store.allRows(entity);
  if (!rows) {
    ADD_FAILURE() << "Store::allRows(" << nameOf(entity) << "): " << rows.error();
    return std::vector<Campaign>{};
  }
  return std::move(rows).value();
}

// Every field of every row, updatedAt included (the API's day objects leave it out),
// ordered by id, so two sources of the same rows compare equal whatever their order.
inline nlohmann::ordered_json rowsById(const EntityRows& rows) {
  auto json = nlohmann::ordered_json::array();
  std::visit(
      [&](const auto& list) {
        for (const auto& record : list) {
          nlohmann::ordered_json row = record;
          row["updatedAt"] = record.updatedAt;
          json.push_back(std::move(row));
        }
      },
      rows);
  const char* idField = std::holds_alternative<std::vector<DailyMetrics>>(rows) ? "date" : "id";
  std::sort(json.begin(), json.end(), [&](const auto& a, const auto& b) {
    return a[idField].template get<std::string>() < b[idField].template get<std::string>();
  });
  return json;
}

// rowsById of the account's rows as a sync from Klaviyo can know them: a campaign that is not
// sent or sending has no recipients (values reports count sends), a segment's growth is left
// out (Klaviyo gives member counts, from which growth is derived to the rounding of a count:
// compare it apart, with segmentGrowthMatches), a day's updatedAt is the sync's own.
inline nlohmann::ordered_json klaviyoView(const EntityRows& rows) {
  nlohmann::ordered_json json = rowsById(rows);
  for (auto& row : json) {
    if (std::holds_alternative<std::vector<Campaign>>(rows) && row["status"] != "sent" && row["status"] != "sending") {
      row["recipients"] = 0;
    }
    if (std::holds_alternative<std::vector<Segment>>(rows)) row.erase("growth");
    if (std::holds_alternative<std::vector<DailyMetrics>>(rows)) row.erase("updatedAt");
  }
  return json;
}

// A stored segment's growth, derived from Klaviyo's member counts, is the account's within
// the rounding of those counts.
inline void expectSegmentGrowthMatches(const EntityRows& stored, const EntityRows& account) {
  std::map<std::string, Segment> byId;
  for (const Segment& segment : std::get<std::vector<Segment>>(account)) byId[segment.id] = segment;
  for (const Segment& segment : std::get<std::vector<Segment>>(stored)) {
    const Segment& expected = byId[segment.id];
    if (expected.members < 100) continue;  // too few members for a growth rate to survive rounding
    EXPECT_NEAR(segment.growth, expected.growth, 2.0 / static_cast<double>(expected.members) * (1 + std::abs(expected.growth)) + 1e-4)
        << segment.id << " with " << expected.members << " members";
  }
}

}  // namespace livedata::server::testing
