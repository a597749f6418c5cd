// The bodies of Klaviyo's reporting operations as the sync speaks them: the requests it sends
// (query_<kind>_values.json, query_metric_aggregates.json, `data.attributes`) and the answers
// it reads (Post<Kind>ValuesResponseDTO, PostMetricAggregateResponse). The simulated upstream
// reads the same requests with its own checks (simulated_upstream/klaviyo_reports.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klaviyo/operations.h"
#include "livedata/expected.h"
#include "model/civil_time.h"

namespace livedata::server::klaviyo {

// A CustomTimeframe: [start, end), at most a year long (the documents' limit). Klaviyo reads a
// values report's start and end as wall times in the account's time zone ("Offset is ignored
// and the company timezone is used"); a metric aggregate's filter is read in its `timezone`,
// UTC as the sync sends it.
struct Timeframe {
  UnixSeconds start = 0;
  UnixSeconds end = 0;
};

struct ValuesReportRequest {
  Report report = Report::campaign_values;  // one of the four values reports
  std::vector<std::string> statistics;      // names from the report's enum: "recipients", ...
  Timeframe timeframe;
  std::optional<std::string> conversionMetricId;  // required by campaign and flow reports
  std::optional<std::string> filter;              // e.g. equals(send_channel,"email")
};

std::string renderValuesReportRequest(const ValuesReportRequest& request);

// One measurement per day of a metric: `interval` day in UTC, no dimensions.
struct MetricAggregateRequest {
  std::string metricId;
  std::vector<std::string> measurements;  // "count", "sum_value", "unique"
  Timeframe timeframe;                    // sent as the datetime filter
};

std::string renderMetricAggregateRequest(const MetricAggregateRequest& request);

using Groupings = std::map<std::string, std::string, std::less<>>;
using Statistics = std::map<std::string, double, std::less<>>;

// One row of a values report: the ids it is grouped by, and the statistics asked for. A
// statistic Klaviyo gives as null (a rate of nothing sent) is left out.
struct ValuesResult {
  Groupings groupings;
  Statistics statistics;
};

// Refuses, naming the first fault: not JSON, no `data` object of the report's type, no
// `attributes.results` list, a grouping that is not a string, a statistic that is not a
// number or null, or one beyond what a 64-bit count holds.
Expected<std::vector<ValuesResult>, std::string> parseValuesReport(std::string_view body, Report report);

// The days of a metric aggregate, each with its measurements summed over the dimensions.
struct MetricAggregate {
  std::vector<UnixSeconds> dates;                                  // each day's start
  std::map<std::string, std::vector<double>, std::less<>> values;  // per measurement, one per date
};

// Refuses as parseValuesReport does, and a measurement whose list is not as long as `dates`.
Expected<MetricAggregate, std::string> parseMetricAggregate(std::string_view body);

}  // namespace livedata::server::klaviyo
