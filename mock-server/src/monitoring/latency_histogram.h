// A fixed-bucket latency histogram, the shape Prometheus expects
// (livedata_http_request_duration_seconds), with percentiles estimated from the buckets.
//
// Durations are kept in whole microseconds so bucket membership is exact integer
// comparison: a duration d falls in the first bucket whose bound b satisfies d <= b
// (Prometheus "le" semantics); durations above the last finite bound fall in +Inf.
//
// Threading: a plain value; callers synchronise.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace livedata::server::monitoring {

// Upper bounds in microseconds: 0.0005 s ... 10 s. The +Inf bucket follows them.
inline constexpr std::array<std::uint64_t, 14> kLatencyBucketBoundsMicros = {
    500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000,
    1'000'000, 2'500'000, 5'000'000, 10'000'000};
inline constexpr std::size_t kLatencyBucketCount = kLatencyBucketBoundsMicros.size() + 1;  // with +Inf

double microsToSeconds(std::uint64_t micros);

struct LatencyHistogram {
  // Per-bucket (not cumulative) counts; the last entry is the +Inf bucket.
  std::array<std::uint64_t, kLatencyBucketCount> bucketCounts{};
  std::uint64_t count = 0;
  std::uint64_t sumMicros = 0;

  void record(std::uint64_t durationMicros);
  void merge(const LatencyHistogram& other);

  // Cumulative count of observations <= the bound of bucket `index` (index < kLatencyBucketCount).
  std::uint64_t cumulativeCount(std::size_t index) const;
  double sumSeconds() const { return microsToSeconds(sumMicros); }
  // Exact mean; nullopt when empty.
  std::optional<double> averageSeconds() const;
  // The q-quantile (q clamped to [0, 1]) by linear interpolation inside the bucket that holds
  // rank q * count, the bucket's lower bound being the previous bound (0 for the first). A rank
  // in the +Inf bucket yields the last finite bound (10 s), as Prometheus's histogram_quantile
  // does: the histogram cannot say more. nullopt when empty.
  std::optional<double> quantileSeconds(double q) const;
};

}  // namespace livedata::server::monitoring
