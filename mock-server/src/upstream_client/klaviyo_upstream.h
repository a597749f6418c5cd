// The sync's UpstreamSource over Klaviyo's API (KlaviyoSource), in the dashboard's records
// (klaviyo_mapping.h):
//   - campaigns, flows, forms and segments: pages of the collection, changed at or after
//     `updatedSince` (each collection's own update field), mapped to records' attributes;
//   - metrics: the daily overview from four metric aggregates (the metrics found by name in
//     /api/metrics once, or set by id), over the days from the one before `updatedSince` to
//     today (a first sync: the last 365 days, a year being the longest range Klaviyo takes,
//     without the days before the account's first event); one page, each day stamped with
//     its last second, so each sync re-reads the day before its cursor's and after;
//   - fetchStatistics: one values report over the last 365 days.
//
// Threading: safe from any number of threads.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "upstream_client/klaviyo_mapping.h"
#include "upstream_client/klaviyo_source.h"
#include "upstream_client/upstream_source.h"

namespace livedata::server {

struct KlaviyoUpstreamOptions {
  KlaviyoSourceOptions source;    // its nowMs also dates the reports' timeframes
  ConfiguredMetricIds metricIds;  // the overview's metrics, when not found by name
};

class KlaviyoUpstream : public UpstreamSource {
 public:
  static Expected<std::unique_ptr<KlaviyoUpstream>, std::string> create(KlaviyoUpstreamOptions options);

  UpstreamResult fetchPage(Entity entity, UnixSeconds updatedSince, const std::optional<std::string>& cursor,
                           int pageSize) override;
  Expected<EntityRows, UpstreamFailure> fetchStatistics(Entity entity) override;
  std::vector<BudgetUse> budget() const override;
  std::optional<BudgetUse> statisticsBudget(Entity entity) const override;

 private:
  KlaviyoUpstream(std::unique_ptr<KlaviyoSource> source, ConfiguredMetricIds metricIds)
      : source_(std::move(source)), configuredMetricIds_(std::move(metricIds)) {}

  template <typename Resource>
  UpstreamResult fetchCollectionPage(UnixSeconds updatedSince, const std::optional<std::string>& cursor, int pageSize);
  UpstreamResult fetchOverview(UnixSeconds updatedSince);
  // The overview's metric ids, listing /api/metrics the first time.
  Expected<OverviewMetricIds, UpstreamFailure> overviewMetrics();
  Expected<klaviyo::MetricAggregate, UpstreamFailure> aggregate(const std::string& metricId, const char* measurement,
                                                                klaviyo::Timeframe timeframe);
  UnixSeconds nowSeconds() const;

  const std::unique_ptr<KlaviyoSource> source_;
  const ConfiguredMetricIds configuredMetricIds_;
  std::mutex mutex_;
  std::optional<OverviewMetricIds> metricIds_;  // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
