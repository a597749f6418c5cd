#include "monitoring/utf8_text.h"

#include <gtest/gtest.h>

namespace livedata::server::monitoring {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";

TEST(BoundedUtf8, KeepsWellFormedText) {
  EXPECT_EQ(boundedUtf8("plain", 100), "plain");
  EXPECT_EQ(boundedUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 100), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST(BoundedUtf8, ReplacesEachMalformedByte) {
  EXPECT_EQ(boundedUtf8("a\xFF" "b", 100), std::string("a") + kReplacement + "b");
  EXPECT_EQ(boundedUtf8("\xC0\x80", 100), std::string(kReplacement) + kReplacement);   // overlong NUL
  EXPECT_EQ(boundedUtf8("\xED\xA0\x80", 100), std::string(kReplacement) + kReplacement + kReplacement);  // surrogate
  EXPECT_EQ(boundedUtf8("\xE2\x82", 100), std::string(kReplacement) + kReplacement);  // truncated sequence
}

TEST(BoundedUtf8, CutsOnlyAtCharacterBoundaries) {
  EXPECT_EQ(boundedUtf8("ab\xC3\xA9", 3), "ab");
  EXPECT_EQ(boundedUtf8("abcdef", 4), "abcd");
  EXPECT_EQ(boundedUtf8("abc", 0), "");
}

}  // namespace
}  // namespace livedata::server::monitoring
