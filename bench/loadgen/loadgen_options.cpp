#include "loadgen_options.h"

#include <utility>

#include "livedata/command_line.h"

namespace livedata::loadgen {
namespace {

namespace cl = command_line;

// Every option, in --help order. Ranges are upper-bounded where a typo would otherwise start
// an absurd run (a million users, a year-long duration).
const cl::OptionTable<LoadgenOptions>& optionTable() {
  static const cl::OptionTable<LoadgenOptions> kTable{{
      cl::text<LoadgenOptions>("mock-server", "PATH", "the mock-server binary (required)",
                               [](auto& o) -> auto& { return o.mockServerPath; }),
      cl::choice<LoadgenOptions>("cache", "KIND", "mock-server's response cache", [](auto& o) -> auto& { return o.cache; },
                                 std::vector<std::pair<std::string, CacheBackend>>{{"memory", CacheBackend::memory},
                                                                                   {"redis", CacheBackend::redis}}),
      cl::text<LoadgenOptions>("redis-server", "PATH", "redis-server for --cache redis",
                               [](auto& o) -> auto& { return o.redisServerPath; }),
      cl::number<LoadgenOptions>("users", "K", "dashboard users, one client cache each", 1, 10000,
                                 [](auto& o) -> auto& { return o.users; }),
      cl::number<LoadgenOptions>("duration", "S", "seconds of load", 1, 86400,
                                 [](auto& o) -> auto& { return o.durationSeconds; }),
      cl::number<LoadgenOptions>("warmup", "S", "seconds of load at the start that are not counted", 0, 86400,
                                 [](auto& o) -> auto& { return o.warmupSeconds; }),
      cl::number<LoadgenOptions>("refresh-interval", "MS", "each user re-requests its five endpoints this often, +-10%",
                                 Millis{10}, Millis{3'600'000}, [](auto& o) -> auto& { return o.refreshIntervalMs; }),
      cl::flag<LoadgenOptions>("poll", "users only poll, as without the live feed (by default they watch their calls)",
                               [](auto& o) -> auto& { return o.poll; }),
      cl::number<LoadgenOptions>("force-fresh-rate", "P", "fraction of refreshes that bypass every cache, 0 to 1", 0.0,
                                 1.0, [](auto& o) -> auto& { return o.forceFreshRate; }),
      cl::number<LoadgenOptions>("client-ttl-ms", "MS", "client cache TTL; when set, the server's max-age is ignored",
                                 Millis{0}, Millis{86'400'000}, [](auto& o) -> auto& { return o.clientTtlMs; })
          .shownDefault("the server's max-age, 60 s"),
      cl::number<LoadgenOptions>("transport-workers", "N", "requests in flight at once, shared by all users",
                                 std::size_t{1}, std::size_t{256}, [](auto& o) -> auto& { return o.transportWorkers; }),
      cl::number<LoadgenOptions>("sync-interval", "S", "mock-server's seconds between syncs; 0: only the first", 0,
                                 86400, [](auto& o) -> auto& { return o.syncIntervalSeconds; }),
      cl::number<LoadgenOptions>("changes-per-minute", "RATE", "upstream changes per minute", 0.0, 1'000'000.0,
                                 [](auto& o) -> auto& { return o.changesPerMinute; }),
      cl::number<LoadgenOptions>("fault-rate", "R", "upstream error rate seen by the sync, 0 to 1", 0.0, 1.0,
                                 [](auto& o) -> auto& { return o.faultRate; }),
      // The upstream takes its fault seed as a JSON integer: kept exact in a double.
      cl::number<LoadgenOptions>("seed", "N", "seed of the account, the upstream faults and the users' jitter",
                                 std::uint64_t{0}, std::uint64_t{1} << 53, [](auto& o) -> auto& { return o.seed; }),
      cl::text<LoadgenOptions>("json", "FILE", "also write the report as JSON to FILE",
                               [](auto& o) -> auto& { return o.jsonPath; },
                               [](const std::string& value) -> cl::Problem {
                                 if (value.empty()) return std::string("expected a file name");
                                 return std::nullopt;
                               }),
  }};
  return kTable;
}

}  // namespace

const char* toString(CacheBackend backend) {
  return backend == CacheBackend::redis ? "redis" : "memory";
}

ParsedCommandLine parseCommandLine(const std::vector<std::string>& args) {
  LoadgenOptions options;
  const auto arguments = optionTable().parseInto(options, args);
  if (!arguments) return UsageError{arguments.error()};
  if (arguments.value().help) return ShowHelp{};
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
  text += optionTable().help();
  text +=
      "  -h, --help                  show this help\n\n"
      "Exit codes: 0 the run completed (whether or not targets were met), 1 the servers could\n"
      "not be started or read, 2 a usage error, 130 interrupted (Ctrl-C; the partial report\n"
      "is still printed and written).\n";
  return text;
}

}  // namespace livedata::loadgen
