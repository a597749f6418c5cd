// Request metrics: what the server's middleware records for every request, by route template
// (the route table's pattern, "/api/campaigns/:id", never the raw path) and method.
//
// Per (route, method) series: request count, status code distribution, a latency histogram
// (LatencyHistogram's fixed buckets) with sum and count; over all series: the same totals,
// in-flight requests, slow requests (duration strictly over the threshold), and the top user
// agents and client IPs (Space-Saving, bounded).
//
// Bounded memory: at most options.maxRouteSeries series, plus one kOverflowRoute series per
// method once that is reached: requests for further (route, method) pairs are recorded under
// (kOverflowRoute, method), so totals stay exact. (The server passes a fixed placeholder
// route for unmatched paths, so in practice the overflow stays empty.) Methods are RFC 9110's
// eight and PATCH; any other token a client makes up is recorded as kOtherMethod, so neither
// the series nor the overflow can grow with them.
// Statuses outside 100..599 are recorded as 0. Top-N tables hold at most options.topN keys.
//
// Threading: every member is safe from any thread. recordRequest takes one mutex; in-flight
// is an atomic. The slow-request callback runs on the recording thread after the lock is
// released, so it may call back into this object.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "monitoring/latency_histogram.h"
#include "monitoring/space_saving_top_n.h"

namespace livedata::server::monitoring {

inline constexpr std::string_view kOverflowRoute = "(other)";
inline constexpr std::string_view kOtherMethod = "OTHER";

struct RequestRecord {
  std::string_view routeTemplate;
  std::string_view method;
  int status = 0;
  std::uint64_t durationMicros = 0;
  std::string_view userAgent;
  std::string_view clientIp;
  // Counts toward the service-level figures (serviceTotals: the API error rate and latency
  // that health checks and targets judge): true for the API users call, false for the
  // routes that watch or steer the server (monitoring, admin), whose 503 verdicts and slow
  // operations say nothing about the service.
  bool serviceLevel = true;
  // A response held open by design (the live feed's stream and long-poll): its duration is
  // how long the client listened, not how slow the server was, so it is never slow.
  bool held = false;
};

struct SlowRequest {
  std::string route;
  std::string method;
  int status = 0;
  std::uint64_t durationMicros = 0;
};

struct RequestMetricsOptions {
  // A request is slow when its duration is strictly over this. Default 1 s.
  std::uint64_t slowRequestThresholdMicros = 1'000'000;
  // Keys kept in each of the top user agents and top client IPs tables. Default 20.
  std::size_t topN = 20;
  // Store client IPs anonymised (IPv4 /24, IPv6 /48; see ip_anonymization.h). Default on.
  bool anonymizeClientIps = true;
  // Distinct (route, method) series kept before overflowing into kOverflowRoute. Default 256.
  std::size_t maxRouteSeries = 256;
};

struct RequestCounts {
  std::uint64_t requests = 0;
  std::map<int, std::uint64_t> statusCounts;  // status -> count
  LatencyHistogram latency;

  std::uint64_t serverErrors() const;  // 5xx
  // serverErrors / requests; nullopt without requests.
  std::optional<double> serverErrorRate() const;
};

struct RouteRequestStats {
  std::string route;
  std::string method;
  RequestCounts counts;
};

struct RequestMetricsSnapshot {
  std::vector<RouteRequestStats> routes;  // sorted by route, then method
  RequestCounts totals;
  RequestCounts serviceTotals;  // the requests with serviceLevel set
  std::int64_t inFlight = 0;
  std::uint64_t slowRequests = 0;
  std::uint64_t slowRequestThresholdMicros = 0;
  std::vector<SpaceSavingTopN::Entry> topUserAgents;
  std::vector<SpaceSavingTopN::Entry> topClientIps;
};

using SlowRequestCallback = std::function<void(const SlowRequest&)>;

class RequestMetrics {
 public:
  explicit RequestMetrics(RequestMetricsOptions options = {}, SlowRequestCallback onSlowRequest = {});

  // Bracket every request with these (or use InFlightRequest); end once per begin.
  void beginRequest() { inFlight_.fetch_add(1, std::memory_order_relaxed); }
  void endRequest() { inFlight_.fetch_sub(1, std::memory_order_relaxed); }

  void recordRequest(const RequestRecord& request);

  RequestMetricsSnapshot snapshot() const;
  const RequestMetricsOptions& options() const { return options_; }

 private:
  RequestMetricsOptions options_;
  SlowRequestCallback onSlowRequest_;
  std::atomic<std::int64_t> inFlight_{0};

  mutable std::mutex mutex_;
  // Orders (route, method) keys and views of them alike, so finding an existing series
  // copies no strings.
  struct SeriesKeyLess {
    using is_transparent = void;
    using View = std::pair<std::string_view, std::string_view>;
    static View view(const std::pair<std::string, std::string>& key) { return {key.first, key.second}; }
    static View view(const View& key) { return key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const { return view(a) < view(b); }
  };
  std::map<std::pair<std::string, std::string>, RequestCounts, SeriesKeyLess> series_;
  RequestCounts totals_;
  RequestCounts serviceTotals_;
  std::uint64_t slowRequests_ = 0;
  SpaceSavingTopN topUserAgents_;
  SpaceSavingTopN topClientIps_;
};

// RAII bracket for RequestMetrics::beginRequest / endRequest.
class InFlightRequest {
 public:
  explicit InFlightRequest(RequestMetrics& metrics) : metrics_(metrics) { metrics_.beginRequest(); }
  ~InFlightRequest() { metrics_.endRequest(); }
  InFlightRequest(const InFlightRequest&) = delete;
  InFlightRequest& operator=(const InFlightRequest&) = delete;

 private:
  RequestMetrics& metrics_;
};

// JSON for /monitoring/api-metrics: counts, statuses, p50/p95/p99 and average in ms.
void to_json(nlohmann::ordered_json& json, const RequestCounts& counts);
void to_json(nlohmann::ordered_json& json, const RequestMetricsSnapshot& snapshot);

}  // namespace livedata::server::monitoring
