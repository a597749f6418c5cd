#include "monitoring/request_metrics.h"

#include <utility>

#include "monitoring/ip_anonymization.h"
#include "monitoring/utf8_text.h"

namespace livedata::server::monitoring {

namespace {

int normalizedStatus(int status) { return status >= 100 && status <= 599 ? status : 0; }

std::string_view methodLabel(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (const std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return kOtherMethod;
}

void count(RequestCounts& counts, int status, std::uint64_t durationMicros) {
  ++counts.requests;
  ++counts.statusCounts[status];
  counts.latency.record(durationMicros);
}

nlohmann::ordered_json millisOrNull(std::optional<double> seconds) {
  if (!seconds) return nullptr;
  return *seconds * 1000.0;
}

nlohmann::ordered_json topJson(const std::vector<SpaceSavingTopN::Entry>& entries, const char* keyName) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& entry : entries) {
    list.push_back({{keyName, boundedUtf8(entry.key, SpaceSavingTopN::kMaxKeyBytes)}, {"count", entry.count}, {"maxOvercount", entry.overestimate}});
  }
  return list;
}

}  // namespace

std::uint64_t RequestCounts::serverErrors() const {
  std::uint64_t errors = 0;
  for (const auto& [status, n] : statusCounts) {
    if (status >= 500) errors += n;
  }
  return errors;
}

std::optional<double> RequestCounts::serverErrorRate() const {
  if (requests == 0) return std::nullopt;
  return static_cast<double>(serverErrors()) / static_cast<double>(requests);
}

RequestMetrics::RequestMetrics(RequestMetricsOptions options, SlowRequestCallback onSlowRequest)
    : options_(options),
      onSlowRequest_(std::move(onSlowRequest)),
      topUserAgents_(options.topN),
      topClientIps_(options.topN) {}

void RequestMetrics::recordRequest(const RequestRecord& request) {
  const int status = normalizedStatus(request.status);
  const bool slow = !request.held && request.durationMicros > options_.slowRequestThresholdMicros;
  // Anonymise before taking the lock: it needs no shared state.
  // An absent IP stays absent (it is not counted, not even as "invalid").
  const bool anonymize = options_.anonymizeClientIps && !request.clientIp.empty();
  const std::string anonymizedIp = anonymize ? anonymizeIp(request.clientIp) : std::string();
  const std::string_view clientIp = anonymize ? std::string_view(anonymizedIp) : request.clientIp;
  std::string_view route = request.routeTemplate;
  const std::string_view method = methodLabel(request.method);
  {
    std::lock_guard lock(mutex_);
    auto series = series_.find(std::make_pair(route, method));
    if (series == series_.end()) {
      if (series_.size() >= options_.maxRouteSeries) {
        route = kOverflowRoute;
        series = series_.find(std::make_pair(route, method));
      }
      if (series == series_.end()) {
        series = series_.emplace(std::make_pair(std::string(route), std::string(method)), RequestCounts{}).first;
      }
    }
    count(series->second, status, request.durationMicros);
    count(totals_, status, request.durationMicros);
    if (request.serviceLevel) count(serviceTotals_, status, request.durationMicros);
    if (slow) ++slowRequests_;
    if (!request.userAgent.empty()) topUserAgents_.add(request.userAgent);
    if (!clientIp.empty()) topClientIps_.add(clientIp);
  }
  if (slow && onSlowRequest_) {
    onSlowRequest_(SlowRequest{std::string(route), std::string(method), status, request.durationMicros});
  }
}

RequestMetricsSnapshot RequestMetrics::snapshot() const {
  RequestMetricsSnapshot snapshot;
  snapshot.inFlight = inFlight_.load(std::memory_order_relaxed);
  snapshot.slowRequestThresholdMicros = options_.slowRequestThresholdMicros;
  std::lock_guard lock(mutex_);
  snapshot.routes.reserve(series_.size());
  for (const auto& [key, counts] : series_) snapshot.routes.push_back({key.first, key.second, counts});
  snapshot.totals = totals_;
  snapshot.serviceTotals = serviceTotals_;
  snapshot.slowRequests = slowRequests_;
  snapshot.topUserAgents = topUserAgents_.top(options_.topN);
  snapshot.topClientIps = topClientIps_.top(options_.topN);
  return snapshot;
}

void to_json(nlohmann::ordered_json& json, const RequestCounts& counts) {
  auto statuses = nlohmann::ordered_json::object();
  for (const auto& [status, n] : counts.statusCounts) statuses[std::to_string(status)] = n;
  json = {
      {"requests", counts.requests},
      {"serverErrors", counts.serverErrors()},
      {"serverErrorRate", counts.serverErrorRate() ? nlohmann::ordered_json(*counts.serverErrorRate()) : nullptr},
      {"statusCodes", statuses},
      {"latencyMs",
       {{"average", millisOrNull(counts.latency.averageSeconds())},
        {"p50", millisOrNull(counts.latency.quantileSeconds(0.50))},
        {"p95", millisOrNull(counts.latency.quantileSeconds(0.95))},
        {"p99", millisOrNull(counts.latency.quantileSeconds(0.99))}}},
  };
}

void to_json(nlohmann::ordered_json& json, const RequestMetricsSnapshot& snapshot) {
  auto routes = nlohmann::ordered_json::array();
  for (const auto& route : snapshot.routes) {
    nlohmann::ordered_json entry = {{"route", boundedUtf8(route.route, SpaceSavingTopN::kMaxKeyBytes)},
                                    {"method", boundedUtf8(route.method, SpaceSavingTopN::kMaxKeyBytes)}};
    entry.update(nlohmann::ordered_json(route.counts));
    routes.push_back(std::move(entry));
  }
  json = {
      {"totals", snapshot.totals},
      {"service", snapshot.serviceTotals},
      {"inFlight", snapshot.inFlight},
      {"slowRequests", {{"count", snapshot.slowRequests}, {"thresholdMs", snapshot.slowRequestThresholdMicros / 1000.0}}},
      {"routes", routes},
      {"topUserAgents", topJson(snapshot.topUserAgents, "userAgent")},
      {"topClientIps", topJson(snapshot.topClientIps, "clientIp")},
  };
}

}  // namespace livedata::server::monitoring
