#include "livedata/errors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "livedata/fallback.h"

namespace livedata {
namespace {

TEST(Errors, CarryKindStatusAndBothMessages) {
  const Error error = makeError(ErrorKind::http_server, "flows", "GET /api/flows: HTTP 503", 503);
  EXPECT_STREQ(toString(error.kind), "http_server");
  EXPECT_EQ(error.status, 503);
  EXPECT_EQ(error.endpoint, "flows");
  EXPECT_FALSE(error.message.empty());
  EXPECT_EQ(error.message.find("503"), std::string::npos);  // the toast stays human
  EXPECT_NE(error.detail.find("503"), std::string::npos);   // the log line has it
}

TEST(Errors, EveryKindHasANameAndAMessage) {
  for (const ErrorKind kind : {ErrorKind::network, ErrorKind::timeout, ErrorKind::http_client, ErrorKind::http_server,
                               ErrorKind::rate_limited, ErrorKind::parse, ErrorKind::cancelled, ErrorKind::offline,
                               ErrorKind::config}) {
    EXPECT_STRNE(toString(kind), "unknown");
    EXPECT_FALSE(userMessageFor(kind, 0).empty());
  }
}

TEST(Fallback, EmptyValuesHaveTheEndpointsShape) {
  const auto overview = nlohmann::json::parse(emptyBodyFor("overview"));
  EXPECT_TRUE(overview["series"].is_array());
  EXPECT_EQ(overview["totals"]["sends"], 0);
  for (const char* list : {"campaigns", "flows", "forms", "segments"}) {
    const auto value = nlohmann::json::parse(emptyBodyFor(list));
    EXPECT_TRUE(value["items"].is_array()) << list;
    EXPECT_EQ(value["total"], 0) << list;
    // Every field the API's list page requires (docs/openapi.yaml ListPage), in its range.
    EXPECT_GE(value["limit"], 1) << list;
    EXPECT_EQ(value["offset"], 0) << list;
    ASSERT_TRUE(value.contains("statisticsAsOf")) << list;
    EXPECT_TRUE(value["statisticsAsOf"].is_null()) << list;
  }
  EXPECT_EQ(emptyBodyFor("nonsense"), "{}");
}

}  // namespace
}  // namespace livedata
