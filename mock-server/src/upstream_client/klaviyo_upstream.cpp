#include "upstream_client/klaviyo_upstream.h"

#include <chrono>

#include "klaviyo/iso_datetime.h"
#include "klaviyo/report_json.h"

namespace livedata::server {
namespace {

using Kind = UpstreamFailure::Kind;

constexpr UnixSeconds kYear = 365 * kSecondsPerDay;
// Pages of /api/metrics read at most: an account has tens of metrics, 200 a page.
constexpr int kMaxMetricPages = 50;

UnixSeconds dayStart(UnixSeconds time) { return dayOf(time) * kSecondsPerDay; }

UpstreamFailure malformed(const std::string& what, const std::string& why) {
  return upstreamFailure(Kind::malformed, what + ": " + why, 200);
}

klaviyo::Report reportOf(Entity entity) {
  switch (entity) {
    case Entity::campaigns: return klaviyo::Report::campaign_values;
    case Entity::flows: return klaviyo::Report::flow_values;
    case Entity::forms: return klaviyo::Report::form_values;
    default: return klaviyo::Report::segment_values;
  }
}

// Each collection's mapping with one shape: a record, or none (a campaign the dashboard does
// not list), or the fault.
template <typename Record>
Expected<std::optional<Record>, std::string> listed(Expected<Record, std::string> record) {
  if (!record) return record.error();
  return std::optional<Record>(std::move(record).value());
}
Expected<std::optional<Campaign>, std::string> recordOf(const klaviyo::CampaignResource& r) { return campaignOf(r); }
Expected<std::optional<Flow>, std::string> recordOf(const klaviyo::FlowResource& r) { return flowOf(r); }
Expected<std::optional<Form>, std::string> recordOf(const klaviyo::FormResource& r) { return listed(formOf(r)); }
Expected<std::optional<Segment>, std::string> recordOf(const klaviyo::SegmentResource& r) {
  return std::optional<Segment>(segmentOf(r));
}

}  // namespace

Expected<std::unique_ptr<KlaviyoUpstream>, std::string> KlaviyoUpstream::create(KlaviyoUpstreamOptions options) {
  auto source = KlaviyoSource::create(std::move(options.source));
  if (!source) return source.error();
  return std::unique_ptr<KlaviyoUpstream>(new KlaviyoUpstream(std::move(source).value(), std::move(options.metricIds)));
}

UnixSeconds KlaviyoUpstream::nowSeconds() const { return source_->nowMs() / 1000; }

UpstreamResult KlaviyoUpstream::fetchPage(Entity entity, UnixSeconds updatedSince, const std::optional<std::string>& cursor,
                                          int pageSize) {
  switch (entity) {
    case Entity::campaigns: return fetchCollectionPage<klaviyo::CampaignResource>(updatedSince, cursor, pageSize);
    case Entity::flows: return fetchCollectionPage<klaviyo::FlowResource>(updatedSince, cursor, pageSize);
    case Entity::forms: return fetchCollectionPage<klaviyo::FormResource>(updatedSince, cursor, pageSize);
    case Entity::segments: return fetchCollectionPage<klaviyo::SegmentResource>(updatedSince, cursor, pageSize);
    case Entity::metrics: break;
  }
  return fetchOverview(updatedSince);
}

template <typename Resource>
UpstreamResult KlaviyoUpstream::fetchCollectionPage(UnixSeconds updatedSince, const std::optional<std::string>& cursor,
                                                    int pageSize) {
  auto page = source_->fetchCollection<Resource>(updatedSince, cursor, pageSize);
  if (!page) return page.error();
  using Record = typename std::decay_t<decltype(recordOf(std::declval<const Resource&>()).value())>::value_type;
  std::vector<Record> records;
  records.reserve(page.value().resources.size());
  for (const Resource& resource : page.value().resources) {
    auto record = recordOf(resource);
    if (!record) return upstreamFailure(Kind::malformed, record.error(), 200);
    if (record.value()) records.push_back(*std::move(record).value());
  }
  return UpstreamPage{EntityRows(std::move(records)), std::move(page.value().nextCursor)};
}

Expected<OverviewMetricIds, UpstreamFailure> KlaviyoUpstream::overviewMetrics() {
  {
    std::lock_guard lock(mutex_);
    if (metricIds_) return *metricIds_;
  }
  std::vector<klaviyo::MetricResource> metrics;
  std::optional<std::string> cursor;
  for (int pages = 0;; ++pages) {
    if (pages == kMaxMetricPages) return malformed("GET /api/metrics", "more than " + std::to_string(kMaxMetricPages) + " pages");
    auto page = source_->fetchCollection<klaviyo::MetricResource>(0, cursor);
    if (!page) return page.error();
    for (auto& metric : page.value().resources) metrics.push_back(std::move(metric));
    if (!page.value().nextCursor) break;
    cursor = std::move(page.value().nextCursor);
  }
  auto ids = findOverviewMetrics(metrics, configuredMetricIds_);
  // Not retryable: the account's metrics do not change by asking again.
  if (!ids) return upstreamFailure(Kind::http, "the overview's metrics: " + ids.error(), 404);
  std::lock_guard lock(mutex_);
  metricIds_ = ids.value();
  return std::move(ids).value();
}

Expected<klaviyo::MetricAggregate, UpstreamFailure> KlaviyoUpstream::aggregate(const std::string& metricId,
                                                                               const char* measurement,
                                                                               klaviyo::Timeframe timeframe) {
  auto body = source_->postReport(klaviyo::Report::metric_aggregates,
                                  klaviyo::renderMetricAggregateRequest({metricId, {measurement}, timeframe}));
  if (!body) return body.error();
  auto parsed = klaviyo::parseMetricAggregate(body.value());
  if (!parsed) return malformed("POST /api/metric-aggregates (metric " + metricId + ")", parsed.error());
  return std::move(parsed).value();
}

UpstreamResult KlaviyoUpstream::fetchOverview(UnixSeconds updatedSince) {
  auto ids = overviewMetrics();
  if (!ids) return ids.error();
  const UnixSeconds now = nowSeconds();
  const UnixSeconds tomorrow = dayStart(now) + kSecondsPerDay;
  const UnixSeconds yearAgo = tomorrow - kYear;
  const bool first = updatedSince <= yearAgo;
  const klaviyo::Timeframe timeframe{first ? yearAgo : std::max(yearAgo, dayStart(updatedSince) - kSecondsPerDay), tomorrow};
  OverviewAggregates aggregates;
  const struct {
    const std::string& id;
    const char* measurement;
    klaviyo::MetricAggregate& into;
  } series[] = {{ids.value().sends, "count", aggregates.sends},
                {ids.value().opens, "count", aggregates.opens},
                {ids.value().clicks, "count", aggregates.clicks},
                {ids.value().revenue, "sum_value", aggregates.revenue}};
  for (const auto& one : series) {
    auto fetched = aggregate(one.id, one.measurement, timeframe);
    if (!fetched) return fetched.error();
    one.into = std::move(fetched).value();
  }
  auto days = dailyMetricsOf(aggregates);
  if (!days) return malformed("POST /api/metric-aggregates", days.error());
  std::vector<DailyMetrics>& rows = days.value();
  if (first) {
    // The days before the account's first event are not days of the account.
    const auto firstActive = std::find_if(rows.begin(), rows.end(), [](const DailyMetrics& day) {
      return day.sends != 0 || day.opens != 0 || day.clicks != 0 || day.revenue != 0;
    });
    rows.erase(rows.begin(), firstActive);
  }
  return UpstreamPage{EntityRows(std::move(rows)), std::nullopt};
}

Expected<EntityRows, UpstreamFailure> KlaviyoUpstream::fetchStatistics(Entity entity) {
  if (entity == Entity::metrics) return upstreamFailure(Kind::http, "the daily metrics have no statistics report", 400);
  const klaviyo::Report report = reportOf(entity);
  klaviyo::ValuesReportRequest request;
  request.report = report;
  request.statistics = statisticsAskedFor(entity);
  const UnixSeconds now = nowSeconds();
  // Klaviyo reads the timeframe's wall times in the account's time zone, which the sync does
  // not know: an end at now + UTC+14:00 is past "now" in every zone, so a campaign sent an hour
  // ago has its statistics wherever the account is (east of UTC, an end at `now` would be hours
  // ago there). The year is counted back from that end, so west of UTC+14:00 its far end loses
  // up to 26 hours (the documents' limit is a year), never the hours just past.
  const UnixSeconds end = now + klaviyo::kEastmostUtcOffset;
  request.timeframe = {end - kYear, end};
  if (report == klaviyo::Report::campaign_values || report == klaviyo::Report::flow_values) {
    auto ids = overviewMetrics();
    if (!ids) return ids.error();
    request.conversionMetricId = ids.value().revenue;
  }
  if (report == klaviyo::Report::campaign_values) request.filter = "equals(send_channel,\"email\")";
  auto body = source_->postReport(report, klaviyo::renderValuesReportRequest(request));
  if (!body) return body.error();
  const std::string what = "POST " + std::string(klaviyo::operationOf(report).path);
  auto results = klaviyo::parseValuesReport(body.value(), report);
  if (!results) return malformed(what, results.error());
  auto rows = statisticsOf(entity, results.value());
  if (!rows) return malformed(what, rows.error());
  return std::move(rows).value();
}

std::vector<BudgetUse> KlaviyoUpstream::budget() const { return source_->budget(); }

std::optional<BudgetUse> KlaviyoUpstream::statisticsBudget(Entity entity) const {
  if (entity == Entity::metrics) return std::nullopt;
  return source_->budgetOf(reportOf(entity));
}

}  // namespace livedata::server
