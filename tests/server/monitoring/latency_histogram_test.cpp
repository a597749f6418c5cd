#include "monitoring/latency_histogram.h"

#include <gtest/gtest.h>

namespace livedata::server::monitoring {
namespace {

TEST(LatencyHistogram, PutsEachDurationInTheFirstBucketWhoseBoundIsNotBelowIt) {
  LatencyHistogram histogram;
  for (std::uint64_t micros : {300, 500, 501, 1'000, 2'000, 20'000, 20'000, 700'000, 12'000'000}) {
    histogram.record(micros);
  }
  const std::array<std::uint64_t, kLatencyBucketCount> expected = {2, 2, 1, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ(histogram.bucketCounts, expected);
  EXPECT_EQ(histogram.count, 9u);
  EXPECT_EQ(histogram.sumMicros, 12'744'301u);
  EXPECT_EQ(histogram.cumulativeCount(kLatencyBucketCount - 1), 9u);
  EXPECT_EQ(histogram.cumulativeCount(5), 7u);
  EXPECT_DOUBLE_EQ(*histogram.averageSeconds(), 12.744301 / 9);
}

TEST(LatencyHistogram, InterpolatesPercentilesInsideTheBucket) {
  LatencyHistogram histogram;
  for (int i = 0; i < 4; ++i) histogram.record(20'000);  // all in (0.01, 0.025]
  EXPECT_NEAR(*histogram.quantileSeconds(0.50), 0.01 + 0.015 * 0.50, 1e-12);
  EXPECT_NEAR(*histogram.quantileSeconds(0.95), 0.01 + 0.015 * 0.95, 1e-12);
  EXPECT_NEAR(*histogram.quantileSeconds(0.99), 0.01 + 0.015 * 0.99, 1e-12);
  EXPECT_NEAR(*histogram.quantileSeconds(0.0), 0.01, 1e-12);
}

TEST(LatencyHistogram, PercentilesAcrossBucketsAndInTheInfiniteBucket) {
  LatencyHistogram histogram;
  for (std::uint64_t micros : {300, 500, 501, 1'000, 2'000, 20'000, 20'000, 700'000, 12'000'000}) {
    histogram.record(micros);
  }
  // p50: rank 4.5, the 5th observation is the only one in (0.001, 0.0025].
  EXPECT_NEAR(*histogram.quantileSeconds(0.50), 0.00175, 1e-12);
  // p95: rank 8.55 lands in +Inf, reported as the last finite bound.
  EXPECT_DOUBLE_EQ(*histogram.quantileSeconds(0.95), 10.0);
  EXPECT_DOUBLE_EQ(*histogram.quantileSeconds(7.0), 10.0);  // q clamped to 1
}

TEST(LatencyHistogram, EmptyHasNoAverageOrPercentiles) {
  LatencyHistogram histogram;
  EXPECT_FALSE(histogram.averageSeconds());
  EXPECT_FALSE(histogram.quantileSeconds(0.5));
}

TEST(LatencyHistogram, MergeAddsBucketByBucket) {
  LatencyHistogram a;
  LatencyHistogram b;
  a.record(400);
  b.record(400);
  b.record(3'000);
  a.merge(b);
  EXPECT_EQ(a.bucketCounts[0], 2u);
  EXPECT_EQ(a.bucketCounts[3], 1u);
  EXPECT_EQ(a.count, 3u);
  EXPECT_EQ(a.sumMicros, 3'800u);
}

}  // namespace
}  // namespace livedata::server::monitoring
