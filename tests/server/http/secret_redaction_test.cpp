#include "http/secret_redaction.h"
#include "livedata/url_password.h"

#include <gtest/gtest.h>

namespace livedata::server {
namespace {

TEST(SecretRedaction, NamesThatCarrySecrets) {
  for (const char* name : {"token", "access_token", "Token", "api_key", "apiKey", "X-Api-Key", "key", "secret",
                           "client_secret", "password", "pwd", "auth", "authorization", "sig", "signature",
                           "session_id", "credentials"}) {
    EXPECT_TRUE(isSecretParameterName(name)) << name;
  }
  for (const char* name : {"limit", "status", "since", "from", "to", "sort", "monkey", "keys", "wait", "offset"}) {
    EXPECT_FALSE(isSecretParameterName(name)) << name;
  }
}

TEST(SecretRedaction, HidesOnlyTheSecretValuesOfATargetOrQuery) {
  EXPECT_EQ(redactSecretParameters("/?token=abc123"), "/?token=[redacted]");
  EXPECT_EQ(redactSecretParameters("/api/campaigns?status=sent&access_token=abc&limit=5"),
            "/api/campaigns?status=sent&access_token=[redacted]&limit=5");
  EXPECT_EQ(redactSecretParameters("limit=5&api_key=k&api_key=k2"), "limit=5&api_key=[redacted]&api_key=[redacted]");
  EXPECT_EQ(redactSecretParameters("/api/flows"), "/api/flows");
  EXPECT_EQ(redactSecretParameters("/api/flows?"), "/api/flows?");
  EXPECT_EQ(redactSecretParameters("token"), "token") << "a name without a value shows nothing secret";
  EXPECT_EQ(redactSecretParameters("a=1&&token=&b"), "a=1&&token=[redacted]&b");
  EXPECT_EQ(redactSecretParameters(""), "");
}

}  // namespace
}  // namespace livedata::server

namespace livedata::server {
namespace {

TEST(UrlPasswordRedaction, HidesThePasswordOfAnyScheme) {
  EXPECT_EQ(redactUrlPassword("redis://user:s3cret@host:6379/2"), "redis://user:***@host:6379/2");
  EXPECT_EQ(redactUrlPassword("redis://:s3cret@host"), "redis://:***@host");
  EXPECT_EQ(redactUrlPassword("postgres://bob:p@ss@db/livedata?sslmode=disable"), "postgres://bob:***@db/livedata?sslmode=disable");
  // Nothing to hide: as it is.
  EXPECT_EQ(redactUrlPassword("redis://host:6379"), "redis://host:6379");
  EXPECT_EQ(redactUrlPassword("redis://user@host"), "redis://user@host");
  EXPECT_EQ(redactUrlPassword("data/livedata.db"), "data/livedata.db");
  EXPECT_EQ(redactUrlPassword("http://host/path?next=a:b@c"), "http://host/path?next=a:b@c");
}

}  // namespace
}  // namespace livedata::server
