#include "upstream_client/klaviyo_mapping.h"

#include "model/enum_names.h"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

namespace livedata::server {
namespace {

using klaviyo::ValuesResult;

std::optional<CampaignStatus> campaignStatusOf(std::string_view word) {
  static const std::array<std::pair<std::string_view, CampaignStatus>, 11> kStatuses{{
      {"Draft", CampaignStatus::draft},
      {"Scheduled", CampaignStatus::scheduled},
      {"Preparing to schedule", CampaignStatus::scheduled},
      {"Queued without Recipients", CampaignStatus::scheduled},
      {"Preparing to send", CampaignStatus::sending},
      {"Adding Recipients", CampaignStatus::sending},
      {"Sending", CampaignStatus::sending},
      {"Sending Segments", CampaignStatus::sending},
      {"Sent", CampaignStatus::sent},
      {"Variations Sent", CampaignStatus::sent},
      {"Cancelled", CampaignStatus::cancelled},
  }};
  for (const auto& [name, status] : kStatuses) {
    if (name == word) return status;
  }
  // "Cancelled: Smart Sending", "Cancelled: Billing Limit", ...: Klaviyo adds reasons.
  constexpr std::string_view kCancelledBecause = "Cancelled: ";
  if (word.substr(0, kCancelledBecause.size()) == kCancelledBecause) return CampaignStatus::cancelled;
  return std::nullopt;
}

double statistic(const klaviyo::Statistics& statistics, std::string_view name) {
  const auto found = statistics.find(name);
  return found == statistics.end() ? 0.0 : found->second;
}

std::int64_t count(double value) { return static_cast<std::int64_t>(value + (value >= 0 ? 0.5 : -0.5)); }

double rate(double part, double whole) { return whole > 0 ? roundTo(part / whole, 4) : 0.0; }

// The rows of each record id, in the order ids first appear.
Expected<std::vector<std::pair<std::string, std::vector<const ValuesResult*>>>, std::string> byRecord(
    const std::vector<ValuesResult>& results, std::string_view idGrouping) {
  std::vector<std::pair<std::string, std::vector<const ValuesResult*>>> groups;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const ValuesResult& result : results) {
    const auto id = result.groupings.find(idGrouping);
    if (id == result.groupings.end()) return "a result has no " + std::string(idGrouping) + " grouping";
    auto [at, added] = index.emplace(id->second, groups.size());
    if (added) groups.emplace_back(id->second, std::vector<const ValuesResult*>{});
    groups[at->second].second.push_back(&result);
  }
  return groups;
}

double sum(const std::vector<const ValuesResult*>& rows, std::string_view name) {
  double total = 0;
  for (const ValuesResult* row : rows) total += statistic(row->statistics, name);
  return total;
}

// A rate as Klaviyo gives it for one message, else recomputed over the messages' counts.
double rateOver(const std::vector<const ValuesResult*>& rows, std::string_view given, std::string_view part,
                std::string_view whole) {
  if (rows.size() == 1) return statistic(rows.front()->statistics, given);
  return rate(sum(rows, part), sum(rows, whole));
}

template <typename Record, typename Fill>
Expected<EntityRows, std::string> rowsOf(const std::vector<ValuesResult>& results, std::string_view idGrouping, Fill fill) {
  auto groups = byRecord(results, idGrouping);
  if (!groups) return groups.error();
  std::vector<Record> rows;
  rows.reserve(groups.value().size());
  for (const auto& [id, messages] : groups.value()) {
    Record record;
    record.id = id;
    fill(record, messages);
    rows.push_back(std::move(record));
  }
  return EntityRows(std::move(rows));
}

// The id of the one metric among `metrics` named `name`; with several, those of
// `preferredIntegration`. (Errors go through unexpected(): both sides are strings.)
Expected<std::string, std::string> metricNamed(const std::vector<klaviyo::MetricResource>& metrics, std::string_view name,
                                               std::string_view preferredIntegration, std::string_view option) {
  std::vector<const klaviyo::MetricResource*> named;
  for (const auto& metric : metrics) {
    if (metric.name && *metric.name == name) named.push_back(&metric);
  }
  if (named.size() > 1 && !preferredIntegration.empty()) {
    std::vector<const klaviyo::MetricResource*> preferred;
    for (const auto* metric : named) {
      if (metric->integrationName && *metric->integrationName == preferredIntegration) preferred.push_back(metric);
    }
    if (!preferred.empty()) named = std::move(preferred);
  }
  if (named.size() == 1) return named.front()->id;
  if (named.empty()) return unexpected("the account has no metric named '" + std::string(name) + "'; set " + std::string(option));
  std::string ids;
  for (const auto* metric : named) ids += (ids.empty() ? "" : ", ") + metric->id;
  return unexpected("the account has several metrics named '" + std::string(name) + "' (" + ids + "); choose one with " +
                    std::string(option));
}

}  // namespace

Expected<std::optional<Campaign>, std::string> campaignOf(const klaviyo::CampaignResource& resource) {
  const auto status = campaignStatusOf(resource.status);
  if (!status) return std::optional<Campaign>();
  Campaign campaign;
  campaign.id = resource.id;
  campaign.name = resource.name;
  campaign.status = *status;
  campaign.sendTime = resource.sendTime.value_or(0);
  campaign.updatedAt = resource.updatedAt;
  return std::optional<Campaign>(std::move(campaign));
}

std::optional<Flow> flowOf(const klaviyo::FlowResource& resource) {
  Flow flow;
  flow.id = resource.id;
  flow.name = resource.name.value_or("");
  // No status yet: a flow that sends nothing, as a draft.
  const auto known = enumFromWord<FlowStatus>(resource.status.value_or("draft"));
  if (!known) return std::nullopt;
  flow.status = *known;
  flow.trigger = resource.triggerType.value_or("Unconfigured");
  flow.updatedAt = resource.updated.value_or(resource.created.value_or(0));
  return flow;
}

Expected<Form, std::string> formOf(const klaviyo::FormResource& resource) {
  Form form;
  form.id = resource.id;
  form.name = resource.name;
  const auto known = enumFromWord<FormStatus>(resource.status);
  if (!known) return "form " + resource.id + " has the status '" + resource.status + "', not one of " + wordList<FormStatus>();
  form.status = *known;
  form.updatedAt = resource.updatedAt;
  return form;
}

Segment segmentOf(const klaviyo::SegmentResource& resource) {
  Segment segment;
  segment.id = resource.id;
  segment.name = resource.name.value_or("");
  segment.status = resource.isActive ? SegmentStatus::active : SegmentStatus::archived;
  segment.updatedAt = resource.updated.value_or(resource.created.value_or(0));
  return segment;
}

std::vector<std::string> statisticsAskedFor(Entity entity) {
  switch (entity) {
    case Entity::campaigns: return {"recipients", "delivered", "opens_unique", "open_rate", "clicks_unique", "click_rate", "conversion_value"};
    case Entity::flows: return {"recipients", "conversion_value", "conversion_uniques", "conversion_rate"};
    case Entity::forms: return {"viewed_form", "submits", "submit_rate"};
    case Entity::segments: return {"total_members", "net_members_changed"};
    case Entity::metrics: break;
  }
  return {};
}

Expected<EntityRows, std::string> statisticsOf(Entity entity, const std::vector<ValuesResult>& results) {
  using Rows = std::vector<const ValuesResult*>;
  switch (entity) {
    case Entity::campaigns:
      return rowsOf<Campaign>(results, "campaign_id", [](Campaign& c, const Rows& rows) {
        c.recipients = count(sum(rows, "recipients"));
        c.opens = count(sum(rows, "opens_unique"));
        c.clicks = count(sum(rows, "clicks_unique"));
        c.revenue = roundTo(sum(rows, "conversion_value"), 2);
        c.openRate = rateOver(rows, "open_rate", "opens_unique", "delivered");
        c.clickRate = rateOver(rows, "click_rate", "clicks_unique", "delivered");
      });
    case Entity::flows:
      return rowsOf<Flow>(results, "flow_id", [](Flow& f, const Rows& rows) {
        f.recipients = count(sum(rows, "recipients"));
        f.revenue = roundTo(sum(rows, "conversion_value"), 2);
        f.conversionRate = rateOver(rows, "conversion_rate", "conversion_uniques", "recipients");
      });
    case Entity::forms:
      return rowsOf<Form>(results, "form_id", [](Form& f, const Rows& rows) {
        f.views = count(sum(rows, "viewed_form"));
        f.submissions = count(sum(rows, "submits"));
        f.submitRate = rateOver(rows, "submit_rate", "submits", "viewed_form");
      });
    case Entity::segments:
      return rowsOf<Segment>(results, "segment_id", [](Segment& s, const Rows& rows) {
        const double total = sum(rows, "total_members");
        const double net = sum(rows, "net_members_changed");
        s.members = count(total);
        // Growth over the report's timeframe: the change against the size before it.
        s.growth = rate(net, total - net);
      });
    case Entity::metrics: break;
  }
  return std::string("the daily metrics have no values report");
}

Expected<OverviewMetricIds, std::string> findOverviewMetrics(const std::vector<klaviyo::MetricResource>& metrics,
                                                             const ConfiguredMetricIds& configured) {
  OverviewMetricIds ids;
  struct Wanted {
    const std::optional<std::string>& configured;
    std::string& id;
    std::string_view name;
    std::string_view integration;
    std::string_view option;
  };
  const std::array<Wanted, 4> wanted{{
      {configured.sends, ids.sends, "Received Email", "Klaviyo", "--klaviyo-metric-sends"},
      {configured.opens, ids.opens, "Opened Email", "Klaviyo", "--klaviyo-metric-opens"},
      {configured.clicks, ids.clicks, "Clicked Email", "Klaviyo", "--klaviyo-metric-clicks"},
      {configured.revenue, ids.revenue, "Placed Order", "", "--klaviyo-metric-revenue"},
  }};
  for (const Wanted& metric : wanted) {
    if (metric.configured) {
      metric.id = *metric.configured;
      continue;
    }
    auto found = metricNamed(metrics, metric.name, metric.integration, metric.option);
    if (!found) return found.error();
    metric.id = std::move(found).value();
  }
  return ids;
}

Expected<std::vector<DailyMetrics>, std::string> dailyMetricsOf(const OverviewAggregates& aggregates) {
  const std::vector<UnixSeconds>& dates = aggregates.sends.dates;
  for (const auto* other : {&aggregates.opens, &aggregates.clicks, &aggregates.revenue}) {
    if (other->dates != dates) return std::string("the metric aggregates cover different dates");
  }
  const auto series = [&](const klaviyo::MetricAggregate& aggregate, std::string_view measurement, std::size_t i) {
    const auto found = aggregate.values.find(measurement);
    return found == aggregate.values.end() ? 0.0 : found->second[i];
  };
  std::vector<DailyMetrics> days;
  days.reserve(dates.size());
  for (std::size_t i = 0; i < dates.size(); ++i) {
    DailyMetrics day;
    day.day = dayOf(dates[i]);
    day.sends = count(series(aggregates.sends, "count", i));
    day.opens = count(series(aggregates.opens, "count", i));
    day.clicks = count(series(aggregates.clicks, "count", i));
    day.revenue = roundTo(series(aggregates.revenue, "sum_value", i), 2);
    day.updatedAt = (day.day + 1) * kSecondsPerDay - 1;
    days.push_back(day);
  }
  return days;
}

}  // namespace livedata::server
