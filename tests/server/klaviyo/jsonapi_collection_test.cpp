// Collection documents: what the simulated upstream renders, the sync reads back; what breaks
// the documented shape is refused, naming the fault.
#include "klaviyo/jsonapi_collection.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace livedata::server::klaviyo {
namespace {

const RenderOptions kOptions{"http://127.0.0.1:9", std::nullopt};

TEST(JsonApiCollection, EachResourceTypeRoundTrips) {
  const std::vector<CampaignResource> campaigns{{"c1", "Spring sale", "Sent", false, 1'793'491'200, 1'793'000'000, 1'793'491'300},
                                                {"c2", "Draft one", "Draft", false, std::nullopt, 1'793'000'000, 1'793'000'001}};
  const auto campaignPage = parseCollection<CampaignResource>(renderCollection(campaigns, {"http://s", std::nullopt}, kOptions));
  ASSERT_TRUE(campaignPage) << campaignPage.error();
  ASSERT_EQ(campaignPage.value().resources.size(), 2u);
  EXPECT_EQ(campaignPage.value().resources[0].name, "Spring sale");
  EXPECT_EQ(campaignPage.value().resources[0].sendTime, 1'793'491'200);
  EXPECT_EQ(campaignPage.value().resources[1].sendTime, std::nullopt);
  EXPECT_EQ(campaignPage.value().resources[1].updatedAt, 1'793'000'001);
  EXPECT_FALSE(campaignPage.value().nextLink);

  const std::vector<FlowResource> flows{{"f1", "Welcome", "live", false, "Added to List", 100, 200}, {"f2", {}, {}, {}, {}, {}, {}}};
  const auto flowPage = parseCollection<FlowResource>(renderCollection(flows, {"http://s", "http://s?page%5Bcursor%5D=x"}, kOptions));
  ASSERT_TRUE(flowPage) << flowPage.error();
  EXPECT_EQ(flowPage.value().resources[0].triggerType, "Added to List");
  EXPECT_EQ(flowPage.value().resources[0].updated, 200);
  EXPECT_EQ(flowPage.value().resources[1].name, std::nullopt);
  EXPECT_EQ(flowPage.value().nextLink, "http://s?page%5Bcursor%5D=x");

  const auto formPage = parseCollection<FormResource>(
      renderCollection(std::vector<FormResource>{{"fm1", "Popup", "live", true, 5, 6}}, {"http://s", std::nullopt}, kOptions));
  ASSERT_TRUE(formPage) << formPage.error();
  EXPECT_TRUE(formPage.value().resources[0].abTest);
  EXPECT_EQ(formPage.value().resources[0].updatedAt, 6);

  const auto segmentPage = parseCollection<SegmentResource>(renderCollection(
      std::vector<SegmentResource>{{"s1", "VIP", false, false, true, 1, 2, 1234}}, {"http://s", std::nullopt}, kOptions));
  ASSERT_TRUE(segmentPage) << segmentPage.error();
  EXPECT_FALSE(segmentPage.value().resources[0].isActive);
  EXPECT_EQ(segmentPage.value().resources[0].profileCount, 1234);

  const auto metricPage = parseCollection<MetricResource>(renderCollection(
      std::vector<MetricResource>{{"AbC123", "Placed Order", "t", "t", "Shopify", "eCommerce"}}, {"http://s", std::nullopt}, kOptions));
  ASSERT_TRUE(metricPage) << metricPage.error();
  EXPECT_EQ(metricPage.value().resources[0].integrationName, "Shopify");
}

TEST(JsonApiCollection, RendersWhatTheDocumentsRequireAndOnlyTheFieldsAsked) {
  const std::vector<CampaignResource> campaigns{{"c1", "n", "Sent", false, 10, 1, 2}};
  const auto full = nlohmann::json::parse(renderCollection(campaigns, {"http://s/api/campaigns", std::nullopt}, kOptions));
  const auto& resource = full.at("data").at(0);
  EXPECT_EQ(resource.at("type"), "campaign");
  EXPECT_EQ(resource.at("links").at("self"), "http://127.0.0.1:9/api/campaigns/c1/");
  for (const char* required : {"name", "status", "archived", "audiences", "send_options", "send_strategy", "created_at", "updated_at"}) {
    EXPECT_TRUE(resource.at("attributes").contains(required)) << required;
  }
  EXPECT_EQ(resource.at("attributes").at("updated_at"), "1970-01-01T00:00:02+00:00");
  EXPECT_FALSE(full.at("links").contains("next"));  // CollectionLinks.next is not nullable

  RenderOptions sparse = kOptions;
  sparse.fields.emplace(std::set<std::string, std::less<>>{"name"});
  const auto narrow = nlohmann::json::parse(renderCollection(campaigns, {"http://s", std::nullopt}, sparse));
  EXPECT_EQ(narrow.at("data").at(0).at("attributes"), (nlohmann::json{{"name", "n"}}));
}

TEST(JsonApiCollection, RefusesWhatBreaksTheDocumentedShapeNamingTheFault) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"not json", "not JSON"},
      {"[]", "not an object"},
      {R"({"links":{}})", "no data array"},
      {R"({"data":{}})", "no data array"},
      {R"({"data":[{"type":"flow","id":"f","attributes":{}}]})", "data[0].type is not 'campaign'"},
      {R"({"data":[{"type":"campaign","attributes":{}}]})", "data[0].id"},
      {R"({"data":[{"type":"campaign","id":"c"}]})", "data[0].attributes"},
      {R"({"data":[{"type":"campaign","id":"c","attributes":{"name":7}}]})", "data[0].attributes.name is not a string"},
      {R"({"data":[{"type":"campaign","id":"c","attributes":{"archived":"no"}}]})", "archived"},
      {R"({"data":[{"type":"campaign","id":"c","attributes":{"updated_at":"yesterday"}}]})", "updated_at is not an RFC 3339"},
      {R"({"data":[],"links":{"next":5}})", "links.next"},
  };
  for (const auto& [body, fault] : cases) {
    const auto page = parseCollection<CampaignResource>(body);
    ASSERT_FALSE(page) << body;
    EXPECT_NE(page.error().find(fault), std::string::npos) << body << ": " << page.error();
  }
  const auto last = parseCollection<CampaignResource>(R"({"data":[],"links":{"self":"x","next":null}})");
  ASSERT_TRUE(last);
  EXPECT_FALSE(last.value().nextLink);
}

}  // namespace
}  // namespace livedata::server::klaviyo
