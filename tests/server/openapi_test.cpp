// docs/openapi.yaml documents every route the server serves: a route added without its
// documentation fails here.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "app/backend.h"
#include "app/server.h"

namespace livedata::server {
namespace {

// "METHOD /path" for every operation under `paths:` (two-space path keys, four-space
// method keys, as the file is written). No std::regex: GCC 12 warns inside it under ASan.
std::set<std::string> documentedRoutes(const std::string& file) {
  std::ifstream in(file);
  std::set<std::string> routes;
  bool inPaths = false;
  std::string path;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("paths:", 0) == 0) inPaths = true;
    else if (!line.empty() && line[0] != ' ' && line[0] != '#') inPaths = false;
    if (!inPaths) continue;
    if (line.rfind("  /", 0) == 0 && line.back() == ':') {  // "  /api/campaigns:"
      path = line.substr(2, line.size() - 3);
      continue;
    }
    for (const char* method : {"get", "post", "put", "delete", "patch", "head", "options"}) {
      if (!path.empty() && line.rfind(std::string("    ") + method + ":", 0) == 0) {
        std::string upper = method;
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        routes.insert(upper + " " + path);
      }
    }
  }
  return routes;
}

TEST(OpenApi, EveryServedRouteIsDocumentedAndNothingElse) {
  char pattern[] = "/tmp/livedata-openapi-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  ServerOptions options;
  options.database = std::string(pattern) + "/livedata.db";
  options.adminToken = "token";
  options.sync.scheduleIntervalSeconds = 0;
  options.account.changesPerMinute = 0;
  const Log log(LogLevel::error);
  auto backend = Backend::start(options, log);
  ASSERT_TRUE(backend.ok()) << backend.error();
  ApiServer server(options, "token", *backend.value(), log);

  const auto documented = documentedRoutes(LIVEDATA_SOURCE_DIR "/docs/openapi.yaml");
  ASSERT_FALSE(documented.empty());
  const std::set<std::string> served(server.routes().begin(), server.routes().end());
  for (const auto& route : served) EXPECT_EQ(documented.count(route), 1u) << route << " is not in docs/openapi.yaml";
  for (const auto& route : documented) EXPECT_EQ(served.count(route), 1u) << route << " is documented but not served";

  backend.value()->stop();
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace livedata::server
