#include "bench_options.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "livedata/command_line.h"
#include "upstream_client/upstream_source.h"  // kMaxPageSize

namespace livedata::bench {

namespace {

namespace cl = command_line;

const cl::OptionTable<SyncBenchOptions>& optionTable() {
  // The account indexes rows with 32-bit numbers and allows up to 100,000,000 records.
  static const cl::OptionTable<SyncBenchOptions> kTable{{
      cl::custom<SyncBenchOptions>("records", "N", "upstream campaigns (repeatable; at least one)", "",
                                   [](SyncBenchOptions& options, const std::string& value) -> cl::Problem {
                                     auto records = cl::parseNumber(value, 1, 100'000'000);
                                     if (!records) return records.error();
                                     options.records.push_back(records.value());
                                     return std::nullopt;
                                   })
          .repeatable(),
      cl::number<SyncBenchOptions>("page-size", "P", "records per page and per transaction", 1, server::kMaxPageSize,
                                   [](auto& o) -> auto& { return o.pageSize; }),
      cl::number<SyncBenchOptions>("changed-fraction", "F", "share of campaigns changed before the incremental sync",
                                   1e-9, 1.0, [](auto& o) -> auto& { return o.changedFraction; }),
      cl::number<SyncBenchOptions>("repetitions", "R", "full sync + feed walk + baseline repeated R times; medians reported",
                                   1, 100, [](auto& o) -> auto& { return o.repetitions; }),
      cl::custom<SyncBenchOptions>("json", "FILE", "also write the results as JSON to FILE", "",
                                   [](SyncBenchOptions& options, const std::string& value) -> cl::Problem {
                                     options.jsonPath = value;
                                     return std::nullopt;
                                   }),
      cl::text<SyncBenchOptions>("dir", "DIR", "folder for the temporary databases",
                                 [](auto& o) -> auto& { return o.workDir; })
          .shownDefault("$TMPDIR or /tmp"),
  }};
  return kTable;
}

}  // namespace

std::string syncBenchUsage() {
  return "usage: livedata-sync-bench --records N [--records N2 ...] [options]\n"
         "\n"
         "For each N: a full sync of N upstream campaigns over HTTP into an empty WAL store, a walk\n"
         "of the same feed without storing, a plain batched SQLite insert of the same rows (the\n"
         "baseline), R times over; then an incremental sync after F of the campaigns changed upstream.\n"
         "\n" +
         optionTable().help();
}

Expected<SyncBenchOptions, std::string> parseSyncBenchOptions(int argc, const char* const* argv) {
  SyncBenchOptions options;
  const auto arguments = optionTable().parseInto(options, std::vector<std::string>(argv + std::min(argc, 1), argv + argc));
  if (!arguments) return arguments.error() + " (see --help)";
  if (arguments.value().help) {
    options.help = true;
    return options;
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
