#include "livedata/endpoints.h"

#include <gtest/gtest.h>

namespace livedata {
namespace {

TEST(Endpoints, NamesAndPathsRoundTrip) {
  ASSERT_EQ(allEndpoints().size(), 5u);
  for (const Endpoint e : allEndpoints()) {
    EXPECT_EQ(endpointFromName(nameOf(e)), e);
    EXPECT_EQ(pathOf(e), std::string("/api/") + nameOf(e));
  }
  EXPECT_FALSE(endpointFromName("campaign").has_value());
}

TEST(Endpoints, ListParamsBecomeQuery) {
  ListParams params;
  params.status = "sent";
  params.sort = "-revenue";
  params.limit = 20;
  params.offset = 40;
  const auto query = toQuery(params);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query.value(), (Query{{"status", "sent"}, {"sort", "-revenue"}, {"limit", "20"}, {"offset", "40"}}));
  EXPECT_TRUE(toQuery(ListParams{}).value().empty());
}

TEST(Endpoints, RejectsBadListParamsAsConfigErrors) {
  ListParams params;
  params.limit = 0;
  EXPECT_EQ(toQuery(params).error().kind, ErrorKind::config);
  params.limit = 501;
  EXPECT_FALSE(toQuery(params).ok());
  params = {};
  params.offset = -1;
  EXPECT_FALSE(toQuery(params).ok());
  params = {};
  params.sort = "-";
  EXPECT_FALSE(toQuery(params).ok());
}

TEST(Endpoints, ValidatesOverviewDateRange) {
  EXPECT_TRUE(toQuery(OverviewParams{"2026-10-01", "2026-10-31"}).ok());
  EXPECT_FALSE(toQuery(OverviewParams{"2026-13-01", std::nullopt}).ok());
  EXPECT_FALSE(toQuery(OverviewParams{"yesterday", std::nullopt}).ok());
  EXPECT_FALSE(toQuery(OverviewParams{"2026-10-31", "2026-10-01"}).ok());
}

}  // namespace
}  // namespace livedata
