// Shared by the upstream's tests: small accounts, a server on loopback with the sync's reader
// of it, whole walks of a collection, and rows compared field by field.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/record_fields.h"
#include "model/record_json.h"  // ordered_json of a record
#include "simulated_upstream/account.h"
#include "upstream_client/klaviyo_upstream.h"
#include "simulated_upstream/upstream_server.h"

namespace livedata::server::testing {

// The last second of the generated data (DatasetSizes::lastDay's end): changes come after it.
inline UnixSeconds endOfData() { return (DatasetSizes{}.lastDay + 1) * kSecondsPerDay - 1; }

// Every record of `entity`, by value (a loop over a part of the temporary snapshot would dangle).
template <typename Record>
std::vector<Record> recordsOf(const UpstreamAccount& account, Entity entity) {
  return std::get<std::vector<Record>>(account.snapshot(entity));
}

inline std::unique_ptr<UpstreamAccount> makeAccount(std::uint64_t seed = 7, DatasetSizes sizes = {}) {
  UpstreamAccountOptions options;
  options.seed = seed;
  options.sizes = sizes;
  auto created = UpstreamAccount::create(std::move(options));
  if (!created) {
    ADD_FAILURE() << "UpstreamAccount::create: " << created.error();
    return nullptr;
  }
  return std::move(created.value());
}

inline std::unique_ptr<UpstreamServer> startServer(UpstreamAccount& account, UpstreamServerOptions options = {}) {
  if (options.adminToken.empty()) options.adminToken = "test-token";
  auto created = UpstreamServer::create(account, std::move(options));
  if (!created) {
    ADD_FAILURE() << "UpstreamServer::create: " << created.error();
    return nullptr;
  }
  auto server = std::move(created.value());
  if (!server->start()) {
    ADD_FAILURE() << "UpstreamServer::start failed";
    return nullptr;
  }
  return server;
}

// An upstream whose Klaviyo routes take `apiKey`, with Klaviyo's documented rate limits or none.
inline std::unique_ptr<UpstreamServer> startKlaviyoServer(UpstreamAccount& account, const std::string& apiKey,
                                                          bool documentedRateLimits) {
  UpstreamServerOptions options;
  options.apiKey = apiKey;
  options.documentedRateLimits = documentedRateLimits;
  return startServer(account, std::move(options));
}

// The sync's reader of the upstream at `baseUrl`, with `apiKey`; `nowMs` dates its reports.
inline std::unique_ptr<KlaviyoUpstream> makeUpstream(const std::string& baseUrl, const std::string& apiKey,
                                                     std::function<std::int64_t()> nowMs = {}, int readTimeoutMs = 5000) {
  KlaviyoUpstreamOptions options;
  options.source.http.baseUrl = baseUrl;
  options.source.http.readTimeoutMs = readTimeoutMs;
  options.source.http.connectTimeoutMs = 2000;
  options.source.apiKey = apiKey;
  options.source.nowMs = std::move(nowMs);
  auto created = KlaviyoUpstream::create(std::move(options));
  if (!created) {
    ADD_FAILURE() << "KlaviyoUpstream::create: " << created.error();
    return nullptr;
  }
  return std::move(created.value());
}

// One record as a JSON object with every field, updatedAt as seconds, and "key": its id
// (a day's date), so records of any entity compare alike.
template <typename Record>
nlohmann::ordered_json rowJson(const Record& record) {
  nlohmann::ordered_json row = record;
  row["updatedAt"] = record.updatedAt;
  if constexpr (std::is_same_v<Record, DailyMetrics>) {
    row["key"] = formatIsoDate(record.day);
  } else {
    row["key"] = record.id;
  }
  return row;
}

inline std::vector<nlohmann::ordered_json> rowsOf(const EntityRows& rows) {
  std::vector<nlohmann::ordered_json> out;
  std::visit(
      [&](const auto& list) {
        for (const auto& record : list) out.push_back(rowJson(record));
      },
      rows);
  return out;
}

// rowsOf with every statistic (FieldGroup::statistics) at 0: what a collection page carries
// (values reports bring the statistics apart).
inline std::vector<nlohmann::ordered_json> attributeRowsOf(const EntityRows& rows) {
  std::vector<nlohmann::ordered_json> out;
  std::visit(
      [&](const auto& list) {
        for (auto record : list) {
          using Record = std::decay_t<decltype(record)>;
          forEachField<Record>([&](const auto& field, std::size_t) {
            using Value = typename std::decay_t<decltype(field)>::Value;
            if (field.group == FieldGroup::statistics) field.of(record) = Value{};
          });
          out.push_back(rowJson(record));
        }
      },
      rows);
  return out;
}

inline std::string keyOf(const nlohmann::ordered_json& row) { return row["key"].get<std::string>(); }
inline UnixSeconds stampOf(const nlohmann::ordered_json& row) { return row["updatedAt"].get<UnixSeconds>(); }

struct Walk {
  std::vector<nlohmann::ordered_json> rows;  // in the order the pages gave them
  int pages = 0;
  std::optional<UpstreamFailure> failure;  // the walk stopped on it
};

// Follows a collection to its last page; `betweenPages(n)` runs after page n when another
// follows. Rows as attributeRowsOf.
inline Walk walkFeed(UpstreamSource& source, Entity entity, UnixSeconds updatedSince, int pageSize,
                     const std::function<void(int page)>& betweenPages = {}) {
  Walk walk;
  std::optional<std::string> cursor;
  do {
    UpstreamResult result = source.fetchPage(entity, updatedSince, cursor, pageSize);
    if (!result) {
      walk.failure = result.error();
      return walk;
    }
    auto& page = result.value();
    for (auto& row : attributeRowsOf(page.rows)) walk.rows.push_back(std::move(row));
    ++walk.pages;
    cursor = page.nextCursor;
    if (cursor && betweenPages) betweenPages(walk.pages);
  } while (cursor);
  return walk;
}

// The last version of each record a walk saw, ordered by key: what a store that upserted
// every page would hold.
inline std::vector<nlohmann::ordered_json> latestByKey(const std::vector<nlohmann::ordered_json>& rows) {
  std::map<std::string, nlohmann::ordered_json> latest;
  for (const auto& row : rows) latest[keyOf(row)] = row;
  std::vector<nlohmann::ordered_json> out;
  for (auto& [key, row] : latest) out.push_back(std::move(row));
  return out;
}

inline UpstreamFailure failureOf(const UpstreamResult& result) {
  if (!result) return result.error();
  ADD_FAILURE() << "expected a failure, got a page";
  return {};
}

}  // namespace livedata::server::testing
