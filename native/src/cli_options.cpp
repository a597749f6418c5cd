#include "cli_options.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <utility>

#include "livedata/command_line.h"
#include "livedata/config.h"
#include "livedata/endpoints.h"

namespace livedata::cli {
namespace {

const char* const kExitCodes = R"(Exit codes:
  0  ok
  1  unexpected internal failure
  2  usage error (unknown command, option or endpoint, malformed number)
  3  config error (bad server URL, parameter out of range or malformed date)
  4  network error, timeout or offline
  5  HTTP client error (4xx other than 408 and 429), or a redirect (3xx), not followed
  6  HTTP server error (5xx) or rate limited (429)
  7  parse error (the server's body is not the expected JSON, or too large to read)
  8  cancelled
When the last cached data is served, stale, because of an error, it is still printed (and
the exit code is the error's); with nothing cached, nothing is printed on stdout (with --json,
"data" is null).
)";

std::string endpointNames() {
  std::string names;
  for (Endpoint e : allEndpoints()) {
    if (!names.empty()) names += ", ";
    names += nameOf(e);
  }
  return names;
}

namespace cl = command_line;
using Option = cl::Option<CliOptions>;

// --limit and --offset are checked for range by the core (toQuery: a config error, exit 3,
// also for 2147483648); here only that they are integers at all (a usage error, exit 2).
Option integerParameter(std::string name, std::string help, std::string defaultText,
                        std::optional<std::int64_t> CliOptions::*field) {
  return cl::custom<CliOptions>(std::move(name), "N", std::move(help), std::move(defaultText),
                                [field](CliOptions& options, const std::string& value) -> cl::Problem {
                                  std::int64_t parsed = 0;
                                  const char* end = value.data() + value.size();
                                  const auto [stop, error] = std::from_chars(value.data(), end, parsed);
                                  if (error == std::errc::result_out_of_range) return "'" + value + "' is out of range";
                                  if (value.empty() || error != std::errc() || stop != end) {
                                    return "expected an integer, got '" + value + "'";
                                  }
                                  options.*field = parsed;
                                  return std::nullopt;
                                });
}

// The options of every command; the defaults shown are the core's own (ClientConfig).
std::vector<Option> commonOptions() {
  const ClientConfig core;
  return {
      cl::text<CliOptions>("server", "URL", "the API's base URL", [](auto& o) -> auto& { return o.server; })
          .shownDefault(std::string("$LIVEDATA_SERVER if set, else ") + kDefaultServer),
      cl::flag<CliOptions>("json", "print one JSON object on stdout instead of the human summary",
                           [](auto& o) -> auto& { return o.json; }),
      cl::number<CliOptions>("timeout", "MS", "per-attempt request timeout in milliseconds", Millis{1},
                             Millis{3'600'000}, [](auto& o) -> auto& { return o.timeoutMs; })
          .shownDefault(std::to_string(core.requestTimeoutMs)),
      cl::number<CliOptions>("retries", "N",
                             "retries after a retryable failure (network, timeout, 408, 429, 5xx), with "
                             "exponential backoff",
                             0, 100, [](auto& o) -> auto& { return o.retries; })
          .shownDefault(std::to_string(core.retry.maxAttempts - 1)),
      cl::flag<CliOptions>("verbose", "log the data layer's debug lines (requests, retries) to stderr",
                           [](auto& o) -> auto& { return o.verbose; })
          .alias("-v"),
  };
}

std::vector<Option> listOptions() {
  return {
      cl::text<CliOptions>("status", "S", "only items with this status", [](auto& o) -> auto& { return o.status; })
          .shownDefault("all"),
      cl::text<CliOptions>("sort", "F", "sort by field F, -F for descending", [](auto& o) -> auto& { return o.sort; })
          .shownDefault("-updatedAt"),
      integerParameter("limit", "page size, 1 to 500", "50", &CliOptions::limit),
      integerParameter("offset", "items to skip, 0 or more", "0", &CliOptions::offset),
  };
}

std::vector<Option> overviewOptions() {
  return {
      cl::text<CliOptions>("from", "DATE", "first day, YYYY-MM-DD", [](auto& o) -> auto& { return o.from; })
          .shownDefault("29 days before --to: 30 days in all"),
      cl::text<CliOptions>("to", "DATE", "last day, YYYY-MM-DD", [](auto& o) -> auto& { return o.to; })
          .shownDefault("the latest day of data"),
  };
}

std::vector<Option> freshOption() {
  return {cl::flag<CliOptions>("fresh",
                               "bypass every cache: skip the local cache, add _t=<now> and send "
                               "Cache-Control: no-cache",
                               [](auto& o) -> auto& { return o.fresh; })};
}

std::vector<Option> joined(std::vector<std::vector<Option>> groups) {
  std::vector<Option> all;
  for (auto& group : groups) std::move(group.begin(), group.end(), std::back_inserter(all));
  return all;
}

std::string helpOf(std::vector<Option> options) { return cl::OptionTable<CliOptions>(std::move(options)).help({}, 21); }

std::vector<Option> countOption() {
  return {cl::number<CliOptions>("count", "N", "exit after N updates (the first data counts)", 1, 1'000'000,
                                 [](auto& o) -> auto& { return o.count; })
              .shownDefault("until interrupted")};
}

const cl::OptionTable<CliOptions>& tableFor(Command command) {
  static const cl::OptionTable<CliOptions> kGet(joined({listOptions(), overviewOptions(), freshOption(), commonOptions()}));
  static const cl::OptionTable<CliOptions> kWatch(joined({listOptions(), overviewOptions(), countOption(), commonOptions()}));
  static const cl::OptionTable<CliOptions> kRefresh(commonOptions());
  if (command == Command::get) return kGet;
  return command == Command::watch ? kWatch : kRefresh;
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

  // The command is the first word that is not an option or an option's value: options may
  // come before it (`livedata --json get campaigns`), and `--help` may stand for it.
  const auto takesValue = [](const std::string& arg) {
    if (arg.rfind("--", 0) != 0 || arg.find('=') != std::string::npos) return false;
    const std::string name = arg.substr(2);
    for (const Command command : {Command::get, Command::watch}) {
      if (const auto* option = tableFor(command).find(name)) return !option->spelling.isSwitch();
    }
    return false;
  };
  auto commandAt = args.begin();
  while (commandAt != args.end() && commandAt->rfind('-', 0) == 0 && *commandAt != "-h" && *commandAt != "--help" &&
         *commandAt != "--version") {
    if (*commandAt == "--") {  // the end of options: the next word is the command, whatever it looks like
      ++commandAt;
      break;
    }
    commandAt += takesValue(*commandAt) && commandAt + 1 != args.end() ? 2 : 1;
  }
  if (commandAt == args.end()) return usageError("missing command (get, watch or refresh)");
  const std::string command = *commandAt;
  std::vector<std::string> rest(args.begin(), commandAt);
  rest.insert(rest.end(), commandAt + 1, args.end());
  if (command == "-h" || command == "--help" || command == "help") {
    options.command = Command::help;
    // The topic is the first word among the rest (`help get`, `--json --help get`).
    const auto topic = std::find_if(rest.begin(), rest.end(), [](const std::string& arg) { return arg.rfind('-', 0) != 0; });
    if (topic != rest.end()) options.helpTopic = *topic;
    return {options, ""};
  }
  if (command == "--version" || command == "version") {
    options.command = Command::version;
    return {options, ""};
  }
  if (command == "get") {
    options.command = Command::get;
  } else if (command == "refresh") {
    options.command = Command::refresh;
  } else if (command == "watch") {
    options.command = Command::watch;
  } else {
    // `livedata --server get campaigns`: the option took the command for its value.
    std::string hint;
    if (commandAt - args.begin() >= 2) {
      const std::string& value = *(commandAt - 1);
      if (value == "get" || value == "watch" || value == "refresh") {
        hint = "; " + *(commandAt - 2) + " took '" + value + "' as its value";
      }
    }
    return usageError("unknown command '" + command + "' (expected get, watch or refresh" + hint + ")");
  }

  // get and watch name one endpoint and take its parameters.
  const bool get = options.command == Command::get || options.command == Command::watch;
  const auto arguments = tableFor(options.command).parseInto(options, rest, /*allowPositional=*/true);
  if (!arguments) {
    const bool unknown = arguments.error().rfind("unknown option", 0) == 0;
    return usageError(arguments.error() + (unknown ? " for 'livedata " + command + "'" : ""));
  }
  if (arguments.value().help) {
    CliOptions help;
    help.command = Command::help;
    help.helpTopic = command;
    return {help, ""};
  }
  for (const std::string& name : arguments.value().positional) {
    // get and watch take one endpoint: a second word is extra, whatever it says.
    if (get && !options.endpoint.empty()) {
      return usageError("unexpected argument '" + name + "' (livedata " + command + " takes one endpoint)");
    }
    if (auto error = checkEndpointName(name)) return usageError(*error);
    if (get) {
      options.endpoint = name;
    } else {
      options.endpoints.push_back(name);
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
           "retry with backoff, the last cached data, stale, on failure) and prints it.\n"
           "Endpoints: " + endpointNames() + "\n\n"
           "List endpoints (campaigns, flows, forms, segments):\n" +
           helpOf(listOptions()) + "overview:\n" + helpOf(overviewOptions()) + "Both:\n" +
           helpOf(joined({freshOption(), commonOptions()})) + "  -h, --help         show this help\n" +
           "\nOutput: a summary (endpoint, source, staleness, update time and age) and the\n"
           "data pretty-printed; errors on stderr. With --json, one object on stdout:\n"
           "  {\"endpoint\":..., \"data\":..., \"meta\":{\"fromCache\",\"stale\",\"fallback\",\n"
           "   \"revalidated\",\"updatedAt\" (ms since epoch, 0 if never),\"status\"},\n"
           "   \"error\": null or {\"kind\",\"status\",\"message\",\"detail\",\"attempts\"}}\n\n" +
           kExitCodes;
  }
  if (topic == "watch") {
    return "Usage: livedata watch <endpoint> [options]\n\n"
           "Watches one endpoint (Client::watch) and prints its data at once and again each\n"
           "time it changes: the server's live feed (GET /api/changes) names the change and\n"
           "the client refetches it, conditionally. The feed's state (live, reconnecting,\n"
           "offline) goes to stderr. Runs until interrupted (SIGINT or SIGTERM, exit\n"
           "code 0: that is how it ends), or --count updates, or a request the server\n"
           "refuses as such before any data came (a 4xx: exit code 5), which no change\n"
           "would make right.\n"
           "Endpoints: " + endpointNames() + "\n\n"
           "List endpoints (campaigns, flows, forms, segments):\n" +
           helpOf(listOptions()) + "overview:\n" + helpOf(overviewOptions()) + "Both:\n" +
           helpOf(joined({countOption(), commonOptions()})) + "  -h, --help         show this help\n" +
           "\nOutput: each update as `livedata get` prints it; with --json, one object per\n"
           "line (the shape of `livedata get --json`).\n\n" +
           kExitCodes;
  }
  if (topic == "refresh") {
    return "Usage: livedata refresh [endpoint...] [options]\n\n"
           "Forces a refresh (Client::forceRefreshData) of the named endpoints, or of all\n"
           "of them when none is named, and prints one line per endpoint.\n"
           "Endpoints: " + endpointNames() + "\n\n"
           "Options:\n" + helpOf(commonOptions()) + "  -h, --help         show this help\n" +
           "\nWith --json: {\"ok\": bool, \"endpoints\": [{\"endpoint\",\"ok\",\"requests\",\n"
           "\"error\"}]}. The exit code is that of the first failed endpoint's error.\n\n" +
           kExitCodes;
  }
  return "Usage: livedata <command> [arguments] [options]\n\n"
         "Commands:\n"
         "  get <endpoint>       fetch one endpoint and print it (livedata get --help)\n"
         "  watch <endpoint>     print an endpoint's data each time it changes\n"
         "                       (livedata watch --help)\n"
         "  refresh [endpoint...] force a refresh and report per endpoint\n"
         "                       (livedata refresh --help)\n"
         "  help [command]       show help\n"
         "  version              print livedata's version (also --version)\n\n"
         "Endpoints: " + endpointNames() + "\n\n"
         "Common options:\n" + helpOf(commonOptions()) + "  -h, --help         show this help\n\n" + kExitCodes;
}

}  // namespace livedata::cli
