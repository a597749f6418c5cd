// What the tests of a sync against a separate upstream process share: the API key in a file,
// waiting for sync runs, and the check that a store holds exactly what the upstream does.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "server_client.h"
#include "store/store.h"
#include "upstream_client/klaviyo_upstream.h"

namespace livedata::testing {

// A Klaviyo API key in a temporary file, as a user keeps one.
struct KeyFile {
  explicit KeyFile(const std::string& key)
      : path((std::filesystem::temp_directory_path() / (key + ".key")).string()) {
    std::ofstream(path) << key << "\n";
  }
  ~KeyFile() { std::filesystem::remove(path); }
  KeyFile(const KeyFile&) = delete;
  KeyFile& operator=(const KeyFile&) = delete;
  const std::string path;
};

// Waits until the sync has finished `runs` runs in all (generous deadline).
inline nlohmann::json waitForRuns(ServerClient& http, std::uint64_t runs, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  nlohmann::json status;
  while (std::chrono::steady_clock::now() < deadline) {
    status = http.getJson("/api/sync/status");
    const auto& counters = status["counters"];
    if (status["state"] != "running" &&
        counters["successes"].get<std::uint64_t>() + counters["failures"].get<std::uint64_t>() >= runs) {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "sync did not finish " << runs << " runs: " << status.dump();
  return status;
}

// The store at `storeLocation` (a file or a postgres:// URL) equals the upstream record for
// record: every entity's count, and each campaign's id, update time, status and, with
// `compareStatistics`, opens (from its values report; statistics follow their own schedule,
// so a test that changed the upstream after the first sync compares the records only).
// Reads the upstream's whole collections with its API key.
inline void expectStoreMatchesUpstream(const std::string& storeLocation, const std::string& upstreamUrl,
                                       const std::string& apiKey, bool compareStatistics = true) {
  auto opened = server::Store::open(storeLocation);
  ASSERT_TRUE(opened.ok()) << opened.error();
  auto& store = *opened.value();
  server::KlaviyoUpstreamOptions sourceOptions;
  sourceOptions.source.http.baseUrl = upstreamUrl;
  sourceOptions.source.apiKey = apiKey;
  auto madeSource = server::KlaviyoUpstream::create(sourceOptions);
  ASSERT_TRUE(madeSource.ok());
  auto& source = *madeSource.value();
  // The campaigns' opens come from their values report.
  const auto statistics = source.fetchStatistics(server::Entity::campaigns);
  ASSERT_TRUE(statistics.ok()) << statistics.error().message;
  std::map<std::string, std::int64_t> opensById;
  for (const auto& campaign : std::get<std::vector<server::Campaign>>(statistics.value())) opensById[campaign.id] = campaign.opens;
  for (const server::Entity entity : server::kAllEntities) {
    // Walk the upstream's whole collection (for metrics, its overview): the truth to compare with.
    std::vector<server::Campaign> expectedCampaigns;
    std::size_t expectedCount = 0;
    std::optional<std::string> cursor;
    do {
      const auto page = source.fetchPage(entity, 0, cursor, 100);
      ASSERT_TRUE(page.ok()) << page.error().message;
      const auto& fetched = page.value();
      expectedCount += server::rowCount(fetched.rows);
      if (const auto* campaigns = std::get_if<std::vector<server::Campaign>>(&fetched.rows)) {
        expectedCampaigns.insert(expectedCampaigns.end(), campaigns->begin(), campaigns->end());
      }
      cursor = fetched.nextCursor;
    } while (cursor);
    const auto stored = store.allRows(entity);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(server::rowCount(stored.value()), expectedCount) << server::nameOf(entity);
    if (entity == server::Entity::campaigns) {
      auto storedCampaigns = std::get<std::vector<server::Campaign>>(stored.value());
      std::sort(expectedCampaigns.begin(), expectedCampaigns.end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
      ASSERT_EQ(storedCampaigns.size(), expectedCampaigns.size());
      for (std::size_t i = 0; i < storedCampaigns.size(); ++i) {
        ASSERT_EQ(storedCampaigns[i].id, expectedCampaigns[i].id);
        ASSERT_EQ(storedCampaigns[i].updatedAt, expectedCampaigns[i].updatedAt) << storedCampaigns[i].id;
        if (compareStatistics) {
          ASSERT_EQ(storedCampaigns[i].opens, opensById[storedCampaigns[i].id]) << storedCampaigns[i].id;
        }
        ASSERT_EQ(storedCampaigns[i].status, expectedCampaigns[i].status) << storedCampaigns[i].id;
      }
    }
  }
}

}  // namespace livedata::testing
