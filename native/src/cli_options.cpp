#include "cli_options.h"

#include <charconv>
#include <limits>
#include <utility>
#include <set>
#include <string_view>

#include "livedata/endpoints.h"

namespace livedata::cli {
namespace {

const char* const kExitCodes = R"(Exit codes:
  0  ok
  1  unexpected internal failure
  2  usage error (unknown command, option or endpoint, malformed number)
  3  config error (bad server URL, parameter out of range or malformed date)
  4  network error, timeout or offline
  5  HTTP client error (4xx other than 408 and 429)
  6  HTTP server error (5xx) or rate limited (429)
  7  parse error (the server's body is not the expected JSON)
  8  cancelled
When stale or fallback data is served because of an error, the data is still printed and
the exit code is the error's.
)";

const char* const kCommonOptions = R"(  --server URL     the API's base URL; default $LIVEDATA_SERVER if set, else
                   http://127.0.0.1:8080
  --json           print one JSON object on stdout instead of the human summary
  --timeout MS     per-attempt request timeout in milliseconds; default 10000
  --retries N      retries after a retryable failure (network, timeout, 408, 429,
                   5xx), with exponential backoff; default 2 (3 attempts in all)
  -v, --verbose    log the data layer's debug lines (requests, retries) to stderr
  -h, --help       show this help
)";

std::string endpointNames() {
  std::string names;
  for (Endpoint e : allEndpoints()) {
    if (!names.empty()) names += ", ";
    names += nameOf(e);
  }
  return names;
}

// Whole-string integer parse; an error message naming the flag otherwise.
template <typename Int>
std::optional<std::string> parseInteger(const std::string& flag, const std::string& text,
                                        Int minimum, Int& out) {
  Int value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return "--" + flag + " expects an integer, got '" + text + "'";
  }
  if (value < minimum) {
    return "--" + flag + " must be at least " + std::to_string(minimum) + ", got " + text;
  }
  out = value;
  return std::nullopt;
}

// Applies one `--flag value` to `options`; an error message on failure.
std::optional<std::string> applyValueFlag(const std::string& flag, const std::string& value,
                                          CliOptions& options) {
  if (flag == "server") {
    options.server = value;
  } else if (flag == "status") {
    options.status = value;
  } else if (flag == "sort") {
    options.sort = value;
  } else if (flag == "from") {
    options.from = value;
  } else if (flag == "to") {
    options.to = value;
  } else if (flag == "limit" || flag == "offset") {
    // Range checks (limit 1-500, offset >= 0) are the core's, in toQuery: a config error.
    int parsed = 0;
    if (auto error = parseInteger<int>(flag, value, std::numeric_limits<int>::min(), parsed)) {
      return error;
    }
    (flag == "limit" ? options.limit : options.offset) = parsed;
  } else if (flag == "timeout") {
    Millis parsed = 0;
    if (auto error = parseInteger<Millis>(flag, value, 1, parsed)) return error;
    options.timeoutMs = parsed;
  } else if (flag == "retries") {
    int parsed = 0;
    if (auto error = parseInteger<int>(flag, value, 0, parsed)) return error;
    options.retries = parsed;
  }
  return std::nullopt;
}

std::optional<std::string> checkEndpointName(const std::string& name) {
  if (endpointFromName(name)) return std::nullopt;
  return "unknown endpoint '" + name + "' (expected one of: " + endpointNames() + ")";
}

// Parameters the chosen endpoint does not take are refused here, rather than sent for the
// server to answer 400 unknown_parameter.
std::optional<std::string> checkParamsApply(const CliOptions& options) {
  const bool overview = endpointFromName(options.endpoint) == Endpoint::overview;
  const std::pair<bool, const char*> given[] = {
      {!overview && options.from, "--from"},    {!overview && options.to, "--to"},
      {overview && options.status, "--status"}, {overview && options.sort, "--sort"},
      {overview && options.limit, "--limit"},   {overview && options.offset, "--offset"},
  };
  const char* bad = nullptr;
  for (const auto& [misplaced, flag] : given) {
    if (misplaced) {
      bad = flag;
      break;
    }
  }
  if (bad == nullptr) return std::nullopt;
  return std::string(bad) + " does not apply to '" + options.endpoint + "' (" +
         (overview ? "overview takes --from and --to" :
                     "list endpoints take --status, --sort, --limit and --offset") + ")";
}

ParsedCommandLine usageError(std::string message) { return {std::nullopt, std::move(message)}; }

}  // namespace

ParsedCommandLine parseCommandLine(const std::vector<std::string>& args,
                                   const std::string& defaultServer) {
  CliOptions options;
  options.server = defaultServer;
  if (args.empty()) return usageError("missing command");

  const std::string& command = args[0];
  if (command == "-h" || command == "--help" || command == "help") {
    options.command = Command::help;
    if (args.size() > 1) options.helpTopic = args[1];
    return {options, ""};
  }
  if (command == "get") {
    options.command = Command::get;
  } else if (command == "refresh") {
    options.command = Command::refresh;
  } else {
    return usageError("unknown command '" + command + "' (expected get or refresh)");
  }

  const bool get = options.command == Command::get;
  std::set<std::string> valueFlags = {"server", "timeout", "retries"};
  if (get) valueFlags.insert({"status", "sort", "limit", "offset", "from", "to"});
  std::set<std::string> boolFlags = {"json", "verbose"};
  if (get) boolFlags.insert("fresh");

  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      CliOptions help;
      help.command = Command::help;
      help.helpTopic = command;
      return {help, ""};
    }
    if (arg == "-v") {
      options.verbose = true;
      continue;
    }
    if (arg.rfind("--", 0) == 0) {
      const auto equals = arg.find('=');
      const std::string flag = arg.substr(2, equals == std::string::npos ? std::string::npos
                                                                          : equals - 2);
      if (boolFlags.count(flag) != 0) {
        if (equals != std::string::npos) return usageError("--" + flag + " takes no value");
        if (flag == "json") options.json = true;
        if (flag == "verbose") options.verbose = true;
        if (flag == "fresh") options.fresh = true;
        continue;
      }
      if (valueFlags.count(flag) == 0) {
        return usageError("unknown option '--" + flag + "' for 'livedata " + command + "'");
      }
      std::string value;
      if (equals != std::string::npos) {
        value = arg.substr(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return usageError("--" + flag + " needs a value");
      }
      if (auto error = applyValueFlag(flag, value, options)) return usageError(*error);
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      return usageError("unknown option '" + arg + "' for 'livedata " + command + "'");
    }
    if (auto error = checkEndpointName(arg)) return usageError(*error);
    if (get) {
      if (!options.endpoint.empty()) return usageError("unexpected argument '" + arg + "'");
      options.endpoint = arg;
    } else {
      options.endpoints.push_back(arg);
    }
  }

  if (get) {
    if (options.endpoint.empty()) {
      return usageError("missing endpoint (one of: " + endpointNames() + ")");
    }
    if (auto error = checkParamsApply(options)) return usageError(*error);
  }
  return {options, ""};
}

std::string helpText(const std::string& topic) {
  if (topic == "get") {
    return "Usage: livedata get <endpoint> [options]\n\n"
           "Fetches one endpoint through the livedata client (cache, ETag revalidation,\n"
           "retry with backoff, stale or empty fallback on failure) and prints it.\n"
           "Endpoints: " + endpointNames() + "\n\n"
           "List endpoints (campaigns, flows, forms, segments):\n"
           "  --status S       only items with this status; default: all\n"
           "  --sort F         sort by field F, -F for descending; default -updatedAt\n"
           "  --limit N        page size, 1 to 500; default 50\n"
           "  --offset N       items to skip, 0 or more; default 0\n"
           "overview:\n"
           "  --from DATE      first day, YYYY-MM-DD; default: 30 days before --to\n"
           "  --to DATE        last day, YYYY-MM-DD; default: the latest day of data\n"
           "Both:\n"
           "  --fresh          bypass every cache: skip the local cache, add _t=<now> and\n"
           "                   send Cache-Control: no-cache; default off\n" +
           std::string(kCommonOptions) +
           "\nOutput: a summary (endpoint, source, staleness, update time and age) and the\n"
           "data pretty-printed; errors on stderr. With --json, one object on stdout:\n"
           "  {\"endpoint\":..., \"data\":..., \"meta\":{\"fromCache\",\"stale\",\"fallback\",\n"
           "   \"revalidated\",\"updatedAt\" (ms since epoch, 0 if never),\"status\"},\n"
           "   \"error\": null or {\"kind\",\"status\",\"message\",\"detail\",\"attempts\"}}\n\n" +
           kExitCodes;
  }
  if (topic == "refresh") {
    return "Usage: livedata refresh [endpoint...] [options]\n\n"
           "Forces a refresh (Client::forceRefreshData) of the named endpoints, or of all\n"
           "of them when none is named, and prints one line per endpoint.\n"
           "Endpoints: " + endpointNames() + "\n\n"
           "Options:\n" +
           std::string(kCommonOptions) +
           "\nWith --json: {\"ok\": bool, \"endpoints\": [{\"endpoint\",\"ok\",\"requests\",\n"
           "\"error\"}]}. The exit code is that of the first failed endpoint's error.\n\n" +
           kExitCodes;
  }
  return "Usage: livedata <command> [arguments] [options]\n\n"
         "Commands:\n"
         "  get <endpoint>       fetch one endpoint and print it (livedata get --help)\n"
         "  refresh [endpoint...] force a refresh and report per endpoint\n"
         "                       (livedata refresh --help)\n"
         "  help [command]       show help\n\n"
         "Endpoints: " + endpointNames() + "\n\n"
         "Common options:\n" +
         std::string(kCommonOptions) + "\n" + kExitCodes;
}

}  // namespace livedata::cli
