// The cache's vocabulary: Redis keys, patterns, the value encoding and Redis URLs.
#include <gtest/gtest.h>

#include <variant>

#include "cache/cache_backend.h"
#include "cache/redis_backend.h"
#include "cache/shared_response_cache.h"
#include "cache_test_support.h"
#include "livedata/cache.h"

namespace livedata::server {
namespace {

using testing::makeRepresentation;

TEST(CacheKeys, RedisKeyIsThePrefixAndTheCoreResourceKey) {
  const std::string resource =
      livedata::makeResourceKey("/api/campaigns", {{"sort", "-updatedAt"}, {"limit", "50"}, {"offset", "0"}, {"_t", "123"}});
  EXPECT_EQ(resource, "campaigns?limit=50&offset=0&sort=-updatedAt");
  EXPECT_EQ(redisKeyFor(resource), "livedata:v1:campaigns?limit=50&offset=0&sort=-updatedAt");
  EXPECT_EQ(redisKeyFor("overview"), "livedata:v1:overview");
}

TEST(CacheKeys, GlobPatternsUseCoreGlobSemantics) {
  const auto campaigns = KeyPattern::glob("campaigns*");
  EXPECT_TRUE(campaigns.matches("campaigns"));
  EXPECT_TRUE(campaigns.matches("campaigns?limit=10"));
  EXPECT_TRUE(campaigns.matches("campaigns-summary"));
  EXPECT_FALSE(campaigns.matches("overview?campaigns=1"));
  EXPECT_TRUE(KeyPattern::glob("lists?limit=?0").matches("lists?limit=50"));
  EXPECT_TRUE(KeyPattern::glob("[a]").matches("[a]"));  // no character classes
  EXPECT_FALSE(KeyPattern::glob("[a]").matches("a"));
  EXPECT_TRUE(KeyPattern::all().matches("anything?at=all"));
}

TEST(CacheKeys, EndpointPatternsTakeTheEndpointAndItsQueriesOnly) {
  const auto campaigns = KeyPattern::endpoint("campaigns");
  EXPECT_TRUE(campaigns.matches("campaigns"));
  EXPECT_TRUE(campaigns.matches("campaigns?limit=10"));
  EXPECT_FALSE(campaigns.matches("campaigns-summary"));
  EXPECT_FALSE(campaigns.matches("campaignsX?limit=10"));
  EXPECT_FALSE(campaigns.matches("campaign"));
  const auto sync = KeyPattern::endpoint("sync");
  EXPECT_FALSE(sync.matches("sync/status"));
  EXPECT_TRUE(KeyPattern::endpoint("sync/status").matches("sync/status"));
}

TEST(CacheKeys, ScanPatternsEscapeEverythingButTheWildcards) {
  EXPECT_EQ(redisScanPatternFor("campaigns*"), "livedata:v1:campaigns*");
  EXPECT_EQ(redisScanPatternFor("a?b"), "livedata:v1:a?b");
  EXPECT_EQ(redisScanPatternFor("x[1]\\y*"), "livedata:v1:x\\[1\\]\\\\y*");
}

TEST(RepresentationCodec, RoundTripsBinaryFields) {
  const auto original = makeRepresentation("binary");
  ASSERT_NE(original->gzipBody.find('\0'), std::string::npos);
  const std::string encoded = encodeRepresentation(*original);
  const auto decoded = decodeRepresentation(encoded);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->body, original->body);
  EXPECT_EQ(decoded->etag, original->etag);
  EXPECT_EQ(decoded->gzipBody, original->gzipBody);
  EXPECT_EQ(decoded->gzipEtag, original->gzipEtag);

  const auto empty = decodeRepresentation(encodeRepresentation(Representation{}));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->body.empty() && empty->gzipBody.empty());
}

TEST(RepresentationCodec, RejectsWhatItDidNotWrite) {
  const std::string encoded = encodeRepresentation(*makeRepresentation("x"));
  EXPECT_FALSE(decodeRepresentation(""));
  EXPECT_FALSE(decodeRepresentation("not a representation"));
  EXPECT_FALSE(decodeRepresentation(encoded.substr(0, encoded.size() - 1)));  // truncated
  EXPECT_FALSE(decodeRepresentation(encoded + "x"));                          // trailing bytes
  std::string otherVersion = encoded;
  otherVersion[3] = 2;
  EXPECT_FALSE(decodeRepresentation(otherVersion));
  std::string hugeLength = encoded;
  hugeLength[4] = '\x7f';
  EXPECT_FALSE(decodeRepresentation(hugeLength));
}

TEST(RedisUrlParsing, AcceptsHostPortAndDatabase) {
  auto parsed = parseRedisUrl("redis://127.0.0.1:6380/2");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed.value().host, "127.0.0.1");
  EXPECT_EQ(parsed.value().port, 6380);
  EXPECT_EQ(parsed.value().db, 2);

  parsed = parseRedisUrl("redis://cache.internal");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().port, 6379);
  EXPECT_EQ(parsed.value().db, 0);

  parsed = parseRedisUrl("redis://[::1]:7000/");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().host, "::1");
  EXPECT_EQ(parsed.value().port, 7000);
  EXPECT_EQ(parsed.value().password, "");

  parsed = parseRedisUrl("redis://:p%40ss:w@cache.internal:6380/1");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed.value().user, "");
  EXPECT_EQ(parsed.value().password, "p@ss:w");
  EXPECT_EQ(parsed.value().host, "cache.internal");
  EXPECT_EQ(parsed.value().port, 6380);
  EXPECT_EQ(parsed.value().db, 1);

  parsed = parseRedisUrl("redis://app:secret@host");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed.value().user, "app");
  EXPECT_EQ(parsed.value().password, "secret");
  EXPECT_EQ(parsed.value().host, "host");
}

TEST(RedisUrlParsing, NamesWhatIsWrong) {
  const auto errorOf = [](const char* url) {
    const auto parsed = parseRedisUrl(url);
    return !parsed.ok() ? parsed.error() : std::string("accepted");
  };
  EXPECT_NE(errorOf("http://127.0.0.1:6379").find("scheme"), std::string::npos);
  EXPECT_NE(errorOf("rediss://127.0.0.1:6379").find("TLS"), std::string::npos);
  EXPECT_NE(errorOf("redis://:6379").find("empty host"), std::string::npos);
  EXPECT_NE(errorOf("redis://host:0").find("port"), std::string::npos);
  EXPECT_NE(errorOf("redis://host:70000").find("port"), std::string::npos);
  EXPECT_NE(errorOf("redis://host:abc").find("port"), std::string::npos);
  EXPECT_NE(errorOf("redis://host:").find("empty port"), std::string::npos);
  EXPECT_NE(errorOf("redis://host:6379/x").find("database"), std::string::npos);
  EXPECT_NE(errorOf("redis://user@host:6379").find("credentials"), std::string::npos);
  EXPECT_NE(errorOf("redis://:%zz@host").find("escape"), std::string::npos);
  EXPECT_NE(errorOf("redis://user:@host").find("empty password"), std::string::npos);
  // The URL is quoted without its password.
  EXPECT_EQ(errorOf("redis://user:s3cret@host:0").find("s3cret"), std::string::npos);
  EXPECT_NE(errorOf("redis://user:s3cret@host:0").find("redis://user:***@host:0"), std::string::npos);
  EXPECT_NE(errorOf("redis://host:6379?db=1").find("query"), std::string::npos);
  EXPECT_NE(errorOf("redis://::1:6379").find("brackets"), std::string::npos);
  EXPECT_NE(errorOf("redis://host:1").find("accepted"), std::string::npos);
  EXPECT_NE(errorOf("nonsense").find("nonsense"), std::string::npos);  // quotes the URL
}

TEST(SharedResponseCacheOptionsValidation, NamesTheField) {
  SharedResponseCacheOptions options;
  EXPECT_FALSE(validate(options).has_value());
  options.redisUrl = "redis://host:notaport";
  ASSERT_TRUE(validate(options).has_value());
  EXPECT_EQ(validate(options)->rfind("redisUrl: ", 0), 0u);
  options.redisUrl.clear();
  options.ttlSeconds = 0;
  EXPECT_EQ(validate(options)->rfind("ttlSeconds", 0), 0u);
  options.ttlSeconds = 300;
  options.memoryMaxEntries = 0;
  EXPECT_EQ(validate(options)->rfind("memoryMaxEntries", 0), 0u);

  SharedResponseCacheOptions bad;
  bad.redisUrl = "redis://127.0.0.1:1";
  bad.commandTimeoutMs = 0;
  auto created = SharedResponseCache::create(bad);
  ASSERT_TRUE(!created.ok());
  EXPECT_NE(created.error().find("commandTimeoutMs"), std::string::npos);
}

}  // namespace
}  // namespace livedata::server
