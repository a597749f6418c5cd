// The simulated upstream's reports over loopback: values reports and metric aggregates asked
// as Klaviyo documents them, answered from the account's records.
#include <httplib.h>

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "klaviyo/iso_datetime.h"
#include "klaviyo/operations.h"
#include "simulated_upstream/klaviyo_collections.h"
#include "upstream_test_support.h"

namespace livedata::server {
namespace {

using namespace livedata::server::testing;
using Json = nlohmann::json;

constexpr const char* kApiKey = "pk_reports_test_0123456789";

class KlaviyoReports : public ::testing::Test {
 protected:
  void SetUp() override { start(false); }

  void start(bool documentedRateLimits) {
    server_.reset();
    if (!account_) account_ = makeAccount();
    server_ = startKlaviyoServer(*account_, kApiKey, documentedRateLimits);
    ASSERT_TRUE(server_);
  }

  httplib::Result post(const std::string& path, const std::string& body,
                       const std::string& contentType = "application/vnd.api+json") {
    httplib::Client client(server_->baseUrl());
    const httplib::Headers headers{{"Authorization", std::string("Klaviyo-API-Key ") + kApiKey},
                                   {"revision", std::string(klaviyo::kRevision)},
                                   {"Accept", "application/vnd.api+json"}};
    return client.Post(path.c_str(), headers, body, contentType.c_str());
  }

  std::string metricId(const std::string& name) const {
    for (const auto& metric : metricDefinitionsOf(*account_)) {
      if (metric.name == name) return metric.id;
    }
    ADD_FAILURE() << "no metric " << name;
    return "";
  }

  // The whole generated history: a custom timeframe of its last 366 days.
  static Json wholeHistory() {
    const UnixSeconds end = endOfData() + 1;
    return {{"start", klaviyo::formatDateTime(end - 366 * kSecondsPerDay)}, {"end", klaviyo::formatDateTime(end)}};
  }

  static Json request(const char* type, Json attributes) { return {{"data", {{"type", type}, {"attributes", std::move(attributes)}}}}; }

  std::unique_ptr<UpstreamAccount> account_;
  std::unique_ptr<UpstreamServer> server_;
};

template <typename Record>
std::map<std::string, Record> byId(const UpstreamAccount& account, Entity entity) {
  std::map<std::string, Record> records;
  for (const auto& record : recordsOf<Record>(account, entity)) records[record.id] = record;
  return records;
}

TEST_F(KlaviyoReports, CampaignValuesAreTheSentCampaignsStatisticsWithinTheTimeframe) {
  const auto result = post("/api/campaign-values-reports",
                           request("campaign-values-report", {{"statistics", {"recipients", "opens_unique", "open_rate", "conversion_value"}},
                                                              {"timeframe", wholeHistory()},
                                                              {"conversion_metric_id", metricId("Placed Order")},
                                                              {"filter", "equals(send_channel,\"email\")"}})
                               .dump());
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/vnd.api+json");
  const Json body = Json::parse(result->body);
  EXPECT_EQ(body.at("data").at("type"), "campaign-values-report");
  const auto campaigns = byId<Campaign>(*account_, Entity::campaigns);
  std::set<std::string> expected;
  for (const auto& [id, c] : campaigns) {
    if (c.status == CampaignStatus::sent || c.status == CampaignStatus::sending) expected.insert(id);
  }
  std::set<std::string> seen;
  for (const auto& row : body.at("data").at("attributes").at("results")) {
    const std::string id = row.at("groupings").at("campaign_id");
    seen.insert(id);
    EXPECT_EQ(row.at("groupings").at("send_channel"), "email");
    EXPECT_TRUE(row.at("groupings").contains("campaign_message_id"));
    const Campaign& c = campaigns.at(id);
    EXPECT_EQ(row.at("statistics").size(), 4u);
    EXPECT_EQ(row.at("statistics").at("recipients"), c.recipients);
    EXPECT_EQ(row.at("statistics").at("opens_unique"), c.opens);
    EXPECT_DOUBLE_EQ(row.at("statistics").at("open_rate").get<double>(), c.openRate);
    EXPECT_DOUBLE_EQ(row.at("statistics").at("conversion_value").get<double>(), c.revenue);
  }
  EXPECT_FALSE(seen.empty());
  EXPECT_EQ(seen, expected);

  // Another channel: nothing; a campaign id filter: that campaign only.
  const auto sms = post("/api/campaign-values-reports",
                        request("campaign-values-report", {{"statistics", {"recipients"}}, {"timeframe", wholeHistory()},
                                                           {"conversion_metric_id", metricId("Placed Order")},
                                                           {"filter", "equals(send_channel,'sms')"}})
                            .dump());
  ASSERT_TRUE(sms);
  EXPECT_TRUE(Json::parse(sms->body).at("data").at("attributes").at("results").empty());
  const std::string one = *expected.begin();
  const auto single = post("/api/campaign-values-reports",
                           request("campaign-values-report", {{"statistics", {"recipients"}}, {"timeframe", wholeHistory()},
                                                              {"conversion_metric_id", metricId("Placed Order")},
                                                              {"filter", "any(campaign_id,['" + one + "'])"}})
                               .dump());
  ASSERT_TRUE(single);
  const auto rows = Json::parse(single->body).at("data").at("attributes").at("results");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("groupings").at("campaign_id"), one);
}

TEST_F(KlaviyoReports, FlowFormAndSegmentValuesCarryTheirRecordsFigures) {
  const auto flows = post("/api/flow-values-reports",
                          request("flow-values-report", {{"statistics", {"recipients", "conversion_value", "conversion_rate"}},
                                                         {"timeframe", {{"key", "last_365_days"}}},
                                                         {"conversion_metric_id", metricId("Placed Order")}})
                              .dump());
  ASSERT_TRUE(flows);
  ASSERT_EQ(flows->status, 200) << flows->body;
  const auto flowRecords = byId<Flow>(*account_, Entity::flows);
  const auto flowRows = Json::parse(flows->body).at("data").at("attributes").at("results");
  EXPECT_EQ(flowRows.size(), flowRecords.size());
  for (const auto& row : flowRows) {
    const Flow& f = flowRecords.at(row.at("groupings").at("flow_id"));
    EXPECT_EQ(row.at("statistics").at("recipients"), f.recipients);
    EXPECT_DOUBLE_EQ(row.at("statistics").at("conversion_rate").get<double>(), f.conversionRate);
  }

  const auto forms = post("/api/form-values-reports",
                          request("form-values-report", {{"statistics", {"viewed_form", "submits", "submit_rate"}},
                                                         {"timeframe", {{"key", "last_30_days"}}}})
                              .dump());
  ASSERT_TRUE(forms);
  ASSERT_EQ(forms->status, 200) << forms->body;
  const auto formRecords = byId<Form>(*account_, Entity::forms);
  const Json formDocument = Json::parse(forms->body);  // held: a loop over a part of a temporary would dangle
  for (const auto& row : formDocument.at("data").at("attributes").at("results")) {
    const Form& f = formRecords.at(row.at("groupings").at("form_id"));
    EXPECT_EQ(row.at("statistics").at("viewed_form"), f.views);
    EXPECT_EQ(row.at("statistics").at("submits"), f.submissions);
  }

  const auto segments = post("/api/segment-values-reports",
                             request("segment-values-report", {{"statistics", {"total_members", "net_members_changed"}},
                                                               {"timeframe", {{"key", "last_30_days"}}}})
                                 .dump());
  ASSERT_TRUE(segments);
  ASSERT_EQ(segments->status, 200) << segments->body;
  const auto segmentRecords = byId<Segment>(*account_, Entity::segments);
  const auto segmentRows = Json::parse(segments->body).at("data").at("attributes").at("results");
  EXPECT_EQ(segmentRows.size(), segmentRecords.size());
  for (const auto& row : segmentRows) {
    EXPECT_EQ(row.at("statistics").at("total_members"), segmentRecords.at(row.at("groupings").at("segment_id")).members);
  }
}

// Klaviyo reads a values report's start and end as wall times in the account's time zone.
TEST_F(KlaviyoReports, AValuesReportsTimeframeIsReadInTheAccountsTimeZone) {
  UpstreamAccountOptions options;
  options.seed = 7;  // makeAccount's: the same records as the fixture's account
  options.utcOffsetSeconds = 3 * 3600;
  auto created = UpstreamAccount::create(options);
  ASSERT_TRUE(created) << created.error();
  std::unique_ptr<UpstreamAccount> east = std::move(created.value());
  std::unique_ptr<UpstreamServer> eastServer = startKlaviyoServer(*east, kApiKey, false);
  ASSERT_TRUE(eastServer);

  const auto campaigns = recordsOf<Campaign>(*account_, Entity::campaigns);
  const auto sent = std::find_if(campaigns.begin(), campaigns.end(), [](const Campaign& c) { return c.status == CampaignStatus::sent; });
  ASSERT_NE(sent, campaigns.end());
  // The ids of the campaigns a report over the hour up to `sent`'s send time gives, its times
  // written `shift` later and with `offset` ("+00:00" as the sync writes them).
  const auto reported = [&](UpstreamServer& server, UnixSeconds shift, const char* offset = "+00:00") {
    const auto written = [&](UnixSeconds at) {
      std::string text = klaviyo::formatDateTime(at);
      return text.replace(text.size() - 6, 6, offset);
    };
    const Json timeframe = {{"start", written(sent->sendTime - 3600 + shift)}, {"end", written(sent->sendTime + 1 + shift)}};
    httplib::Client client(server.baseUrl());
    const auto result = client.Post(
        "/api/campaign-values-reports",
        {{"Authorization", std::string("Klaviyo-API-Key ") + kApiKey}, {"revision", std::string(klaviyo::kRevision)}},
        request("campaign-values-report", {{"statistics", {"recipients"}}, {"timeframe", timeframe},
                                           {"conversion_metric_id", metricId("Placed Order")}})
            .dump(),
        "application/vnd.api+json");
    std::set<std::string> ids;
    if (!result || result->status != 200) {
      ADD_FAILURE() << (result ? result->body : "no answer");
      return ids;
    }
    const Json body = Json::parse(result->body);
    for (const auto& row : body.at("data").at("attributes").at("results")) ids.insert(row.at("groupings").at("campaign_id"));
    return ids;
  };
  const std::set<std::string> inUtc = reported(*server_, 0);
  EXPECT_EQ(inUtc.count(sent->id), 1u);
  EXPECT_EQ(reported(*eastServer, 3 * 3600), inUtc);  // the same hour, in the account's wall time
  EXPECT_EQ(reported(*eastServer, 0).count(sent->id), 0u);  // that hour in UTC+3 is three hours earlier
  // The offset written in the times is ignored, as Klaviyo does: the wall time counts.
  EXPECT_EQ(reported(*eastServer, 3 * 3600, "-07:00"), inUtc);

  options.utcOffsetSeconds = 15 * 3600;
  const auto refused = UpstreamAccount::create(options);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("utcOffsetSeconds"), std::string::npos) << refused.error();
}

TEST_F(KlaviyoReports, MetricAggregatesAreTheAccountsDailyFigures) {
  const auto daily = recordsOf<DailyMetrics>(*account_, Entity::metrics);
  ASSERT_GE(daily.size(), 10u);
  const DailyMetrics& first = daily[daily.size() - 10];
  const UnixSeconds from = first.day * kSecondsPerDay;
  const Json filter = {"greater-or-equal(datetime," + klaviyo::formatFilterDateTime(from).substr(0, 19) + ")",
                       "less-than(datetime," + klaviyo::formatFilterDateTime(from + 7 * kSecondsPerDay) + ")"};
  const auto sends = post("/api/metric-aggregates",
                          request("metric-aggregate", {{"metric_id", metricId("Received Email")}, {"measurements", {"count"}},
                                                       {"interval", "day"}, {"filter", filter}, {"timezone", "UTC"}})
                              .dump());
  ASSERT_TRUE(sends);
  ASSERT_EQ(sends->status, 200) << sends->body;
  const Json attributes = Json::parse(sends->body).at("data").at("attributes");
  ASSERT_EQ(attributes.at("dates").size(), 7u);
  EXPECT_EQ(attributes.at("dates").at(0), klaviyo::formatDateTime(from));
  const Json counts = attributes.at("data").at(0).at("measurements").at("count");
  for (int i = 0; i < 7; ++i) EXPECT_EQ(counts.at(i), daily[daily.size() - 10 + i].sends) << i;

  const auto revenue = post("/api/metric-aggregates",
                            request("metric-aggregate", {{"metric_id", metricId("Placed Order")}, {"measurements", {"sum_value"}}, {"filter", filter}})
                                .dump());
  ASSERT_TRUE(revenue);
  ASSERT_EQ(revenue->status, 200) << revenue->body;
  EXPECT_DOUBLE_EQ(Json::parse(revenue->body).at("data").at("attributes").at("data").at(0).at("measurements").at("sum_value").at(0).get<double>(),
                   first.revenue);
}

TEST_F(KlaviyoReports, BodiesKlaviyoRefusesGetAnErrorPointingIntoThem) {
  const std::string placedOrder = metricId("Placed Order");
  const Json good = request("campaign-values-report", {{"statistics", {"opens"}}, {"timeframe", {{"key", "last_30_days"}}},
                                                       {"conversion_metric_id", placedOrder}});
  const auto without = [&](const char* name) {
    Json body = good;
    body["data"]["attributes"].erase(name);
    return body.dump();
  };
  const auto with = [&](const char* name, Json value) {
    Json body = good;
    body["data"]["attributes"][name] = std::move(value);
    return body.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases{
      {"not json", ""},
      {R"({"data": {"type": "flow-values-report", "attributes": {}}})", "/data/type"},
      {without("conversion_metric_id"), "/data/attributes/conversion_metric_id"},
      {with("conversion_metric_id", "nope"), "/data/attributes/conversion_metric_id"},
      {without("statistics"), "/data/attributes/statistics"},
      {with("statistics", Json{"opens", "colour"}), "/data/attributes/statistics"},
      {without("timeframe"), "/data/attributes/timeframe"},
      {with("timeframe", Json{{"key", "forever"}}), "/data/attributes/timeframe/key"},
      {with("timeframe", Json{{"start", "2024-01-01T00:00:00Z"}, {"end", "2026-01-01T00:00:00Z"}}), "/data/attributes/timeframe"},
      {with("group_by", Json{"send_channel"}), "/data/attributes/group_by"},
      {with("filter", "equals(tag_name,'x')"), "/data/attributes/filter"},
  };
  for (const auto& [body, pointer] : cases) {
    const auto result = post("/api/campaign-values-reports", body);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << body << " " << result->body;
    const Json error = Json::parse(result->body).at("errors").at(0);
    EXPECT_EQ(error.at("code"), "invalid");
    if (!pointer.empty()) {
      EXPECT_EQ(error.at("source").at("pointer"), pointer) << result->body;
    }
  }
  const auto wrongType = post("/api/campaign-values-reports", good.dump(), "text/plain");
  ASSERT_TRUE(wrongType);
  EXPECT_EQ(wrongType->status, 415);
  const auto noRange = post("/api/metric-aggregates",
                            request("metric-aggregate", {{"metric_id", placedOrder}, {"measurements", {"count"}}, {"filter", Json::array()}}).dump());
  ASSERT_TRUE(noRange);
  EXPECT_EQ(noRange->status, 400);
}

TEST_F(KlaviyoReports, TheReportsDocumentedLimitsAnswer429) {
  start(true);
  const Json body = request("segment-values-report", {{"statistics", {"total_members"}}, {"timeframe", {{"key", "last_30_days"}}}});
  // 1 a second and 2 a minute: of three calls in a row, the third (at the latest) is refused.
  int refused = 0;
  for (int i = 0; i < 3; ++i) {
    const auto result = post("/api/segment-values-reports", body.dump());
    ASSERT_TRUE(result);
    if (result->status == 200) continue;
    ASSERT_EQ(result->status, 429) << result->body;
    ++refused;
    const int retryAfter = std::stoi(result->get_header_value("Retry-After"));
    EXPECT_GE(retryAfter, 1);
    EXPECT_LE(retryAfter, 60);
  }
  EXPECT_GE(refused, 1);
}

}  // namespace
}  // namespace livedata::server
