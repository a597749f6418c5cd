#include "livedata/config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>

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
  EXPECT_EQ(parseBaseUrl("HTTPS://dash.example.com").value().origin(), "https://dash.example.com")
      << "schemes are case-insensitive";
}

TEST(BaseUrl, RejectsMalformedUrlsAsConfigErrors) {
  for (const char* bad : {"", "localhost:8080", "ftp://host", "http://", "http://host:0", "http://host:99999",
                          "http://host:abc", "http://host:", "http://ho st", "http://host/?q=1", "http://u@host"}) {
    const auto url = parseBaseUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.error().kind, ErrorKind::config) << bad;
  }
}

// The refusal of a URL with credentials is shown to users and logged: it must not repeat
// the password it refuses.
TEST(BaseUrl, ARefusedUrlsPasswordIsNotRepeated) {
  const auto url = parseBaseUrl("http://user:secretpw@127.0.0.1:1/api");
  ASSERT_FALSE(url.ok());
  const std::string said = url.error().message + " " + url.error().detail;
  EXPECT_EQ(said.find("secretpw"), std::string::npos) << said;
  EXPECT_NE(said.find("user:***@127.0.0.1:1"), std::string::npos) << said;
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
  config.defaultTtlMs = -5;
  EXPECT_NE(validate(config)->detail.find("config.ttl.defaultMs "), std::string::npos);

  config = validConfig();
  config.ttlByEndpointMs["flows"] = -1;
  EXPECT_NE(validate(config)->detail.find("config.ttl.flows "), std::string::npos);  // as setOption names it

  config = validConfig();
  config.retry.maxDelayMs = 1;
  EXPECT_NE(validate(config)->detail.find("retry.maxDelayMs"), std::string::npos);

  config = validConfig();
  config.maxResponseBytes = 0;
  EXPECT_NE(validate(config)->detail.find("config.maxResponseBytes must be at least 1"), std::string::npos);
}

TEST(ClientConfig, TtlFallsBackToDefault) {
  auto config = validConfig();
  config.defaultTtlMs = 1000;
  config.ttlByEndpointMs["overview"] = 5000;
  EXPECT_EQ(config.ttlFor("overview"), 5000);
  EXPECT_EQ(config.ttlFor("flows"), 1000);
}

// The message of setOption's error, or "" when it set the option.
std::string optionError(ClientConfig& config, std::string_view name, const OptionValue& value) {
  const auto error = setOption(config, name, value);
  if (!error) return "";
  EXPECT_EQ(error->kind, ErrorKind::config);
  return error->detail;
}

TEST(ClientConfigOptions, SetEveryKindOfFieldByItsDottedName) {
  ClientConfig config;
  EXPECT_EQ(optionError(config, "baseUrl", std::string("http://127.0.0.1:9")), "");
  EXPECT_EQ(optionError(config, "requestTimeoutMs", 2500.0), "");
  EXPECT_EQ(optionError(config, "maxResponseBytes", 65536.0), "");
  EXPECT_EQ(optionError(config, "retry.maxAttempts", 5.0), "");
  EXPECT_EQ(optionError(config, "cache.maxBytes", 4096.0), "");
  EXPECT_EQ(optionError(config, "ttl.defaultMs", 1000.0), "");
  EXPECT_EQ(optionError(config, "ttl.campaigns", 7000.0), "");
  EXPECT_EQ(optionError(config, "live.enabled", false), "");
  EXPECT_EQ(optionError(config, "live.path", std::string("/feed")), "");
  EXPECT_EQ(optionError(config, "obeyCacheControl", false), "");
  EXPECT_EQ(config.baseUrl, "http://127.0.0.1:9");
  EXPECT_EQ(config.requestTimeoutMs, 2500);
  EXPECT_EQ(config.maxResponseBytes, 65536u);
  EXPECT_EQ(config.retry.maxAttempts, 5);
  EXPECT_EQ(config.cache.maxBytes, 4096u);
  EXPECT_EQ(config.ttlFor("campaigns"), 7000);
  EXPECT_EQ(config.ttlFor("flows"), 1000);
  EXPECT_FALSE(config.live.enabled);
  EXPECT_EQ(config.live.path, "/feed");
  EXPECT_FALSE(config.obeyCacheControl);
  // A negative number is set: judging values is validate()'s, and it names the field.
  EXPECT_EQ(optionError(config, "retry.baseDelayMs", -1.0), "");
  EXPECT_NE(validate(config)->detail.find("retry.baseDelayMs"), std::string::npos);
}

TEST(ClientConfigOptions, AMisspeltOptionIsAnErrorNamingIt) {
  ClientConfig config;
  EXPECT_EQ(optionError(config, "retry.maxAtempts", 5.0), "config.retry.maxAtempts is not an option");
  EXPECT_EQ(optionError(config, "staleThreshold", 5.0), "config.staleThreshold is not an option");
  EXPECT_EQ(optionError(config, "ttl.campaing", 5.0),
            "config.ttl.campaing is not an option: ttl takes defaultMs or an endpoint's name");
  EXPECT_EQ(optionError(config, "", 5.0), "config. is not an option");
  EXPECT_EQ(optionError(config, "retry", 5.0), "config.retry is a group of options: set its fields, as retry.maxAttempts");
  EXPECT_EQ(optionError(config, "ret", 5.0), "config.ret is not an option");
  EXPECT_EQ(config.retry.maxAttempts, ClientConfig().retry.maxAttempts);
  EXPECT_TRUE(config.ttlByEndpointMs.empty());
}

TEST(ClientConfigOptions, AValueOfTheWrongTypeIsAnErrorAndChangesNothing) {
  ClientConfig config;
  EXPECT_EQ(optionError(config, "retry.maxAttempts", std::string("5")), "config.retry.maxAttempts must be a number");
  EXPECT_EQ(optionError(config, "live.enabled", 1.0), "config.live.enabled must be true or false");
  EXPECT_EQ(optionError(config, "baseUrl", true), "config.baseUrl must be a string");
  EXPECT_EQ(config.retry.maxAttempts, ClientConfig().retry.maxAttempts);
  EXPECT_TRUE(config.live.enabled);
  EXPECT_EQ(config.baseUrl, "");
}

// Converting a double outside an integer's range is undefined behaviour, and a fraction
// would be cut silently: both are refused, the first with the field's range.
TEST(ClientConfigOptions, ANumberThatIsNotAWholeNumberInTheFieldsRangeIsAnError) {
  ClientConfig config;
  EXPECT_EQ(optionError(config, "retry.maxAttempts", 2.5), "config.retry.maxAttempts must be a whole number");
  EXPECT_EQ(optionError(config, "retry.maxAttempts", 1e300),
            "config.retry.maxAttempts must be from -2147483648 to 2147483647");
  EXPECT_EQ(optionError(config, "ttl.defaultMs", std::nan("")), "config.ttl.defaultMs must be a whole number");
  EXPECT_NE(optionError(config, "requestTimeoutMs", HUGE_VAL), "");
  EXPECT_NE(optionError(config, "ttl.flows", 1e300), "");
  EXPECT_NE(optionError(config, "cache.maxEntries", -1.0).find("must be from 0 to"), std::string::npos);
  EXPECT_EQ(config.retry.maxAttempts, ClientConfig().retry.maxAttempts);
  EXPECT_EQ(config.requestTimeoutMs, ClientConfig().requestTimeoutMs);
  EXPECT_TRUE(config.ttlByEndpointMs.empty());
  EXPECT_EQ(optionError(config, "requestTimeoutMs", 9007199254740992.0), "") << "2^53, the largest exact integer";
  EXPECT_EQ(config.requestTimeoutMs, 9007199254740992LL);
}

}  // namespace
}  // namespace livedata
