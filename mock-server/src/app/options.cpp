#include "app/options.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "livedata/errors.h"  // Expected
#include "livedata/types.h"  // parseNonNegativeDecimal

namespace livedata::server {
namespace {

using Error = std::optional<std::string>;  // the problem with a value, without the field name

std::optional<std::int64_t> parseInteger(const std::string& text, std::int64_t low, std::int64_t high) {
  const auto value = parseNonNegativeDecimal(text);
  if (!value || *value < low || *value > high) return std::nullopt;
  return value;
}

std::optional<double> parseReal(const std::string& text, double low, double high) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value) || value < low || value > high) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parseBoolean(const std::string& text) {
  if (text.empty() || text == "true" || text == "1") return true;  // a bare switch is "on"
  if (text == "false" || text == "0") return false;
  return std::nullopt;
}

std::string withDefault(std::string help, const std::string& defaultText) {
  return help + " (default " + defaultText + ")";
}

// One option: its flag, the value it takes, its help, and how a textual value applies.
// Flags, the environment and the config file all go through `apply`.
struct Option {
  std::string name;       // flag without "--", also the config file's key
  const char* valueName;  // nullptr for a switch
  std::string help;       // ends with the default
  std::function<Error(ServerOptions&, const std::string&)> apply;
  bool repeatable = false;  // a list: every occurrence adds to it

  std::string environmentName() const {
    std::string out = "LIVEDATA_";
    for (const char c : name) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }
};

template <typename Target>
Option integerOption(std::string name, std::string help, std::int64_t low, std::int64_t high,
                     Target target, const std::string& defaultText) {
  const std::string expected = "expected an integer from " + std::to_string(low) + " to " + std::to_string(high);
  return {std::move(name), "N", withDefault(std::move(help), defaultText),
          [=](ServerOptions& options, const std::string& value) -> Error {
            const auto parsed = parseInteger(value, low, high);
            if (!parsed) return expected + ", got '" + value + "'";
            target(options, *parsed);
            return std::nullopt;
          }};
}

template <typename Field>
Option integerField(std::string name, std::string help, std::int64_t low, std::int64_t high,
                    Field ServerOptions::*field, const std::string& defaultText) {
  return integerOption(std::move(name), std::move(help), low, high,
                       [field](ServerOptions& o, std::int64_t v) { o.*field = static_cast<Field>(v); }, defaultText);
}

Option sizeField(std::string name, std::string help, int DatasetSizes::*field, int high, const std::string& defaultText) {
  return integerOption(std::move(name), std::move(help), 1, high,
                       [field](ServerOptions& o, std::int64_t v) { o.sizes.*field = static_cast<int>(v); },
                       defaultText);
}

Option realField(std::string name, const char* valueName, std::string help, double low, double high,
                 double ServerOptions::*field, const std::string& defaultText) {
  std::ostringstream expected;
  expected << "expected a number from " << low << " to " << high;
  return {std::move(name), valueName, withDefault(std::move(help), defaultText),
          [=, expected = expected.str()](ServerOptions& options, const std::string& value) -> Error {
            const auto parsed = parseReal(value, low, high);
            if (!parsed) return expected + ", got '" + value + "'";
            options.*field = *parsed;
            return std::nullopt;
          }};
}

Option textField(std::string name, const char* valueName, std::string help, std::string ServerOptions::*field,
                 bool allowEmpty, const std::string& defaultText) {
  return {std::move(name), valueName, withDefault(std::move(help), defaultText),
          [=](ServerOptions& options, const std::string& value) -> Error {
            if (!allowEmpty && value.empty()) return std::string("expected a non-empty value");
            options.*field = value;
            return std::nullopt;
          }};
}

Option switchField(std::string name, std::string help, bool ServerOptions::*field, const char* defaultText = "off") {
  return {std::move(name), nullptr, withDefault(std::move(help), defaultText),
          [=](ServerOptions& options, const std::string& value) -> Error {
            const auto parsed = parseBoolean(value);
            if (!parsed) return "expected true or false, got '" + value + "'";
            options.*field = *parsed;
            return std::nullopt;
          }};
}

Error checkRedisUrl(const std::string& url) {
  if (url.empty()) return std::nullopt;
  if (url.rfind("redis://", 0) != 0 || url.size() == 8) {
    return "expected redis://HOST:PORT[/DB], got '" + url + "'";
  }
  return std::nullopt;
}

Error checkHttpUrl(const std::string& url) {
  if (url.empty() || url.rfind("http://", 0) == 0) return std::nullopt;
  return "expected http://HOST:PORT, got '" + url + "'";
}

const std::vector<Option>& allOptions() {
  static const std::vector<Option> kOptions{
      // HTTP
      textField("host", "ADDRESS", "address to bind", &ServerOptions::host, false, "127.0.0.1"),
      integerField("port", "TCP port; 0 picks a free one", 0, 65535, &ServerOptions::port, "8080"),
      integerField("threads", "worker threads, one per open connection", 1, 1024, &ServerOptions::threads, "16"),
      integerField("max-body-bytes", "larger request bodies get 413", 1, 1 << 30, &ServerOptions::maxBodyBytes,
                   "65536"),
      integerField("read-timeout-ms", "longest wait for a client's request data", 1, 600000,
                   &ServerOptions::readTimeoutMs, "5000"),
      integerField("write-timeout-ms", "longest wait for a client to take response data", 1, 600000,
                   &ServerOptions::writeTimeoutMs, "5000"),
      {"cors-origin", "ORIGIN",
       withDefault("an origin allowed by CORS (scheme://host[:port]); repeat or comma-separate for several", "none"),
       [](ServerOptions& options, const std::string& value) -> Error {
         std::stringstream list(value);
         for (std::string origin; std::getline(list, origin, ',');) {
           if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
             return "expected http(s)://HOST[:PORT], got '" + origin + "'";
           }
           options.corsOrigins.push_back(origin);
         }
         return std::nullopt;
       },
       true},
      {"web-root", "DIR", withDefault("folder of static files (the dashboard) served at /", "none"),
       [](ServerOptions& options, const std::string& value) -> Error {
         std::error_code error;
         if (!value.empty() && !std::filesystem::is_directory(value, error)) return "expected a folder, got '" + value + "'";
         options.webRoot = value;
         return std::nullopt;
       }},
      // Caching
      integerField("max-age", "Cache-Control max-age of /api responses, in seconds", 0, 31536000,
                   &ServerOptions::maxAgeSeconds, "60"),
      integerField("swr", "Cache-Control stale-while-revalidate of /api responses, in seconds", 0, 31536000,
                   &ServerOptions::staleWhileRevalidateSeconds, "30"),
      {"redis", "URL", withDefault("Redis for the response cache, redis://HOST:PORT[/DB]", "none: memory only"),
       [](ServerOptions& options, const std::string& value) -> Error {
         if (auto error = checkRedisUrl(value)) return error;
         options.redisUrl = value;
         return std::nullopt;
       }},
      integerField("cache-ttl", "lifetime of a server response cache entry, in seconds", 1, 86400 * 30,
                   &ServerOptions::cacheTtlSeconds, "300"),
      integerField("cache-max-entries", "entries of the in-memory response cache", 1, 100000000,
                   &ServerOptions::cacheMaxEntries, "10000"),
      integerField("cache-max-bytes", "bytes of the in-memory response cache", 1024, std::int64_t{1} << 40,
                   &ServerOptions::cacheMaxBytes, "67108864"),
      // Store and sync
      textField("db", "PATH", "SQLite database file", &ServerOptions::dbPath, false, "data/livedata.db"),
      integerField("sync-interval", "seconds between scheduled syncs; 0 syncs only on demand", 0, 86400 * 7,
                   &ServerOptions::syncIntervalSeconds, "60"),
      integerField("sync-page-size", "records per upstream page", 1, 1000, &ServerOptions::syncPageSize, "500"),
      integerField("sync-lookback", "seconds re-read before each cursor, so late updates are not missed", 0, 86400,
                   &ServerOptions::syncLookbackSeconds, "10"),
      // Upstream
      {"upstream", "URL", withDefault("the upstream marketing API, http://HOST:PORT", "none: run it in-process"),
       [](ServerOptions& options, const std::string& value) -> Error {
         if (auto error = checkHttpUrl(value)) return error;
         options.upstreamUrl = value;
         return std::nullopt;
       }},
      switchField("upstream-only", "serve only the simulated upstream API, as its own process",
                  &ServerOptions::upstreamOnly),
      integerField("seed", "seed of the generated account", 0, INT64_MAX, &ServerOptions::seed, "42"),
      sizeField("campaigns", "campaigns in the generated account", &DatasetSizes::campaigns, 2000000, "300"),
      sizeField("flows", "flows in the generated account", &DatasetSizes::flows, 1000000, "40"),
      sizeField("forms", "forms in the generated account", &DatasetSizes::forms, 1000000, "25"),
      sizeField("segments", "segments in the generated account", &DatasetSizes::segments, 1000000, "30"),
      sizeField("days", "days of metrics, ending 2026-10-31", &DatasetSizes::days, 3660, "365"),
      realField("changes-per-minute", "RATE", "how many upstream records change per minute; 0 freezes the account",
                0, 1e7, &ServerOptions::changesPerMinute, "30"),
      realField("upstream-rate-limit", "RPS", "upstream requests per second before 429; 0 is unlimited", 0, 1e6,
                &ServerOptions::upstreamRateLimit, "0"),
      {"upstream-faults", "JSON",
       withDefault("faults the upstream injects from the start, as PUT /admin/upstream/faults takes them, "
                   "e.g. '{\"errorRate\": 0.3, \"latencyMs\": 5}' (docs/upstream.md)",
                   "none"),
       [](ServerOptions& options, const std::string& value) -> Error {
         auto parsed = parseFaults(value);
         if (!parsed) return parsed.error().message;
         options.upstreamFaults = std::move(parsed).value();
         return std::nullopt;
       }},
      // Monitoring
      integerField("slow-request-ms", "requests slower than this are counted and logged as slow", 1, 3600000,
                   &ServerOptions::slowRequestMs, "1000"),
      switchField("request-metrics",
                  "per-request monitoring (metrics, error capture, request ids); =false to measure its cost",
                  &ServerOptions::requestMetrics, "on"),
      switchField("monitor-full-client-ips", "keep client IPs whole in monitoring, not anonymized to /24 or /48",
                  &ServerOptions::monitorFullClientIps),
      realField("target-cache-hit-rate", "RATIO", "service target: least server cache hit rate", 0, 1,
                &ServerOptions::targetCacheHitRate, "0.9"),
      realField("target-sync-success-rate", "RATIO", "service target: least sync success rate", 0, 1,
                &ServerOptions::targetSyncSuccessRate, "0.99"),
      realField("target-error-rate", "RATIO", "service target: most 5xx responses per request", 0, 1,
                &ServerOptions::targetErrorRate, "0.01"),
      realField("target-response-ms", "MS", "service target: most average response time", 0.001, 3600000,
                &ServerOptions::targetResponseMs, "200"),
      integerField("target-min-samples", "cache lookups and API requests before rates are judged", 1, 1000000000,
                   &ServerOptions::targetMinSamples, "20"),
      integerField("alert-check-interval", "seconds between evaluations of the service targets; 0: on request only",
                   0, 86400, &ServerOptions::alertCheckSeconds, "10"),
      // Operations
      textField("admin-token", "TOKEN",
                "bearer token of the admin, sync, cache and monitoring routes", &ServerOptions::adminToken, false,
                "a random token, printed on stderr as 'admin token: <token>'"),
      {"log-level", "LEVEL", withDefault("debug, info, warn or error", "info"),
       [](ServerOptions& options, const std::string& value) -> Error {
         if (value == "debug") options.logLevel = LogLevel::debug;
         else if (value == "info") options.logLevel = LogLevel::info;
         else if (value == "warn") options.logLevel = LogLevel::warn;
         else if (value == "error") options.logLevel = LogLevel::error;
         else return "expected debug, info, warn or error, got '" + value + "'";
         return std::nullopt;
       }},
      {"log-format", "FORMAT", withDefault("json (one object per line) or text", "json"),
       [](ServerOptions& options, const std::string& value) -> Error {
         if (value == "json") options.logFormat = LogFormat::json;
         else if (value == "text") options.logFormat = LogFormat::text;
         else return "expected json or text, got '" + value + "'";
         return std::nullopt;
       }},
      switchField("log-requests", "log one line per request", &ServerOptions::logRequests),
  };
  return kOptions;
}

const Option* findOption(const std::string& name) {
  for (const Option& option : allOptions()) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

// A JSON value as the text a flag would carry; arrays only for repeatable options. On a
// value of another type, the error's detail says what was expected.
livedata::Expected<std::string> textOf(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  if (value.is_number_float()) {
    std::ostringstream out;
    out << value.get<double>();
    return out.str();
  }
  return livedata::makeError(livedata::ErrorKind::config, {}, "expected a string, number or boolean");
}

Error applyConfigFile(ServerOptions& options, const std::string& path) {
  std::ifstream file(path);
  if (!file) return "config file " + path + ": cannot be read";
  const nlohmann::json document = nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return "config file " + path + ": not valid JSON";
  if (!document.is_object()) return "config file " + path + ": expected a JSON object of options";
  for (const auto& [key, value] : document.items()) {
    const std::string where = "config file " + path + ": field '" + key + "': ";
    const Option* option = findOption(key);
    if (!option || key == "config") return "config file " + path + ": unknown field '" + key + "'";
    const bool list = value.is_array();
    if (list && !option->repeatable) return where + "expected a single value";
    for (const auto& item : list ? value : nlohmann::json::array({value})) {
      const auto text = textOf(item);
      if (!text) return where + text.error().detail;
      if (auto error = option->apply(options, text.value())) return where + *error;
    }
  }
  return std::nullopt;
}

Error applyEnvironment(ServerOptions& options, const EnvironmentLookup& environment) {
  for (const Option& option : allOptions()) {
    const std::string name = option.environmentName();
    if (const auto value = environment(name)) {
      if (auto error = option.apply(options, *value)) return name + ": " + *error;
    }
  }
  return std::nullopt;
}

struct FlagValue {
  const Option* option;
  std::string value;
};

}  // namespace

EnvironmentLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ParsedCommandLine parseCommandLine(int argc, const char* const* argv, const EnvironmentLookup& environment) {
  // First pass: collect the flags (and find --config) without applying them, since the
  // file and the environment rank below the command line.
  std::vector<FlagValue> flags;
  std::optional<std::string> configPath = environment("LIVEDATA_CONFIG");
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--help" || argument == "-h") return ShowHelp{};
    std::optional<std::string> inlineValue;
    if (const auto equals = argument.find('='); argument.rfind("--", 0) == 0 && equals != std::string::npos) {
      inlineValue = argument.substr(equals + 1);
      argument.resize(equals);
    }
    const bool isConfig = argument == "--config";
    const Option* option = argument.rfind("--", 0) == 0 ? findOption(argument.substr(2)) : nullptr;
    if (!option && !isConfig) return UsageError{"unknown option '" + argument + "'"};
    std::string value;
    if (isConfig || option->valueName) {
      if (inlineValue) {
        value = *inlineValue;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return UsageError{argument + ": missing value " + (isConfig ? "FILE" : option->valueName)};
      }
    } else if (inlineValue) {
      value = *inlineValue;  // a switch takes "--flag=false" (checked by the option)
    }
    if (isConfig) {
      configPath = value;
    } else {
      flags.push_back({option, value});
    }
  }

  ServerOptions options;
  if (configPath) {
    if (auto error = applyConfigFile(options, *configPath)) return UsageError{*error};
  }
  if (auto error = applyEnvironment(options, environment)) return UsageError{*error};
  bool corsFromFlags = false;
  for (const auto& [option, value] : flags) {
    // Origins on the command line replace those of the file and environment.
    if (option->repeatable && !corsFromFlags) {
      options.corsOrigins.clear();
      corsFromFlags = true;
    }
    if (auto error = option->apply(options, value)) return UsageError{"--" + option->name + ": " + *error};
  }
  return options;
}

std::string usage() {
  std::string text =
      "Usage: mock-server [options]\n"
      "The livedata backend: serves the HTTP API of docs/api.md (docs/openapi.yaml) from its SQLite\n"
      "store, kept in sync with a simulated upstream marketing API, behind a response cache in Redis\n"
      "or memory. On startup prints 'livedata mock-server listening on http://HOST:PORT' on stdout.\n"
      "SIGINT or SIGTERM stops it gracefully.\n\n"
      "Every option can also be set in a JSON file (--config FILE or $LIVEDATA_CONFIG, keys are the\n"
      "option names without dashes prefix, e.g. {\"port\": 8080, \"redis\": \"redis://127.0.0.1:6379\"})\n"
      "or in the environment as LIVEDATA_<NAME> (e.g. LIVEDATA_SYNC_INTERVAL=30). The command line\n"
      "wins over the environment, which wins over the file.\n\nOptions:\n";
  auto line = [&text](std::string left, const std::string& help) {
    if (left.size() < 30) left.resize(30, ' ');
    text += left + " " + help + "\n";
  };
  line("  --config FILE", "read options from a JSON file (default none)");
  for (const Option& option : allOptions()) {
    line("  --" + option.name + (option.valueName ? std::string(" ") + option.valueName : ""),
         option.help + " [" + option.environmentName() + "]");
  }
  line("  -h, --help", "show this help");
  return text;
}

}  // namespace livedata::server
