// How Klaviyo's resources and reports become the dashboard's records (docs/upstream.md,
// "Mapping"): pure functions, no I/O.
//   - Collections give a record's attributes (name, status, times); its statistics are left 0.
//   - Values reports give the statistics (FieldGroup::statistics of model/record_fields.h),
//     one row per record id, summed over the record's messages.
//   - Metric aggregates of four metrics give the daily overview.
// A value Klaviyo documents but the dashboard cannot show (a flow status other than live,
// draft and manual) is an error naming it, so that entity's sync fails visibly rather than
// storing a guess.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "klaviyo/report_json.h"
#include "klaviyo/resources.h"
#include "livedata/expected.h"
#include "model/dataset.h"
#include "model/entity.h"

namespace livedata::server {

// nullopt: a campaign the dashboard does not list (a status Klaviyo calls Unknown).
// Campaigns: Draft -> draft; Scheduled, Preparing to schedule, Queued without Recipients ->
// scheduled; Preparing to send, Adding Recipients, Sending, Sending Segments -> sending; Sent,
// Variations Sent -> sent; Cancelled and every "Cancelled: <reason>" -> cancelled.
Expected<std::optional<Campaign>, std::string> campaignOf(const klaviyo::CampaignResource& resource);
// Nil for a status this dashboard does not know: Klaviyo documents a flow's status as a free
// string, so a new one is skipped, as an unknown campaign status is, never a failed page
// (which would hold the flows' cursor, and every later change of a flow, for good).
std::optional<Flow> flowOf(const klaviyo::FlowResource& resource);
Expected<Form, std::string> formOf(const klaviyo::FormResource& resource);
Segment segmentOf(const klaviyo::SegmentResource& resource);

// The statistics a values report gives each record of `entity` (campaigns, flows, forms or
// segments), as rows carrying the id and the statistics fields. Rows without the report's id
// grouping are an error.
Expected<EntityRows, std::string> statisticsOf(Entity entity, const std::vector<klaviyo::ValuesResult>& results);

// What a values report of `entity` asks for: the statistics statisticsOf reads.
std::vector<std::string> statisticsAskedFor(Entity entity);

// The four metrics of the overview.
struct OverviewMetricIds {
  std::string sends;    // "Received Email"
  std::string opens;    // "Opened Email"
  std::string clicks;   // "Clicked Email"
  std::string revenue;  // "Placed Order" (also the conversions of campaign and flow reports)
};

// Ids set by the operator; each overrides the search by name.
struct ConfiguredMetricIds {
  std::optional<std::string> sends, opens, clicks, revenue;
};

// Each id configured, else the one metric of the account with that exact name (of those,
// Klaviyo's own integration first for the email metrics). No metric of a name, or several
// the rule cannot choose between, is an error naming them and the option to set.
Expected<OverviewMetricIds, std::string> findOverviewMetrics(const std::vector<klaviyo::MetricResource>& metrics,
                                                             const ConfiguredMetricIds& configured);

// The days of the four aggregates (count of sends, opens and clicks; sum_value of revenue),
// each stamped with its last second (a constant, so re-reading an unchanged day changes no
// row; the sync's cursor then starts the next window at the last day read). Aggregates over
// different dates are an error.
struct OverviewAggregates {
  klaviyo::MetricAggregate sends, opens, clicks, revenue;
};
Expected<std::vector<DailyMetrics>, std::string> dailyMetricsOf(const OverviewAggregates& aggregates);

}  // namespace livedata::server
