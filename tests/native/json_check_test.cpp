// The native JSON check accepts exactly one complete JSON text (RFC 8259), as the browser's
// JSON.parse does: a body it rejects becomes the core's typed parse error.
#include "livedata_native/json_check.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace livedata::native {
namespace {

TEST(JsonCheck, AcceptsCompleteJsonTexts) {
  EXPECT_TRUE(isJsonText(R"({"items":[{"id":"cmp_1","revenue":12.5,"openRate":1e-2}],"total":1})"));
  EXPECT_TRUE(isJsonText("[]"));
  EXPECT_TRUE(isJsonText(" \"text with \\u00e9 and \xc3\xa9\" \n"));
  EXPECT_TRUE(isJsonText("42"));
  EXPECT_TRUE(isJsonText("null"));
}

TEST(JsonCheck, RejectsWhatJsonParseRejects) {
  EXPECT_FALSE(isJsonText(""));
  EXPECT_FALSE(isJsonText("   "));
  EXPECT_FALSE(isJsonText(R"({"items":[1,2)")) << "cut short";
  EXPECT_FALSE(isJsonText(R"({"a":1,})")) << "trailing comma";
  EXPECT_FALSE(isJsonText("{'a':1}")) << "single quotes";
  EXPECT_FALSE(isJsonText("[1] [2]")) << "two texts";
  EXPECT_FALSE(isJsonText("[01]")) << "leading zero";
  EXPECT_FALSE(isJsonText("[NaN]"));
  EXPECT_FALSE(isJsonText("\"\xff\"")) << "invalid UTF-8";
  EXPECT_FALSE(isJsonText("<html>502 Bad Gateway</html>"));
  EXPECT_FALSE(isJsonText(std::string("[1]\0", 4))) << "a NUL after the text";
}

TEST(JsonCheck, IsSafeFromManyThreadsAtOnce) {
  const std::string body = R"({"items":[)" + std::string(200, ' ') + R"(1,2,3],"total":3})";
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (!isJsonText(body) || isJsonText(body.substr(0, body.size() - 1))) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace livedata::native
