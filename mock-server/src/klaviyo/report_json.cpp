#include "klaviyo/report_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "klaviyo/iso_datetime.h"

namespace livedata::server::klaviyo {
namespace {

using Json = nlohmann::ordered_json;

std::string document(std::string_view type, Json attributes) {
  return Json{{"data", {{"type", type}, {"attributes", std::move(attributes)}}}}.dump();
}

// data.attributes of a report answer of `type`, or the fault. (Errors go through unexpected():
// a Json is constructible from a string.)
Expected<Json, std::string> attributesOf(std::string_view body, std::string_view type) {
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return unexpected(std::string("the body is not JSON"));
  if (!parsed.is_object()) return unexpected(std::string("the body is not a JSON object"));
  const auto data = parsed.find("data");
  if (data == parsed.end() || !data->is_object()) return unexpected(std::string("no data object"));
  const auto given = data->find("type");
  if (given == data->end() || !given->is_string() || given->get<std::string>() != type) {
    return unexpected("data.type is not '" + std::string(type) + "'");
  }
  const auto attributes = data->find("attributes");
  if (attributes == data->end() || !attributes->is_object()) return unexpected(std::string("no data.attributes object"));
  return std::move(*attributes);
}

// A statistic the records can hold: finite, and within the 64-bit counts they are kept in.
bool inRange(double value) { return std::isfinite(value) && std::abs(value) < 9.0e18; }

}  // namespace

std::string renderValuesReportRequest(const ValuesReportRequest& request) {
  Json attributes{{"statistics", request.statistics},
                  {"timeframe", {{"start", formatDateTime(request.timeframe.start)}, {"end", formatDateTime(request.timeframe.end)}}}};
  if (request.conversionMetricId) attributes["conversion_metric_id"] = *request.conversionMetricId;
  if (request.filter) attributes["filter"] = *request.filter;
  return document(operationOf(request.report).resourceType, std::move(attributes));
}

std::string renderMetricAggregateRequest(const MetricAggregateRequest& request) {
  Json attributes{{"metric_id", request.metricId},
                  {"measurements", request.measurements},
                  {"interval", "day"},
                  {"timezone", "UTC"},
                  {"filter", Json::array({"greater-or-equal(datetime," + formatFilterDateTime(request.timeframe.start) + ")",
                                          "less-than(datetime," + formatFilterDateTime(request.timeframe.end) + ")"})}};
  return document(operationOf(Report::metric_aggregates).resourceType, std::move(attributes));
}

Expected<std::vector<ValuesResult>, std::string> parseValuesReport(std::string_view body, Report report) {
  auto attributes = attributesOf(body, operationOf(report).resourceType);
  if (!attributes) return attributes.error();
  const auto results = attributes.value().find("results");
  if (results == attributes.value().end() || !results->is_array()) return std::string("no data.attributes.results list");
  std::vector<ValuesResult> rows;
  rows.reserve(results->size());
  for (std::size_t i = 0; i < results->size(); ++i) {
    const Json& result = (*results)[i];
    const std::string where = "results[" + std::to_string(i) + "]";
    const auto groupings = result.is_object() ? result.find("groupings") : result.end();
    const auto statistics = result.is_object() ? result.find("statistics") : result.end();
    if (!result.is_object() || groupings == result.end() || !groupings->is_object() || statistics == result.end() ||
        !statistics->is_object()) {
      return where + " is not an object with groupings and statistics objects";
    }
    ValuesResult row;
    for (const auto& [name, value] : groupings->items()) {
      if (!value.is_string()) return where + ".groupings." + name + " is not a string";
      row.groupings.emplace(name, value.get<std::string>());
    }
    for (const auto& [name, value] : statistics->items()) {
      if (value.is_null()) continue;
      if (!value.is_number() || !inRange(value.get<double>())) return where + ".statistics." + name + " is not a number in range";
      row.statistics.emplace(name, value.get<double>());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Expected<MetricAggregate, std::string> parseMetricAggregate(std::string_view body) {
  auto attributes = attributesOf(body, operationOf(Report::metric_aggregates).resourceType);
  if (!attributes) return attributes.error();
  const Json& found = attributes.value();
  const auto dates = found.find("dates");
  const auto data = found.find("data");
  if (dates == found.end() || !dates->is_array()) return std::string("no data.attributes.dates list");
  if (data == found.end() || !data->is_array()) return std::string("no data.attributes.data list");
  MetricAggregate aggregate;
  for (const auto& date : *dates) {
    const auto time = date.is_string() ? parseDateTime(date.get<std::string>()) : std::nullopt;
    if (!time) return std::string("a date of data.attributes.dates is not an RFC 3339 date-time");
    aggregate.dates.push_back(*time);
  }
  for (std::size_t i = 0; i < data->size(); ++i) {
    const Json& entry = (*data)[i];
    const std::string where = "data[" + std::to_string(i) + "]";
    const auto measurements = entry.is_object() ? entry.find("measurements") : entry.end();
    if (!entry.is_object() || measurements == entry.end() || !measurements->is_object()) {
      return where + " has no measurements object";
    }
    for (const auto& [name, series] : measurements->items()) {
      if (!series.is_array() || series.size() != aggregate.dates.size()) {
        return where + ".measurements." + name + " is not a list with one value per date";
      }
      auto& sums = aggregate.values[name];
      sums.resize(aggregate.dates.size(), 0.0);
      for (std::size_t d = 0; d < series.size(); ++d) {
        if (series[d].is_null()) continue;
        if (!series[d].is_number() || !inRange(series[d].get<double>())) {
          return where + ".measurements." + name + " holds a value that is not a number in range";
        }
        sums[d] += series[d].get<double>();
      }
    }
  }
  return aggregate;
}

}  // namespace livedata::server::klaviyo
