// Klaviyo's fixed rate-limit windows as the simulated upstream keeps them.
#include "klaviyo/rate_windows.h"

#include <gtest/gtest.h>

namespace livedata::server {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kDay = 24 * 60 * kMinute;
// A moment at the start of a UTC day (2026-12-05T00:00:00Z), so windows' edges are known.
constexpr std::int64_t kMidnight = 1'796'428'800LL * kSecond;

TEST(RateWindows, AdmitsTheBurstWithinASecondThenSaysHowLongToWait) {
  RateWindows windows;
  const klaviyo::RateLimit limit{3, 60, std::nullopt};
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(windows.admit("/api/flows", limit, kMidnight + 100 + i)) << i;
  const auto wait = windows.admit("/api/flows", limit, kMidnight + 400);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 1);  // 600 ms to the window's end, rounded up to a whole second
  EXPECT_FALSE(windows.admit("/api/flows", limit, kMidnight + kSecond));  // the next window
}

TEST(RateWindows, TheSteadyWindowBindsAcrossSecondsAndRefusalsDoNotCount) {
  RateWindows windows;
  const klaviyo::RateLimit limit{1, 2, std::nullopt};  // the reports' 1/s, 2/min
  EXPECT_FALSE(windows.admit("/api/campaign-values-reports", limit, kMidnight));
  EXPECT_TRUE(windows.admit("/api/campaign-values-reports", limit, kMidnight + 10));  // burst
  EXPECT_FALSE(windows.admit("/api/campaign-values-reports", limit, kMidnight + kSecond));
  const auto wait = windows.admit("/api/campaign-values-reports", limit, kMidnight + 2 * kSecond);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 58);  // the minute's end, not the second's
  for (int i = 3; i < 60; ++i) EXPECT_TRUE(windows.admit("/api/campaign-values-reports", limit, kMidnight + i * kSecond)) << i;
  EXPECT_FALSE(windows.admit("/api/campaign-values-reports", limit, kMidnight + kMinute));
}

TEST(RateWindows, TheDailyBudgetLastsUntilTheUtcDayEnds) {
  RateWindows windows;
  const klaviyo::RateLimit limit{0, 0, 2};  // only the daily window, to reach it quickly
  EXPECT_FALSE(windows.admit("/api/form-values-reports", limit, kMidnight + 5 * kMinute));
  EXPECT_FALSE(windows.admit("/api/form-values-reports", limit, kMidnight + 9 * kMinute));
  const auto wait = windows.admit("/api/form-values-reports", limit, kMidnight + 12 * 60 * kMinute);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 12 * 60 * 60);
  EXPECT_EQ(windows.usedToday("/api/form-values-reports", kMidnight + 13 * 60 * kMinute), 2);
  EXPECT_FALSE(windows.admit("/api/form-values-reports", limit, kMidnight + kDay));
  EXPECT_EQ(windows.usedToday("/api/form-values-reports", kMidnight + kDay), 1);
  EXPECT_EQ(windows.usedToday("/api/form-values-reports", kMidnight + 2 * kDay), 0);
  EXPECT_EQ(windows.usedToday("/api/segment-values-reports", kMidnight + kDay), 0);
}

// Calls counted elsewhere on the same day (an earlier process, another instance) are spent;
// a lower count never lowers the window's, and another day's starts again from zero.
TEST(RateWindows, CallsCountedElsewhereTodayAreSpentHere) {
  RateWindows windows;
  const klaviyo::RateLimit limit{0, 0, 3};
  windows.countAtLeast("/api/form-values-reports", 2, kMidnight + kMinute);
  EXPECT_EQ(windows.usedToday("/api/form-values-reports", kMidnight + kMinute), 2);
  EXPECT_FALSE(windows.admit("/api/form-values-reports", limit, kMidnight + 2 * kMinute));
  EXPECT_TRUE(windows.admit("/api/form-values-reports", limit, kMidnight + 3 * kMinute));
  windows.countAtLeast("/api/form-values-reports", 1, kMidnight + 4 * kMinute);
  EXPECT_EQ(windows.usedToday("/api/form-values-reports", kMidnight + 4 * kMinute), 3);
  windows.countAtLeast("/api/form-values-reports", 1, kMidnight + kDay);
  EXPECT_EQ(windows.usedToday("/api/form-values-reports", kMidnight + kDay), 1);
  EXPECT_EQ(RateWindows::dayOf(kMidnight + kDay - 1) + 1, RateWindows::dayOf(kMidnight + kDay));
}

TEST(RateWindows, EachOperationCountsApart) {
  RateWindows windows;
  const klaviyo::RateLimit limit{1, 10, std::nullopt};
  EXPECT_FALSE(windows.admit("/api/flows", limit, kMidnight));
  EXPECT_FALSE(windows.admit("/api/forms", limit, kMidnight));
  EXPECT_TRUE(windows.admit("/api/flows", limit, kMidnight + 1));
}

}  // namespace
}  // namespace livedata::server
