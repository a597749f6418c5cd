// Configuration layering: defaults < JSON file < environment < flags, one validation for
// all, errors that name the source and the field.
#include "app/options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <unistd.h>

namespace livedata::server {
namespace {

ParsedCommandLine parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "mock-server");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  return parseCommandLine(static_cast<int>(argv.size()), argv.data(),
                          [env](const std::string& name) -> std::optional<std::string> {
                            auto found = env.find(name);
                            if (found == env.end()) return std::nullopt;
                            return found->second;
                          });
}

std::string errorOf(const ParsedCommandLine& parsed) {
  const auto* error = std::get_if<UsageError>(&parsed);
  return error ? error->message : "";
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/livedata-options-XXXXXX";
    const int fd = mkstemp(name);
    path_ = name;
    ::close(fd);
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Options, DefaultsNeedNoRedisAndUseTheDataFolder) {
  const auto parsed = parse({});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(parsed));
  const auto& options = std::get<ServerOptions>(parsed);
  EXPECT_TRUE(options.redisUrl.empty());
  EXPECT_EQ(options.dbPath, "data/livedata.db");
  EXPECT_EQ(options.port, 8080);
}

TEST(Options, FlagsBeatEnvironmentWhichBeatsTheFile) {
  TempFile file(R"({"port": 1111, "sync-interval": 5, "redis": "redis://127.0.0.1:7000", "log-requests": true})");
  const auto parsed = parse({"--config", file.path(), "--port", "3333"},
                            {{"LIVEDATA_PORT", "2222"}, {"LIVEDATA_SYNC_INTERVAL", "7"}});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(parsed)) << errorOf(parsed);
  const auto& options = std::get<ServerOptions>(parsed);
  EXPECT_EQ(options.port, 3333);
  EXPECT_EQ(options.syncIntervalSeconds, 7);
  EXPECT_EQ(options.redisUrl, "redis://127.0.0.1:7000");
  EXPECT_TRUE(options.logRequests);
}

TEST(Options, ErrorsNameTheSourceAndField) {
  EXPECT_EQ(errorOf(parse({"--port", "x"})), "--port: expected an integer from 0 to 65535, got 'x'");
  EXPECT_EQ(errorOf(parse({}, {{"LIVEDATA_REDIS", "localhost"}})),
            "LIVEDATA_REDIS: expected redis://HOST:PORT[/DB], got 'localhost'");
  TempFile file(R"({"sync-interval": "soon"})");
  EXPECT_NE(errorOf(parse({"--config", file.path()})).find("field 'sync-interval'"), std::string::npos);
  TempFile unknown(R"({"prot": 1})");
  EXPECT_NE(errorOf(parse({"--config", unknown.path()})).find("unknown field 'prot'"), std::string::npos);
  TempFile broken("{");
  EXPECT_NE(errorOf(parse({"--config", broken.path()})).find("not valid JSON"), std::string::npos);
  EXPECT_EQ(errorOf(parse({"--nope"})), "unknown option '--nope'");
  EXPECT_EQ(errorOf(parse({"--changes-per-minute", "-1"})),
            "--changes-per-minute: expected a number from 0 to 1e+07, got '-1'");
  EXPECT_NE(errorOf(parse({"--upstream-faults", "{\"errorRate\": 2}"})).find("--upstream-faults: "), std::string::npos);
  EXPECT_NE(errorOf(parse({"--upstream-faults", "{\"colour\": 1}"})).find("colour"), std::string::npos);
}

TEST(Options, UpstreamFaultsTakeTheAdminRoutesJson) {
  const auto parsed = parse({"--upstream-faults", R"({"errorRate": 0.3, "latencyMs": 5, "rateLimitBurst": 2})"});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(parsed)) << errorOf(parsed);
  const auto& faults = std::get<ServerOptions>(parsed).upstreamFaults;
  EXPECT_DOUBLE_EQ(faults.errorRate, 0.3);
  EXPECT_EQ(faults.latencyMs, 5);
  EXPECT_EQ(faults.rateLimitBurst, 2);
}

TEST(Options, CorsOriginsAccumulateAndAreChecked) {
  const auto parsed = parse({"--cors-origin", "http://a.test", "--cors-origin=https://b.test:8443,http://c.test"});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(parsed)) << errorOf(parsed);
  EXPECT_EQ(std::get<ServerOptions>(parsed).corsOrigins.size(), 3u);
  EXPECT_NE(errorOf(parse({"--cors-origin", "a.test"})).find("--cors-origin"), std::string::npos);
}

TEST(Options, HelpListsEveryOptionWithItsEnvironmentVariable) {
  EXPECT_TRUE(std::holds_alternative<ShowHelp>(parse({"--help"})));
  const std::string text = usage();
  for (const char* expected : {"--redis URL", "LIVEDATA_REDIS", "--db PATH", "--sync-interval", "--config FILE",
                               "--cors-origin", "(default 60)"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  }
}

TEST(Options, MonitoringTargetsAndSwitches) {
  const auto defaults = std::get<ServerOptions>(parse({}));
  EXPECT_TRUE(defaults.requestMetrics);
  EXPECT_FALSE(defaults.monitorFullClientIps);
  EXPECT_DOUBLE_EQ(defaults.targetCacheHitRate, 0.9);
  EXPECT_EQ(defaults.alertCheckSeconds, 10);

  const auto set = std::get<ServerOptions>(parse({"--request-metrics=false", "--target-error-rate", "0.02",
                                                  "--slow-request-ms", "250"},
                                                 {{"LIVEDATA_TARGET_RESPONSE_MS", "150"}}));
  EXPECT_FALSE(set.requestMetrics);
  EXPECT_DOUBLE_EQ(set.targetErrorRate, 0.02);
  EXPECT_DOUBLE_EQ(set.targetResponseMs, 150);
  EXPECT_EQ(set.slowRequestMs, 250);

  EXPECT_EQ(errorOf(parse({"--target-cache-hit-rate", "1.5"})),
            "--target-cache-hit-rate: expected a number from 0 to 1, got '1.5'");
  EXPECT_NE(errorOf(parse({"--target-response-ms", "0"})), "") << "an average under 0 ms cannot be met";
  EXPECT_EQ(errorOf(parse({"--request-metrics=maybe"})), "--request-metrics: expected true or false, got 'maybe'");
  EXPECT_TRUE(std::get<ServerOptions>(parse({"--log-requests"})).logRequests) << "a bare switch is on";
}

}  // namespace
}  // namespace livedata::server
