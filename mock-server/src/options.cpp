#include "options.h"

#include <functional>
#include <vector>

namespace livedata::mock {
namespace {

std::optional<std::int64_t> parseInteger(const std::string& text, std::int64_t low, std::int64_t high) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::int64_t digit = c - '0';
    if (value > (INT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (value < low || value > high) return std::nullopt;
  return value;
}

struct Flag {
  const char* name;
  const char* valueName;  // nullptr for a switch
  std::string help;       // ends with the default
  // Applies the value; returns the error text without the flag name, or nullopt.
  std::function<std::optional<std::string>(ServerOptions&, const std::string&)> apply;
};

template <typename Field>
Flag integerFlag(const char* name, const char* help, std::int64_t low, std::int64_t high,
                 Field ServerOptions::*field, const char* defaultText) {
  std::string expected = "expected an integer from " + std::to_string(low) + " to " + std::to_string(high);
  return {name, "N", std::string(help) + " (default " + defaultText + ")",
          [=](ServerOptions& options, const std::string& value) -> std::optional<std::string> {
            const auto parsed = parseInteger(value, low, high);
            if (!parsed) return expected + ", got '" + value + "'";
            options.*field = static_cast<Field>(*parsed);
            return std::nullopt;
          }};
}

Flag sizeFlag(const char* name, const char* help, int DatasetSizes::*field, int low, int high,
              const char* defaultText) {
  std::string expected = "expected an integer from " + std::to_string(low) + " to " + std::to_string(high);
  return {name, "N", std::string(help) + " (default " + defaultText + ")",
          [=](ServerOptions& options, const std::string& value) -> std::optional<std::string> {
            const auto parsed = parseInteger(value, low, high);
            if (!parsed) return expected + ", got '" + value + "'";
            options.sizes.*field = static_cast<int>(*parsed);
            return std::nullopt;
          }};
}

const std::vector<Flag>& flags() {
  static const std::vector<Flag> kFlags{
      {"--host", "ADDRESS", "address to bind (default 127.0.0.1)",
       [](ServerOptions& options, const std::string& value) -> std::optional<std::string> {
         if (value.empty()) return std::string("expected an address, got ''");
         options.host = value;
         return std::nullopt;
       }},
      integerFlag("--port", "TCP port; 0 picks a free one", 0, 65535, &ServerOptions::port, "8080"),
      integerFlag("--seed", "seed of the generated data", 0, INT64_MAX, &ServerOptions::seed, "42"),
      integerFlag("--max-age", "Cache-Control max-age of /api responses, in seconds", 0, 31536000,
                  &ServerOptions::maxAgeSeconds, "60"),
      integerFlag("--swr", "Cache-Control stale-while-revalidate of /api responses, in seconds", 0,
                  31536000, &ServerOptions::staleWhileRevalidateSeconds, "30"),
      {"--admin-token", "TOKEN",
       "bearer token of /admin routes (default: $LIVEDATA_ADMIN_TOKEN, else a random token "
       "printed on stderr as 'admin token: <token>')",
       [](ServerOptions& options, const std::string& value) -> std::optional<std::string> {
         if (value.empty()) return std::string("expected a non-empty token");
         options.adminToken = value;
         return std::nullopt;
       }},
      integerFlag("--threads", "worker threads, one per open connection", 1, 1024, &ServerOptions::threads, "16"),
      integerFlag("--max-body-bytes", "larger request bodies get 413", 1, 1 << 30,
                  &ServerOptions::maxBodyBytes, "65536"),
      sizeFlag("--campaigns", "number of campaigns", &DatasetSizes::campaigns, 1, 100000, "300"),
      sizeFlag("--flows", "number of flows", &DatasetSizes::flows, 1, 100000, "40"),
      sizeFlag("--forms", "number of forms", &DatasetSizes::forms, 1, 100000, "25"),
      sizeFlag("--segments", "number of segments", &DatasetSizes::segments, 1, 100000, "30"),
      sizeFlag("--days", "days of metrics, ending 2026-10-31", &DatasetSizes::days, 1, 3660, "365"),
      {"--log-requests", nullptr, "log one line per request on stderr (default off)",
       [](ServerOptions& options, const std::string&) -> std::optional<std::string> {
         options.logRequests = true;
         return std::nullopt;
       }},
  };
  return kFlags;
}

}  // namespace

ParsedCommandLine parseCommandLine(int argc, const char* const* argv) {
  ServerOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--help" || argument == "-h") return ShowHelp{};
    std::optional<std::string> inlineValue;
    if (const auto equals = argument.find('='); argument.rfind("--", 0) == 0 && equals != std::string::npos) {
      inlineValue = argument.substr(equals + 1);
      argument.resize(equals);
    }
    const Flag* flag = nullptr;
    for (const Flag& candidate : flags()) {
      if (argument == candidate.name) flag = &candidate;
    }
    if (!flag) return UsageError{"unknown option '" + argument + "'"};
    std::string value;
    if (flag->valueName) {
      if (inlineValue) {
        value = *inlineValue;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return UsageError{argument + ": missing value " + flag->valueName};
      }
    } else if (inlineValue) {
      return UsageError{argument + ": takes no value"};
    }
    if (auto error = flag->apply(options, value)) return UsageError{argument + ": " + *error};
  }
  return options;
}

std::string usage() {
  std::string text =
      "Usage: mock-server [options]\n"
      "Serves the livedata HTTP API (docs/api.md) from deterministic generated data.\n"
      "On startup prints 'livedata mock-server listening on http://HOST:PORT' on stdout.\n"
      "SIGINT or SIGTERM stops it.\n\nOptions:\n";
  for (const Flag& flag : flags()) {
    std::string left = std::string("  ") + flag.name + (flag.valueName ? std::string(" ") + flag.valueName : "");
    if (left.size() < 26) left.resize(26, ' ');
    text += left + " " + flag.help + "\n";
  }
  text += "  -h, --help                 show this help\n";
  return text;
}

}  // namespace livedata::mock
