// The Klaviyo API operations livedata reads (revision 2026-07-15), as their OpenAPI documents
// describe them (../shared/klaviyo-openapi/): the one table both sides share, so the simulated
// upstream enforces and the sync respects the same page sizes, filters, sorts and rate limits.
// tests/server/klaviyo/operations_test.cpp checks every entry against the documents.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

namespace livedata::server::klaviyo {

// The `revision` header every request carries; the documents' default.
inline constexpr std::string_view kRevision = "2026-07-15";
// Content type of every body, both ways (JSON:API).
inline constexpr std::string_view kJsonApiContentType = "application/vnd.api+json";

// Requests allowed per account and operation in a fixed window ("x-klaviyo-ratelimit").
struct RateLimit {
  int perSecond = 0;               // burst
  int perMinute = 0;               // steady
  std::optional<int> perDay;       // the reports' daily budget
};

// The GET collections.
enum class Collection { campaigns, flows, forms, segments, metrics };
inline constexpr std::array<Collection, 5> kAllCollections{Collection::campaigns, Collection::flows, Collection::forms,
                                                           Collection::segments, Collection::metrics};

struct CollectionOperation {
  Collection collection;
  std::string_view path;            // "/api/campaigns"
  std::string_view resourceType;    // JSON:API `type` of its resources: "campaign"
  std::string_view updateField;     // "updated_at" or "updated"; empty for metrics (no filter on it)
  // Operators the `filter` parameter allows on updateField ("greater-or-equal", ...).
  std::vector<std::string_view> updateOperators;
  // Fields `sort` takes, ascending ("id"); each may be prefixed with '-' for descending.
  std::vector<std::string_view> sortFields;
  int maxPageSize = 0;              // largest page[size]; 0: the operation takes no page[size]
  int defaultPageSize = 0;          // page size without page[size] (metrics: its fixed 200)
  RateLimit rateLimit;
};

const CollectionOperation& operationOf(Collection collection);

// The POST reports.
enum class Report { campaign_values, flow_values, form_values, segment_values, metric_aggregates };
inline constexpr std::array<Report, 5> kAllReports{Report::campaign_values, Report::flow_values, Report::form_values,
                                                   Report::segment_values, Report::metric_aggregates};

struct ReportOperation {
  Report report;
  std::string_view path;            // "/api/campaign-values-reports"
  std::string_view resourceType;    // `data.type` of its request body: "campaign-values-report"
  RateLimit rateLimit;
};

const ReportOperation& operationOf(Report report);

}  // namespace livedata::server::klaviyo
