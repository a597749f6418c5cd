// The `livedata` command line: what the user asked for, parsed and checked before any
// network access, through the option tables every executable uses (livedata/command_line.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "livedata/types.h"

namespace livedata::cli {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:8080";

enum class Command { help, version, get, refresh, watch };

struct CliOptions {
  Command command = Command::help;
  // For Command::help: "" (overall), "get", "refresh" or "watch".
  std::string helpTopic;

  std::string endpoint;                // get, watch: a known endpoint name
  std::vector<std::string> endpoints;  // refresh: known names; empty means all

  // get: list endpoints only
  std::optional<std::string> status;
  std::optional<std::string> sort;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
  // get: overview only
  std::optional<std::string> from;
  std::optional<std::string> to;
  bool fresh = false;
  // watch: stop after this many updates; unset: until interrupted
  std::optional<int> count;

  std::string server;                // --server, else LIVEDATA_SERVER, else kDefaultServer
  bool serverFromEnvironment = false;  // `server` is LIVEDATA_SERVER's (set by the caller)
  bool json = false;
  std::optional<Millis> timeoutMs;   // unset: the core's default (10000)
  std::optional<int> retries;        // unset: the core's default (2, i.e. 3 attempts)
  bool verbose = false;
};

// Either the options or a usage error message naming the bad argument.
struct ParsedCommandLine {
  std::optional<CliOptions> options;
  std::string usageError;
};

// `args` excludes the program name. `defaultServer` is used when --server is absent.
ParsedCommandLine parseCommandLine(const std::vector<std::string>& args,
                                   const std::string& defaultServer);

// The texts of `livedata --help` and of each command's --help.
std::string helpText(const std::string& topic);

}  // namespace livedata::cli
