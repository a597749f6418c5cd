#include "livedata/http_policy.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace livedata {
namespace {

using Kind = HttpVerdict::Kind;

// One row: an answer, what the client knew of its attempt, and the verdict it must get.
struct PolicyCase {
  const char* name;
  TransportResult outcome;
  bool conditional;
  bool entryStillCached;
  Kind kind;
  Millis ttlMs;                           // for notModified and store
  std::optional<ErrorKind> errorKind;     // for fail
  std::optional<Millis> retryAfterMs;     // for fail
};

TransportResult answer(int status, std::string body = "{}", Headers headers = {}) {
  return TransportResult::ok(testing::jsonResponse(status, std::move(body), std::move(headers)));
}

ClientConfig policyConfig() {
  ClientConfig config;
  config.defaultTtlMs = 60'000;
  config.ttlByEndpointMs["overview"] = 5'000;
  config.obeyCacheControl = true;
  return config;
}

const PolicyCase kCases[] = {
    {"200 without Cache-Control keeps the endpoint's TTL", answer(200), false, false, Kind::store, 5'000, {}, {}},
    {"200 with max-age keeps it for max-age", answer(200, "{}", {{"Cache-Control", "max-age=30"}}), false, false,
     Kind::store, 30'000, {}, {}},
    {"200 with max-age less Age (RFC 9111 4.2.3)",
     answer(200, "{}", {{"Cache-Control", "public, max-age=30"}, {"Age", "12"}}), false, false, Kind::store, 18'000,
     {}, {}},
    {"Age beyond max-age leaves nothing fresh", answer(200, "{}", {{"Cache-Control", "max-age=10"}, {"Age", "50"}}),
     false, false, Kind::store, 0, {}, {}},
    {"no-cache stores for revalidation before every use", answer(200, "{}", {{"Cache-Control", "no-cache"}}), false,
     false, Kind::store, 0, {}, {}},
    {"no-store keeps no copy", answer(200, "{}", {{"Cache-Control", "no-store, max-age=60"}}), false, false,
     Kind::doNotStore, 0, {}, {}},
    {"a second Cache-Control line counts (RFC 9110 5.3: one list)",
     answer(200, "{}", {{"Cache-Control", "public, max-age=600"}, {"Cache-Control", "no-store"}}), false, false,
     Kind::doNotStore, 0, {}, {}},
    {"204 is a success too", answer(204, "{}"), false, false, Kind::store, 5'000, {}, {}},
    {"a 2xx body that is not JSON fails as parse", answer(200, "<html>"), false, false, Kind::fail, 0,
     ErrorKind::parse, {}},
    {"304 to a conditional request refreshes the entry", answer(304, "", {{"Cache-Control", "max-age=7"}}), true, true,
     Kind::notModified, 7'000, {}, {}},
    {"304 without Cache-Control takes the endpoint's TTL", answer(304, ""), true, true, Kind::notModified, 5'000, {},
     {}},
    {"304 whose entry was evicted meanwhile asks again in full", answer(304, ""), true, false, Kind::askAgainInFull, 0,
     {}, {}},
    {"304 to an unconditional request is a client error", answer(304, ""), false, false, Kind::fail, 0,
     ErrorKind::http_client, {}},
    {"404 is a client error", answer(404, R"({"code":"not_found"})"), false, false, Kind::fail, 0,
     ErrorKind::http_client, {}},
    {"408 is a client error (retryable, by Error::isRetryable)", answer(408), false, false, Kind::fail, 0,
     ErrorKind::http_client, {}},
    {"429 is rate limited, with its Retry-After", answer(429, "{}", {{"Retry-After", "3"}}), false, false, Kind::fail,
     0, ErrorKind::rate_limited, 3'000},
    {"503 is a server error, with a Retry-After date", answer(503, "{}", {{"Retry-After", "Thu, 01 Jan 1970 00:00:10 GMT"}}),
     false, false, Kind::fail, 0, ErrorKind::http_server, 4'000},
    {"a garbled Retry-After is ignored", answer(500, "{}", {{"Retry-After", "soon"}}), false, false, Kind::fail, 0,
     ErrorKind::http_server, {}},
    {"no connection fails as network", TransportResult::failed(TransportFailureKind::network, "refused"), false, false,
     Kind::fail, 0, ErrorKind::network, {}},
    {"no answer in time fails as timeout", TransportResult::failed(TransportFailureKind::timeout, "slow"), true, true,
     Kind::fail, 0, ErrorKind::timeout, {}},
    {"a cancelled request fails as cancelled", TransportResult::failed(TransportFailureKind::cancelled, "cancel"),
     false, false, Kind::fail, 0, ErrorKind::cancelled, {}},
    {"the platform offline fails as offline", TransportResult::failed(TransportFailureKind::offline, "offline"), false,
     false, Kind::fail, 0, ErrorKind::offline, {}},
    {"a body past maxResponseBytes fails as parse", TransportResult::failed(TransportFailureKind::tooLarge, "over"), false,
     false, Kind::fail, 0, ErrorKind::parse, {}},
};

class HttpPolicyTable : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(HttpPolicyTable, GivesTheVerdictOfItsRow) {
  const PolicyCase& row = GetParam();
  const HttpVerdict verdict = judgeResponse(row.outcome, {"overview", "GET http://api.test/api/overview", row.conditional,
                                                          row.entryStillCached},
                                            policyConfig(), testing::acceptsJson, /*nowMs=*/6'000);
  EXPECT_EQ(static_cast<int>(verdict.kind), static_cast<int>(row.kind)) << row.name;
  if (row.kind == Kind::store || row.kind == Kind::notModified) {
    EXPECT_EQ(verdict.ttlMs, row.ttlMs) << row.name;
  }
  if (row.kind == Kind::fail) {
    ASSERT_TRUE(verdict.error.has_value()) << row.name;
    EXPECT_EQ(verdict.error->kind, *row.errorKind) << row.name;
    EXPECT_EQ(verdict.error->endpoint, "overview") << row.name;
    EXPECT_NE(verdict.error->detail.find("GET http://api.test/api/overview"), std::string::npos) << row.name;
    if (row.outcome.response) {
      EXPECT_EQ(verdict.error->status, row.outcome.response->status) << row.name;
    }
    EXPECT_EQ(verdict.retryAfterMs, row.retryAfterMs) << row.name;
  } else {
    EXPECT_FALSE(verdict.error.has_value()) << row.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, HttpPolicyTable, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<PolicyCase>& info) {
                           return "Row" + std::to_string(info.index);
                         });

TEST(HttpPolicy, IgnoresCacheControlWhenConfiguredTo) {
  ClientConfig config = policyConfig();
  config.obeyCacheControl = false;
  const HttpVerdict verdict = judgeResponse(answer(200, "{}", {{"Cache-Control", "no-store"}}), {"campaigns", "GET x"},
                                            config, testing::acceptsJson, 0);
  EXPECT_EQ(verdict.kind, Kind::store);
  EXPECT_EQ(verdict.ttlMs, 60'000);
}

TEST(HttpPolicy, ErrorDetailsCarryABoundedBodyExcerpt) {
  const HttpVerdict verdict =
      judgeResponse(answer(500, std::string(5000, 'x')), {"flows", "GET y"}, policyConfig(), testing::acceptsJson, 0);
  ASSERT_TRUE(verdict.error.has_value());
  EXPECT_LT(verdict.error->detail.size(), 300u);
  EXPECT_NE(verdict.error->detail.find("HTTP 500"), std::string::npos);
}

// A redirect is not followed (the API answers none); its detail says where it pointed.
TEST(HttpPolicy, ARedirectFailsNamingWhereItPointed) {
  const HttpVerdict verdict = judgeResponse(answer(302, "", {{"Location", "https://login.example.com/"}}),
                                            {"flows", "GET y"}, policyConfig(), testing::acceptsJson, 0);
  ASSERT_TRUE(verdict.error.has_value());
  EXPECT_EQ(verdict.error->kind, ErrorKind::http_client);
  EXPECT_NE(verdict.error->detail.find("redirect to https://login.example.com/, not followed"), std::string::npos)
      << verdict.error->detail;
}

}  // namespace
}  // namespace livedata
