#include "monitoring/latency_histogram.h"

#include <algorithm>

namespace livedata::server::monitoring {

double microsToSeconds(std::uint64_t micros) { return static_cast<double>(micros) / 1e6; }

void LatencyHistogram::record(std::uint64_t durationMicros) {
  const auto* bound =
      std::lower_bound(kLatencyBucketBoundsMicros.begin(), kLatencyBucketBoundsMicros.end(), durationMicros);
  ++bucketCounts[static_cast<std::size_t>(bound - kLatencyBucketBoundsMicros.begin())];
  ++count;
  sumMicros += durationMicros;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kLatencyBucketCount; ++i) bucketCounts[i] += other.bucketCounts[i];
  count += other.count;
  sumMicros += other.sumMicros;
}

std::uint64_t LatencyHistogram::cumulativeCount(std::size_t index) const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= index && i < kLatencyBucketCount; ++i) total += bucketCounts[i];
  return total;
}

std::optional<double> LatencyHistogram::averageSeconds() const {
  if (count == 0) return std::nullopt;
  return microsToSeconds(sumMicros) / static_cast<double>(count);
}

std::optional<double> LatencyHistogram::quantileSeconds(double q) const {
  if (count == 0) return std::nullopt;
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(count);
  std::uint64_t before = 0;
  for (std::size_t i = 0; i < kLatencyBucketCount; ++i) {
    const std::uint64_t inBucket = bucketCounts[i];
    if (inBucket == 0) continue;
    if (static_cast<double>(before + inBucket) >= rank) {
      if (i == kLatencyBucketBoundsMicros.size()) return microsToSeconds(kLatencyBucketBoundsMicros.back());
      const double lower = i == 0 ? 0.0 : microsToSeconds(kLatencyBucketBoundsMicros[i - 1]);
      const double upper = microsToSeconds(kLatencyBucketBoundsMicros[i]);
      const double fraction = (rank - static_cast<double>(before)) / static_cast<double>(inBucket);
      return lower + (upper - lower) * std::clamp(fraction, 0.0, 1.0);
    }
    before += inBucket;
  }
  return microsToSeconds(kLatencyBucketBoundsMicros.back());  // unreachable: the loop covers count
}

}  // namespace livedata::server::monitoring
