// mock-server's configuration: every option with its documented default (see usage()),
// read from, in increasing precedence: built-in defaults, a JSON file (--config FILE or
// LIVEDATA_CONFIG), the environment (LIVEDATA_<OPTION>, e.g. LIVEDATA_REDIS for --redis),
// and the command line. Every source goes through the same per-option validation, and an
// error names the source and the field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "simulated_upstream/data_generator.h"
#include "livedata/types.h"  // LogLevel, shared with the core
#include "simulated_upstream/upstream_faults.h"

namespace livedata::server {

enum class LogFormat { json, text };

struct ServerOptions {
  // --- HTTP
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free one
  int threads = 16;  // each serves one connection at a time (httplib's model)
  std::size_t maxBodyBytes = 65536;  // larger request bodies get 413
  int readTimeoutMs = 5000;   // a slow client cannot hold a worker longer than this per read
  int writeTimeoutMs = 5000;
  std::vector<std::string> corsOrigins;  // exact origins allowed by CORS; empty: none
  std::string webRoot;                   // static files served at / when set

  // --- caching headers and the response cache
  int maxAgeSeconds = 60;                 // Cache-Control max-age of /api responses
  int staleWhileRevalidateSeconds = 30;   // Cache-Control stale-while-revalidate
  std::string redisUrl;                   // redis://host:port[/db]; empty: memory only
  int cacheTtlSeconds = 300;              // lifetime of a server cache entry
  std::size_t cacheMaxEntries = 10000;    // memory tier bounds
  std::size_t cacheMaxBytes = 64u << 20;

  // --- store and sync
  std::string dbPath = "data/livedata.db";
  int syncIntervalSeconds = 60;   // 0: only on demand
  int syncPageSize = 500;
  int syncLookbackSeconds = 10;

  // --- the simulated upstream
  std::string upstreamUrl;         // empty: run the upstream in-process
  bool upstreamOnly = false;       // serve only the upstream API (its own process)
  std::uint64_t seed = 42;         // the same seed generates the same account
  DatasetSizes sizes;
  double changesPerMinute = 30;    // how fast the account changes; 0: frozen
  double upstreamRateLimit = 0;    // requests per second; 0: unlimited
  UpstreamFaults upstreamFaults;   // faults injected from the start (docs/upstream.md)

  // --- monitoring (docs/api.md, "Monitoring")
  bool requestMetrics = true;          // the per-request middleware (off only to measure its cost)
  int slowRequestMs = 1000;            // requests slower than this are counted and logged
  bool monitorFullClientIps = false;   // keep client IPs whole (else /24 and /48 prefixes)
  double targetCacheHitRate = 0.90;    // service targets: crossing one raises an alert
  double targetSyncSuccessRate = 0.99;
  double targetErrorRate = 0.01;
  double targetResponseMs = 200;
  int targetMinSamples = 20;           // fewer cache lookups or API requests are not judged
  int alertCheckSeconds = 10;          // how often the targets are evaluated; 0: on request only

  // --- operations
  std::string adminToken;  // empty: LIVEDATA_ADMIN_TOKEN, else a random one, printed
  LogLevel logLevel = LogLevel::info;
  LogFormat logFormat = LogFormat::json;
  bool logRequests = false;  // one log line per request
};

// What the configuration sources ask for: run with options, print help, or fail.
struct ShowHelp {};
struct UsageError {
  std::string message;  // names source and field, e.g. "--port: expected an integer ..."
};
using ParsedCommandLine = std::variant<ServerOptions, ShowHelp, UsageError>;

// Looks up an environment variable; injectable so tests need not touch the real one.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvironmentLookup processEnvironment();

// Accepts "--flag value" and "--flag=value"; reads the JSON file named by --config (or
// LIVEDATA_CONFIG) and the environment first, then applies the flags over them.
ParsedCommandLine parseCommandLine(int argc, const char* const* argv,
                                   const EnvironmentLookup& environment = processEnvironment());

// The --help text: every option with its default and its environment variable.
std::string usage();

}  // namespace livedata::server
