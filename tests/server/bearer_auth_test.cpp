#include "bearer_auth.h"

#include <gtest/gtest.h>

#include "decimal.h"

namespace livedata::mock {
namespace {

TEST(BearerAuth, AcceptsTheTokenWithAnyCaseOfTheScheme) {
  EXPECT_TRUE(bearerTokenMatches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearerTokenMatches("bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearerTokenMatches("BEARER   s3cret  ", "s3cret"));
}

TEST(BearerAuth, RefusesEverythingElse) {
  EXPECT_FALSE(bearerTokenMatches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("Bearer s3cretx", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("s3cret", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("Bearer ", ""));
  EXPECT_FALSE(bearerTokenMatches("", ""));
  EXPECT_FALSE(bearerCredentials("Bearer"));
}

TEST(Decimal, TakesPlainDigitsThatFitAnInt64) {
  EXPECT_EQ(parseNonNegativeDecimal("0"), 0);
  EXPECT_EQ(parseNonNegativeDecimal("007"), 7);
  EXPECT_EQ(parseNonNegativeDecimal("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1e3", "0x10", "9223372036854775808", "99999999999999999999"}) {
    EXPECT_FALSE(parseNonNegativeDecimal(bad)) << bad;
  }
}

}  // namespace
}  // namespace livedata::mock
