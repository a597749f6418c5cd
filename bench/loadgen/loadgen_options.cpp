#include "loadgen_options.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <utility>

namespace livedata::loadgen {
namespace {

using Problem = std::optional<std::string>;

// Whole-string number in [minimum, maximum]; otherwise a message naming the flag.
constexpr std::size_t kHelpColumn = 30;

template <typename Number>
std::string formatNumber(Number value) {
  std::ostringstream text;
  text << value;  // 0.5 rather than to_string's 0.500000
  return text.str();
}

template <typename Number>
Problem parseNumber(const std::string& flag, const std::string& text, Number minimum, Number maximum,
                    Number& out) {
  Number value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return "--" + flag + " expects " + (std::is_integral_v<Number> ? "an integer" : "a number") +
           ", got '" + text + "'";
  }
  if (value < minimum || value > maximum) {
    return "--" + flag + " must be from " + formatNumber(minimum) + " to " + formatNumber(maximum) +
           ", got " + text;
  }
  out = value;
  return std::nullopt;
}

Problem parseFraction(const std::string& flag, const std::string& text, double& out) {
  return parseNumber<double>(flag, text, 0.0, 1.0, out);
}

// One value option: its name, what --help says, and how it is applied.
struct ValueFlag {
  const char* name;
  const char* metavar;  // the value's placeholder in --help
  const char* help;
  std::function<Problem(const std::string& flag, const std::string& value, LoadgenOptions&)> apply;
};

// Every value option, in --help order. Ranges are upper-bounded where a typo would
// otherwise start an absurd run (a million users, a year-long duration).
const std::vector<ValueFlag>& valueFlags() {
  static const std::vector<ValueFlag> flags = {
      {"mock-server", "PATH", "the mock-server binary (required)",
       [](auto&, auto& value, auto& o) -> Problem {
         o.mockServerPath = value;
         return std::nullopt;
       }},
      {"cache", "memory|redis", "mock-server's response cache (default memory)",
       [](auto& flag, auto& value, auto& o) -> Problem {
         if (value == "memory") {
           o.cache = CacheBackend::memory;
         } else if (value == "redis") {
           o.cache = CacheBackend::redis;
         } else {
           return "--" + flag + " expects memory or redis, got '" + value + "'";
         }
         return std::nullopt;
       }},
      {"redis-server", "PATH", "redis-server for --cache redis (default /usr/bin/redis-server)",
       [](auto&, auto& value, auto& o) -> Problem {
         o.redisServerPath = value;
         return std::nullopt;
       }},
      {"users", "K", "dashboard users, one client cache each (default 20)",
       [](auto& flag, auto& value, auto& o) { return parseNumber(flag, value, 1, 10000, o.users); }},
      {"duration", "S", "seconds of load (default 30)",
       [](auto& flag, auto& value, auto& o) { return parseNumber(flag, value, 1, 86400, o.durationSeconds); }},
      {"warmup", "S", "seconds of load at the start that are not counted (default 0)",
       [](auto& flag, auto& value, auto& o) { return parseNumber(flag, value, 0, 86400, o.warmupSeconds); }},
      {"refresh-interval", "MS", "each user re-requests its five endpoints this often, +-10% (default 2000)",
       [](auto& flag, auto& value, auto& o) {
         return parseNumber<Millis>(flag, value, 10, 3'600'000, o.refreshIntervalMs);
       }},
      {"force-fresh-rate", "P", "fraction of refreshes that bypass every cache, 0 to 1 (default 0.05)",
       [](auto& flag, auto& value, auto& o) { return parseFraction(flag, value, o.forceFreshRate); }},
      {"client-ttl-ms", "MS", "client cache TTL; when set, the server's max-age is ignored\n"
                              "                              (default: the server's max-age, 60 s)",
       [](auto& flag, auto& value, auto& o) -> Problem {
         Millis ttl = 0;
         if (auto problem = parseNumber<Millis>(flag, value, 0, 86'400'000, ttl)) return problem;
         o.clientTtlMs = ttl;
         return std::nullopt;
       }},
      {"transport-workers", "N", "requests in flight at once, shared by all users (default 8)",
       [](auto& flag, auto& value, auto& o) {
         return parseNumber<std::size_t>(flag, value, 1, 256, o.transportWorkers);
       }},
      {"sync-interval", "S", "mock-server's seconds between syncs; 0: only the first (default 5)",
       [](auto& flag, auto& value, auto& o) { return parseNumber(flag, value, 0, 86400, o.syncIntervalSeconds); }},
      {"changes-per-minute", "RATE", "upstream changes per minute (default 600)",
       [](auto& flag, auto& value, auto& o) {
         return parseNumber(flag, value, 0.0, 1'000'000.0, o.changesPerMinute);
       }},
      {"fault-rate", "R", "upstream error rate seen by the sync, 0 to 1 (default 0.02)",
       [](auto& flag, auto& value, auto& o) { return parseFraction(flag, value, o.faultRate); }},
      {"seed", "N", "seed of the account, the upstream faults and the users' jitter (default 1)",
       [](auto& flag, auto& value, auto& o) {
         // The upstream takes its fault seed as a JSON integer: keep it exact in a double.
         return parseNumber<std::uint64_t>(flag, value, 0, std::uint64_t{1} << 53, o.seed);
       }},
      {"json", "FILE", "also write the report as JSON to FILE",
       [](auto& flag, auto& value, auto& o) -> Problem {
         if (value.empty()) return "--" + flag + " expects a file name";
         o.jsonPath = value;
         return std::nullopt;
       }},
  };
  return flags;
}

const ValueFlag* findFlag(std::string_view name) {
  for (const ValueFlag& flag : valueFlags()) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

}  // namespace

const char* toString(CacheBackend backend) {
  return backend == CacheBackend::redis ? "redis" : "memory";
}

ParsedCommandLine parseCommandLine(const std::vector<std::string>& args) {
  LoadgenOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") return ShowHelp{};
    if (arg.rfind("--", 0) != 0) return UsageError{"unexpected argument '" + arg + "'"};
    const auto equals = arg.find('=');
    const std::string name = arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    const ValueFlag* flag = findFlag(name);
    if (flag == nullptr) return UsageError{"unknown option '--" + name + "'"};
    std::string value;
    if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return UsageError{"--" + name + " needs a value"};
    }
    if (auto problem = flag->apply(name, value, options)) return UsageError{*problem};
  }
  if (options.mockServerPath.empty()) return UsageError{"--mock-server PATH is required"};
  if (options.warmupSeconds >= options.durationSeconds) {
    return UsageError{"--warmup must be less than --duration (" + std::to_string(options.durationSeconds) + "), got " +
                      std::to_string(options.warmupSeconds)};
  }
  return options;
}

std::string usage() {
  std::string text =
      "Usage: livedata-loadgen --mock-server PATH [options]\n\n"
      "Plays K dashboard users against a mock-server it starts itself (and a redis-server with\n"
      "--cache redis): each user, one livedata::Client on the native transport, loads the five\n"
      "endpoints, then re-requests them every refresh interval, now and then bypassing every\n"
      "cache; meanwhile the server syncs on its schedule from an upstream that fails at the\n"
      "fault rate. Reports latency, errors, throughput and hit rates against the project's\n"
      "targets, as a table and optionally as JSON.\n\n"
      "Options:\n";
  for (const ValueFlag& flag : valueFlags()) {
    std::string left = std::string("  --") + flag.name + " " + flag.metavar;
    left.resize(std::max<std::size_t>(left.size() + 2, kHelpColumn), ' ');
    text += left + flag.help + "\n";
  }
  text +=
      "  -h, --help                  show this help\n\n"
      "Exit codes: 0 the run completed (whether or not targets were met), 1 the servers could\n"
      "not be started or read, 2 a usage error, 130 interrupted (Ctrl-C; the partial report\n"
      "is still printed and written).\n";
  return text;
}

}  // namespace livedata::loadgen
