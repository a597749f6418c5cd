#include "request_recorder.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace livedata::loadgen {
namespace {

// Nearest rank (the smallest sample with at least p of the samples at or below it).
// REQUIRES: `sorted` ascending and not empty.
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

RequestSample sampleOf(const FetchResult& result, double latencyMs, bool forced) {
  RequestSample sample;
  sample.latencyMs = latencyMs;
  sample.error = result.error.has_value();
  sample.network = !result.fromCache || result.revalidated || sample.error;
  sample.staleServed = sample.error && result.fromCache && !result.fallback;
  sample.fallback = sample.error && result.fallback;
  sample.forced = forced;
  return sample;
}

LatencySummary summarize(std::vector<double> latenciesMs) {
  LatencySummary summary;
  summary.count = latenciesMs.size();
  if (latenciesMs.empty()) return summary;
  std::sort(latenciesMs.begin(), latenciesMs.end());
  summary.averageMs = std::accumulate(latenciesMs.begin(), latenciesMs.end(), 0.0) /
                      static_cast<double>(latenciesMs.size());
  summary.p50Ms = percentile(latenciesMs, 0.50);
  summary.p95Ms = percentile(latenciesMs, 0.95);
  summary.p99Ms = percentile(latenciesMs, 0.99);
  summary.maxMs = latenciesMs.back();
  return summary;
}

void RequestRecorder::started() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++inFlight_;
}

void RequestRecorder::finished(const RequestSample& sample) {
  std::lock_guard<std::mutex> lock(mutex_);
  --inFlight_;
  samples_.push_back(sample);
}

std::size_t RequestRecorder::inFlight() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return inFlight_;
}

RequestTotals RequestRecorder::totals() const {
  std::vector<RequestSample> samples;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    samples = samples_;
  }
  RequestTotals totals;
  std::vector<double> all;
  std::vector<double> network;
  all.reserve(samples.size());
  for (const RequestSample& s : samples) {
    ++totals.requests;
    totals.network += s.network;
    totals.errors += s.error;
    totals.staleServed += s.staleServed;
    totals.fallbacks += s.fallback;
    totals.forced += s.forced;
    all.push_back(s.latencyMs);
    if (s.network) network.push_back(s.latencyMs);
  }
  totals.latency = summarize(std::move(all));
  totals.networkLatency = summarize(std::move(network));
  return totals;
}

void RequestRecorder::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  samples_.clear();
}

}  // namespace livedata::loadgen
