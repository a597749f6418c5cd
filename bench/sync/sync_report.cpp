#include "sync_report.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace livedata::bench {
namespace {

using Json = nlohmann::ordered_json;

double perSecond(std::size_t count, double ms) { return ms > 0 ? static_cast<double>(count) * 1000.0 / ms : 0.0; }

double ratio(double part, double whole) { return whole > 0 ? part / whole : 0.0; }

// Figures rounded for reading; the precision is far finer than the run-to-run noise.
double rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

template <typename Projection>
std::vector<double> across(const SyncBenchRun& run, Projection&& projection) {
  std::vector<double> values;
  for (const FullSyncRepetition& repetition : run.repetitions) values.push_back(projection(repetition));
  std::sort(values.begin(), values.end());
  return values;
}

// REQUIRES: sorted is sorted and not empty.
double median(const std::vector<double>& sorted) {
  const std::size_t middle = sorted.size() / 2;
  return sorted.size() % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// The figures of a run. Times are medians over the repetitions; a ratio is the median of the
// ratios of each repetition, whose two sides were measured seconds apart.
struct Summary {
  double fullSyncMs;
  double walkMs;
  double baselineMs;
  double syncRecordsPerSecond;
  double walkRecordsPerSecond;
  double baselineRecordsPerSecond;
  std::vector<double> syncVsBaseline;  // per repetition, sorted
  double walkShareOfSync;
  double incrementalFractionOfFull;
};

Summary summarize(const SyncBenchRun& run) {
  const FullSyncRepetition& any = run.repetitions.front();
  Summary s{};
  s.fullSyncMs = median(across(run, [](const FullSyncRepetition& r) { return r.fullSync.ms; }));
  s.walkMs = median(across(run, [](const FullSyncRepetition& r) { return r.feedWalk.ms; }));
  s.baselineMs = median(across(run, [](const FullSyncRepetition& r) { return r.baseline.insertMs; }));
  s.syncRecordsPerSecond = perSecond(any.fullSync.recordsRead, s.fullSyncMs);
  s.walkRecordsPerSecond = perSecond(any.feedWalk.records, s.walkMs);
  s.baselineRecordsPerSecond = perSecond(any.baseline.rows, s.baselineMs);
  s.syncVsBaseline = across(run, [](const FullSyncRepetition& r) {
    return ratio(perSecond(r.fullSync.recordsRead, r.fullSync.ms), perSecond(r.baseline.rows, r.baseline.insertMs));
  });
  s.walkShareOfSync = median(across(run, [](const FullSyncRepetition& r) { return ratio(r.feedWalk.ms, r.fullSync.ms); }));
  s.incrementalFractionOfFull = ratio(run.incremental.ms, s.fullSyncMs);
  return s;
}

Json msRange(const std::vector<double>& sorted) { return Json::array({rounded(sorted.front(), 1), rounded(sorted.back(), 1)}); }

Json toJson(const SyncBenchRun& run) {
  const Summary d = summarize(run);
  const FullSyncRepetition& any = run.repetitions.front();
  return Json{
      {"records", run.records},
      {"pageSize", run.pageSize},
      {"changedFraction", run.changedFraction},
      {"repetitions", run.repetitions.size()},
      {"accountCreateMs", rounded(run.accountCreateMs, 1)},
      {"fullSync",
       {{"ms", rounded(d.fullSyncMs, 1)},
        {"msRange", msRange(across(run, [](const FullSyncRepetition& r) { return r.fullSync.ms; }))},
        {"pages", any.fullSync.pages},
        {"recordsRead", any.fullSync.recordsRead},
        {"recordsPerSecond", rounded(d.syncRecordsPerSecond, 0)},
        {"rowsWritten", any.fullSync.rowsWritten}}},
      {"incremental",
       {{"changed", run.changedCampaigns},
        {"changesApplied", run.changesApplied},
        {"ms", rounded(run.incremental.ms, 1)},
        {"pages", run.incremental.pages},
        {"recordsRead", run.incremental.recordsRead},
        {"rowsWritten", run.incremental.rowsWritten},
        {"unchangedReread", run.incremental.recordsRead - run.incremental.rowsWritten},
        {"fractionOfFull", rounded(d.incrementalFractionOfFull, 4)}}},
      {"baselineInsert",
       {{"ms", rounded(d.baselineMs, 1)},
        {"msRange", msRange(across(run, [](const FullSyncRepetition& r) { return r.baseline.insertMs; }))},
        {"rows", any.baseline.rows},
        {"recordsPerSecond", rounded(d.baselineRecordsPerSecond, 0)},
        {"feedReadMs", rounded(any.baseline.feedReadMs, 1)}}},
      {"syncVsBaseline", rounded(median(d.syncVsBaseline), 4)},
      {"syncVsBaselineRange", Json::array({rounded(d.syncVsBaseline.front(), 4), rounded(d.syncVsBaseline.back(), 4)})},
      {"feedWalkOnly",
       {{"ms", rounded(d.walkMs, 1)},
        {"msRange", msRange(across(run, [](const FullSyncRepetition& r) { return r.feedWalk.ms; }))},
        {"pages", any.feedWalk.pages},
        {"records", any.feedWalk.records},
        {"recordsPerSecond", rounded(d.walkRecordsPerSecond, 0)},
        {"fractionOfFullSync", rounded(d.walkShareOfSync, 4)}}},
      {"storeShareOfFullSync", rounded(1.0 - d.walkShareOfSync, 4)},
      {"peakRssMiB", rounded(run.peakRssMiB, 1)},
  };
}

}  // namespace

Json toJson(const std::vector<SyncBenchRun>& runs) {
  Json list = Json::array();
  for (const SyncBenchRun& run : runs) list.push_back(toJson(run));
  return Json{{"runs", std::move(list)}};
}

void printTable(std::FILE* out, const std::vector<SyncBenchRun>& runs) {
  std::fprintf(out, "%10s %5s | %10s %10s | %10s %10s | %10s %6s | %9s %9s %8s %8s | %7s\n", "records", "page",
               "full ms", "full rec/s", "base ms", "base rec/s", "walk ms", "walk%", "changed", "incr ms",
               "incr rd", "incr/full", "sync/base");
  for (const SyncBenchRun& run : runs) {
    const Summary d = summarize(run);
    std::fprintf(out, "%10d %5d | %10.0f %10.0f | %10.0f %10.0f | %10.0f %5.0f%% | %9zu %9.1f %8zu %7.2f%% | %7.3f\n",
                 run.records, run.pageSize, d.fullSyncMs, d.syncRecordsPerSecond, d.baselineMs,
                 d.baselineRecordsPerSecond, d.walkMs, 100.0 * d.walkShareOfSync, run.changedCampaigns,
                 run.incremental.ms, run.incremental.recordsRead, 100.0 * d.incrementalFractionOfFull,
                 median(d.syncVsBaseline));
  }
  std::fprintf(out,
               "full/incr: SyncService over HTTP into a WAL store; base: plain batched INSERT of the same rows;\n"
               "walk: the same feed over HTTP, parsed, not stored (walk%% = walk ms / full ms); incr rd: records\n"
               "read by the incremental sync. Medians of %zu repetition(s); peak RSS %.0f MiB\n",
               runs.empty() ? std::size_t{0} : runs.back().repetitions.size(), runs.empty() ? 0.0 : runs.back().peakRssMiB);
}

}  // namespace livedata::bench
