// livedata-sync-bench, the sync section of bench/run.sh: the sync's throughput on a full and an
// incremental sync, against a plain batched SQLite insert of the same rows measured in the
// same process (the machines are shared and noisy: only same-run ratios mean anything).
// Usage: see syncBenchUsage() (bench_options.cpp) or --help.
#include <cstdio>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "bench_options.h"
#include "sync_report.h"
#include "sync_scenario.h"

int main(int argc, char** argv) {
  using namespace livedata::bench;
  auto parsed = parseSyncBenchOptions(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "livedata-sync-bench: %s\n", parsed.error().c_str());
    return 2;
  }
  const SyncBenchOptions& options = parsed.value();
  if (options.help) {
    std::fputs(syncBenchUsage().c_str(), stdout);
    return 0;
  }

  std::vector<SyncBenchRun> runs;
  for (const int records : options.records) {
    std::fprintf(stderr, "sync bench: %d records, pages of %d...\n", records, options.pageSize);
    auto run = runSyncBenchmark(records, options);
    if (!run) {
      std::fprintf(stderr, "livedata-sync-bench: %d records: %s\n", records, run.error().c_str());
      return 1;
    }
    runs.push_back(std::move(run).value());
  }

  printTable(stdout, runs);
  if (options.jsonPath) {
    std::ofstream json(*options.jsonPath);
    json << toJson(runs).dump(2) << '\n';
    if (!json) {
      std::fprintf(stderr, "livedata-sync-bench: cannot write %s\n", options.jsonPath->c_str());
      return 1;
    }
  }
  return 0;
}
