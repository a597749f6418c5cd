// Value types and helpers shared by every core module.
#include "livedata/types.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace livedata {
namespace {

TEST(Decimal, TakesPlainDigitsThatFitAnInt64) {
  EXPECT_EQ(parseNonNegativeDecimal("0"), 0);
  EXPECT_EQ(parseNonNegativeDecimal("007"), 7);
  EXPECT_EQ(parseNonNegativeDecimal("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1e3", "0x10", "9223372036854775808", "99999999999999999999"}) {
    EXPECT_FALSE(parseNonNegativeDecimal(bad)) << bad;
  }
}

TEST(Headers, NamesCompareCaseInsensitivelyAndSetReplacesEveryField) {
  Headers headers{{"ETag", "\"a\""}, {"Vary", "Accept"}};
  headers.add("vary", "Origin");
  EXPECT_EQ(headers.get("etag"), "\"a\"");
  EXPECT_EQ(headers.get("VARY"), "Accept") << "the first of repeated fields";
  headers.set("Vary", "Accept-Encoding");
  EXPECT_EQ(headers.fields().size(), 2u);
  EXPECT_EQ(headers.get("vary"), "Accept-Encoding");
  EXPECT_FALSE(headers.has("Date"));
}

TEST(EqualsIgnoreCase, FoldsOnlyTheCaseOfAsciiLetters) {
  EXPECT_TRUE(equalsIgnoreCase("If-None-Match", "if-none-match"));
  EXPECT_TRUE(equalsIgnoreCase("ETAG", "etag"));
  EXPECT_TRUE(equalsIgnoreCase("", ""));
  EXPECT_FALSE(equalsIgnoreCase("Vary", "Varys")) << "lengths differ";
  EXPECT_FALSE(equalsIgnoreCase("x-a", "x-b"));
  EXPECT_FALSE(equalsIgnoreCase("[", "{")) << "not letters: 0x5B and 0x7B differ by the case bit";
  EXPECT_FALSE(equalsIgnoreCase("@", "`"));
  EXPECT_FALSE(equalsIgnoreCase("\xC9", "\xE9")) << "no folding beyond ASCII";
}

}  // namespace
}  // namespace livedata
