// Configuration layering: defaults < JSON file < environment < flags, one validation for
// all, errors that name the source and the field.
#include "app/options.h"
#include "upstream_client/upstream_source.h"  // kMaxPageSize

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>
#include <vector>
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

TEST(Options, MaxThreadsBelowThreadsIsRefusedWhicheverSourceGaveThem) {
  EXPECT_NE(errorOf(parse({"--max-threads", "1", "--threads", "16"})).find("--max-threads 1 is below --threads 16"),
            std::string::npos);
  // The default 16 threads kept ready bound a lone --max-threads too; each value's source is named.
  EXPECT_EQ(errorOf(parse({}, {{"LIVEDATA_MAX_THREADS", "8"}})).rfind(
                "LIVEDATA_MAX_THREADS=8 is below the default --threads 16", 0),
            0u);
  TempFile file(R"({"threads": 32})");
  EXPECT_EQ(errorOf(parse({"--config", file.path(), "--max-threads", "20"}))
                .rfind("--max-threads 20 is below threads 32 in config file " + file.path() + ":", 0),
            0u);
  // An upstream-only server serves with the upstream's threads: the API server's do not apply.
  EXPECT_TRUE(std::holds_alternative<ServerOptions>(parse({"--upstream-only", "--max-threads", "1"})));
  const auto equal = parse({"--max-threads", "4", "--threads", "4"});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(equal)) << errorOf(equal);
  EXPECT_EQ(std::get<ServerOptions>(equal).http.maxThreads, 4);
}

TEST(Options, AVariableAFewLettersFromAnOptionsIsNamedWithTheOptionsVariable) {
  const auto misspelt = misspeltEnvironmentVariables(
      {"LIVEDATA_PROT", "LIVEDATA_PORT", "LIVEDATA_CONFIG", "LIVEDATA_REDIS_URL", "LIVEDATA_ADMIN_TOKN",
       "LIVEDATA_REQUIRE_TOOLS", "LIVEDATA_DIR", "PORT", "LIVEDATA_ZZZZZZZZZZ",
       // Two edits off a short name (PORT) is another name; off a longer one (THREADS), a typo.
       "LIVEDATA_POTS", "LIVEDATA_THRDS", "LIVEDATA_port"});
  ASSERT_EQ(misspelt.size(), 4u);
  EXPECT_EQ(misspelt[0].name, "LIVEDATA_PROT");
  EXPECT_EQ(misspelt[0].didYouMean, "LIVEDATA_PORT");
  EXPECT_EQ(misspelt[1].name, "LIVEDATA_ADMIN_TOKN");
  EXPECT_EQ(misspelt[1].didYouMean, "LIVEDATA_ADMIN_TOKEN");
  EXPECT_EQ(misspelt[2].name, "LIVEDATA_THRDS");
  EXPECT_EQ(misspelt[2].didYouMean, "LIVEDATA_THREADS");
  EXPECT_EQ(misspelt[3].name, "LIVEDATA_port");
  EXPECT_EQ(misspelt[3].didYouMean, "LIVEDATA_PORT");
}

TEST(Options, TheDatabaseIsAFilePathOrAPostgresUrlAndWhatIsNeitherIsRefusedNamingTheFlag) {
  for (const std::string refused : {"mysql://u@h/db", "postgres://", "sqlite:data.db",
                                    "file:data.db", ":memory:", "", "/tmp"}) {
    const std::string error = errorOf(parse({"--db", refused}));
    EXPECT_EQ(error.rfind("--db: expected the path of a SQLite database file", 0), 0u) << refused << ": " << error;
  }
  EXPECT_NE(errorOf(parse({}, {{"LIVEDATA_DB", "mysql://h/db"}})).find("SQLite database file"), std::string::npos)
      << "from the environment too";
  for (const std::string accepted : {"data/livedata.db", "/var/lib/livedata/live.db", "./my:file.db", "live.sqlite",
                                     "postgres://livedata@db.internal/livedata",
                                     "postgresql://livedata:secret@10.0.0.5:5433/live?sslmode=require",
                                     "postgresql:///livedata"}) {
    const auto parsed = parse({"--db", accepted});
    ASSERT_TRUE(std::holds_alternative<ServerOptions>(parsed)) << accepted << ": " << errorOf(parsed);
    EXPECT_EQ(std::get<ServerOptions>(parsed).database, accepted);
  }
}

TEST(Options, DefaultsNeedNoRedisAndUseTheDataFolder) {
  const auto parsed = parse({});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(parsed));
  const auto& options = std::get<ServerOptions>(parsed);
  EXPECT_TRUE(options.cache.redisUrl.empty());
  EXPECT_EQ(options.database, "data/livedata.db");
  EXPECT_EQ(options.port, 8080);
}

TEST(Options, TheSimulatedHistoryEndsNowOrAtAGivenMomentItsTimeZoneAndTheKlaviyoMetricsCanBeChosen) {
  const auto byDefault = parse({});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(byDefault));
  EXPECT_TRUE(std::get<ServerOptions>(byDefault).account.historyEndsNow);

  const auto pinned = parse({"--history-end", "2026-12-05T12:30:00Z", "--klaviyo-metric-revenue", "WaRYfF"});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(pinned)) << errorOf(pinned);
  const auto& options = std::get<ServerOptions>(pinned);
  EXPECT_FALSE(options.account.historyEndsNow);
  EXPECT_EQ(options.account.sizes.lastDay, dayFromCivil(2026, 12, 5));
  EXPECT_EQ(options.account.sizes.asOf, dayFromCivil(2026, 12, 5) * kSecondsPerDay + 12 * 3600 + 1800);
  EXPECT_EQ(options.klaviyoMetrics.revenue, "WaRYfF");
  EXPECT_FALSE(options.klaviyoMetrics.sends);

  EXPECT_EQ(std::get<ServerOptions>(byDefault).account.utcOffsetSeconds, 0);
  const auto east = parse({"--account-utc-offset", "+05:30"});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(east)) << errorOf(east);
  EXPECT_EQ(std::get<ServerOptions>(east).account.utcOffsetSeconds, 5 * 3600 + 1800);
  EXPECT_NE(errorOf(parse({"--account-utc-offset", "+15:00"})).find("--account-utc-offset: expected an offset from -12:00"),
            std::string::npos);
  EXPECT_NE(errorOf(parse({"--account-utc-offset", "Europe/Paris"})).find("--account-utc-offset"), std::string::npos);

  EXPECT_NE(errorOf(parse({"--history-end", "yesterday"})).find("--history-end: expected now or an RFC 3339"), std::string::npos);
  EXPECT_NE(errorOf(parse({"--klaviyo-metric-opens", ""})).find("--klaviyo-metric-opens"), std::string::npos);
  EXPECT_NE(errorOf(parse({"--upstream", "ftp://a.klaviyo.com"})).find("https://HOST"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<ServerOptions>(parse({"--upstream", "https://a.klaviyo.com"})));
}

TEST(Options, FlagsBeatEnvironmentWhichBeatsTheFile) {
  TempFile file(R"({"port": 1111, "sync-interval": 5, "redis": "redis://127.0.0.1:7000", "log-requests": true})");
  const auto parsed = parse({"--config", file.path(), "--port", "3333"},
                            {{"LIVEDATA_PORT", "2222"}, {"LIVEDATA_SYNC_INTERVAL", "7"}});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(parsed)) << errorOf(parsed);
  const auto& options = std::get<ServerOptions>(parsed);
  EXPECT_EQ(options.port, 3333);
  EXPECT_EQ(options.sync.scheduleIntervalSeconds, 7);
  EXPECT_EQ(options.cache.redisUrl, "redis://127.0.0.1:7000");
  EXPECT_TRUE(options.logRequests);
}

TEST(Options, AConfigValueOfAnotherTypeIsRefusedNotTakenAsText) {
  TempFile file(R"({"upstream-api-key": null})");
  const std::string error = errorOf(parse({"--config", file.path()}));
  EXPECT_NE(error.find("expected a string, number or boolean"), std::string::npos) << error;
}

TEST(Options, ErrorsNameTheSourceAndField) {
  EXPECT_EQ(errorOf(parse({"--port", "x"})), "--port: expected an integer from 0 to 65535, got 'x'");
  EXPECT_EQ(errorOf(parse({"--db", "mysql://livedata@db.internal/livedata"})),
            "--db: expected the path of a SQLite database file, e.g. data/livedata.db, or a PostgreSQL URL, "
            "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (a URL or URI such as 'mysql:...' is neither; got "
            "'mysql://livedata@db.internal/livedata')");
  EXPECT_EQ(errorOf(parse({}, {{"LIVEDATA_REDIS", "localhost"}})),
            "LIVEDATA_REDIS: expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], got 'localhost'");
  TempFile file(R"({"sync-interval": "soon"})");
  EXPECT_NE(errorOf(parse({"--config", file.path()})).find("field 'sync-interval'"), std::string::npos);
  TempFile unknown(R"({"prot": 1})");
  EXPECT_NE(errorOf(parse({"--config", unknown.path()})).find("unknown field 'prot'"), std::string::npos);
  TempFile broken("{");
  EXPECT_NE(errorOf(parse({"--config", broken.path()})).find("not valid JSON"), std::string::npos);
  TempFile twice(R"({"port": 8080, "sync-interval": 60, "port": 9090})");
  EXPECT_EQ(errorOf(parse({"--config", twice.path()})),
            "config file " + twice.path() + " repeats the key 'port' in one object");
  EXPECT_EQ(errorOf(parse({"--nope"})), "unknown option '--nope'");
  EXPECT_EQ(errorOf(parse({}, {{"LIVEDATA_ADMIN_TOKEN", "a"}})),
            "LIVEDATA_ADMIN_TOKEN: expected at least 16 characters, got 1 (a short token can be guessed; leave it out "
            "for a random one)");
  EXPECT_EQ(errorOf(parse({"--admin-token", "0123456789abcdef"})), "") << "16 is enough";
  EXPECT_EQ(errorOf(parse({"--changes-per-minute", "-1"})),
            "--changes-per-minute: expected a number from 0 to 1e+07, got '-1'");
  EXPECT_NE(errorOf(parse({"--upstream-faults", "{\"errorRate\": 2}"})).find("--upstream-faults: "), std::string::npos);
  EXPECT_NE(errorOf(parse({"--upstream-faults", "{\"colour\": 1}"})).find("colour"), std::string::npos);
}

TEST(Options, UpstreamFaultsTakeTheAdminRoutesJson) {
  const auto parsed = parse({"--upstream-faults", R"({"errorRate": 0.3, "latencyMs": 5, "rateLimitBurst": 2})"});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(parsed)) << errorOf(parsed);
  const auto& faults = std::get<ServerOptions>(parsed).upstream.faults;
  EXPECT_DOUBLE_EQ(faults.errorRate, 0.3);
  EXPECT_EQ(faults.latencyMs, 5);
  EXPECT_EQ(faults.rateLimitBurst, 2);
}

TEST(Options, TheUpstreamApiKeyComesFromAFileOrTheEnvironmentAndNoErrorShowsIt) {
  const std::string key = "pk_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  TempFile file(key + "\n");
  const auto fromFile = parse({"--upstream-api-key-file", file.path()});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(fromFile)) << errorOf(fromFile);
  EXPECT_EQ(std::get<ServerOptions>(fromFile).upstream.apiKey, key);
  const auto fromEnvironment = parse({}, {{"LIVEDATA_UPSTREAM_API_KEY", key}});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(fromEnvironment)) << errorOf(fromEnvironment);
  EXPECT_EQ(std::get<ServerOptions>(fromEnvironment).upstream.apiKey, key);

  TempFile twoLines(key + "\n" + key + "\n");
  TempFile spaced("pk_one " + key);
  TempFile empty("\n");
  for (const auto* refused : {&twoLines, &spaced, &empty}) {
    const std::string error = errorOf(parse({"--upstream-api-key-file", refused->path()}));
    EXPECT_EQ(error.rfind("--upstream-api-key-file: ", 0), 0u) << error;
    EXPECT_NE(error.find(refused->path()), std::string::npos) << error;
    EXPECT_EQ(error.find(key), std::string::npos) << error;
  }
  EXPECT_NE(errorOf(parse({"--upstream-api-key-file", "/nonexistent/key"})).find("cannot read"), std::string::npos);
}

TEST(Options, TheSimulatedUpstreamsRateLimitsAreKlaviyosOrOff) {
  EXPECT_TRUE(ServerOptions{}.upstream.documentedRateLimits);
  const auto off = parse({"--upstream-rate-limits", "off"});
  ASSERT_TRUE(std::holds_alternative<ServerOptions>(off)) << errorOf(off);
  EXPECT_FALSE(std::get<ServerOptions>(off).upstream.documentedRateLimits);
  EXPECT_NE(errorOf(parse({"--upstream-rate-limits", "some"})).find("--upstream-rate-limits"), std::string::npos);
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
  for (const char* expected : {"--redis URL", "LIVEDATA_REDIS", "--db FILE|URL", "--sync-interval", "--config FILE",
                               "--cors-origin", "(default 60)"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  }
}

TEST(Options, MonitoringTargetsAndSwitches) {
  const auto defaults = std::get<ServerOptions>(parse({}));
  EXPECT_TRUE(defaults.requestMetrics);
  EXPECT_FALSE(defaults.monitorFullClientIps);
  EXPECT_DOUBLE_EQ(defaults.targets.minCacheHitRate, 0.9);
  EXPECT_EQ(defaults.alertCheckSeconds, 10);

  const auto set = std::get<ServerOptions>(parse({"--request-metrics=false", "--target-error-rate", "0.02",
                                                  "--slow-request-ms", "250"},
                                                 {{"LIVEDATA_TARGET_RESPONSE_MS", "150"}}));
  EXPECT_FALSE(set.requestMetrics);
  EXPECT_DOUBLE_EQ(set.targets.maxErrorRate, 0.02);
  EXPECT_DOUBLE_EQ(set.targets.maxAverageResponseMillis, 150);
  EXPECT_EQ(set.slowRequestMs, 250);

  EXPECT_EQ(errorOf(parse({"--target-cache-hit-rate", "1.5"})),
            "--target-cache-hit-rate: expected a number from 0 to 1, got '1.5'");
  EXPECT_NE(errorOf(parse({"--target-response-ms", "0"})), "") << "an average under 0 ms cannot be met";
  EXPECT_EQ(errorOf(parse({"--request-metrics=maybe"})), "--request-metrics: expected true or false, got 'maybe'");
  EXPECT_TRUE(std::get<ServerOptions>(parse({"--log-requests"})).logRequests) << "a bare switch is on";
}

TEST(Options, LimitsAreTheModulesOwnAndErrorsNameTheFlag) {
  // The cache keeps an entry a day at most; the flag refuses more, in its own words.
  EXPECT_EQ(errorOf(parse({"--cache-ttl", "2592000"})),
            "--cache-ttl: expected an integer from 1 to " +
                std::to_string(SharedResponseCacheOptions::kMaxTtlSeconds) + ", got '2592000'");
  EXPECT_EQ(errorOf(parse({"--cache-ttl", std::to_string(SharedResponseCacheOptions::kMaxTtlSeconds)})), "");
  EXPECT_EQ(errorOf(parse({"--sync-page-size", std::to_string(kMaxPageSize + 1)})),
            "--sync-page-size: expected an integer from 1 to " + std::to_string(kMaxPageSize) + ", got '" +
                std::to_string(kMaxPageSize + 1) + "'");
  EXPECT_EQ(std::get<ServerOptions>(parse({"--sync-full-pass-interval", "0"})).sync.fullPassIntervalSeconds, 0);
  EXPECT_EQ(std::get<ServerOptions>(parse({})).sync.fullPassIntervalSeconds, 6 * 3600);
  EXPECT_EQ(errorOf(parse({"--sync-full-pass-interval", "-1"})),
            "--sync-full-pass-interval: expected an integer from 0 to 2592000, got '-1'");
}

// The help's option entries, each on one line however the help wraps it.
std::vector<std::string> helpEntries() {
  std::vector<std::string> entries;
  std::istringstream text(usage());
  for (std::string line; std::getline(text, line);) {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    if (start == 2 && line[2] == '-') {
      entries.push_back(line);
    } else if (start > 2 && !entries.empty()) {
      entries.back() += " " + line.substr(start);
    }
  }
  return entries;
}

TEST(Options, HelpShowsTheDefaultsOfTheStructs) {
  const ServerOptions defaults;
  const auto entries = helpEntries();
  for (const auto& [flagName, value] : std::vector<std::pair<std::string, std::string>>{
           {"--cache-ttl S", std::to_string(defaults.cache.ttlSeconds)},
           {"--cache-max-bytes N", std::to_string(defaults.cache.memoryMaxBytes)},
           {"--threads N", std::to_string(defaults.http.threads)},
           {"--sync-interval S", std::to_string(defaults.sync.scheduleIntervalSeconds)},
           {"--sync-page-size N", std::to_string(defaults.sync.pageSize)},
           {"--campaigns N", std::to_string(defaults.account.sizes.campaigns)},
           {"--changes-per-minute RATE", "30"},
           {"--target-cache-hit-rate RATIO", "0.9"},
           {"--log-level LEVEL", "info"},
       }) {
    const std::string& flag = flagName;  // C++17 lambdas cannot capture a structured binding
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [&](const std::string& e) { return e.rfind("  " + flag + " ", 0) == 0; });
    ASSERT_NE(entry, entries.end()) << flag;
    EXPECT_NE(entry->find("(default " + value + ")"), std::string::npos) << *entry;
  }
  EXPECT_DOUBLE_EQ(defaults.account.changesPerMinute, 30);
  EXPECT_DOUBLE_EQ(defaults.targets.minCacheHitRate, 0.9);
}

TEST(Options, EveryDefaultTheHelpShowsIsAcceptedBack) {
  // A default outside its own flag's limits would make the documented value unusable.
  int checked = 0;
  for (const std::string& line : helpEntries()) {
    const auto flagAt = line.find("  --");
    const auto defaultAt = line.find("(default ");
    if (flagAt != 0 || defaultAt == std::string::npos) continue;
    const std::string flag = line.substr(2, line.find(' ', 4) - 2);
    const std::string value = line.substr(defaultAt + 9, line.find(')', defaultAt) - defaultAt - 9);
    if (value.find(' ') != std::string::npos || value == "none" || flag == "--config") continue;
    const bool isSwitch = value == "on" || value == "off";
    const auto parsed = isSwitch ? parse({flag + "=" + (value == "on" ? "true" : "false")}) : parse({flag, value});
    EXPECT_EQ(errorOf(parsed), "") << line;
    ++checked;
  }
  EXPECT_GT(checked, 30);
}

}  // namespace
}  // namespace livedata::server
