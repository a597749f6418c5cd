#include "bench_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace livedata::bench {

const char* const kSyncBenchUsage =
    "usage: livedata-sync-bench --records N [--records N2 ...] [--page-size P]\n"
    "                           [--changed-fraction F] [--repetitions R] [--json FILE] [--dir DIR]\n"
    "\n"
    "For each N: a full sync of N upstream campaigns over HTTP into an empty WAL store, a walk\n"
    "of the same feed without storing, a plain batched SQLite insert of the same rows (the\n"
    "baseline), R times over; then an incremental sync after F of the campaigns changed upstream.\n"
    "\n"
    "  --records N           upstream campaigns (repeatable; at least one)\n"
    "  --page-size P         records per page and per transaction, 1..1000 (default 500)\n"
    "  --changed-fraction F  share of campaigns changed before the incremental sync, (0, 1] (default 0.01)\n"
    "  --repetitions R       full sync + feed walk + baseline repeated R times; medians reported (default 3)\n"
    "  --json FILE           also write the results as JSON to FILE\n"
    "  --dir DIR             folder for the temporary databases (default: $TMPDIR or /tmp)\n";

namespace {

std::optional<long long> parseInteger(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(copy.c_str(), &end, 10);
  if (copy.empty() || errno != 0 || *end != '\0') return std::nullopt;
  return value;
}

std::optional<double> parseNumber(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || errno != 0 || *end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

Expected<SyncBenchOptions, std::string> parseSyncBenchOptions(int argc, const char* const* argv) {
  SyncBenchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (name == "--help" || name == "-h") {
      options.help = true;
      return options;
    }
    if (i + 1 >= argc) return std::string(name) + ": expected a value after it (see --help)";
    const std::string_view value = argv[++i];
    if (name == "--records") {
      // The account indexes rows with 32-bit numbers and allows up to 100,000,000.
      const auto records = parseInteger(value);
      if (!records || *records < 1 || *records > 100'000'000) {
        return "--records: expected an integer from 1 to 100000000, got '" + std::string(value) + "'";
      }
      options.records.push_back(static_cast<int>(*records));
    } else if (name == "--page-size") {
      const auto pageSize = parseInteger(value);
      if (!pageSize || *pageSize < 1 || *pageSize > 1000) {
        return "--page-size: expected an integer from 1 to 1000, got '" + std::string(value) + "'";
      }
      options.pageSize = static_cast<int>(*pageSize);
    } else if (name == "--changed-fraction") {
      const auto fraction = parseNumber(value);
      if (!fraction || *fraction <= 0 || *fraction > 1) {
        return "--changed-fraction: expected a number in (0, 1], got '" + std::string(value) + "'";
      }
      options.changedFraction = *fraction;
    } else if (name == "--repetitions") {
      const auto repetitions = parseInteger(value);
      if (!repetitions || *repetitions < 1 || *repetitions > 100) {
        return "--repetitions: expected an integer from 1 to 100, got '" + std::string(value) + "'";
      }
      options.repetitions = static_cast<int>(*repetitions);
    } else if (name == "--json") {
      options.jsonPath = std::string(value);
    } else if (name == "--dir") {
      options.workDir = std::string(value);
    } else {
      return "unknown option '" + std::string(name) + "' (see --help)";
    }
  }
  if (options.records.empty()) return std::string("--records: at least one is required (see --help)");
  if (options.workDir.empty()) {
    std::error_code error;
    options.workDir = std::filesystem::temp_directory_path(error).string();
    if (error) return "--dir: no temporary folder found ($TMPDIR): " + error.message();
  }
  return options;
}

}  // namespace livedata::bench
