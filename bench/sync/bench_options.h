// The command line of livedata-sync-bench, parsed once and validated (one struct
// per component, documented defaults, a clear error naming the bad option).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "livedata/expected.h"

namespace livedata::bench {

struct SyncBenchOptions {
  // Upstream campaigns per run; one run per value, in the order given. At least one.
  std::vector<int> records;
  // Records per upstream page and so per store transaction, and the baseline's rows per
  // transaction. 1..1000 (the upstream's limit). Default 500: the server's --sync-page-size.
  int pageSize = 100;  // Klaviyo's largest campaigns page
  // Share of the campaigns changed upstream before the incremental sync. (0, 1]. Default 0.01.
  double changedFraction = 0.01;
  // Full syncs (each with its feed walk and baseline) per run; figures are their medians.
  // >= 1. Default 3.
  int repetitions = 3;
  // Where the JSON report goes; nullopt: none.
  std::optional<std::string> jsonPath;
  // Folder for each run's temporary databases (removed after the run). Default: $TMPDIR or /tmp.
  std::string workDir;
  bool help = false;
};

std::string syncBenchUsage();

// The options of argv[1..argc), or an error naming the bad option.
Expected<SyncBenchOptions, std::string> parseSyncBenchOptions(int argc, const char* const* argv);

}  // namespace livedata::bench
