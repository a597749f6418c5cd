#include "livedata/cache.h"

#include <gtest/gtest.h>

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

TEST(QueryString, ParsesAndDecodesRoundTrip) {
  const Query query = parseQueryString("?b=x%20y&a=1&flag&c=a+b");
  ASSERT_EQ(query.size(), 4u);
  EXPECT_EQ(query[0], (QueryParam{"b", "x y"}));
  EXPECT_EQ(query[2], (QueryParam{"flag", ""}));
  EXPECT_EQ(query[3], (QueryParam{"c", "a b"}));
  EXPECT_EQ(normalizeQuery(parseQueryString(normalizeQuery(query))), normalizeQuery(query));
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

TEST(ResponseCache, ClearDropsEverything) {
  ResponseCache cache({10, 1000});
  cache.put(entryOf("a", 5));
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.peek("a"), nullptr);
}

}  // namespace
}  // namespace livedata
