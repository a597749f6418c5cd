// The report bodies the sync sends and the answers it reads.
#include "klaviyo/report_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace livedata::server::klaviyo {
namespace {

using Json = nlohmann::json;

TEST(ReportJson, RendersValuesReportAndAggregateRequestsAsTheDocumentsDescribeThem) {
  ValuesReportRequest request;
  request.report = Report::campaign_values;
  request.statistics = {"recipients", "open_rate"};
  request.timeframe = {1'764'892'800, 1'796'428'800};
  request.conversionMetricId = "WaRYfF";
  request.filter = "equals(send_channel,\"email\")";
  EXPECT_EQ(Json::parse(renderValuesReportRequest(request)),
            Json::parse(R"J({"data":{"type":"campaign-values-report","attributes":{
              "statistics":["recipients","open_rate"],
              "timeframe":{"start":"2025-12-05T00:00:00+00:00","end":"2026-12-05T00:00:00+00:00"},
              "conversion_metric_id":"WaRYfF","filter":"equals(send_channel,\"email\")"}}})J"));
  request.report = Report::segment_values;
  request.conversionMetricId.reset();
  request.filter.reset();
  EXPECT_FALSE(Json::parse(renderValuesReportRequest(request))["data"]["attributes"].contains("conversion_metric_id"));
  EXPECT_EQ(Json::parse(renderValuesReportRequest(request))["data"]["type"], "segment-values-report");

  EXPECT_EQ(Json::parse(renderMetricAggregateRequest({"abc", {"count"}, {1'796'342'400, 1'796'428'800}})),
            Json::parse(R"J({"data":{"type":"metric-aggregate","attributes":{"metric_id":"abc","measurements":["count"],
              "interval":"day","timezone":"UTC",
              "filter":["greater-or-equal(datetime,2026-12-04T00:00:00Z)","less-than(datetime,2026-12-05T00:00:00Z)"]}}})J"));
}

TEST(ReportJson, ParsesValuesReportsAndNamesTheFirstFault) {
  const auto rows = parseValuesReport(
      R"J({"data":{"type":"form-values-report","attributes":{"results":[
          {"groupings":{"form_id":"f1"},"statistics":{"viewed_form":10,"submit_rate":null}}]}}})J",
      Report::form_values);
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows.value().size(), 1u);
  EXPECT_EQ(rows.value()[0].groupings.at("form_id"), "f1");
  EXPECT_EQ(rows.value()[0].statistics.at("viewed_form"), 10);
  EXPECT_EQ(rows.value()[0].statistics.count("submit_rate"), 0u);  // null: left out

  const std::pair<const char*, const char*> faults[] = {
      {"nope", "not JSON"},
      {R"J({"data":{"type":"flow-values-report","attributes":{"results":[]}}})J", "data.type is not 'form-values-report'"},
      {R"J({"data":{"type":"form-values-report","attributes":{}}})J", "no data.attributes.results list"},
      {R"J({"data":{"type":"form-values-report","attributes":{"results":[{"groupings":{"form_id":7},"statistics":{}}]}}})J",
       "results[0].groupings.form_id is not a string"},
      {R"J({"data":{"type":"form-values-report","attributes":{"results":[{"groupings":{},"statistics":{"submits":"9"}}]}}})J",
       "results[0].statistics.submits is not a number"},
      {R"J({"data":{"type":"form-values-report","attributes":{"results":[{"groupings":{},"statistics":{"submits":1e20}}]}}})J",
       "results[0].statistics.submits is not a number in range"},
  };
  for (const auto& [body, says] : faults) {
    const auto parsed = parseValuesReport(body, Report::form_values);
    ASSERT_FALSE(parsed) << body;
    EXPECT_NE(parsed.error().find(says), std::string::npos) << body << " -> " << parsed.error();
  }
}

TEST(ReportJson, ParsesMetricAggregatesSummingDimensionsAndChecksTheirLengths) {
  const auto aggregate = parseMetricAggregate(
      R"J({"data":{"type":"metric-aggregate","id":"x","attributes":{"dates":["2026-12-04T00:00:00+00:00","2026-12-05T00:00:00Z"],
          "data":[{"dimensions":["a"],"measurements":{"count":[1,2]}},{"dimensions":["b"],"measurements":{"count":[10,null]}}]}}})J");
  ASSERT_TRUE(aggregate) << aggregate.error();
  EXPECT_EQ(aggregate.value().dates, (std::vector<UnixSeconds>{1'796'342'400, 1'796'428'800}));
  EXPECT_EQ(aggregate.value().values.at("count"), (std::vector<double>{11, 2}));
  const auto uneven = parseMetricAggregate(
      R"J({"data":{"type":"metric-aggregate","attributes":{"dates":["2026-12-05T00:00:00Z"],"data":[{"measurements":{"count":[1,2]}}]}}})J");
  ASSERT_FALSE(uneven);
  EXPECT_NE(uneven.error().find("one value per date"), std::string::npos) << uneven.error();
  EXPECT_FALSE(parseMetricAggregate(R"J({"data":{"type":"metric-aggregate","attributes":{"dates":["yesterday"],"data":[]}}})J"));
  EXPECT_FALSE(parseMetricAggregate(
      R"J({"data":{"type":"metric-aggregate","attributes":{"dates":["2026-12-05T00:00:00Z"],"data":[{"measurements":{"count":[-1e300]}}]}}})J"));
}

}  // namespace
}  // namespace livedata::server::klaviyo
