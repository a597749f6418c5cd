// The backend routes' bodies, parsed apart from acting on them: what each accepts, and a
// 400 invalid_body naming the field for anything else.
#include "app/request_bodies.h"

#include "http/fault_injector.h"
#include "model/strict_json.h"
#include "simulated_upstream/upstream_faults.h"

#include <gtest/gtest.h>

namespace livedata::server {
namespace {

template <typename T>
std::string errorOf(const Expected<T, ApiError>& parsed) {
  return parsed ? std::string("(accepted)") : parsed.error().code + ": " + parsed.error().message;
}

TEST(RequestBodies, ASyncRequestIsOptionalFieldsOfKnownEntities) {
  const auto empty = parseSyncRequestBody("");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty.value().force);
  EXPECT_TRUE(empty.value().entities.empty());
  const auto full = parseSyncRequestBody(R"({"force": true, "entities": ["flows", "metrics"]})");
  ASSERT_TRUE(full);
  EXPECT_TRUE(full.value().force);
  EXPECT_EQ(full.value().entities, (std::vector<Entity>{Entity::flows, Entity::metrics}));
  EXPECT_EQ(errorOf(parseSyncRequestBody(R"({"force": "yes"})")), "invalid_body: force must be true or false");
  EXPECT_NE(errorOf(parseSyncRequestBody(R"({"entities": ["nothing"]})")).find("\"nothing\" is not one of"),
            std::string::npos);
  EXPECT_EQ(errorOf(parseSyncRequestBody(R"({"forse": true})")), "invalid_body: unknown field 'forse'");
  EXPECT_EQ(errorOf(parseSyncRequestBody("[1]")), "invalid_body: the request body must be a JSON object");
  EXPECT_EQ(errorOf(parseSyncRequestBody("{")), "invalid_body: the request body is not valid JSON");
}

// A body that says two things is refused, not read as whichever the parser keeps.
TEST(RequestBodies, AKeyRepeatedInOneObjectIsRefusedNamingIt) {
  EXPECT_EQ(errorOf(parseUpstreamChangesBody(R"({"count": 5, "count": 500000})")),
            "invalid_body: the request body repeats the key 'count' in one object");
  EXPECT_EQ(errorOf(parseSyncRequestBody(R"({"entities": ["flows"], "force": false, "entities": []})")),
            "invalid_body: the request body repeats the key 'entities' in one object");
  EXPECT_NE(errorOf(parseFaultRules(R"({"rules": [{"path": "/api/flows", "status": 503, "status": 200}]})"))
                .find("repeats the key 'status' in one object"),
            std::string::npos);
  EXPECT_NE(errorOf(parseFaults(R"({"errorRate": 0.5, "latencyMs": 0, "errorRate": 0})"))
                .find("invalid_body: the request body repeats the key 'errorRate' in one object; it must be"),
            std::string::npos);
  const std::string longKey(300, 'k');
  EXPECT_EQ(errorOf(parseTouchBody("{\"" + longKey + "\": 1, \"" + longKey + "\": 2}")),
            "invalid_body: the request body repeats the key '" + longKey.substr(0, 64) + "...' in one object");
  // The same key in two objects is no repetition.
  EXPECT_TRUE(parseJsonStrictly(R"({"a": {"x": 1, "y": [{"x": 2}, {"x": 3}]}, "x": {"x": 4}})"));
  EXPECT_EQ(parseJsonStrictly(R"([{"x": 1}, {"y": 2, "y": 3}])").error(), "repeats the key 'y' in one object");
  EXPECT_EQ(parseJsonStrictly(R"({"x": 1)").error(), "is not valid JSON");
}

TEST(RequestBodies, AnInvalidationIsAPatternOrEndpointsNeverBoth) {
  const auto pattern = parseCacheInvalidationBody(R"({"pattern": "campaigns*"})");
  ASSERT_TRUE(pattern);
  EXPECT_EQ(pattern.value().pattern, "campaigns*");
  const auto endpoints = parseCacheInvalidationBody(R"({"endpoints": ["flows", "overview"]})");
  ASSERT_TRUE(endpoints);
  EXPECT_EQ(endpoints.value().endpoints, (std::vector<std::string>{"flows", "overview"}));
  EXPECT_NE(errorOf(parseCacheInvalidationBody(R"({"pattern": "a", "endpoints": ["flows"]})")).find("exactly one"),
            std::string::npos);
  EXPECT_NE(errorOf(parseCacheInvalidationBody("{}")).find("exactly one"), std::string::npos);
  EXPECT_NE(errorOf(parseCacheInvalidationBody(R"({"pattern": ""})")).find("1 to 512"), std::string::npos);
  EXPECT_NE(errorOf(parseCacheInvalidationBody(R"({"endpoints": []})")).find("non-empty"), std::string::npos);
  EXPECT_NE(errorOf(parseCacheInvalidationBody("")).find("not valid JSON"), std::string::npos) << "a body is required";
}

TEST(RequestBodies, UpstreamChangesAndTouchTakeOneBoundedField) {
  EXPECT_EQ(parseUpstreamChangesBody(R"({"count": 3})").value(), 3);
  EXPECT_NE(errorOf(parseUpstreamChangesBody(R"({"count": 0})")).find("1 to 1000000"), std::string::npos);
  EXPECT_NE(errorOf(parseUpstreamChangesBody(R"({"count": 1e9})")).find("1 to 1000000"), std::string::npos);
  EXPECT_NE(errorOf(parseUpstreamChangesBody(R"({"count": 99999999999})")).find("1 to 1000000"), std::string::npos);
  EXPECT_EQ(parseTouchBody(R"({"endpoint": "segments"})").value(), ApiResource::segments);
  EXPECT_NE(errorOf(parseTouchBody(R"({"endpoint": 3})")).find("endpoint must be one of"), std::string::npos);
}

TEST(RequestBodies, FaultRulesAreABodyToo) {
  EXPECT_EQ(errorOf(parseFaultRules(R"({"rules": [{}]})")),
            "invalid_body: rules[0].path is required: a request path starting with '/'");
  EXPECT_EQ(errorOf(parseFaultRules("{")),
            "invalid_body: the request body is not valid JSON; it must be {\"rules\": [Rule, ...]}");
  EXPECT_EQ(errorOf(parseFaultRules(R"({"rules": [{"path": "/api/flows", "status": 503}]})")), "(accepted)");
}

}  // namespace
}  // namespace livedata::server
