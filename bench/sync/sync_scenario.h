// One run of the sync benchmark for N upstream campaigns, as production deploys the sync:
// the upstream API served over HTTP on loopback by an in-process UpstreamServer (what
// mock-server does without --upstream-url), read by HttpUpstreamSource, and SyncService
// committing each page into a Store on a temporary file (WAL).
//
// Steps, each timed on its own. Repeated `repetitions` times, each into fresh files (so
// neighbours in time are compared, and a noisy moment spoils one repetition, not a ratio):
//   1. full sync of the campaigns into an empty store;
//   2. the same feed walked over HTTP without storing (transport + JSON parse + the
//      upstream's own work), to split the sync's time between feed and store;
//   3. the baseline: the same rows inserted plainly into a new file (baseline_insert.h).
// Then once, on the last repetition's store:
//   4. changes made upstream until `changedFraction` of the campaigns changed, then an
//      incremental sync from the saved cursor.
// Only campaigns are synced: they are the entity that scales (the others are a few dozen rows).
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "livedata/expected.h"
#include "baseline_insert.h"
#include "bench_options.h"

namespace livedata::bench {

struct SyncPassResult {
  double ms = 0;                // wall time of SyncService::runNow
  std::size_t pages = 0;        // pages committed
  std::size_t recordsRead = 0;  // upstream records received and committed
  std::size_t rowsWritten = 0;  // rows inserted or actually changed (identical upserts excluded)
};

struct FeedWalkResult {
  double ms = 0;
  std::size_t pages = 0;
  std::size_t records = 0;
};

// Steps 1-3, measured back to back.
struct FullSyncRepetition {
  SyncPassResult fullSync;
  FeedWalkResult feedWalk;
  BaselineInsertResult baseline;
};

struct SyncBenchRun {
  int records = 0;  // campaigns generated upstream
  int pageSize = 0;
  double changedFraction = 0;
  double accountCreateMs = 0;  // generating and indexing the upstream account (not benchmarked)
  std::vector<FullSyncRepetition> repetitions;  // at least one
  std::size_t changedCampaigns = 0;  // distinct campaigns changed upstream before the incremental sync
  int changesApplied = 0;            // account changes made to get there (some touch other entities)
  SyncPassResult incremental;
  double peakRssMiB = 0;  // the process's peak resident set so far (getrusage)
};

// Runs the steps above for `records` campaigns; temporary files go to a fresh folder in
// options.workDir, removed afterwards. On failure, a message naming the step.
Expected<SyncBenchRun, std::string> runSyncBenchmark(int records, const SyncBenchOptions& options);

}  // namespace livedata::bench
