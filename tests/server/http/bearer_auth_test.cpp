#include "http/bearer_auth.h"

#include <gtest/gtest.h>

namespace livedata::server {
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

}  // namespace
}  // namespace livedata::server
