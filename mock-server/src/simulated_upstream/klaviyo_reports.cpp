#include "simulated_upstream/klaviyo_reports.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "klaviyo/filter_expression.h"
#include "klaviyo/iso_datetime.h"
#include "simulated_upstream/klaviyo_collections.h"  // metricDefinitionsOf
#include "simulated_upstream/stable_hash.h"

namespace livedata::server {
namespace {

using klaviyo::ErrorObject;
using klaviyo::Report;
using Json = nlohmann::ordered_json;
using Statistics = std::map<std::string, double, std::less<>>;

constexpr double kAverageOrderValue = 80;
constexpr UnixSeconds kMaxTimeframe = 366 * kSecondsPerDay;  // "Max length: 1 year"

ErrorObject bodyError(const std::string& pointer, std::string detail) { return klaviyo::invalidBody(pointer, std::move(detail)); }

// The statistics each kind of values report takes (the documents' enums).
const std::set<std::string, std::less<>>& statisticsOf(Report report) {
  static const std::set<std::string, std::less<>> kMessages{
      "average_order_value", "bounce_rate", "bounced", "bounced_or_failed", "bounced_or_failed_rate", "click_rate",
      "click_to_open_rate", "clicks", "clicks_unique", "conversion_rate", "conversion_uniques", "conversion_value",
      "conversions", "delivered", "delivery_rate", "failed", "failed_rate", "message_segment_count_sum", "open_rate",
      "opens", "opens_unique", "recipients", "revenue_per_recipient", "spam_complaint_rate", "spam_complaints",
      "text_message_credit_usage_amount", "text_message_roi", "text_message_spend", "unsubscribe_rate",
      "unsubscribe_uniques", "unsubscribes"};
  static const std::set<std::string, std::less<>> kForms{
      "closed_form", "closed_form_uniques", "qualified_form", "qualified_form_uniques", "submit_rate", "submits",
      "submitted_form_step", "submitted_form_step_uniques", "viewed_form", "viewed_form_step", "viewed_form_step_uniques",
      "viewed_form_uniques"};
  static const std::set<std::string, std::less<>> kSegments{"members_added", "members_removed", "net_members_changed",
                                                             "total_members"};
  switch (report) {
    case Report::campaign_values:
    case Report::flow_values: return kMessages;
    case Report::form_values: return kForms;
    default: return kSegments;
  }
}

// Per kind: the id field, the group-bys simulated, those required, the default grouping.
struct Grouping {
  std::string idField;                      // "campaign_id"
  std::set<std::string, std::less<>> simulated;
  std::vector<std::string> required;
  std::vector<std::string> byDefault;
};

const Grouping& groupingOf(Report report) {
  static const Grouping kCampaigns{"campaign_id",
                                   {"campaign_id", "campaign_message_id", "campaign_message_name", "send_channel"},
                                   {"campaign_id", "campaign_message_id"},
                                   {"campaign_id", "campaign_message_id", "send_channel"}};
  static const Grouping kFlows{"flow_id",
                               {"flow_id", "flow_message_id", "flow_message_name", "flow_name", "send_channel"},
                               {"flow_id", "flow_message_id"},
                               {"flow_id", "flow_message_id", "send_channel"}};
  static const Grouping kForms{"form_id", {"form_id"}, {}, {"form_id"}};
  static const Grouping kSegments{"segment_id", {"segment_id"}, {}, {"segment_id"}};
  switch (report) {
    case Report::campaign_values: return kCampaigns;
    case Report::flow_values: return kFlows;
    case Report::form_values: return kForms;
    default: return kSegments;
  }
}

// [from, to) of a timeframe.
struct Frame {
  UnixSeconds from = 0;
  UnixSeconds to = 0;
};

int yearOf(DayNumber day) { return std::stoi(formatIsoDate(day).substr(0, 4)); }
unsigned monthOf(DayNumber day) { return static_cast<unsigned>(std::stoi(formatIsoDate(day).substr(5, 2))); }

std::optional<Frame> relativeFrame(const std::string& key, UnixSeconds now) {
  const DayNumber today = dayOf(now);
  const auto days = [](DayNumber day) { return day * kSecondsPerDay; };
  const auto lastDays = [&](int n) { return Frame{days(today - n), days(today)}; };
  const int year = yearOf(today);
  const unsigned month = monthOf(today);
  const DayNumber monthStart = dayFromCivil(year, month, 1);
  const DayNumber previousMonthStart = month == 1 ? dayFromCivil(year - 1, 12, 1) : dayFromCivil(year, month - 1, 1);
  const DayNumber weekStart = today - ((today + 3) % 7 + 7) % 7;  // Monday (1970-01-01 was a Thursday)
  if (key == "today") return Frame{days(today), now + 1};
  if (key == "yesterday") return lastDays(1);
  if (key == "last_7_days") return lastDays(7);
  if (key == "last_30_days") return lastDays(30);
  if (key == "last_90_days" || key == "last_3_months") return lastDays(90);
  if (key == "last_365_days" || key == "last_12_months") return lastDays(365);
  if (key == "this_week") return Frame{days(weekStart), now + 1};
  if (key == "last_week") return Frame{days(weekStart - 7), days(weekStart)};
  if (key == "this_month") return Frame{days(monthStart), now + 1};
  if (key == "last_month") return Frame{days(previousMonthStart), days(monthStart)};
  if (key == "this_year") return Frame{days(dayFromCivil(year, 1, 1)), now + 1};
  if (key == "last_year") return Frame{days(dayFromCivil(year - 1, 1, 1)), days(dayFromCivil(year, 1, 1))};
  return std::nullopt;
}

// The timeframe as the account reads it: its keys' days and a custom start and end are wall
// times in the account's time zone, `utcOffset` seconds east of UTC.
Expected<Frame, ErrorObject> frameOf(const Json& attributes, UnixSeconds now, UnixSeconds utcOffset) {
  const std::string pointer = "/data/attributes/timeframe";
  const auto timeframe = attributes.find("timeframe");
  if (timeframe == attributes.end() || !timeframe->is_object()) {
    return bodyError(pointer, "timeframe is required: {\"key\": \"last_30_days\"} or {\"start\": ..., \"end\": ...}");
  }
  if (const auto key = timeframe->find("key"); key != timeframe->end()) {
    const auto frame = key->is_string() ? relativeFrame(key->get<std::string>(), now + utcOffset) : std::nullopt;
    if (!frame) return bodyError(pointer + "/key", "timeframe.key is not one of Klaviyo's keys (today, last_30_days, ...)");
    return Frame{frame->from - utcOffset, frame->to - utcOffset};
  }
  const auto read = [&](const char* name) -> std::optional<UnixSeconds> {
    const auto value = timeframe->find(name);
    // Klaviyo: "Offset is ignored and the company timezone is used".
    return value != timeframe->end() && value->is_string() ? klaviyo::parseWallClock(value->get<std::string>()) : std::nullopt;
  };
  const auto start = read("start"), end = read("end");
  if (!start || !end) return bodyError(pointer, "timeframe needs a key, or start and end as date-times");
  if (*end <= *start) return bodyError(pointer + "/end", "timeframe.end must be after timeframe.start");
  if (*end - *start > kMaxTimeframe) return bodyError(pointer, "a timeframe is at most one year long");
  return Frame{*start - utcOffset, *end - utcOffset};
}

double ratio(double part, double whole) { return whole > 0 ? std::round(part / whole * 10000) / 10000 : 0; }

Statistics campaignStatistics(const Campaign& c) {
  const double orders = std::round(c.revenue / kAverageOrderValue);
  const auto r = static_cast<double>(c.recipients);
  return {{"recipients", r},
          {"delivered", r},
          {"delivery_rate", r > 0 ? 1.0 : 0.0},
          {"opens", static_cast<double>(c.opens)},
          {"opens_unique", static_cast<double>(c.opens)},
          {"open_rate", c.openRate},
          {"clicks", static_cast<double>(c.clicks)},
          {"clicks_unique", static_cast<double>(c.clicks)},
          {"click_rate", c.clickRate},
          {"click_to_open_rate", ratio(static_cast<double>(c.clicks), static_cast<double>(c.opens))},
          {"conversion_value", c.revenue},
          {"conversions", orders},
          {"conversion_uniques", orders},
          {"conversion_rate", ratio(orders, r)},
          {"revenue_per_recipient", ratio(c.revenue, r)},
          {"average_order_value", orders > 0 ? std::round(c.revenue / orders * 100) / 100 : 0}};
}

Statistics flowStatistics(const Flow& f) {
  const auto r = static_cast<double>(f.recipients);
  const double conversions = std::round(r * f.conversionRate);
  return {{"recipients", r},
          {"delivered", r},
          {"delivery_rate", r > 0 ? 1.0 : 0.0},
          {"conversion_value", f.revenue},
          {"conversion_rate", f.conversionRate},
          {"conversions", conversions},
          {"conversion_uniques", conversions},
          {"revenue_per_recipient", ratio(f.revenue, r)},
          {"average_order_value", conversions > 0 ? std::round(f.revenue / conversions * 100) / 100 : 0}};
}

Statistics formStatistics(const Form& f) {
  return {{"viewed_form", static_cast<double>(f.views)},
          {"viewed_form_uniques", static_cast<double>(f.views)},
          {"submits", static_cast<double>(f.submissions)},
          {"submit_rate", f.submitRate}};
}

Statistics segmentStatistics(const Segment& s) {
  const double net = std::round(static_cast<double>(s.members) * s.growth / (1 + s.growth));
  return {{"total_members", static_cast<double>(s.members)},
          {"net_members_changed", net},
          {"members_added", std::max(net, 0.0)},
          {"members_removed", std::max(-net, 0.0)}};
}

// One result row: the ids and names the grouping asks for, and each statistic asked for.
struct Row {
  std::map<std::string, std::string, std::less<>> groupings;
  Statistics statistics;
};

Row rowOf(const Campaign& c) {
  return {{{"campaign_id", c.id}, {"campaign_message_id", c.id + "-m1"}, {"campaign_message_name", c.name}, {"send_channel", "email"}},
          campaignStatistics(c)};
}
Row rowOf(const Flow& f) {
  return {{{"flow_id", f.id}, {"flow_message_id", f.id + "-m1"}, {"flow_message_name", f.name + ": email 1"}, {"flow_name", f.name},
           {"send_channel", "email"}},
          flowStatistics(f)};
}
Row rowOf(const Form& f) { return {{{"form_id", f.id}}, formStatistics(f)}; }
Row rowOf(const Segment& s) { return {{{"segment_id", s.id}}, segmentStatistics(s)}; }

// The ids a values report's filter keeps (nullopt: all), or its refusal. Channels other than
// email keep none.
Expected<std::optional<std::set<std::string>>, ErrorObject> idsOfFilter(const Json& attributes, const Grouping& grouping) {
  const std::string pointer = "/data/attributes/filter";
  const auto filter = attributes.find("filter");
  if (filter == attributes.end() || filter->is_null()) return std::optional<std::set<std::string>>();
  if (!filter->is_string()) return bodyError(pointer, "filter is a string, e.g. equals(send_channel,\"email\")");
  const auto parsed = klaviyo::parseFilter(filter->get<std::string>());
  if (!parsed) return bodyError(pointer, "Invalid filter provided: " + parsed.error().message);
  std::optional<std::set<std::string>> ids;
  for (const auto& condition : parsed.value().conditions) {
    std::set<std::string> values;
    for (const auto& value : condition.values) {
      if (value.kind != klaviyo::FilterValue::Kind::string) return bodyError(pointer, condition.field + " is compared with strings");
      values.insert(value.text);
    }
    const bool equalsOrAny = condition.op == "equals" || condition.op == "any" || condition.op == "contains-any";
    if (condition.field == "send_channel" && equalsOrAny && grouping.simulated.count("send_channel")) {
      if (!values.count("email")) ids = std::set<std::string>();
    } else if (condition.field == grouping.idField && equalsOrAny) {
      if (values.size() > 100) return bodyError(pointer, "at most 100 values per filter");
      if (ids) {
        std::set<std::string> both;
        std::set_intersection(ids->begin(), ids->end(), values.begin(), values.end(), std::inserter(both, both.end()));
        ids = std::move(both);
      } else {
        ids = std::move(values);
      }
    } else {
      return bodyError(pointer, "the simulated upstream filters on " + grouping.idField +
                                    (grouping.simulated.count("send_channel") ? " and send_channel" : "") + " only");
    }
  }
  return ids;
}

Expected<std::vector<std::string>, ErrorObject> groupByOf(const Json& attributes, const Grouping& grouping, Report report) {
  const auto groupBy = attributes.find("group_by");
  if (groupBy == attributes.end() || groupBy->is_null()) return grouping.byDefault;
  const std::string pointer = "/data/attributes/group_by";
  if (!groupBy->is_array() || (report != Report::campaign_values && report != Report::flow_values && report != Report::form_values)) {
    return bodyError(pointer, report == Report::segment_values ? "segment values reports take no group_by" : "group_by is a list of names");
  }
  std::vector<std::string> names;
  for (const auto& name : *groupBy) {
    if (!name.is_string() || !grouping.simulated.count(name.get<std::string>())) {
      return bodyError(pointer, "the simulated upstream groups by " + [&] {
        std::string list;
        for (const auto& n : grouping.simulated) list += (list.empty() ? "" : ", ") + n;
        return list;
      }() + " only");
    }
    names.push_back(name.get<std::string>());
  }
  for (const auto& required : grouping.required) {
    if (std::find(names.begin(), names.end(), required) == names.end()) {
      return bodyError(pointer, "group_by must include " + required);
    }
  }
  return names;
}

// Ephemeral in Klaviyo; here stable per report and request body, so answers repeat.
std::string reportId(Report report, std::string_view body) {
  char id[17];
  std::snprintf(id, sizeof id, "%016llx",
                static_cast<unsigned long long>(stableHash(std::string(klaviyo::operationOf(report).path) + "|" + std::string(body))));
  return id;
}

Expected<std::string, ErrorObject> valuesReport(const UpstreamAccount& account, Report report, const Json& attributes,
                                                std::string_view body, UnixSeconds now, const std::string& origin) {
  const auto statistics = attributes.find("statistics");
  const std::string pointer = "/data/attributes/statistics";
  if (statistics == attributes.end() || !statistics->is_array() || statistics->empty()) {
    return bodyError(pointer, "statistics is a non-empty list, e.g. [\"opens\", \"open_rate\"]");
  }
  std::vector<std::string> asked;
  for (const auto& name : *statistics) {
    if (!name.is_string() || !statisticsOf(report).count(name.get<std::string>())) {
      return bodyError(pointer, "'" + (name.is_string() ? name.get<std::string>() : name.dump()) + "' is not a statistic of this report");
    }
    asked.push_back(name.get<std::string>());
  }
  auto frame = frameOf(attributes, now, account.options().utcOffsetSeconds);
  if (!frame) return frame.error();
  if (report == Report::campaign_values || report == Report::flow_values) {
    const auto metric = attributes.find("conversion_metric_id");
    if (metric == attributes.end() || !metric->is_string()) {
      return bodyError("/data/attributes/conversion_metric_id", "conversion_metric_id is required: the id of the metric conversions count");
    }
    const auto metrics = metricDefinitionsOf(account);
    if (std::none_of(metrics.begin(), metrics.end(), [&](const auto& m) { return m.id == metric->get<std::string>(); })) {
      return bodyError("/data/attributes/conversion_metric_id", "no metric has the id '" + metric->get<std::string>() + "'");
    }
  }
  const Grouping& grouping = groupingOf(report);
  auto groupBy = groupByOf(attributes, grouping, report);
  if (!groupBy) return groupBy.error();
  auto ids = idsOfFilter(attributes, grouping);
  if (!ids) return ids.error();

  Json results = Json::array();
  const auto add = [&](const auto& record) {
    if (ids.value() && !ids.value()->count(record.id)) return;
    const Row row = rowOf(record);
    Json groupings = Json::object();
    for (const auto& name : groupBy.value()) groupings[name] = row.groupings.at(name);
    Json values = Json::object();
    for (const auto& name : asked) {
      const auto found = row.statistics.find(name);
      values[name] = found == row.statistics.end() ? 0.0 : found->second;
    }
    results.push_back(Json{{"groupings", std::move(groupings)}, {"statistics", std::move(values)}});
  };
  std::visit(
      [&](const auto& records) {
        for (const auto& record : records) {
          using Record = std::decay_t<decltype(record)>;
          if constexpr (std::is_same_v<Record, Campaign>) {
            const bool sent = record.status == CampaignStatus::sent || record.status == CampaignStatus::sending;
            if (sent && record.sendTime >= frame.value().from && record.sendTime < frame.value().to) add(record);
          } else if constexpr (!std::is_same_v<Record, DailyMetrics>) {
            add(record);
          }
        }
      },
      account.snapshot(report == Report::campaign_values ? Entity::campaigns
                       : report == Report::flow_values   ? Entity::flows
                       : report == Report::form_values   ? Entity::forms
                                                         : Entity::segments));
  const std::string self = origin + std::string(klaviyo::operationOf(report).path);
  return Json{{"data",
               {{"type", klaviyo::operationOf(report).resourceType},
                {"id", reportId(report, body)},
                {"attributes", {{"results", std::move(results)}}},
                {"links", {{"self", self}}}}},
              {"links", {{"self", self}}}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

// What a day of the account's metrics says of one metric, per measurement.
double measure(const std::string& metricName, const std::string& measurement, const DailyMetrics& day) {
  const double orders = std::round(day.revenue / kAverageOrderValue);
  if (metricName == "Received Email") return measurement == "sum_value" ? 0 : static_cast<double>(day.sends);
  if (metricName == "Opened Email") return measurement == "sum_value" ? 0 : static_cast<double>(day.opens);
  if (metricName == "Clicked Email") return measurement == "sum_value" ? 0 : static_cast<double>(day.clicks);
  if (metricName == "Placed Order") return measurement == "sum_value" ? day.revenue : orders;
  return 0;
}

Expected<std::string, ErrorObject> metricAggregate(const UpstreamAccount& account, const Json& attributes, std::string_view body,
                                                   const std::string& origin) {
  const auto metricId = attributes.find("metric_id");
  if (metricId == attributes.end() || !metricId->is_string()) return bodyError("/data/attributes/metric_id", "metric_id is required");
  const auto metrics = metricDefinitionsOf(account);
  const auto metric = std::find_if(metrics.begin(), metrics.end(), [&](const auto& m) { return m.id == metricId->get<std::string>(); });
  if (metric == metrics.end()) return bodyError("/data/attributes/metric_id", "no metric has the id '" + metricId->get<std::string>() + "'");

  const auto measurements = attributes.find("measurements");
  std::vector<std::string> asked;
  if (measurements == attributes.end() || !measurements->is_array() || measurements->empty()) {
    return bodyError("/data/attributes/measurements", "measurements is a non-empty list of count, sum_value, unique");
  }
  for (const auto& m : *measurements) {
    if (!m.is_string() || (m != "count" && m != "sum_value" && m != "unique")) {
      return bodyError("/data/attributes/measurements", "measurements are count, sum_value or unique");
    }
    asked.push_back(m.get<std::string>());
  }
  for (const char* name : {"interval", "timezone"}) {
    const auto value = attributes.find(name);
    const char* only = std::string_view(name) == "interval" ? "day" : "UTC";
    if (value != attributes.end() && !value->is_null() && *value != only) {
      return bodyError(std::string("/data/attributes/") + name, std::string("the simulated upstream aggregates with ") + name + " " + only + " only");
    }
  }
  if (const auto by = attributes.find("by"); by != attributes.end() && !by->is_null() && !(by->is_array() && by->empty())) {
    return bodyError("/data/attributes/by", "the simulated upstream aggregates without dimensions");
  }
  const auto filter = attributes.find("filter");
  std::optional<UnixSeconds> from, to;
  if (filter == attributes.end() || !filter->is_array()) {
    return bodyError("/data/attributes/filter", "filter is a list with greater-or-equal(datetime,...) and less-than(datetime,...)");
  }
  for (const auto& text : *filter) {
    const auto parsed = text.is_string() ? klaviyo::parseFilter(text.get<std::string>())
                                         : Expected<klaviyo::FilterExpression, klaviyo::FilterSyntaxError>(klaviyo::FilterSyntaxError{0, "not a string"});
    if (!parsed) return bodyError("/data/attributes/filter", "Invalid filter provided: " + parsed.error().message);
    for (const auto& condition : parsed.value().conditions) {
      const bool time = condition.field == "datetime" && condition.values.size() == 1 &&
                        condition.values[0].kind == klaviyo::FilterValue::Kind::datetime;
      if (time && condition.op == "greater-or-equal") from = condition.values[0].time;
      else if (time && condition.op == "less-than") to = condition.values[0].time;
      else return bodyError("/data/attributes/filter", "the simulated upstream filters aggregates on datetime only");
    }
  }
  if (!from || !to || *to <= *from) {
    return bodyError("/data/attributes/filter", "the filter must give the time range: greater-or-equal(datetime,...) and a later less-than(datetime,...)");
  }
  if (*to - *from > kMaxTimeframe) return bodyError("/data/attributes/filter", "a time range is at most one year long");

  std::map<DayNumber, DailyMetrics> byDay;
  const EntityRows history = account.snapshot(Entity::metrics);  // held: a loop over a part of a temporary would dangle
  for (const auto& day : std::get<std::vector<DailyMetrics>>(history)) byDay[day.day] = day;
  Json dates = Json::array();
  std::map<std::string, Json> series;
  for (const auto& m : asked) series[m] = Json::array();
  const DayNumber first = *from / kSecondsPerDay - (*from % kSecondsPerDay < 0 ? 1 : 0);
  for (DayNumber day = first; day * kSecondsPerDay < *to; ++day) {
    dates.push_back(klaviyo::formatDateTime(day * kSecondsPerDay));
    const auto found = byDay.find(day);
    for (const auto& m : asked) series[m].push_back(found == byDay.end() ? 0.0 : measure(metric->name.value_or(""), m, found->second));
  }
  Json values = Json::object();
  for (const auto& m : asked) values[m] = std::move(series[m]);
  const std::string self = origin + std::string(klaviyo::operationOf(Report::metric_aggregates).path);
  return Json{{"data",
               {{"type", "metric-aggregate"},
                {"id", reportId(Report::metric_aggregates, body)},
                {"attributes", {{"dates", std::move(dates)}, {"data", Json::array({Json{{"dimensions", Json::array()}, {"measurements", std::move(values)}}})}}},
                {"links", {{"self", self}}}}},
              {"links", {{"self", self}}}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::optional<Report> reportAt(std::string_view path) {
  for (const Report report : klaviyo::kAllReports) {
    if (klaviyo::operationOf(report).path == path) return report;
  }
  return std::nullopt;
}

Expected<std::string, ErrorObject> answerReport(const UpstreamAccount& account, Report report, std::string_view body, UnixSeconds now,
                                                const std::string& origin) {
  const auto document = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) return bodyError("", "the body is not a JSON object");
  const auto data = document.find("data");
  if (data == document.end() || !data->is_object()) return bodyError("/data", "data is required: {\"data\": {\"type\": ..., \"attributes\": ...}}");
  const auto type = data->find("type");
  const std::string_view expected = klaviyo::operationOf(report).resourceType;
  if (type == data->end() || !type->is_string() || type->get<std::string>() != expected) {
    return bodyError("/data/type", "data.type must be '" + std::string(expected) + "'");
  }
  const auto attributes = data->find("attributes");
  if (attributes == data->end() || !attributes->is_object()) return bodyError("/data/attributes", "data.attributes is required");
  if (report == Report::metric_aggregates) return metricAggregate(account, *attributes, body, origin);
  return valuesReport(account, report, *attributes, body, now, origin);
}

}  // namespace livedata::server
