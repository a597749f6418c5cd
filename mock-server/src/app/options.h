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

#include "cache/shared_response_cache.h"
#include "feed/change_feed.h"
#include "http/http_server_support.h"  // ServerTuning
#include "livedata/types.h"            // LogLevel, shared with the core
#include "monitoring/service_targets.h"
#include "simulated_upstream/account.h"
#include "simulated_upstream/upstream_server.h"
#include "sync/sync_service.h"
#include "upstream_client/klaviyo_mapping.h"

namespace livedata::server {

enum class LogFormat { json, text };

// Each module's options struct is embedded whole, so a default or a limit is stated once, by
// its module; the option table (options.cpp) shows the defaults it finds here and takes the
// modules' own limits. Where the server's default differs from a module's (a module suits a
// library or a test: no schedule, a frozen account), the constructor says so.
struct ServerOptions {
  ServerOptions();

  // --- HTTP: the API server
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free one
  ServerTuning http;                     // worker threads, read and write timeouts, largest body
  std::vector<std::string> corsOrigins;  // exact origins allowed by CORS; empty: none
  std::string webRoot;                   // static files served at / when set
  int maxAgeSeconds = 60;                // Cache-Control max-age of /api responses
  int staleWhileRevalidateSeconds = 30;  // Cache-Control stale-while-revalidate

  // --- the response cache (Redis and the memory tier)
  SharedResponseCacheOptions cache;

  // --- store and sync
  std::string database = "data/livedata.db";
  // With PostgreSQL: how long the write lease (the sync leadership) outlives a silent
  // holder, in ms (StoreOptions::writeLeaseMs; docs/backend.md).
  int writeLeaseMs = 5000;
  SyncOptions sync;

  // --- the live feed (GET /api/changes); its replay capacity is the store's change log's
  ChangeFeedOptions feed;

  // --- the simulated upstream
  std::string upstreamUrl;    // empty: run the upstream in-process
  bool upstreamOnly = false;  // serve only the upstream API (its own process)
  UpstreamAccountOptions account;
  // Its API key, rate limits and faults; where it listens and its token follow the server's
  // own options (Backend, runUpstreamOnly). upstream.apiKey is also the key the sync sends.
  UpstreamServerOptions upstream;
  // The overview's metrics in the Klaviyo account, when not found by name.
  ConfiguredMetricIds klaviyoMetrics;

  // --- monitoring (docs/api.md, "Monitoring")
  bool requestMetrics = true;         // the per-request middleware (off only to measure its cost)
  int slowRequestMs = 1000;           // requests slower than this are counted and logged
  bool monitorFullClientIps = false;  // keep client IPs whole (else /24 and /48 prefixes)
  monitoring::TargetThresholds targets;  // service targets: crossing one raises an alert
  int alertCheckSeconds = 10;         // how often the targets are evaluated; 0: on request only

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

// Variables named like an option's but none (LIVEDATA_PROT, LIVEDATA_port for LIVEDATA_PORT:
// one edit off a name of under six letters, two off a longer one, in any case), each with the
// option's it resembles: the server warns of them, as a typo there would be ignored. Other
// LIVEDATA_ names are left alone (tools of their own).
struct MisspeltVariable {
  std::string name;
  std::string didYouMean;
};
std::vector<MisspeltVariable> misspeltEnvironmentVariables(const std::vector<std::string>& names);

// The --help text: every option with its default and its environment variable.
std::string usage();

}  // namespace livedata::server
