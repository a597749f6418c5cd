// The sync benchmark's results as JSON (for bench/run.sh and BENCHMARKS.md) and as a table
// for people. Times are milliseconds, throughputs records (or rows) per second, and every
// ratio is between figures measured in the same run.
#pragma once

#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "sync_scenario.h"

namespace livedata::bench {

// {"runs": [run, ...]}, each run:
//   records, pageSize, changedFraction, repetitions, accountCreateMs, peakRssMiB,
//   fullSync      {ms, msRange, pages, recordsRead, recordsPerSecond, rowsWritten}
//   feedWalkOnly  {ms, msRange, pages, records, recordsPerSecond, fractionOfFullSync}
//   baselineInsert{ms, msRange, rows, recordsPerSecond, feedReadMs}
//   syncVsBaseline  sync records/s over baseline records/s (median over repetitions), and
//   syncVsBaselineRange [min, max]
//   storeShareOfFullSync  1 - feedWalkOnly.fractionOfFullSync (an estimate: the two run apart)
//   incremental   {changed, changesApplied, ms, pages, recordsRead, rowsWritten,
//                  unchangedReread, fractionOfFull = incremental.ms / fullSync.ms}
// ms, msRange ([min, max]) and ratios are over the repetitions: medians, and each ratio the
// median of the repetitions' own ratios.
nlohmann::ordered_json toJson(const std::vector<SyncBenchRun>& runs);

void printTable(std::FILE* out, const std::vector<SyncBenchRun>& runs);

}  // namespace livedata::bench
