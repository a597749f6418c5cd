#include "livedata/cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace livedata {
namespace {

CacheEntry entryOf(const std::string& key, std::size_t bodySize, const std::string& endpoint = "campaigns") {
  CacheEntry entry;
  entry.key = key;
  entry.endpoint = endpoint;
  entry.body = std::make_shared<const std::string>(std::string(bodySize, 'x'));
  entry.expiresAtMs = 1000;
  return entry;
}

TEST(CacheKey, SortsParametersSoOrderDoesNotMatter) {
  EXPECT_EQ(makeCacheKey("GET", "/api/campaigns", {{"status", "sent"}, {"limit", "10"}}),
            makeCacheKey("GET", "/api/campaigns", {{"limit", "10"}, {"status", "sent"}}));
  EXPECT_EQ(makeCacheKey("GET", "/api/campaigns", {{"status", "sent"}, {"limit", "10"}}),
            "GET campaigns?limit=10&status=sent");
}

TEST(CacheKey, NeverContainsCacheBustingParameter) {
  const auto plain = makeCacheKey("GET", "/api/flows", {{"limit", "5"}});
  const auto busted = makeCacheKey("GET", "/api/flows", {{"limit", "5"}, {"_t", "1732512000000"}});
  EXPECT_EQ(plain, busted);
  EXPECT_EQ(busted.find("_t"), std::string::npos);
}

TEST(CacheKey, DistinguishesMethodPathAndValues) {
  EXPECT_NE(makeCacheKey("GET", "/api/flows", {}), makeCacheKey("HEAD", "/api/flows", {}));
  EXPECT_NE(makeCacheKey("GET", "/api/flows", {}), makeCacheKey("GET", "/api/forms", {}));
  EXPECT_NE(makeCacheKey("GET", "/api/flows", {{"limit", "5"}}), makeCacheKey("GET", "/api/flows", {{"limit", "6"}}));
  EXPECT_EQ(makeCacheKey("GET", "/api/overview", {}), "GET overview");
}

TEST(CacheKey, PercentEncodesSoDelimitersInValuesCannotCollide) {
  const auto tricky = makeCacheKey("GET", "/api/campaigns", {{"status", "a&limit=1"}});
  const auto real = makeCacheKey("GET", "/api/campaigns", {{"status", "a"}, {"limit", "1"}});
  EXPECT_NE(tricky, real);
  EXPECT_EQ(tricky, "GET campaigns?status=a%26limit%3D1");
}

TEST(PercentEncode, KeepsExactlyTheUnreservedCharactersOfRfc3986) {
  const std::string unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    const std::string encoded = percentEncode(std::string_view(&c, 1));
    if (unreserved.find(c) != std::string::npos) {
      EXPECT_EQ(encoded, std::string(1, c)) << "byte " << byte;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      EXPECT_EQ(encoded, (std::string{'%', kHex[byte >> 4], kHex[byte & 0x0F]})) << "byte " << byte;
    }
  }
}

TEST(PercentEncode, EncodesEveryReservedCharacterAndNonAsciiByte) {
  // gen-delims and sub-delims (RFC 3986 section 2.2), then space, '%' and UTF-8 "é".
  EXPECT_EQ(percentEncode(":/?#[]@!$&'()*+,;="), "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D");
  EXPECT_EQ(percentEncode(" %\xC3\xA9"), "%20%25%C3%A9");
  EXPECT_EQ(percentEncode(std::string_view("a\0b", 3)), "a%00b");
}

TEST(CacheKey, EveryPermutationOfTheParametersGivesTheSameKey) {
  Query query{{"status", "sent"}, {"sort", "-updatedAt"}, {"limit", "50"}, {"offset", "100"}, {"_t", "9"}};
  std::sort(query.begin(), query.end());
  const std::string expected = "GET campaigns?limit=50&offset=100&sort=-updatedAt&status=sent";
  int permutations = 0;
  do {
    EXPECT_EQ(makeCacheKey("GET", "/api/campaigns", query), expected);
    ++permutations;
  } while (std::next_permutation(query.begin(), query.end()));
  EXPECT_EQ(permutations, 120);
}

TEST(CacheKey, RepeatedNamesAreOrderedByValue) {
  EXPECT_EQ(makeCacheKey("GET", "/api/flows", {{"tag", "b"}, {"tag", "a"}, {"tag", "a b"}}),
            "GET flows?tag=a&tag=a%20b&tag=b");
  EXPECT_EQ(makeCacheKey("GET", "/api/flows", {{"", ""}}), "GET flows?=");
}

TEST(CacheKey, SortsByTheEncodedTextNotTheRawBytes) {
  // Raw, '~' (0x7E) sorts before 0xC3; encoded, "%C3" ('%' is 0x25) sorts before '~'.
  EXPECT_EQ(makeCacheKey("GET", "/api/forms", {{"a~", "1"}, {"a\xC3\xA9", "2"}}), "GET forms?a%C3%A9=2&a~=1");
}

TEST(CacheKey, ManyParametersThatNeedEncoding) {
  // More parameters than fit without an allocation, most of them encoded: every encoded text
  // must survive until the key is joined.
  Query query;
  std::vector<std::string> expectedParts;
  for (int i = 11; i >= 0; --i) {
    const std::string n = std::to_string(i + 10);
    query.emplace_back("k " + n, "v&" + n);
    expectedParts.push_back("k%20" + n + "=v%26" + n);
  }
  query.emplace_back("_t", "123");
  query.emplace_back("plain", "x");
  expectedParts.push_back("plain=x");
  std::sort(expectedParts.begin(), expectedParts.end());
  std::string expected = "GET segments?";
  for (std::size_t i = 0; i < expectedParts.size(); ++i) expected += (i ? "&" : "") + expectedParts[i];
  EXPECT_EQ(makeCacheKey("GET", "/api/segments", query), expected);
  EXPECT_EQ(makeResourceKey("/api/segments", query), expected.substr(4));
  EXPECT_EQ(normalizeQuery(query), expected.substr(std::string("GET segments?").size()));
}

TEST(CacheKey, OnlyCacheBustingMeansNoQueryPart) {
  EXPECT_EQ(makeCacheKey("GET", "/api/overview", {{"_t", "1"}}), "GET overview");
  EXPECT_EQ(makeResourceKey("/api/sync/status", {}), "sync/status");
  EXPECT_EQ(normalizeQuery({{"_t", "1"}}), "");
}

TEST(QueryString, ParsesAndDecodesRoundTrip) {
  const Query query = parseQueryString("?b=x%20y&a=1&flag&c=a+b");
  ASSERT_EQ(query.size(), 4u);
  EXPECT_EQ(query[0], (QueryParam{"b", "x y"}));
  EXPECT_EQ(query[2], (QueryParam{"flag", ""}));
  EXPECT_EQ(query[3], (QueryParam{"c", "a b"}));
  EXPECT_EQ(normalizeQuery(parseQueryString(normalizeQuery(query))), normalizeQuery(query));
}

TEST(CacheKey, OtherUrlsThanAnApiRouteNeverShareItsKey) {
  const std::string route = makeCacheKey("GET", "/api/campaigns", {});
  EXPECT_EQ(route, "GET campaigns");
  for (const char* other : {"/campaigns", "/api/campaigns/", "/api//campaigns"}) {
    EXPECT_NE(makeCacheKey("GET", other, {}), route) << other;
  }
  EXPECT_EQ(makeCacheKey("GET", "/health", {}), "GET /health");
  EXPECT_EQ(endpointNameForPath("/api/campaigns/"), "campaigns") << "the endpoint's name is still the route's";
}

TEST(EndpointName, StripsApiPrefix) {
  EXPECT_EQ(endpointNameForPath("/api/campaigns"), "campaigns");
  EXPECT_EQ(endpointNameForPath("/api/sync/status"), "sync/status");
  EXPECT_EQ(endpointNameForPath("/health"), "health");
}

TEST(Glob, MatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(globMatch("campaigns*", "campaigns"));
  EXPECT_TRUE(globMatch("campaigns*", "campaigns?limit=10"));
  EXPECT_FALSE(globMatch("campaigns*", "flows"));
  EXPECT_TRUE(globMatch("*status=sent*", "campaigns?limit=5&status=sent"));
  EXPECT_TRUE(globMatch("f?ows", "flows"));
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_FALSE(globMatch("a*b*c", "aXbY"));
}

// Found by the query_key fuzzer: a '*' of the pattern facing a '*' of the text was taken as
// a literal, so "*" did not match "**" and "a*" did not match "a*b".
TEST(Glob, AStarIsAWildcardEvenOverAStarInTheText) {
  EXPECT_TRUE(globMatch("*", "**"));
  EXPECT_TRUE(globMatch("a*", "a*b"));
  EXPECT_TRUE(globMatch("*x*", "*/x*y"));
  EXPECT_FALSE(globMatch("a*c", "a*b"));
}

TEST(CacheControl, ParsesDirectivesCaseInsensitively) {
  const auto d = parseCacheControl("public, Max-Age=60, stale-while-revalidate=30");
  ASSERT_TRUE(d.maxAgeMs.has_value());
  EXPECT_EQ(*d.maxAgeMs, 60000);
  EXPECT_FALSE(d.noStore);
  EXPECT_TRUE(parseCacheControl("no-store").noStore);
  EXPECT_TRUE(parseCacheControl("private, no-cache").noCache);
  EXPECT_FALSE(parseCacheControl("max-age=abc").maxAgeMs.has_value());
  EXPECT_EQ(*parseCacheControl("max-age=\"5\"").maxAgeMs, 5000);
}

// Found by the http_policy fuzzer: a tab before a directive hid it, so "max-age=5,\tno-store"
// was stored. The whitespace around list members is spaces or tabs (RFC 9110 5.6.1, 5.6.3).
TEST(CacheControl, TabsAroundDirectivesAreWhitespaceToo) {
  EXPECT_TRUE(parseCacheControl("max-age=5,\tno-store").noStore);
  EXPECT_TRUE(parseCacheControl("private,\tno-cache\t").noCache);
  EXPECT_EQ(parseCacheControl("public,\t max-age=30 \t").maxAgeMs, 30000);
}

TEST(ResponseCache, EvictsLeastRecentlyUsedBeyondEntryLimit) {
  ResponseCache cache({2, 1 << 20});
  cache.put(entryOf("a", 1));
  cache.put(entryOf("b", 1));
  ASSERT_NE(cache.lookup("a"), nullptr);  // a is now more recent than b
  cache.put(entryOf("c", 1));
  EXPECT_NE(cache.peek("a"), nullptr);
  EXPECT_EQ(cache.peek("b"), nullptr);
  EXPECT_NE(cache.peek("c"), nullptr);
  EXPECT_EQ(cache.evictions(), 1u);
}

TEST(ResponseCache, EvictsToStayWithinByteLimit) {
  ResponseCache cache({100, 100});
  cache.put(entryOf("a", 60));
  cache.put(entryOf("b", 30));
  cache.put(entryOf("c", 30));
  EXPECT_EQ(cache.peek("a"), nullptr);
  EXPECT_EQ(cache.bytes(), 60u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ResponseCache, RefusesBodyLargerThanLimitAndDropsOlderCopy) {
  ResponseCache cache({100, 100});
  cache.put(entryOf("a", 10));
  EXPECT_FALSE(cache.put(entryOf("a", 101)));
  EXPECT_EQ(cache.peek("a"), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ResponseCache, ReplacingAnEntryUpdatesBytesAndVersion) {
  ResponseCache cache({10, 1000});
  cache.put(entryOf("a", 10));
  const auto firstVersion = cache.peek("a")->version;
  cache.put(entryOf("a", 20));
  EXPECT_EQ(cache.bytes(), 20u);
  EXPECT_GT(cache.peek("a")->version, firstVersion);
}

TEST(ResponseCache, InvalidationKeepsDataButMarksItForRevalidation) {
  ResponseCache cache({10, 1000});
  cache.put(entryOf("GET campaigns?limit=5", 1, "campaigns"));
  cache.put(entryOf("GET campaigns", 1, "campaigns"));
  cache.put(entryOf("GET flows", 1, "flows"));
  EXPECT_EQ(cache.invalidatePattern("campaigns*"), 2u);
  EXPECT_TRUE(cache.peek("GET campaigns")->invalidated);
  EXPECT_FALSE(cache.peek("GET campaigns")->isFresh(0));
  EXPECT_FALSE(cache.peek("GET flows")->invalidated);
  EXPECT_EQ(cache.invalidateEndpoint("flows"), 1u);
  EXPECT_EQ(cache.invalidateKey("GET campaigns?limit=5"), 1u);
  EXPECT_EQ(cache.invalidateAll(), 3u);
  EXPECT_EQ(cache.size(), 3u);
}

// A result carries its key ("GET campaigns?limit=5"): that key, as it is, names its entry.
TEST(ResponseCache, AnEntrysOwnKeyIsAPatternNamingIt) {
  ResponseCache cache({10, 1000});
  cache.put(entryOf("GET campaigns?limit=5", 1, "campaigns"));
  cache.put(entryOf("GET campaigns", 1, "campaigns"));
  EXPECT_EQ(cache.invalidatePattern("GET campaigns?limit=5"), 1u);
  EXPECT_TRUE(cache.peek("GET campaigns?limit=5")->invalidated);
  EXPECT_FALSE(cache.peek("GET campaigns")->invalidated);
  EXPECT_EQ(cache.invalidatePattern("GET campaigns*"), 2u);
}

TEST(ResponseCache, ClearDropsEverything) {
  ResponseCache cache({10, 1000});
  cache.put(entryOf("a", 5));
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.peek("a"), nullptr);
}

TEST(ResponseCache, AnEntryKeepsItsIdWhenReplacedAndAnIdIsNeverReused) {
  ResponseCache cache({2, 1000});
  cache.put(entryOf("a", 1));
  const EntryId a = cache.peek("a")->id;
  EXPECT_NE(a, 0u);
  cache.put(entryOf("a", 2));
  EXPECT_EQ(cache.peek("a")->id, a);
  EXPECT_EQ(cache.lookup(a)->key, "a");
  cache.remove("a");
  EXPECT_EQ(cache.lookup(a), nullptr);
  cache.put(entryOf("b", 1));
  const EntryId b = cache.peek("b")->id;
  EXPECT_NE(b, a);
  EXPECT_EQ(entrySlotOf(b), entrySlotOf(a));  // the slot is taken again, the id is new
  EXPECT_EQ(cache.lookup(a), nullptr);
  EXPECT_LT(b, EntryId{1} << 53);
}

TEST(ResponseCache, LookupByIdMarksTheEntryRecentlyUsed) {
  ResponseCache cache({2, 1000});
  cache.put(entryOf("a", 1));
  cache.put(entryOf("b", 1));
  ASSERT_NE(cache.lookup(cache.peek("a")->id), nullptr);
  cache.put(entryOf("c", 1));
  EXPECT_NE(cache.peek("a"), nullptr);
  EXPECT_EQ(cache.peek("b"), nullptr);
}

TEST(ResponseCache, TellsItsListenerOfEveryEntryItDrops) {
  std::vector<std::string> dropped;
  ResponseCache cache({2, 100}, [&](const CacheEntry& entry) { dropped.push_back(entry.key); });
  cache.put(entryOf("a", 1));
  cache.put(entryOf("b", 1));
  cache.put(entryOf("c", 1));   // evicts a
  cache.put(entryOf("b", 2));   // a replacement drops nothing
  cache.put(entryOf("c", 101)); // too large: the older copy goes
  cache.put(entryOf("d", 1));
  cache.remove("d");
  cache.put(entryOf("e", 1));
  cache.clear();                // b and e
  EXPECT_EQ(dropped, (std::vector<std::string>{"a", "c", "d", "e", "b"}));
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace livedata
