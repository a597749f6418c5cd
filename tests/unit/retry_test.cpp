#include "livedata/retry.h"

#include <gtest/gtest.h>

namespace livedata {
namespace {

BackoffPolicy policy(int maxAttempts = 4, Millis base = 100, Millis cap = 1000) {
  BackoffPolicy p;
  p.maxAttempts = maxAttempts;
  p.baseDelayMs = base;
  p.maxDelayMs = cap;
  return p;
}

Error errorOf(ErrorKind kind, int status = 0) { return makeError(kind, "campaigns", "test", status); }

TEST(Backoff, CeilingDoublesPerRetryUpToTheCap) {
  const auto p = policy(10, 100, 1000);
  const double almostOne = 0.999999;
  EXPECT_EQ(backoffDelay(p, 1, almostOne), 100);
  EXPECT_EQ(backoffDelay(p, 2, almostOne), 200);
  EXPECT_EQ(backoffDelay(p, 3, almostOne), 400);
  EXPECT_EQ(backoffDelay(p, 5, almostOne), 1000);
  EXPECT_EQ(backoffDelay(p, 60, almostOne), 1000);  // no overflow on large retry numbers
}

TEST(Backoff, FullJitterSpansZeroToCeiling) {
  const auto p = policy(10, 100, 1000);
  EXPECT_EQ(backoffDelay(p, 3, 0.0), 0);
  EXPECT_EQ(backoffDelay(p, 3, 0.5), 200);
  for (double r = 0; r < 1; r += 0.01) {
    const auto d = backoffDelay(p, 2, r);
    EXPECT_GE(d, 0);
    EXPECT_LE(d, 200);
  }
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
  EXPECT_EQ(parseRetryAfter("120", 0), 120000);
  EXPECT_EQ(parseRetryAfter(" 3 ", 0), 3000);
  const Millis date = *parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(date, 784111777000);
  EXPECT_EQ(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), date);
  EXPECT_EQ(parseHttpDate("Sun Nov  6 08:49:37 1994"), date);
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", date), 10000);
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:27 GMT", date), 0);  // past dates: now
}

TEST(RetryAfter, RejectsGarbage) {
  EXPECT_FALSE(parseRetryAfter("soon", 0).has_value());
  EXPECT_FALSE(parseRetryAfter("-5", 0).has_value());
  EXPECT_FALSE(parseRetryAfter("", 0).has_value());
  EXPECT_FALSE(parseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(parseHttpDate("Sun, 06 Nov 1994 28:49:37 GMT").has_value());
  // A year of more than four digits (no overflow in the arithmetic: UBSan watches).
  EXPECT_FALSE(parseHttpDate("Sun Nov  6 08:49:37 999999999").has_value());
}

// A wait longer than an int's seconds is still a wait, the longest: the caller gives up on
// it rather than take the header for garbage and retry at once.
TEST(RetryAfter, SaturatesWaitsTooLongToHold) {
  const auto huge = parseRetryAfter("10000000000", 0);
  ASSERT_TRUE(huge.has_value());
  EXPECT_GE(*huge, 999'999'999LL * 1000);
  EXPECT_EQ(parseRetryAfter("99999999999999999999999999", 0), huge);
  EXPECT_EQ(parseRetryAfter("0000000005", 0), 5000) << "leading zeros are no digits of the value";
  EXPECT_FALSE(decideRetry(policy(), errorOf(ErrorKind::rate_limited, 429), 1, huge, 0.5).retry);
}

TEST(DecideRetry, RetriesTransientErrorsOnly) {
  const auto p = policy();
  EXPECT_TRUE(decideRetry(p, errorOf(ErrorKind::network), 1, std::nullopt, 0.5).retry);
  EXPECT_TRUE(decideRetry(p, errorOf(ErrorKind::timeout), 1, std::nullopt, 0.5).retry);
  EXPECT_TRUE(decideRetry(p, errorOf(ErrorKind::http_server, 503), 1, std::nullopt, 0.5).retry);
  EXPECT_TRUE(decideRetry(p, errorOf(ErrorKind::rate_limited, 429), 1, std::nullopt, 0.5).retry);
  EXPECT_TRUE(decideRetry(p, errorOf(ErrorKind::http_client, 408), 1, std::nullopt, 0.5).retry);
  EXPECT_FALSE(decideRetry(p, errorOf(ErrorKind::http_client, 404), 1, std::nullopt, 0.5).retry);
  EXPECT_FALSE(decideRetry(p, errorOf(ErrorKind::parse, 200), 1, std::nullopt, 0.5).retry);
  EXPECT_FALSE(decideRetry(p, errorOf(ErrorKind::offline), 1, std::nullopt, 0.5).retry);
  EXPECT_FALSE(decideRetry(p, errorOf(ErrorKind::cancelled), 1, std::nullopt, 0.5).retry);
}

TEST(DecideRetry, StopsAtMaxAttempts) {
  const auto p = policy(3);
  EXPECT_TRUE(decideRetry(p, errorOf(ErrorKind::network), 2, std::nullopt, 0.5).retry);
  EXPECT_FALSE(decideRetry(p, errorOf(ErrorKind::network), 3, std::nullopt, 0.5).retry);
}

TEST(DecideRetry, WaitsAtLeastRetryAfterButGivesUpBeyondItsCap) {
  auto p = policy();
  p.maxRetryAfterMs = 5000;
  const auto wait = decideRetry(p, errorOf(ErrorKind::rate_limited, 429), 1, 2000, 0.0);
  EXPECT_TRUE(wait.retry);
  EXPECT_EQ(wait.delayMs, 2000);
  EXPECT_FALSE(decideRetry(p, errorOf(ErrorKind::rate_limited, 429), 1, 6000, 0.0).retry);
}

}  // namespace
}  // namespace livedata
