// The load generator's command line: one options struct with documented defaults, parsed
// and validated once, with an error naming the bad option.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "livedata/types.h"

namespace livedata::loadgen {

enum class CacheBackend { memory, redis };
const char* toString(CacheBackend backend);  // "memory", "redis"

struct LoadgenOptions {
  // --mock-server PATH: the mock-server binary to start. Required.
  std::string mockServerPath;
  // --redis-server PATH: started only with --cache redis.
  std::string redisServerPath = "/usr/bin/redis-server";
  // --cache: the server's response cache (mock-server --redis when redis).
  CacheBackend cache = CacheBackend::memory;

  // --users K: dashboard users, each one livedata::Client with its own cache (a browser tab).
  int users = 20;
  // --duration S: seconds of load, counted from the first user's start.
  int durationSeconds = 30;
  // --warmup S: the first S seconds of load are not counted (every user's first load misses
  // every cache); figures describe the steady state that follows. Less than --duration.
  int warmupSeconds = 0;
  // --refresh-interval MS: each user re-requests its five endpoints this often (+-10% jitter).
  Millis refreshIntervalMs = 2000;
  // --poll: users only poll (re-read on the interval), as a client without a live feed
  // does; by default they watch their calls on the live feed as the dashboard does.
  bool poll = false;
  // --force-fresh-rate P: the fraction of refreshes that bypass every cache (the user pressed
  // Refresh), from 0 to 1.
  double forceFreshRate = 0.05;
  // --client-ttl-ms MS: the client cache TTL. Unset: the core's default, overridden by the
  // server's max-age (60 s), as in the browser. Set: this TTL, and max-age is ignored.
  std::optional<Millis> clientTtlMs;
  // --transport-workers N: requests in flight at once, over keep-alive connections shared by
  // every user. Kept below mock-server's 16 threads (one per open connection), so no
  // connection of ours waits for a server thread held by another of ours.
  std::size_t transportWorkers = 8;

  // --sync-interval S: mock-server's seconds between scheduled syncs; 0 syncs only at start.
  int syncIntervalSeconds = 5;
  // --changes-per-minute RATE: upstream changes, so that syncs change data and invalidate
  // the server's cache as in real life.
  double changesPerMinute = 600;
  // --fault-rate R: the upstream's error rate (mock-server --upstream-faults errorRate), 0 to 1.
  double faultRate = 0.02;
  // --seed N: the generated account, the upstream's faults and the users' jitter.
  std::uint64_t seed = 1;

  // --json FILE: also write the report as JSON. Empty: stdout table only.
  std::string jsonPath;
};

struct ShowHelp {};
struct UsageError {
  std::string message;  // names the option, e.g. "--users: expected an integer from 1 to 10000, got '0'"
};
using ParsedCommandLine = std::variant<LoadgenOptions, ShowHelp, UsageError>;

// `args` excludes the program name. Accepts "--flag value" and "--flag=value".
ParsedCommandLine parseCommandLine(const std::vector<std::string>& args);

std::string usage();

}  // namespace livedata::loadgen
