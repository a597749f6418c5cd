// How Klaviyo's resources and reports become the dashboard's records (docs/upstream.md,
// "Mapping").
#include "upstream_client/klaviyo_mapping.h"

#include <gtest/gtest.h>

namespace livedata::server {
namespace {

using klaviyo::ValuesResult;

klaviyo::CampaignResource campaignResource(std::string status) {
  klaviyo::CampaignResource resource;
  resource.id = "01HX";
  resource.name = "Spring launch";
  resource.status = std::move(status);
  resource.updatedAt = 1'790'000'000;
  return resource;
}

TEST(KlaviyoMapping, CampaignStatusesMapToTheDashboardsFiveAndUnknownOnesAreNotListed) {
  const std::pair<const char*, CampaignStatus> mapped[] = {
      {"Draft", CampaignStatus::draft},           {"Scheduled", CampaignStatus::scheduled},
      {"Preparing to schedule", CampaignStatus::scheduled}, {"Queued without Recipients", CampaignStatus::scheduled},
      {"Preparing to send", CampaignStatus::sending}, {"Adding Recipients", CampaignStatus::sending},
      {"Sending", CampaignStatus::sending},       {"Sending Segments", CampaignStatus::sending},
      {"Sent", CampaignStatus::sent},             {"Variations Sent", CampaignStatus::sent},
      {"Cancelled", CampaignStatus::cancelled},   {"Cancelled: Smart Sending", CampaignStatus::cancelled},
      {"Cancelled: Account Disabled", CampaignStatus::cancelled}, {"Cancelled: No Recipients", CampaignStatus::cancelled},
      {"Cancelled: Internal Error", CampaignStatus::cancelled}, {"Cancelled: Billing Limit", CampaignStatus::cancelled},
      {"Cancelled: Misconfigured", CampaignStatus::cancelled},
      {"Cancelled: a reason Klaviyo adds later", CampaignStatus::cancelled}};
  for (const auto& [word, status] : mapped) {
    const auto campaign = campaignOf(campaignResource(word));
    ASSERT_TRUE(campaign && campaign.value()) << word;
    EXPECT_EQ(campaign.value()->status, status) << word;
  }
  for (const char* word : {"Unknown", "Cancelled soon", "cancelled"}) {
    const auto campaign = campaignOf(campaignResource(word));
    ASSERT_TRUE(campaign) << word;
    EXPECT_FALSE(campaign.value()) << word;
  }
  auto resource = campaignResource("Sent");
  resource.sendTime = 1'790'000'100;
  const Campaign campaign = *campaignOf(resource).value();
  EXPECT_EQ(campaign.id, "01HX");
  EXPECT_EQ(campaign.name, "Spring launch");
  EXPECT_EQ(campaign.sendTime, 1'790'000'100);
  EXPECT_EQ(campaign.updatedAt, 1'790'000'000);
  EXPECT_EQ(campaign.recipients, 0);  // statistics come from the values report
  EXPECT_EQ(campaignOf(campaignResource("Draft")).value()->sendTime, 0);
}

TEST(KlaviyoMapping, FlowsFormsAndSegmentsTakeTheirAttributesWithTheDocumentsNullsFilledIn) {
  klaviyo::FlowResource flow;
  flow.id = "XyZ";
  flow.created = 100;
  const Flow bare = flowOf(flow).value();  // a status of null: a draft
  EXPECT_EQ(bare.name, "");
  EXPECT_EQ(bare.status, FlowStatus::draft);
  EXPECT_EQ(bare.trigger, "Unconfigured");
  EXPECT_EQ(bare.updatedAt, 100);
  flow.status = "manual";
  flow.triggerType = "Price Drop";
  flow.updated = 200;
  EXPECT_EQ(flowOf(flow).value().status, FlowStatus::manual);
  EXPECT_EQ(flowOf(flow).value().trigger, "Price Drop");
  EXPECT_EQ(flowOf(flow).value().updatedAt, 200);
  // A status the dashboard does not know (the documents give no list) skips the flow, as an
  // unknown campaign status does: the rest of the page and the cursor go on.
  flow.status = "paused";
  EXPECT_FALSE(flowOf(flow).has_value());

  klaviyo::FormResource form{"f1", "Popup", "live", false, 10, 20};
  EXPECT_EQ(formOf(form).value().status, FormStatus::live);
  EXPECT_EQ(formOf(form).value().updatedAt, 20);
  form.status = "archived";
  EXPECT_FALSE(formOf(form));

  klaviyo::SegmentResource segment;
  segment.id = "s1";
  segment.isActive = false;
  segment.created = 5;
  EXPECT_EQ(segmentOf(segment).status, SegmentStatus::archived);
  EXPECT_EQ(segmentOf(segment).updatedAt, 5);
  EXPECT_EQ(segmentOf(segment).name, "");
}

ValuesResult row(const char* idName, const char* id, klaviyo::Statistics statistics) {
  return {{{idName, id}}, std::move(statistics)};
}

TEST(KlaviyoMapping, CampaignStatisticsSumTheirMessagesAndRecomputeRatesOverSeveral) {
  const std::vector<ValuesResult> results{
      row("campaign_id", "c1", {{"recipients", 1000}, {"delivered", 1000}, {"opens_unique", 250}, {"open_rate", 0.25},
                                {"clicks_unique", 40}, {"click_rate", 0.04}, {"conversion_value", 120.5}}),
      row("campaign_id", "c2", {{"recipients", 600}, {"delivered", 500}, {"opens_unique", 100}, {"clicks_unique", 10},
                                {"conversion_value", 10.25}}),
      row("campaign_id", "c2", {{"recipients", 400}, {"delivered", 300}, {"opens_unique", 60}, {"clicks_unique", 6},
                                {"conversion_value", 0.5}})};
  const auto rows = statisticsOf(Entity::campaigns, results);
  ASSERT_TRUE(rows) << rows.error();
  const auto& campaigns = std::get<std::vector<Campaign>>(rows.value());
  ASSERT_EQ(campaigns.size(), 2u);
  EXPECT_EQ(campaigns[0].id, "c1");
  EXPECT_EQ(campaigns[0].opens, 250);
  EXPECT_DOUBLE_EQ(campaigns[0].openRate, 0.25);  // one message: Klaviyo's own rate
  EXPECT_DOUBLE_EQ(campaigns[0].revenue, 120.5);
  EXPECT_EQ(campaigns[1].recipients, 1000);
  EXPECT_EQ(campaigns[1].opens, 160);
  EXPECT_EQ(campaigns[1].clicks, 16);
  EXPECT_DOUBLE_EQ(campaigns[1].revenue, 10.75);
  EXPECT_DOUBLE_EQ(campaigns[1].openRate, 0.2);  // 160 of 800 delivered
  EXPECT_DOUBLE_EQ(campaigns[1].clickRate, 0.02);

  const auto missing = statisticsOf(Entity::campaigns, {row("flow_id", "f1", {})});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("campaign_id"), std::string::npos);
  EXPECT_FALSE(statisticsOf(Entity::metrics, {}));
}

TEST(KlaviyoMapping, FlowFormAndSegmentStatistics) {
  const auto flows = statisticsOf(Entity::flows, {row("flow_id", "f1", {{"recipients", 300}, {"conversion_value", 99.999},
                                                                         {"conversion_uniques", 3}, {"conversion_rate", 0.01}})});
  const Flow& flow = std::get<std::vector<Flow>>(flows.value()).at(0);
  EXPECT_EQ(flow.recipients, 300);
  EXPECT_DOUBLE_EQ(flow.revenue, 100.0);
  EXPECT_DOUBLE_EQ(flow.conversionRate, 0.01);

  const auto forms = statisticsOf(Entity::forms, {row("form_id", "x", {{"viewed_form", 1000}, {"submits", 25}, {"submit_rate", 0.025}})});
  const Form& form = std::get<std::vector<Form>>(forms.value()).at(0);
  EXPECT_EQ(form.views, 1000);
  EXPECT_EQ(form.submissions, 25);
  EXPECT_DOUBLE_EQ(form.submitRate, 0.025);

  const auto segments = statisticsOf(Entity::segments, {row("segment_id", "s", {{"total_members", 1200}, {"net_members_changed", 200}}),
                                                        row("segment_id", "t", {{"total_members", 0}})});
  const auto& list = std::get<std::vector<Segment>>(segments.value());
  EXPECT_EQ(list.at(0).members, 1200);
  EXPECT_DOUBLE_EQ(list.at(0).growth, 0.2);  // 200 more than the 1000 before
  EXPECT_DOUBLE_EQ(list.at(1).growth, 0.0);
}

klaviyo::MetricResource metric(std::string id, std::string name, std::string integration) {
  klaviyo::MetricResource resource;
  resource.id = std::move(id);
  resource.name = std::move(name);
  resource.integrationName = std::move(integration);
  return resource;
}

TEST(KlaviyoMapping, TheOverviewsMetricsAreFoundByNameOrSetAndAmbiguityIsAnErrorNamingTheCandidates) {
  std::vector<klaviyo::MetricResource> metrics{metric("R1", "Received Email", "Klaviyo"), metric("O1", "Opened Email", "Klaviyo"),
                                               metric("O2", "Opened Email", "Gmail import"), metric("C1", "Clicked Email", "Klaviyo"),
                                               metric("P1", "Placed Order", "Shopify")};
  const auto found = findOverviewMetrics(metrics, {});
  ASSERT_TRUE(found) << found.error();
  EXPECT_EQ(found.value().sends, "R1");
  EXPECT_EQ(found.value().opens, "O1");  // Klaviyo's own among two
  EXPECT_EQ(found.value().revenue, "P1");

  metrics.push_back(metric("P2", "Placed Order", "WooCommerce"));
  const auto ambiguous = findOverviewMetrics(metrics, {});
  ASSERT_FALSE(ambiguous);
  EXPECT_NE(ambiguous.error().find("P1, P2"), std::string::npos) << ambiguous.error();
  EXPECT_NE(ambiguous.error().find("--klaviyo-metric-revenue"), std::string::npos);
  ConfiguredMetricIds configured;
  configured.revenue = "P2";
  EXPECT_EQ(findOverviewMetrics(metrics, configured).value().revenue, "P2");

  const auto none = findOverviewMetrics({metric("R1", "Received Email", "Klaviyo")}, {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("no metric named 'Opened Email'"), std::string::npos) << none.error();
}

TEST(KlaviyoMapping, DailyMetricsTakeOneDayPerDateAndRefuseAggregatesOverDifferentDates) {
  klaviyo::MetricAggregate counts{{1'790'000'000 / 86400 * 86400, 1'790'000'000 / 86400 * 86400 + 86400}, {{"count", {10, 20}}}};
  klaviyo::MetricAggregate revenue{counts.dates, {{"sum_value", {1.005, 2.5}}}};
  const auto days = dailyMetricsOf({counts, counts, counts, revenue});
  ASSERT_TRUE(days) << days.error();
  ASSERT_EQ(days.value().size(), 2u);
  EXPECT_EQ(days.value()[1].day, counts.dates[1] / 86400);
  EXPECT_EQ(days.value()[1].sends, 20);
  EXPECT_DOUBLE_EQ(days.value()[1].revenue, 2.5);
  EXPECT_EQ(days.value()[0].updatedAt, counts.dates[0] + 86399);  // its last second: a re-read changes nothing
  klaviyo::MetricAggregate shifted = counts;
  shifted.dates[0] -= 86400;
  EXPECT_FALSE(dailyMetricsOf({counts, shifted, counts, revenue}));
}

}  // namespace
}  // namespace livedata::server
