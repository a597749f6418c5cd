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

// A date names a day of the calendar, as the server requires: one it would refuse is a
// config error here, and never sent.
TEST(Endpoints, ADateIsADayOfTheCalendar) {
  EXPECT_FALSE(toQuery(OverviewParams{"2026-02-30", std::nullopt}).ok());
  EXPECT_FALSE(toQuery(OverviewParams{"2026-02-29", std::nullopt}).ok());
  EXPECT_FALSE(toQuery(OverviewParams{"2026-04-31", std::nullopt}).ok());
  EXPECT_FALSE(toQuery(OverviewParams{"1900-02-29", std::nullopt}).ok());
  EXPECT_TRUE(toQuery(OverviewParams{"2028-02-29", std::nullopt}).ok());
  EXPECT_TRUE(toQuery(OverviewParams{"2000-02-29", std::nullopt}).ok());
  EXPECT_TRUE(toQuery(OverviewParams{"2026-12-31", std::nullopt}).ok());
}

TEST(Endpoints, DescribesEveryEndpointAndItsParametersOnce) {
  ASSERT_EQ(endpointSpecs().size(), allEndpoints().size());
  for (std::size_t i = 0; i < allEndpoints().size(); ++i) {
    EXPECT_EQ(endpointSpecs()[i].endpoint, allEndpoints()[i]);
    EXPECT_STREQ(endpointSpecs()[i].name, nameOf(allEndpoints()[i]));
  }
  const EndpointSpec& campaigns = specOf(Endpoint::campaigns);
  ASSERT_EQ(campaigns.params.size(), 4u);
  EXPECT_STREQ(campaigns.params[2].name, "limit");
  EXPECT_EQ(campaigns.params[2].kind, ParamKind::integer);
  EXPECT_EQ(specOf(Endpoint::overview).params[0].kind, ParamKind::text);
}

TEST(Endpoints, PositionalArgumentsGiveTheTypedFunctionsQuery) {
  const auto positional = toQuery(Endpoint::flows, {std::string("live"), std::monostate{}, std::int64_t{5}});
  const auto typed = toQuery(ListParams{std::string("live"), std::nullopt, 5, std::nullopt});
  ASSERT_TRUE(positional.ok());
  EXPECT_EQ(positional.value(), typed.value());
  EXPECT_EQ(positional.value(), (Query{{"status", "live"}, {"limit", "5"}}));
}

TEST(Endpoints, PositionalArgumentsOfTheWrongKindOrTooManyAreConfigErrorsNamingTheEndpoint) {
  const auto wrongKind = toQuery(Endpoint::segments, {std::monostate{}, std::monostate{}, std::string("10")});
  ASSERT_FALSE(wrongKind.ok());
  EXPECT_EQ(wrongKind.error().kind, ErrorKind::config);
  EXPECT_EQ(wrongKind.error().endpoint, "segments");
  EXPECT_NE(wrongKind.error().detail.find("limit must be an integer"), std::string::npos);
  const auto tooMany = toQuery(Endpoint::overview, {std::string("2026-10-01"), std::string("2026-10-02"), std::int64_t{1}});
  ASSERT_FALSE(tooMany.ok());
  EXPECT_EQ(tooMany.error().endpoint, "overview");
  const auto outOfRange = toQuery(Endpoint::forms, {std::monostate{}, std::monostate{}, std::int64_t{0}});
  ASSERT_FALSE(outOfRange.ok());
  EXPECT_EQ(outOfRange.error().endpoint, "forms");
}

}  // namespace
}  // namespace livedata
