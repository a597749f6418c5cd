// The /api data routes over the store (docs/api.md): validation, defaults, resource keys,
// and bodies rendered exactly as the in-memory renderer of the first server version did
// (to_json of each record, ordered fields, ties by ascending id).
#include "store/api_queries.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "simulated_upstream/data_generator.h"
#include "http/http_caching.h"
#include "livedata/cache.h"
#include "store/natural_order.h"
#include "store/sqlite.h"
#include "store_test_support.h"

namespace livedata::server {
namespace {

using Json = nlohmann::ordered_json;
using testing::openStore;
using testing::StoreEngine;
using testing::StoreLocation;

DatasetSizes smallSizes() {
  DatasetSizes sizes;
  sizes.campaigns = 120;
  sizes.flows = 15;
  sizes.forms = 10;
  sizes.segments = 12;
  sizes.days = 60;
  return sizes;
}

// The first server's list semantics, written out: filter by status, sort by the item's JSON
// value of the field (text other than the id in natural order), ties by ascending id, then
// the window.
template <typename Item>
std::vector<Json> expectedItems(const std::vector<Item>& all, const std::optional<std::string>& status,
                                const std::string& field, bool descending, std::size_t offset, std::size_t limit,
                                std::int64_t* total) {
  std::vector<Json> items;
  for (const Item& item : all) {
    if (!status || wordOf(item.status) == *status) items.emplace_back(item);
  }
  auto sortValue = [&](const Json& item) {
    const Json& value = item[field];
    return value.is_string() && field != "id" ? Json(naturalSortKey(value.get<std::string>())) : value;
  };
  std::sort(items.begin(), items.end(), [&](const Json& a, const Json& b) {
    const Json x = sortValue(a), y = sortValue(b);
    if (x != y) return descending ? y < x : x < y;
    return a["id"] < b["id"];
  });
  *total = static_cast<std::int64_t>(items.size());
  std::vector<Json> page;
  for (std::size_t i = offset; i < items.size() && i < offset + limit; ++i) page.push_back(items[i]);
  return page;
}

// Every test runs on both engines: the bytes rendered, and so the ETags, must be the same.
class ApiQueriesTest : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override {
    LIVEDATA_REQUIRE_ENGINE(GetParam());
    data_ = generateDataset(42, smallSizes());
    location_ = std::make_unique<StoreLocation>(GetParam(), "api");
    store_ = openStore(location_->location());
    ASSERT_NE(store_, nullptr);
    commitAll(data_);
    api_ = std::make_unique<ApiQueries>(*store_, [] { return UnixSeconds{1'800'000'000}; });
  }

  void commitAll(const Dataset& data) {
    ASSERT_TRUE(
        store_->commitPage(Entity::campaigns, data.campaigns, std::nullopt).ok());
    ASSERT_TRUE(store_->commitPage(Entity::flows, data.flows, std::nullopt).ok());
    ASSERT_TRUE(store_->commitPage(Entity::forms, data.forms, std::nullopt).ok());
    ASSERT_TRUE(store_->commitPage(Entity::segments, data.segments, std::nullopt).ok());
    ASSERT_TRUE(store_->commitPage(Entity::metrics, data.daily, std::nullopt).ok());
  }

  ResolvedRequest resolved(ApiResource resource, const QueryParameters& query) {
    auto result = api_->resolve(resource, query);
    if (!result) {
      ADD_FAILURE() << result.error().code << ": " << result.error().message;
      return {};
    }
    return std::move(result).value();
  }

  std::shared_ptr<const Representation> get(ApiResource resource, const QueryParameters& query = {}) {
    auto result = api_->render(resolved(resource, query));
    if (!result) {
      ADD_FAILURE() << result.error().code << ": " << result.error().message;
      return std::make_shared<Representation>();
    }
    return result.value();
  }

  Json getJson(ApiResource resource, const QueryParameters& query = {}) {
    return Json::parse(get(resource, query)->body);
  }

  ApiError errorOf(ApiResource resource, const QueryParameters& query) {
    auto result = api_->resolve(resource, query);
    if (result.ok()) {
      ADD_FAILURE() << "expected an error, got " << result.value().resourceKey;
      return {};
    }
    return result.error();
  }

  Dataset data_;
  std::unique_ptr<StoreLocation> location_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ApiQueries> api_;
};

INSTANTIATE_TEST_SUITE_P(Engines, ApiQueriesTest, ::testing::Values(StoreEngine::sqlite, StoreEngine::postgres),
                         testing::engineName);

TEST_P(ApiQueriesTest, DefaultListIsTheFirstFiftyByNewestUpdateWithItsTotal) {
  std::int64_t total = 0;
  const auto expected = expectedItems(data_.campaigns, std::nullopt, "updatedAt", true, 0, 50, &total);
  const Json body = getJson(ApiResource::campaigns);
  EXPECT_EQ(body["items"], Json(expected));
  EXPECT_EQ(body["total"], 120);
  EXPECT_EQ(body["limit"], 50);
  EXPECT_EQ(body["offset"], 0);
  EXPECT_EQ(total, 120);
}

TEST_P(ApiQueriesTest, RendersTheSameBytesAsTheInMemoryRenderer) {
  // The body the first server produced: {"items", "total", "limit", "offset"} in this order,
  // each item through to_json, dumped compactly; then statisticsAsOf (null: none committed).
  std::int64_t total = 0;
  Json expected;
  expected["items"] = expectedItems(data_.segments, std::string("active"), "members", false, 2, 4, &total);
  expected["total"] = total;
  expected["limit"] = 4;
  expected["offset"] = 2;
  expected["statisticsAsOf"] = nullptr;
  const auto representation =
      get(ApiResource::segments, {{"status", "active"}, {"sort", "members"}, {"limit", "4"}, {"offset", "2"}});
  EXPECT_EQ(representation->body, expected.dump());
  EXPECT_EQ(representation->etag, strongEtagFor(expected.dump()));
  EXPECT_EQ(representation->gzipEtag, etagForCoding(representation->etag, "gzip"));
  ASSERT_GE(representation->gzipBody.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(representation->gzipBody[0]), 0x1f);  // RFC 1952 magic
  EXPECT_EQ(static_cast<unsigned char>(representation->gzipBody[1]), 0x8b);
}

TEST_P(ApiQueriesTest, FiltersSortsAndPagesEveryList) {
  struct Case {
    ApiResource resource;
    QueryParameters query;
    std::function<std::vector<Json>(std::int64_t*)> expected;
  };
  const std::vector<Case> cases{
      {ApiResource::campaigns,
       {{"status", "sent"}, {"sort", "-revenue"}, {"limit", "7"}, {"offset", "3"}},
       [&](std::int64_t* t) { return expectedItems(data_.campaigns, std::string("sent"), "revenue", true, 3, 7, t); }},
      {ApiResource::campaigns,
       {{"sort", "name"}, {"limit", "500"}},
       [&](std::int64_t* t) { return expectedItems(data_.campaigns, std::nullopt, "name", false, 0, 500, t); }},
      {ApiResource::campaigns,
       {{"sort", "-sendTime"}},
       [&](std::int64_t* t) { return expectedItems(data_.campaigns, std::nullopt, "sendTime", true, 0, 50, t); }},
      {ApiResource::flows,
       {{"sort", "trigger"}, {"status", "live"}},
       [&](std::int64_t* t) { return expectedItems(data_.flows, std::string("live"), "trigger", false, 0, 50, t); }},
      {ApiResource::forms,
       {{"sort", "-submitRate"}, {"offset", "8"}},
       [&](std::int64_t* t) { return expectedItems(data_.forms, std::nullopt, "submitRate", true, 8, 50, t); }},
      {ApiResource::segments,
       {{"sort", "updatedAt"}, {"offset", "1000"}},
       [&](std::int64_t* t) { return expectedItems(data_.segments, std::nullopt, "updatedAt", false, 1000, 50, t); }},
  };
  for (const Case& c : cases) {
    std::int64_t total = 0;
    const auto items = c.expected(&total);
    const Json body = getJson(c.resource, c.query);
    EXPECT_EQ(body["items"], Json(items)) << nameOf(c.resource);
    EXPECT_EQ(body["total"], total) << nameOf(c.resource);
  }
}

TEST_P(ApiQueriesTest, OverviewDefaultsToTheLast30DaysInTheStore) {
  const auto sizes = smallSizes();
  const Json body = getJson(ApiResource::overview);
  EXPECT_EQ(body["range"]["to"], formatIsoDate(sizes.lastDay));
  EXPECT_EQ(body["range"]["from"], formatIsoDate(sizes.lastDay - 29));
  ASSERT_EQ(body["series"].size(), 30u);

  std::int64_t sends = 0, opens = 0, clicks = 0;
  double revenue = 0;
  Json series = Json::array();
  for (const DailyMetrics& day : data_.daily) {
    if (day.day < sizes.lastDay - 29) continue;
    sends += day.sends;
    opens += day.opens;
    clicks += day.clicks;
    revenue += day.revenue;
    series.push_back(day);
  }
  EXPECT_EQ(body["series"], series);
  const Json expectedTotals = {{"sends", sends},
                               {"opens", opens},
                               {"clicks", clicks},
                               {"revenue", roundTo(revenue, 2)},
                               {"openRate", roundTo(static_cast<double>(opens) / static_cast<double>(sends), 4)},
                               {"clickRate", roundTo(static_cast<double>(clicks) / static_cast<double>(sends), 4)}};
  EXPECT_EQ(body["totals"], expectedTotals);
  EXPECT_EQ(body.begin().key(), "range") << "fields in the order of docs/api.md";
}

TEST_P(ApiQueriesTest, OverviewTakesAnExplicitRange) {
  const auto sizes = smallSizes();
  const std::string from = formatIsoDate(sizes.lastDay - 9);
  const Json body = getJson(ApiResource::overview, {{"from", from}, {"to", formatIsoDate(sizes.lastDay - 5)}});
  EXPECT_EQ(body["series"].size(), 5u);
  EXPECT_EQ(body["series"][0]["date"], from);

  const Json onlyTo = getJson(ApiResource::overview, {{"to", formatIsoDate(sizes.lastDay - 5)}});
  EXPECT_EQ(onlyTo["range"]["from"], formatIsoDate(sizes.lastDay - 34));

  const Json outside = getJson(ApiResource::overview, {{"from", "2001-01-01"}, {"to", "2001-01-31"}});
  EXPECT_TRUE(outside["series"].empty());
  EXPECT_EQ(outside["totals"]["openRate"], 0.0);
}

TEST_P(ApiQueriesTest, TheDefaultRangeFollowsTheLatestDayInTheStore) {
  const auto sizes = smallSizes();
  DailyMetrics next = data_.daily.back();
  next.day = sizes.lastDay + 3;
  ASSERT_TRUE(store_->commitPage(Entity::metrics, std::vector<DailyMetrics>{next}, std::nullopt).ok());
  const auto request = resolved(ApiResource::overview, {});
  EXPECT_EQ(request.resourceKey,
            "overview?from=" + formatIsoDate(sizes.lastDay - 26) + "&to=" + formatIsoDate(sizes.lastDay + 3));
}

class ApiQueriesEmptyStore : public ::testing::TestWithParam<StoreEngine> {};

INSTANTIATE_TEST_SUITE_P(Engines, ApiQueriesEmptyStore, ::testing::Values(StoreEngine::sqlite, StoreEngine::postgres),
                         testing::engineName);

TEST_P(ApiQueriesEmptyStore, OverviewRangeEndsTodayUntilMetricsArrive) {
  LIVEDATA_REQUIRE_ENGINE(GetParam());
  const StoreLocation location(GetParam(), "empty");
  auto store = openStore(location.location());
  ASSERT_NE(store, nullptr);
  const UnixSeconds now = dayFromCivil(2027, 3, 15) * kSecondsPerDay + 4000;
  ApiQueries api(*store, [now] { return now; });
  auto request = api.resolve(ApiResource::overview, {}).value();
  EXPECT_EQ(request.resourceKey, "overview?from=2027-02-14&to=2027-03-15");
  auto rendered = api.render(request);
  ASSERT_TRUE(rendered.ok());
  const Json body = Json::parse(rendered.value()->body);
  EXPECT_TRUE(body["series"].empty());
  EXPECT_EQ(body["totals"]["sends"], 0);

  const Json list = Json::parse(api.render(api.resolve(ApiResource::campaigns, {}).value()).value()
                                    ->body);
  EXPECT_EQ(list, Json::parse(R"({"items":[],"total":0,"limit":50,"offset":0,"statisticsAsOf":null})"));
}

// --- Validation (the same 400s as docs/api.md lists)

TEST_P(ApiQueriesTest, RejectsParametersTheRouteDoesNotTake) {
  const ApiError unknown = errorOf(ApiResource::campaigns, {{"limit", "5"}, {"page", "2"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.code, "unknown_parameter");
  EXPECT_EQ(unknown.message, "unknown parameter 'page' (accepted: status, sort, limit, offset)");

  const ApiError overview = errorOf(ApiResource::overview, {{"limit", "5"}});
  EXPECT_EQ(overview.code, "unknown_parameter");
  EXPECT_EQ(overview.message, "unknown parameter 'limit' (accepted: from, to)");
}

TEST_P(ApiQueriesTest, RejectsBadValuesNamingTheParameter) {
  const std::vector<std::pair<QueryParameters, std::string>> cases{
      {{{"limit", "0"}}, "limit must be an integer from 1 to 500"},
      {{{"limit", "501"}}, "limit must be an integer from 1 to 500"},
      {{{"limit", "ten"}}, "limit must be an integer from 1 to 500"},
      {{{"limit", "+5"}}, "limit must be an integer from 1 to 500"},
      {{{"offset", "-1"}}, "offset must be an integer of 0 or more"},
      {{{"status", "archived"}}, "status must be one of: draft, scheduled, sending, sent, cancelled"},
      {{{"sort", "-bogus"}},
       "sort must be a field (id, name, status, sendTime, recipients, opens, clicks, revenue, openRate, "
       "clickRate, updatedAt), prefixed with '-' for descending order"},
      {{{"limit", "5"}, {"limit", "6"}}, "limit must be given at most once"},
  };
  for (const auto& [query, message] : cases) {
    const ApiError error = errorOf(ApiResource::campaigns, query);
    EXPECT_EQ(error.status, 400);
    EXPECT_EQ(error.code, "invalid_parameter");
    EXPECT_EQ(error.message, message);
  }
  EXPECT_EQ(errorOf(ApiResource::overview, {{"from", "2026-02-30"}}).message, "from must be a date as YYYY-MM-DD");
  EXPECT_EQ(errorOf(ApiResource::overview, {{"from", "2026-10-05"}, {"to", "2026-10-04"}}).message,
            "from (2026-10-05) must not be after to (2026-10-04)");
  EXPECT_EQ(errorOf(ApiResource::overview, {{"from", "2026-12-01"}}).message,
            "from (2026-12-01) must not be after to (2026-10-31)")
      << "the default end is the store's latest day";
}

TEST_P(ApiQueriesTest, AcceptsAndIgnoresTheCacheBustingParameter) {
  const auto plain = get(ApiResource::flows);
  const auto busted = get(ApiResource::flows, {{"_t", "1732512000000"}});
  EXPECT_EQ(busted->etag, plain->etag);
  EXPECT_EQ(resolved(ApiResource::overview, {{"_t", "1"}}).resourceKey,
            resolved(ApiResource::overview, {}).resourceKey);
}

// --- Resource keys

TEST_P(ApiQueriesTest, ResourceKeysFillInDefaultsAndIgnoreOrderAndCacheBusting) {
  const std::string key = "campaigns?limit=50&offset=0&sort=-updatedAt";
  EXPECT_EQ(resolved(ApiResource::campaigns, {}).resourceKey, key);
  EXPECT_EQ(resolved(ApiResource::campaigns, {{"_t", "99"}}).resourceKey, key);
  EXPECT_EQ(resolved(ApiResource::campaigns, {{"sort", "-updatedAt"}, {"offset", "0"}, {"limit", "50"}}).resourceKey,
            key);
  EXPECT_EQ(resolved(ApiResource::campaigns, {{"offset", "00"}}).resourceKey, key) << "numbers are normalised";
  EXPECT_EQ(resolved(ApiResource::segments, {{"status", "active"}, {"limit", "5"}}).resourceKey,
            "segments?limit=5&offset=0&sort=-updatedAt&status=active");

  // The same function the client builds its keys with, for the same complete query.
  EXPECT_EQ(resolved(ApiResource::forms, {{"sort", "name"}}).resourceKey,
            makeResourceKey("/api/forms", {{"sort", "name"}, {"offset", "0"}, {"limit", "50"}, {"_t", "5"}}));
  EXPECT_EQ(resolved(ApiResource::overview, {}).resourceKey, "overview?from=2026-10-02&to=2026-10-31");
}

// resolve keeps each thread's last list query: what it answers must not depend on it.
TEST_P(ApiQueriesTest, AQueryAskedAgainAfterOthersResolvesAsItDidTheFirstTime) {
  const auto five = resolved(ApiResource::campaigns, {{"limit", "5"}});
  const auto six = resolved(ApiResource::campaigns, {{"limit", "6"}});
  EXPECT_EQ(five.resourceKey, "campaigns?limit=5&offset=0&sort=-updatedAt");
  EXPECT_EQ(six.resourceKey, "campaigns?limit=6&offset=0&sort=-updatedAt");
  EXPECT_EQ(resolved(ApiResource::flows, {{"limit", "5"}}).resourceKey, "flows?limit=5&offset=0&sort=-updatedAt")
      << "another list with the same query is its own";
  EXPECT_EQ(resolved(ApiResource::campaigns, {{"limit", "6"}}).resourceKey, six.resourceKey);
  EXPECT_EQ(std::get<ListQuery>(resolved(ApiResource::campaigns, {{"limit", "5"}}).parameters).limit, 5);

  EXPECT_EQ(errorOf(ApiResource::campaigns, {{"limit", "0"}}).status, 400);
  EXPECT_EQ(errorOf(ApiResource::campaigns, {{"limit", "0"}}).status, 400) << "an error is not remembered as a query";
  EXPECT_EQ(resolved(ApiResource::campaigns, {{"limit", "5"}}).resourceKey, five.resourceKey);
}

TEST_P(ApiQueriesTest, ResolvedRequestsCarryTheirParameters) {
  const auto request = resolved(ApiResource::flows, {{"status", "draft"}, {"sort", "revenue"}, {"limit", "9"}});
  EXPECT_EQ(request.resource, ApiResource::flows);
  const auto& list = std::get<ListQuery>(request.parameters);
  EXPECT_EQ(list.status, std::optional<std::string>("draft"));
  EXPECT_EQ(list.sortField, "revenue");
  EXPECT_FALSE(list.descending);
  EXPECT_EQ(list.limit, 9);
  EXPECT_EQ(list.offset, 0);
  EXPECT_EQ(request.dataVersion, store_->dataVersion(Entity::flows));
}

// --- Versions

TEST_P(ApiQueriesTest, EtagChangesWhenTheDataChangesAndOnlyThen) {
  const auto before = get(ApiResource::campaigns);
  const auto versionBefore = resolved(ApiResource::campaigns, {}).dataVersion;
  commitAll(data_);  // identical rows: nothing changes
  EXPECT_EQ(get(ApiResource::campaigns)->etag, before->etag);
  EXPECT_EQ(resolved(ApiResource::campaigns, {}).dataVersion, versionBefore);

  // The first item of the default order gets newer figures.
  auto first = *std::min_element(data_.campaigns.begin(), data_.campaigns.end(), [](const auto& a, const auto& b) {
    return a.updatedAt != b.updatedAt ? a.updatedAt > b.updatedAt : a.id < b.id;
  });
  first.opens += 1;
  first.updatedAt += 60;
  ASSERT_TRUE(store_->commitPage(Entity::campaigns, std::vector<Campaign>{first}, std::nullopt).ok());
  ASSERT_TRUE(store_->commitPage(Entity::campaigns, std::vector<Campaign>{first}, std::nullopt, FieldGroup::statistics).ok());

  const auto after = get(ApiResource::campaigns);
  EXPECT_NE(after->etag, before->etag);
  EXPECT_NE(after->gzipEtag, before->gzipEtag);
  EXPECT_GT(resolved(ApiResource::campaigns, {}).dataVersion, versionBefore);
  EXPECT_EQ(Json::parse(after->body)["items"][0], Json(first));
}

TEST_P(ApiQueriesTest, AStoreFailureIsA503) {
  const auto request = resolved(ApiResource::campaigns, {});
  location_->execute("DROP TABLE campaigns; DROP TABLE metrics;");
  auto rendered = api_->render(request);
  ASSERT_TRUE(!rendered.ok());
  EXPECT_EQ(rendered.error().status, 503);
  EXPECT_EQ(rendered.error().code, "store_unavailable");
  EXPECT_EQ(rendered.error().message, "the data store cannot answer now; try again shortly") << "no SQL for the client";
  EXPECT_NE(rendered.error().detail.find("campaigns"), std::string::npos) << "the store's own error, for the operator";

  const ApiError overview = errorOf(ApiResource::overview, {});  // the default range needs the store
  EXPECT_EQ(overview.status, 503);
  EXPECT_EQ(overview.code, "store_unavailable");
  EXPECT_EQ(errorOf(ApiResource::overview, {{"bad", "1"}}).status, 400) << "validation needs no store";
}

// Pinned from the renderer that built an nlohmann::ordered_json tree per response (before
// a direct writer replaced it): field order, number formatting and escaping of
// every body, and so every ETag, must not move. A strong ETag is the body's FNV-1a hash.
TEST_P(ApiQueriesTest, RenderedBodiesArePinnedToTheTreeRenderersBytes) {
  struct Case {
    ApiResource resource;
    QueryParameters query;
    const char* etag;
  };
  const std::vector<Case> cases{
      {ApiResource::campaigns, {{"limit", "500"}}, "\"1f76ed43cde1ccb9\""},
      {ApiResource::campaigns, {{"status", "sent"}, {"sort", "-revenue"}, {"limit", "7"}, {"offset", "3"}}, "\"a7d3fdb2c9dbfbdc\""},
      {ApiResource::flows, {{"limit", "500"}}, "\"badf30901686e87e\""},  // trigger types in Klaviyo's words; lists carry statisticsAsOf
      {ApiResource::forms, {{"sort", "submitRate"}}, "\"4fa01ab55a3a99ce\""},
      {ApiResource::segments, {{"sort", "-growth"}}, "\"f340c288629987d4\""},
      {ApiResource::overview, {}, "\"3ed4215699d3ae86\""},
      {ApiResource::overview, {{"from", "2001-01-01"}, {"to", "2001-01-31"}}, "\"f89b5036ef960d31\""},
  };
  for (const Case& c : cases) {
    const auto representation = get(c.resource, c.query);
    EXPECT_EQ(representation->etag, c.etag) << resolved(c.resource, c.query).resourceKey;
    EXPECT_EQ(strongEtagFor(representation->body), c.etag) << resolved(c.resource, c.query).resourceKey;
  }
}

TEST_P(ApiQueriesTest, RendersAwkwardTextAndNumbersAsTheTreeRendererDid) {
  Campaign odd = testing::makeCampaign("cmp_odd", "draft", 1'800'000'000, 1234567.891);
  odd.name = "quote \" backslash \\ tab \t newline \n bell \x07 del \x7f caf\xc3\xa9 bad \xff end";
  odd.openRate = 1e-7;
  odd.clickRate = 0.1 + 0.2;
  odd.recipients = 9'007'199'254'740'993;
  Campaign big = testing::makeCampaign("cmp_big", "draft", 1'800'000'001, 1e21);
  big.openRate = -0.0;
  big.clickRate = 123456789012345678.0;
  ASSERT_TRUE(store_->commitPage(Entity::campaigns, std::vector<Campaign>{odd, big}, std::nullopt).ok());
  const auto representation = get(ApiResource::campaigns, {{"status", "draft"}, {"limit", "2"}});
  EXPECT_EQ(representation->body, "{\"items\":[{\"id\":\"cmp_big\",\"name\":\"Campaign cmp_big\",\"status\":\"draft\",\"sendTime\":\"2027-01-15T07:00:01Z\",\"recipients\":1000,\"opens\":250,\"clicks\":40,\"revenue\":1e+21,\"openRate\":0.0,\"clickRate\":1.2345678901234568e+17,\"updatedAt\":\"2027-01-15T08:00:01Z\"},{\"id\":\"cmp_odd\",\"name\":\"quote \\\" backslash \\\\ tab \\t newline \\n bell \\u0007 del \x7f caf\xc3\xa9 bad \xef\xbf\xbd end\",\"status\":\"draft\",\"sendTime\":\"2027-01-15T07:00:00Z\",\"recipients\":9007199254740993,\"opens\":250,\"clicks\":40,\"revenue\":1234567.891,\"openRate\":1e-07,\"clickRate\":0.30000000000000004,\"updatedAt\":\"2027-01-15T08:00:00Z\"}],\"total\":20,\"limit\":2,\"offset\":0,\"statisticsAsOf\":null}");
}

TEST(ApiResources, NamesRoundTrip) {
  for (const ApiResource resource :
       {ApiResource::overview, ApiResource::campaigns, ApiResource::flows, ApiResource::forms, ApiResource::segments}) {
    EXPECT_EQ(apiResourceFromName(nameOf(resource)), resource);
  }
  EXPECT_EQ(apiResourceFromName("metrics"), std::nullopt);
  EXPECT_EQ(entityOf(ApiResource::overview), Entity::metrics);
  EXPECT_EQ(entityOf(ApiResource::segments), Entity::segments);
}

}  // namespace
}  // namespace livedata::server
