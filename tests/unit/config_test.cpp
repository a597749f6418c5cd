#include "livedata/config.h"

#include <gtest/gtest.h>

namespace livedata {
namespace {

ClientConfig validConfig() {
  ClientConfig config;
  config.baseUrl = "http://127.0.0.1:8080";
  return config;
}

TEST(BaseUrl, ParsesSchemeHostPortAndPrefix) {
  const auto url = parseBaseUrl("https://dash.example.com:8443/v1/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url.value().scheme, "https");
  EXPECT_EQ(url.value().host, "dash.example.com");
  EXPECT_EQ(url.value().port, 8443);
  EXPECT_EQ(url.value().prefix, "/v1");
  EXPECT_EQ(url.value().origin(), "https://dash.example.com:8443");
  EXPECT_EQ(parseBaseUrl("http://[::1]:9000").value().host, "[::1]");
}

TEST(BaseUrl, RejectsMalformedUrlsAsConfigErrors) {
  for (const char* bad : {"", "localhost:8080", "ftp://host", "http://", "http://host:0", "http://host:99999",
                          "http://host:abc", "http://host:", "http://ho st", "http://host/?q=1", "http://u@host"}) {
    const auto url = parseBaseUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.error().kind, ErrorKind::config) << bad;
  }
}

TEST(ClientConfigValidation, AcceptsDefaults) { EXPECT_FALSE(validate(validConfig()).has_value()); }

TEST(ClientConfigValidation, NamesTheBadField) {
  auto config = validConfig();
  config.retry.maxAttempts = 0;
  auto error = validate(config);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->detail.find("retry.maxAttempts"), std::string::npos);

  config = validConfig();
  config.staleThresholdMs = 0;
  EXPECT_NE(validate(config)->detail.find("staleThresholdMs"), std::string::npos);

  config = validConfig();
  config.ttlByEndpointMs["flows"] = -1;
  EXPECT_NE(validate(config)->detail.find("ttlByEndpointMs[flows]"), std::string::npos);

  config = validConfig();
  config.retry.maxDelayMs = 1;
  EXPECT_NE(validate(config)->detail.find("retry.maxDelayMs"), std::string::npos);
}

TEST(ClientConfig, TtlFallsBackToDefault) {
  auto config = validConfig();
  config.defaultTtlMs = 1000;
  config.ttlByEndpointMs["overview"] = 5000;
  EXPECT_EQ(config.ttlFor("overview"), 5000);
  EXPECT_EQ(config.ttlFor("flows"), 1000);
}

}  // namespace
}  // namespace livedata
