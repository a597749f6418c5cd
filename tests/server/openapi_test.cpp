// docs/openapi.yaml documents every route the server serves: a route added without its
// documentation fails here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "backend.h"
#include "server.h"

namespace livedata::mock {
namespace {

// "METHOD /path" for every operation under `paths:` (two-space path keys, four-space
// method keys, as the file is written).
std::set<std::string> documentedRoutes(const std::string& file) {
  std::ifstream in(file);
  std::set<std::string> routes;
  const std::regex pathLine(R"(^  (/[^:\s]*):\s*$)");
  const std::regex methodLine(R"(^    (get|post|put|delete|patch|head|options):)");
  bool inPaths = false;
  std::string path;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("paths:", 0) == 0) inPaths = true;
    else if (!line.empty() && line[0] != ' ' && line[0] != '#') inPaths = false;
    if (!inPaths) continue;
    std::smatch match;
    if (std::regex_search(line, match, pathLine)) {
      path = match[1];
    } else if (std::regex_search(line, match, methodLine) && !path.empty()) {
      std::string method = match[1];
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes.insert(method + " " + path);
    }
  }
  return routes;
}

TEST(OpenApi, EveryServedRouteIsDocumentedAndNothingElse) {
  char pattern[] = "/tmp/livedata-openapi-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  ServerOptions options;
  options.dbPath = std::string(pattern) + "/livedata.db";
  options.adminToken = "token";
  options.syncIntervalSeconds = 0;
  options.changesPerMinute = 0;
  const Log log(LogLevel::error);
  auto backend = Backend::start(options, log);
  ASSERT_EQ(backend.index(), 0u) << std::get<std::string>(backend);
  MockServer server(options, "token", *std::get<0>(backend), log);

  const auto documented = documentedRoutes(LIVEDATA_SOURCE_DIR "/docs/openapi.yaml");
  ASSERT_FALSE(documented.empty());
  const std::set<std::string> served(server.routes().begin(), server.routes().end());
  for (const auto& route : served) EXPECT_EQ(documented.count(route), 1u) << route << " is not in docs/openapi.yaml";
  for (const auto& route : documented) EXPECT_EQ(served.count(route), 1u) << route << " is documented but not served";

  std::get<0>(backend)->stop();
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace livedata::mock
