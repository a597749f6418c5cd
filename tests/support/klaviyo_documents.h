// Klaviyo's OpenAPI documents (one per operation) live outside the repository, in
// ../shared/klaviyo-openapi/ beside the checkout, and are never copied in. A test that needs
// them skips, naming the folder, where they are absent; under CI (CI=true), where they are
// always present, their absence fails the test instead of passing as a skip.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace livedata::testing {

// LIVEDATA_KLAVIYO_OPENAPI overrides the folder.
inline std::filesystem::path klaviyoDocumentsFolder() {
  if (const char* folder = std::getenv("LIVEDATA_KLAVIYO_OPENAPI")) return folder;
  return std::filesystem::path(LIVEDATA_SOURCE_DIR).parent_path() / "shared" / "klaviyo-openapi";
}

inline bool klaviyoDocumentsPresent() {
  return std::filesystem::exists(klaviyoDocumentsFolder() / "get_campaigns.json");
}

// One document, parsed ("get_campaigns.json"); call after LIVEDATA_REQUIRE_KLAVIYO_DOCUMENTS.
inline nlohmann::json klaviyoDocument(const std::string& file) {
  std::ifstream in(klaviyoDocumentsFolder() / file);
  return nlohmann::json::parse(in);
}

inline bool runningUnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace livedata::testing

// Use at the top of a TEST body (or a fixture's SetUp).
#define LIVEDATA_REQUIRE_KLAVIYO_DOCUMENTS()                                                           \
  do {                                                                                                 \
    if (!::livedata::testing::klaviyoDocumentsPresent()) {                                             \
      const auto folder = ::livedata::testing::klaviyoDocumentsFolder().string();                      \
      if (::livedata::testing::runningUnderCi()) FAIL() << "Klaviyo OpenAPI documents not found in " << folder; \
      GTEST_SKIP() << "Klaviyo OpenAPI documents not found in " << folder;                             \
    }                                                                                                  \
  } while (false)
