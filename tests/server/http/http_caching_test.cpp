// Conditional requests as RFC 9110 section 13.1.2 defines If-None-Match: a list of tags or
// "*", compared weakly.
#include "http/http_caching.h"

#include <gtest/gtest.h>

namespace livedata::server {
namespace {

TEST(IfNoneMatch, MatchesTheExactTag) {
  EXPECT_TRUE(ifNoneMatchMatches("\"abc\"", "\"abc\""));
  EXPECT_FALSE(ifNoneMatchMatches("\"abd\"", "\"abc\""));
}

TEST(IfNoneMatch, MatchesAnyTagOfAList) {
  EXPECT_TRUE(ifNoneMatchMatches("\"x\", \"abc\" ,\"y\"", "\"abc\""));
  EXPECT_FALSE(ifNoneMatchMatches("\"x\", \"y\"", "\"abc\""));
}

TEST(IfNoneMatch, StarMatchesAnyRepresentation) { EXPECT_TRUE(ifNoneMatchMatches("*", "\"abc\"")); }

TEST(IfNoneMatch, ComparesWeakly) {
  EXPECT_TRUE(ifNoneMatchMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(ifNoneMatchMatches("\"abc\"", "W/\"abc\""));
}

TEST(IfNoneMatch, EmptyFieldMatchesNothing) { EXPECT_FALSE(ifNoneMatchMatches("", "\"abc\"")); }

TEST(EntityTags, DifferPerContentCodingAndAreStable) {
  const std::string tag = strongEtagFor("{\"a\":1}");
  EXPECT_EQ(tag, strongEtagFor("{\"a\":1}"));
  EXPECT_NE(tag, strongEtagFor("{\"a\":2}"));
  EXPECT_NE(etagForCoding(tag, "gzip"), tag);
  EXPECT_EQ(etagForCoding(tag, "identity"), tag);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
}

}  // namespace
}  // namespace livedata::server
