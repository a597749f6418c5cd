#include "monitoring/space_saving_top_n.h"

#include <string>

#include <gtest/gtest.h>

#include "monitoring/ip_anonymization.h"

namespace livedata::server::monitoring {
namespace {

TEST(SpaceSavingTopN, CountsExactlyWhileUnderCapacity) {
  SpaceSavingTopN top(3);
  for (const char* key : {"a", "b", "a", "c", "a", "b"}) top.add(key);
  const auto entries = top.top(3);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].key, "a");
  EXPECT_EQ(entries[0].count, 3u);
  EXPECT_EQ(entries[1].key, "b");
  EXPECT_EQ(entries[1].count, 2u);
  EXPECT_EQ(entries[2].key, "c");
  EXPECT_EQ(entries[2].overestimate, 0u);
}

TEST(SpaceSavingTopN, ReplacesTheSmallestCounterWhenFull) {
  SpaceSavingTopN top(3);
  for (const char* key : {"a", "a", "a", "b", "b", "c", "d"}) top.add(key);
  const auto entries = top.top(10);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].key, "a");
  EXPECT_EQ(entries[1].key, "b");  // ties broken by key
  EXPECT_EQ(entries[2].key, "d");
  EXPECT_EQ(entries[2].count, 2u);  // c's 1, plus its own
  EXPECT_EQ(entries[2].overestimate, 1u);
}

TEST(SpaceSavingTopN, NeverTracksMoreThanItsCapacity) {
  SpaceSavingTopN top(5);
  for (int i = 0; i < 1000; ++i) top.add("key" + std::to_string(i));
  EXPECT_EQ(top.size(), 5u);
  EXPECT_EQ(top.top(100).size(), 5u);
}

TEST(SpaceSavingTopN, KeepsAHeavyHitterAmongManyRareKeys) {
  // Space-Saving guarantees every key seen more than N / capacity times is tracked.
  SpaceSavingTopN top(3);
  for (int i = 0; i < 500; ++i) {
    top.add("hot");
    top.add("rare" + std::to_string(i));
  }
  const auto first = top.top(1).at(0);
  EXPECT_EQ(first.key, "hot");
  EXPECT_GE(first.count, 500u);
  EXPECT_LE(first.count - first.overestimate, 500u);
}

TEST(SpaceSavingTopN, TruncatesLongKeys) {
  SpaceSavingTopN top(2);
  top.add(std::string(10'000, 'x'));
  EXPECT_EQ(top.top(1).at(0).key.size(), SpaceSavingTopN::kMaxKeyBytes);
}

TEST(SpaceSavingTopN, ZeroCapacityTracksNothing) {
  SpaceSavingTopN top(0);
  top.add("a");
  EXPECT_EQ(top.size(), 0u);
}

TEST(IpAnonymization, ZeroesTheLastIpv4Octet) {
  EXPECT_EQ(anonymizeIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(anonymizeIp("10.1.2.3"), "10.1.2.0");
}

TEST(IpAnonymization, KeepsTheFirst48BitsOfIpv6) {
  EXPECT_EQ(anonymizeIp("2001:db8:abcd:12:34::1"), "2001:db8:abcd::");
  EXPECT_EQ(anonymizeIp("::1"), "::");
}

TEST(IpAnonymization, TreatsIpv4MappedIpv6AsIpv4) { EXPECT_EQ(anonymizeIp("::ffff:192.0.2.33"), "::ffff:192.0.2.0"); }

TEST(IpAnonymization, AnAddressAskedAgainAnswersTheSameAndTheNextItsOwn) {
  // Each thread remembers the last address (a connection's requests come in a row).
  EXPECT_EQ(anonymizeIp("198.51.100.9"), "198.51.100.0");
  EXPECT_EQ(anonymizeIp("198.51.100.9"), "198.51.100.0");
  EXPECT_EQ(anonymizeIp("198.51.100"), "invalid") << "a prefix of the last address is not it";
  EXPECT_EQ(anonymizeIp("198.51.100.9"), "198.51.100.0");
  EXPECT_EQ(anonymizeIp(""), "invalid");
  EXPECT_EQ(anonymizeIp("2001:db8:1:2::9"), "2001:db8:1::");
}

TEST(IpAnonymization, ReplacesAnythingElseWithInvalid) {
  EXPECT_EQ(anonymizeIp(""), "invalid");
  EXPECT_EQ(anonymizeIp("not an ip"), "invalid");
  EXPECT_EQ(anonymizeIp("1.2.3.4 "), "invalid");
  EXPECT_EQ(anonymizeIp(std::string(1000, '1')), "invalid");
}

}  // namespace
}  // namespace livedata::server::monitoring
