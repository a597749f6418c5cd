#include "http/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace livedata::server {
namespace {

TEST(RequestIds, CountsUpUnderTheirPrefix) {
  RequestIds ids("abc");
  EXPECT_EQ(ids.next(), "abc-1");
  EXPECT_EQ(ids.next(), "abc-2");
  for (int i = 0; i < 13; ++i) ids.next();
  EXPECT_EQ(ids.next(), "abc-10") << "hexadecimal";
}

TEST(RequestIds, KeepAClientsSaneIdAndReplaceAnythingElse) {
  RequestIds ids("p");
  EXPECT_EQ(ids.forRequest("client-7f3a.retry:2"), "client-7f3a.retry:2");
  EXPECT_EQ(ids.forRequest(""), "p-1");
  EXPECT_EQ(ids.forRequest("has space"), "p-2");
  EXPECT_EQ(ids.forRequest("new\r\nline"), "p-3");
  EXPECT_EQ(ids.forRequest(std::string(129, 'a')), "p-4");
  EXPECT_EQ(ids.forRequest(std::string(128, 'a')), std::string(128, 'a'));
}

TEST(RequestIds, AreUniqueAcrossThreadsAndProcesses) {
  RequestIds ids;
  std::vector<std::vector<std::string>> perThread(4);
  std::vector<std::thread> threads;
  for (auto& out : perThread) {
    threads.emplace_back([&ids, &out] {
      for (int i = 0; i < 1000; ++i) out.push_back(ids.next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& out : perThread) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 4000u);
  // Two processes (two instances) draw their prefixes independently.
  EXPECT_NE(RequestIds().next().substr(0, 8), RequestIds().next().substr(0, 8));
}

}  // namespace
}  // namespace livedata::server
