#include "app/options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "livedata/command_line.h"
#include "klaviyo/iso_datetime.h"
#include "model/strict_json.h"
#include "livedata/url_password.h"
#include "upstream_client/upstream_source.h"  // kMaxPageSize
#include "store/store.h"     // isPostgresUrl

namespace livedata::server {
namespace {

namespace cl = command_line;
using cl::Problem;
using Option = cl::Option<ServerOptions>;

Problem checkRedisUrl(const std::string& url) {
  if (url.empty()) return std::nullopt;
  if (url.rfind("redis://", 0) != 0 || url.size() == 8) {
    return "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], got '" + redactUrlPassword(url) + "'";
  }
  return std::nullopt;
}

Problem checkHttpUrl(const std::string& url) {
  if (url.empty() || url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return std::nullopt;
  return "expected http://HOST:PORT or https://HOST, got '" + url + "'";
}

Problem checkNotEmpty(const std::string& value) {
  if (value.empty()) return std::string("expected a non-empty value");
  return std::nullopt;
}

// The admin token guards the sync, the caches, the upstream's faults and monitoring (which
// shows client addresses): one that can be guessed guards nothing. 16 characters or more.
Problem checkAdminToken(const std::string& value) {
  constexpr std::size_t kMinLength = 16;
  if (value.size() >= kMinLength) return std::nullopt;
  return "expected at least " + std::to_string(kMinLength) + " characters, got " + std::to_string(value.size()) +
         " (a short token can be guessed; leave it out for a random one)";
}

// An option that sets one of the overview's metric ids (ConfiguredMetricIds).
Option metricIdOption(const char* name, const char* metric, std::optional<std::string> ConfiguredMetricIds::*member) {
  return cl::custom<ServerOptions>(name, "ID",
                                   std::string("the id of the account's ") + metric + " metric, when finding it by name is not enough",
                                   "found by name",
                                   [member](ServerOptions& options, const std::string& value) -> Problem {
                                     if (auto problem = checkNotEmpty(value)) return problem;
                                     options.klaviyoMetrics.*member = value;
                                     return std::nullopt;
                                   });
}

// --db names the store: a PostgreSQL database by its URL (postgres:// or postgresql://), or
// else a SQLite database file. What a user may type for another store (another scheme,
// SQLite's ":memory:" or "file:" URIs, a folder) is refused here, where it would otherwise
// become a folder named "mysql:" holding a new, empty database.
Problem checkDatabase(const std::string& value) {
  const std::string accepts =
      "expected the path of a SQLite database file, e.g. data/livedata.db, or a PostgreSQL URL, "
      "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE";
  if (value.empty()) return accepts;
  // libpq reads the URL itself (a missing host is its Unix socket); only an empty one is refused.
  if (isPostgresUrl(value)) {
    if (value.size() == value.find("://") + 3) return accepts + " (got '" + value + "', which names no database)";
    return std::nullopt;
  }
  const std::size_t colon = value.find(':');
  const bool looksLikeScheme =
      colon != std::string::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(value[0])) &&
      std::all_of(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      });
  if (looksLikeScheme) {
    return accepts + " (a URL or URI such as '" + value.substr(0, colon + 1) + "...' is neither; got '" + value + "')";
  }
  if (value == ":memory:") return accepts + " (an in-memory database would lose everything on exit; got ':memory:')";
  std::error_code error;
  if (std::filesystem::is_directory(value, error)) return accepts + " (got the folder '" + value + "')";
  return std::nullopt;
}

Problem checkFolder(const std::string& value) {
  std::error_code error;
  if (!value.empty() && !std::filesystem::is_directory(value, error)) return "expected a folder, got '" + value + "'";
  return std::nullopt;
}

// A secret kept in a file (an API key): its one line, without the line end. Errors name the
// file, never what it holds.
Expected<std::string, std::string> readSecretFile(const std::string& path) {
  constexpr std::size_t kMaxBytes = 4096;
  std::ifstream file(path, std::ios::binary);
  if (!file) return unexpected("cannot read the file '" + path + "'");
  std::string text(kMaxBytes + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (text.size() > kMaxBytes) return unexpected("the file '" + path + "' is over 4 KiB: expected one line holding the key");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
  if (text.empty()) return unexpected("the file '" + path + "' is empty: expected one line holding the key");
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) > ' ' && c != '\x7f'; });
  if (!printable) return unexpected("the file '" + path + "' holds more than one word or line: expected the key alone");
  return text;
}

Option sizeOption(std::string name, std::string help, int DatasetSizes::*size, int high) {
  return cl::number<ServerOptions>(std::move(name), "N", std::move(help), 1, high,
                                   [size](ServerOptions& o) -> int& { return o.account.sizes.*size; });
}

// The options under the names the command line, the environment (LIVEDATA_<NAME>) and the
// config file give them, in --help order. --config itself is read before the others.
const cl::OptionTable<ServerOptions>& optionTable() {
  using Cache = SharedResponseCacheOptions;
  static const cl::OptionTable<ServerOptions> kTable{{
      cl::custom<ServerOptions>("config", "FILE", "read options from a JSON file", "none",
                                [](ServerOptions&, const std::string&) -> Problem { return std::nullopt; }),
      // HTTP
      cl::text<ServerOptions>("host", "ADDRESS", "address to bind", [](auto& o) -> auto& { return o.host; }, checkNotEmpty),
      cl::number<ServerOptions>("port", "N", "TCP port; 0 picks a free one", 0, 65535, [](auto& o) -> auto& { return o.port; }),
      cl::number<ServerOptions>("threads", "N", "worker threads kept ready, each serving one request at a time (idle connections wait in the event loop)", 1, 1024,
                                [](auto& o) -> auto& { return o.http.threads; }),
      cl::number<ServerOptions>("max-threads", "N",
                                "most requests served at once: threads start as requests come (no fewer than "
                                "--threads); event streams are bounded by --max-subscribers instead",
                                1, 65536, [](auto& o) -> auto& { return o.http.maxThreads; }),
      cl::number<ServerOptions>("max-body-bytes", "N", "larger request bodies get 413", std::size_t{1},
                                std::size_t{1} << 30, [](auto& o) -> auto& { return o.http.maxBodyBytes; }),
      cl::number<ServerOptions>("read-timeout-ms", "N", "longest time a client may take to send a request (its head and body)", 1, 600000,
                                [](auto& o) -> auto& { return o.http.readTimeoutMs; }),
      cl::number<ServerOptions>("write-timeout-ms", "N", "longest wait for a client to take response data", 1,
                                600000, [](auto& o) -> auto& { return o.http.writeTimeoutMs; }),
      cl::custom<ServerOptions>(
          "cors-origin", "ORIGIN",
          "an origin allowed by CORS (scheme://host[:port]); repeat or comma-separate for several", "none",
          [](ServerOptions& options, const std::string& value) -> Problem {
            std::stringstream list(value);
            for (std::string origin; std::getline(list, origin, ',');) {
              if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
                return "expected http(s)://HOST[:PORT], got '" + origin + "'";
              }
              options.corsOrigins.push_back(origin);
            }
            return std::nullopt;
          })
          .repeatable(),
      cl::text<ServerOptions>("web-root", "DIR", "folder of static files (the dashboard) served at /",
                              [](auto& o) -> auto& { return o.webRoot; }, checkFolder)
          .shownDefault("none"),
      // Caching
      cl::number<ServerOptions>("max-age", "S", "Cache-Control max-age of /api responses, in seconds", 0, 31536000,
                                [](auto& o) -> auto& { return o.maxAgeSeconds; }),
      cl::number<ServerOptions>("swr", "S", "Cache-Control stale-while-revalidate of /api responses, in seconds", 0,
                                31536000, [](auto& o) -> auto& { return o.staleWhileRevalidateSeconds; }),
      cl::text<ServerOptions>("redis", "URL", "Redis for the response cache, redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (a password is never logged; prefer LIVEDATA_REDIS to the command line for it)",
                              [](auto& o) -> auto& { return o.cache.redisUrl; }, checkRedisUrl)
          .shownDefault("none: memory only"),
      cl::number<ServerOptions>("cache-ttl", "S", "lifetime of a server response cache entry, in seconds", 1,
                                Cache::kMaxTtlSeconds, [](auto& o) -> auto& { return o.cache.ttlSeconds; }),
      cl::number<ServerOptions>("cache-max-entries", "N", "entries of the in-memory response cache", std::size_t{1},
                                std::size_t{100000000}, [](auto& o) -> auto& { return o.cache.memoryMaxEntries; }),
      cl::number<ServerOptions>("cache-max-bytes", "N", "bytes of the in-memory response cache",
                                Cache::kMinMemoryMaxBytes, std::size_t{1} << 40, [](auto& o) -> auto& { return o.cache.memoryMaxBytes; }),
      // Store and sync
      cl::text<ServerOptions>("db", "FILE|URL", "the store: a SQLite database file, or a PostgreSQL database's postgres:// URL (several instances share one)", [](auto& o) -> auto& { return o.database; }, checkDatabase),
      cl::number<ServerOptions>("write-lease-ms", "MS",
                                "with PostgreSQL, how long the sync leadership outlives a silent leader before "
                                "another instance takes it over",
                                500, 600000, [](auto& o) -> auto& { return o.writeLeaseMs; }),
      cl::number<ServerOptions>("sync-interval", "S", "seconds between scheduled syncs; 0 syncs only on demand", 0,
                                86400 * 7, [](auto& o) -> auto& { return o.sync.scheduleIntervalSeconds; }),
      cl::number<ServerOptions>("sync-page-size", "N", "records per upstream page", 1, kMaxPageSize,
                                [](auto& o) -> auto& { return o.sync.pageSize; }),
      cl::number<ServerOptions>("sync-statistics-interval", "S",
                                "seconds between fetches of each entity's statistics (Klaviyo's values reports "
                                "allow 225 calls a day each)",
                                60, 86400 * 7, [](auto& o) -> auto& { return o.sync.statisticsIntervalSeconds; }),
      cl::number<ServerOptions>("sync-full-pass-interval", "S",
                                "seconds between whole passes over each collection, which find records deleted "
                                "upstream; 0: only the first and forced syncs",
                                0, 86400 * 30, [](auto& o) -> auto& { return o.sync.fullPassIntervalSeconds; }),
      metricIdOption("klaviyo-metric-sends", "\"Received Email\"", &ConfiguredMetricIds::sends),
      metricIdOption("klaviyo-metric-opens", "\"Opened Email\"", &ConfiguredMetricIds::opens),
      metricIdOption("klaviyo-metric-clicks", "\"Clicked Email\"", &ConfiguredMetricIds::clicks),
      metricIdOption("klaviyo-metric-revenue", "\"Placed Order\"", &ConfiguredMetricIds::revenue),
      cl::number<ServerOptions>("sync-lookback", "S",
                                "seconds re-read before each cursor, so late updates are not missed", 0, 86400,
                                [](auto& o) -> auto& { return o.sync.lookbackSeconds; }),
      // Live feed
      cl::number<ServerOptions>("max-subscribers", "N", "live feed streams and long-polls held at once; more get 503",
                                std::size_t{1}, std::size_t{1000000}, [](auto& o) -> auto& { return o.feed.maxSubscribers; }),
      cl::number<ServerOptions>("change-log-size", "N",
                                "changes kept for live clients that resume; one further behind resets", std::size_t{1},
                                std::size_t{10000000}, [](auto& o) -> auto& { return o.feed.replayCapacity; }),
      cl::number<ServerOptions>("heartbeat-seconds", "S", "seconds between heartbeats on an idle live stream", 1, 3600,
                                [](auto& o) -> auto& { return o.feed.heartbeatSeconds; }),
      cl::number<ServerOptions>("stream-retry-ms", "MS", "reconnection delay a live stream advises its clients", 0,
                                600000, [](auto& o) -> auto& { return o.feed.retryMs; }),
      // Upstream
      cl::text<ServerOptions>("upstream", "URL", "Klaviyo's API, https://a.klaviyo.com, or a simulated one at http://HOST:PORT",
                              [](auto& o) -> auto& { return o.upstreamUrl; }, checkHttpUrl)
          .shownDefault("none: run it in-process"),
      cl::flag<ServerOptions>("upstream-only", "serve only the simulated upstream API, as its own process",
                              [](auto& o) -> auto& { return o.upstreamOnly; }),
      cl::number<ServerOptions>("seed", "N", "seed of the generated account", std::uint64_t{0},
                                std::uint64_t{INT64_MAX}, [](auto& o) -> auto& { return o.account.seed; }),
      sizeOption("campaigns", "campaigns in the generated account", &DatasetSizes::campaigns, 2000000),
      sizeOption("flows", "flows in the generated account", &DatasetSizes::flows, 1000000),
      sizeOption("forms", "forms in the generated account", &DatasetSizes::forms, 1000000),
      sizeOption("segments", "segments in the generated account", &DatasetSizes::segments, 1000000),
      sizeOption("days", "days of history, ending now (today's metrics so far)", &DatasetSizes::days, 3660),
      cl::custom<ServerOptions>("history-end", "TIME",
                                "when the generated history ends: now, or an RFC 3339 date-time (2026-12-05T12:00:00Z); "
                                "servers given the same one generate the same account",
                                "now",
                                [](ServerOptions& options, const std::string& value) -> Problem {
                                  if (value == "now") {
                                    options.account.historyEndsNow = true;
                                    options.account.sizes.asOf.reset();
                                    return std::nullopt;
                                  }
                                  const auto time = klaviyo::parseDateTime(value);
                                  if (!time) {
                                    return "expected now or an RFC 3339 date-time such as 2026-12-05T12:00:00Z, got '" + value + "'";
                                  }
                                  const UnixSeconds at = *time;
                                  options.account.historyEndsNow = false;
                                  options.account.sizes.lastDay = dayOf(at);
                                  options.account.sizes.asOf = at;
                                  return std::nullopt;
                                }),
      cl::custom<ServerOptions>("account-utc-offset", "OFFSET",
                                "the simulated account's time zone as an offset from UTC, +HH:MM or -HH:MM (-12:00 to "
                                "+14:00): its values reports read their timeframes there, as Klaviyo reads them in the "
                                "company's time zone",
                                "+00:00",
                                [](ServerOptions& options, const std::string& value) -> Problem {
                                  const auto offset = klaviyo::parseUtcOffset(value);
                                  if (!offset || *offset < klaviyo::kWestmostUtcOffset || *offset > klaviyo::kEastmostUtcOffset) {
                                    return "expected an offset from -12:00 to +14:00 such as +10:00 or -05:30, got '" + value + "'";
                                  }
                                  options.account.utcOffsetSeconds = *offset;
                                  return std::nullopt;
                                }),
      cl::text<ServerOptions>("account-journal", "FILE",
                              "keep the simulated account's changes in FILE, so a restarted server resumes the account "
                              "where it stopped (its totals never go back); created when absent",
                              [](auto& o) -> auto& { return o.account.journalPath; }, checkNotEmpty)
          .shownDefault("none: the account starts from its seed at each start"),
      cl::number<ServerOptions>("changes-per-minute", "RATE",
                                "how many upstream records change per minute; 0 freezes the account", 0.0, 1e7,
                                [](auto& o) -> auto& { return o.account.changesPerMinute; }),
      cl::text<ServerOptions>("upstream-api-key", "KEY",
                              "the Klaviyo private API key: the one the sync sends to --upstream, or the one the "
                              "simulated upstream takes with --upstream-only (prefer "
                              "--upstream-api-key-file or LIVEDATA_UPSTREAM_API_KEY: a command line is visible to every user)",
                              [](auto& o) -> auto& { return o.upstream.apiKey; }, checkNotEmpty)
          .shownDefault("none: one made up for the in-process upstream"),
      cl::custom<ServerOptions>("upstream-api-key-file", "FILE", "read --upstream-api-key from a file (one line)", "none",
                                [](ServerOptions& options, const std::string& path) -> Problem {
                                  auto key = readSecretFile(path);
                                  if (!key) return key.error();
                                  options.upstream.apiKey = std::move(key).value();
                                  return std::nullopt;
                                }),
      cl::choice<ServerOptions>("upstream-rate-limits", "MODE",
                                "Klaviyo's documented per-operation rate limits on the simulated /api routes, or off",
                                [](auto& o) -> auto& { return o.upstream.documentedRateLimits; },
                                std::vector<std::pair<std::string, bool>>{{"documented", true}, {"off", false}}),
      cl::custom<ServerOptions>("upstream-faults", "JSON",
                                "faults the upstream injects from the start, as PUT /admin/upstream/faults takes "
                                "them, e.g. '{\"errorRate\": 0.3, \"latencyMs\": 5}' (docs/upstream.md)",
                                "none",
                                [](ServerOptions& options, const std::string& value) -> Problem {
                                  auto parsed = parseFaults(value);
                                  if (!parsed) return parsed.error().message;
                                  options.upstream.faults = std::move(parsed).value();
                                  return std::nullopt;
                                }),
      // Monitoring
      cl::number<ServerOptions>("slow-request-ms", "MS", "requests slower than this are counted and logged as slow", 1,
                                3600000, [](auto& o) -> auto& { return o.slowRequestMs; }),
      cl::flag<ServerOptions>("request-metrics",
                              "per-request monitoring (metrics, error capture, request ids); =false to measure its cost",
                              [](auto& o) -> auto& { return o.requestMetrics; }),
      cl::flag<ServerOptions>("monitor-full-client-ips",
                              "keep client IPs whole in monitoring, not anonymized to /24 or /48",
                              [](auto& o) -> auto& { return o.monitorFullClientIps; }),
      cl::number<ServerOptions>("target-cache-hit-rate", "RATIO", "service target: least server cache hit rate", 0.0,
                                1.0, [](auto& o) -> auto& { return o.targets.minCacheHitRate; }),
      cl::number<ServerOptions>("target-sync-success-rate", "RATIO", "service target: least sync success rate", 0.0,
                                1.0, [](auto& o) -> auto& { return o.targets.minSyncSuccessRate; }),
      cl::number<ServerOptions>("target-error-rate", "RATIO", "service target: most 5xx responses per request", 0.0,
                                1.0, [](auto& o) -> auto& { return o.targets.maxErrorRate; }),
      cl::number<ServerOptions>("target-response-ms", "MS", "service target: most average response time", 0.001,
                                3600000.0, [](auto& o) -> auto& { return o.targets.maxAverageResponseMillis; }),
      cl::number<ServerOptions>("target-min-samples", "N", "cache lookups and API requests before rates are judged",
                                std::uint64_t{1}, std::uint64_t{1000000000}, [](auto& o) -> auto& { return o.targets.minSamples; }),
      cl::number<ServerOptions>("alert-check-interval", "S",
                                "seconds between evaluations of the service targets; 0: on request only", 0, 86400,
                                [](auto& o) -> auto& { return o.alertCheckSeconds; }),
      // Operations
      cl::text<ServerOptions>("admin-token", "TOKEN", "bearer token of the admin, sync, cache and monitoring routes",
                              [](auto& o) -> auto& { return o.adminToken; }, checkAdminToken)
          .shownDefault("a random token, printed on stderr as 'admin token: <token>'"),
      cl::choice<ServerOptions>("log-level", "LEVEL", "the least severity logged", [](auto& o) -> auto& { return o.logLevel; },
                                std::vector<std::pair<std::string, LogLevel>>{{"debug", LogLevel::debug},
                                                                              {"info", LogLevel::info},
                                                                              {"warn", LogLevel::warn},
                                                                              {"error", LogLevel::error}}),
      cl::choice<ServerOptions>("log-format", "FORMAT", "the form of log lines (json: one object per line)",
                                [](auto& o) -> auto& { return o.logFormat; },
                                std::vector<std::pair<std::string, LogFormat>>{{"json", LogFormat::json},
                                                                               {"text", LogFormat::text}}),
      cl::flag<ServerOptions>("log-requests", "log one line per request", [](auto& o) -> auto& { return o.logRequests; }),
  }};
  return kTable;
}

std::string environmentNameOf(const std::string& name) {
  std::string out = "LIVEDATA_";
  for (const char c : name) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A JSON value as the text a flag would carry; arrays only for repeatable options. On a
// value of another type, the error says what was expected.
Expected<std::string, std::string> textOf(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  if (value.is_number_float()) return cl::formatNumber(value.get<double>());
  return unexpected(std::string("expected a string, number or boolean"));  // both sides are strings
}

// Applies the file's fields, and adds their names to `fieldsSet`.
Problem applyConfigFile(ServerOptions& options, const std::string& path, std::set<std::string>& fieldsSet) {
  std::ifstream file(path);
  if (!file) return "config file " + path + ": cannot be read";
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto parsed = parseJsonStrictly(text);
  if (!parsed) return "config file " + path + " " + parsed.error();
  const nlohmann::json& document = parsed.value();
  if (!document.is_object()) return "config file " + path + ": expected a JSON object of options";
  for (const auto& [key, value] : document.items()) {
    const std::string where = "config file " + path + ": field '" + key + "': ";
    const Option* option = optionTable().find(key);
    if (!option || key == "config") return "config file " + path + ": unknown field '" + key + "'";
    fieldsSet.insert(key);
    const bool list = value.is_array();
    if (list && !option->spelling.repeatable) return where + "expected a single value";
    for (const auto& item : list ? value : nlohmann::json::array({value})) {
      const auto text = textOf(item);
      if (!text) return where + text.error();
      if (auto problem = option->apply(options, text.value())) return where + *problem;
    }
  }
  return std::nullopt;
}

Problem applyEnvironment(ServerOptions& options, const EnvironmentLookup& environment) {
  for (const Option& option : optionTable().options()) {
    if (option.name() == "config") continue;  // LIVEDATA_CONFIG names the file, read first
    const std::string name = environmentNameOf(option.name());
    if (const auto value = environment(name)) {
      if (auto problem = option.apply(options, *value)) return name + ": " + *problem;
    }
  }
  return std::nullopt;
}

}  // namespace

// The server's defaults where a module's own suit a library or a test better.
ServerOptions::ServerOptions() {
  http.threads = 16;                   // the upstream's 8 would let a few slow clients stall the API
  sync.scheduleIntervalSeconds = 60;   // the module's 0 syncs only on request
  account.changesPerMinute = 30;       // the module's 0 is a frozen account
  account.historyEndsNow = true;       // the module's fixed 2026-10-31 suits tests, not a demo
}

EnvironmentLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ParsedCommandLine parseCommandLine(int argc, const char* const* argv, const EnvironmentLookup& environment) {
  // The flags are split first but applied last: the file and the environment rank below them.
  auto arguments = optionTable().split(std::vector<std::string>(argv + std::min(argc, 1), argv + argc));
  if (!arguments) return UsageError{arguments.error()};
  if (arguments.value().help) return ShowHelp{};

  std::optional<std::string> configPath = environment("LIVEDATA_CONFIG");
  command_line::Arguments flags;
  for (const auto& given : arguments.value().given) {
    if (optionTable().options()[given.first].name() == "config") {
      configPath = given.second;
    } else {
      flags.given.push_back(given);
    }
  }

  ServerOptions options;
  std::set<std::string> fileFields;  // what the config file set, for naming a value's source
  if (configPath) {
    if (auto problem = applyConfigFile(options, *configPath, fileFields)) return UsageError{*problem};
  }
  if (auto problem = applyEnvironment(options, environment)) return UsageError{*problem};
  // Origins on the command line replace those of the file and the environment.
  for (const auto& given : flags.given) {
    if (optionTable().options()[given.first].name() == "cors-origin") options.corsOrigins.clear();
  }
  if (auto problem = optionTable().apply(options, flags)) return UsageError{*problem};

  // Options that bound one another, judged once every source has spoken; the error names
  // each value with its source: "--threads 16", "LIVEDATA_THREADS=16", "threads 16 in
  // config file F" or "the default --threads 16".
  const auto asGiven = [&](const std::string& name, const std::string& value) -> std::string {
    for (const auto& given : flags.given) {
      if (optionTable().options()[given.first].name() == name) return "--" + name + " " + value;
    }
    if (environment(environmentNameOf(name))) return environmentNameOf(name) + "=" + value;
    if (fileFields.count(name) != 0) return name + " " + value + " in config file " + *configPath;
    return "the default --" + name + " " + value;
  };
  // The API server's threads; --upstream-only serves with the upstream's own.
  if (!options.upstreamOnly && options.http.maxThreads < options.http.threads) {
    return UsageError{asGiven("max-threads", std::to_string(options.http.maxThreads)) + " is below " +
                      asGiven("threads", std::to_string(options.http.threads)) +
                      ": no fewer requests can be served at once than threads are kept ready (lower --threads too)"};
  }
  return options;
}

namespace {

// Edits between two names: letters added, removed, changed, or two side by side swapped
// (the optimal string alignment distance: PROT is one edit from PORT).
std::size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::vector<MisspeltVariable> misspeltEnvironmentVariables(const std::vector<std::string>& names) {
  const std::string prefix = "LIVEDATA_";
  std::vector<MisspeltVariable> out;
  for (const std::string& name : names) {
    if (name.rfind(prefix, 0) != 0) continue;
    // Compared in capitals: LIVEDATA_port is not read either, and is LIVEDATA_PORT meant.
    std::string given = name.substr(prefix.size());
    for (char& c : given) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::optional<std::string> closest;
    std::size_t closestDistance = 0;
    for (const Option& option : optionTable().options()) {
      const std::string known = environmentNameOf(option.name()).substr(prefix.size());
      if (name == prefix + known) {
        closest.reset();
        break;
      }
      const std::size_t distance = editDistance(given, known);
      // One edit off a short name (DB, PORT), two off a longer one: further is another
      // tool's variable more likely than a typo.
      const std::size_t mostEdits = known.size() < 6 ? 1 : 2;
      if (distance <= mostEdits && (!closest || distance < closestDistance)) {
        closestDistance = distance;
        closest = prefix + known;
      }
    }
    if (closest) out.push_back({name, *closest});
  }
  return out;
}

std::string usage() {
  return "Usage: mock-server [options]\n"
         "The livedata backend: serves the HTTP API of docs/api.md (docs/openapi.yaml) from its SQLite\n"
         "store, kept in sync with a simulated upstream marketing API, behind a response cache in Redis\n"
         "or memory. On startup prints 'livedata mock-server listening on http://HOST:PORT' on stdout.\n"
         "SIGINT or SIGTERM stops it gracefully.\n\n"
         "Every option can also be set in a JSON file (--config FILE or $LIVEDATA_CONFIG, keys are the\n"
         "option names without dashes prefix, e.g. {\"port\": 8080, \"redis\": \"redis://127.0.0.1:6379\"})\n"
         "or in the environment as LIVEDATA_<NAME> (e.g. LIVEDATA_SYNC_INTERVAL=30). The command line\n"
         "wins over the environment, which wins over the file.\n\nOptions:\n" +
         optionTable().help([](const Option& option) {
           return option.name() == "config" ? std::string() : " [" + environmentNameOf(option.name()) + "]";
         }) +
         "  -h, --help                  show this help\n";
}

}  // namespace livedata::server
