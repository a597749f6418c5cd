#include "klaviyo/operations.h"

namespace livedata::server::klaviyo {
namespace {

// Transcribed from the documents: page[size] (minimum, maximum, default), sort's enum (the
// ascending names), x-klaviyo-filters of the update field, x-klaviyo-ratelimit.
// tests/server/klaviyo/operations_test.cpp reads the same values from the documents.
const std::array<CollectionOperation, 5>& collectionTable() {
  static const std::array<CollectionOperation, 5> kTable{{
      {Collection::campaigns, "/api/campaigns", "campaign", "updated_at",
       {"greater-or-equal", "greater-than", "less-or-equal", "less-than"},
       {"created_at", "id", "name", "scheduled_at", "updated_at"}, 100, 100, {10, 150, std::nullopt}},
      {Collection::flows, "/api/flows", "flow", "updated",
       {"equals", "greater-or-equal", "greater-than", "less-or-equal", "less-than"},
       {"created", "id", "name", "status", "trigger_type", "updated"}, 50, 50, {3, 60, std::nullopt}},
      {Collection::forms, "/api/forms", "form", "updated_at",
       {"greater-or-equal", "greater-than", "less-or-equal", "less-than"},
       {"created_at", "updated_at"}, 100, 20, {3, 60, std::nullopt}},
      {Collection::segments, "/api/segments", "segment", "updated", {"greater-than"},
       {"created", "id", "name", "updated"}, 10, 10, {75, 750, std::nullopt}},
      // No page[size]: "a maximum of 200 results per page" (the operation's description).
      {Collection::metrics, "/api/metrics", "metric", "", {}, {}, 0, 200, {10, 150, std::nullopt}},
  }};
  return kTable;
}

const std::array<ReportOperation, 5>& reportTable() {
  static const std::array<ReportOperation, 5> kTable{{
      {Report::campaign_values, "/api/campaign-values-reports", "campaign-values-report", {1, 2, 225}},
      {Report::flow_values, "/api/flow-values-reports", "flow-values-report", {1, 2, 225}},
      {Report::form_values, "/api/form-values-reports", "form-values-report", {1, 2, 225}},
      {Report::segment_values, "/api/segment-values-reports", "segment-values-report", {1, 2, 225}},
      {Report::metric_aggregates, "/api/metric-aggregates", "metric-aggregate", {3, 60, std::nullopt}},
  }};
  return kTable;
}

}  // namespace

const CollectionOperation& operationOf(Collection collection) {
  return collectionTable()[static_cast<std::size_t>(collection)];
}

const ReportOperation& operationOf(Report report) { return reportTable()[static_cast<std::size_t>(report)]; }

}  // namespace livedata::server::klaviyo
