#include "monitoring/request_metrics.h"

#include <thread>

#include <gtest/gtest.h>

namespace livedata::server::monitoring {
namespace {

void record(RequestMetrics& metrics, std::string_view route, std::string_view method, int status,
            std::uint64_t micros, std::string_view userAgent = "", std::string_view ip = "") {
  metrics.recordRequest({route, method, status, micros, userAgent, ip});
}

const RouteRequestStats& series(const RequestMetricsSnapshot& snapshot, std::string_view route, std::string_view method) {
  for (const auto& stats : snapshot.routes) {
    if (stats.route == route && stats.method == method) return stats;
  }
  throw std::runtime_error("no series " + std::string(route));
}

class ScriptedTraffic : public ::testing::Test {
 protected:
  void SetUp() override {
    record(metrics, "/api/campaigns", "GET", 200, 1'000, "curl/8.1", "203.0.113.7");
    record(metrics, "/api/campaigns", "GET", 200, 3'000, "curl/8.1", "203.0.113.9");
    record(metrics, "/api/campaigns", "GET", 304, 400, "Mozilla/5.0", "198.51.100.1");
    record(metrics, "/api/campaigns/:id", "GET", 404, 800);
    record(metrics, "/api/campaigns/:id", "GET", 200, 1'000'000);  // exactly the threshold: not slow
    record(metrics, "/api/campaigns/:id", "GET", 503, 2'000'000);
    record(metrics, "/api/sync", "POST", 500, 1'500'000);
  }

  std::vector<SlowRequest> slow;
  RequestMetrics metrics{RequestMetricsOptions{}, [this](const SlowRequest& request) { slow.push_back(request); }};
};

TEST_F(ScriptedTraffic, CountsStatusesPerRouteAndMethod) {
  const auto snapshot = metrics.snapshot();
  ASSERT_EQ(snapshot.routes.size(), 3u);
  EXPECT_EQ(snapshot.routes[0].route, "/api/campaigns");
  EXPECT_EQ(snapshot.routes[1].route, "/api/campaigns/:id");
  EXPECT_EQ(snapshot.routes[2].route, "/api/sync");
  const auto& list = series(snapshot, "/api/campaigns", "GET").counts;
  EXPECT_EQ(list.requests, 3u);
  EXPECT_EQ(list.statusCounts, (std::map<int, std::uint64_t>{{200, 2}, {304, 1}}));
  const auto& item = series(snapshot, "/api/campaigns/:id", "GET").counts;
  EXPECT_EQ(item.statusCounts, (std::map<int, std::uint64_t>{{200, 1}, {404, 1}, {503, 1}}));
  EXPECT_EQ(item.serverErrors(), 1u);
}

TEST_F(ScriptedTraffic, KeepsAHistogramPerSeriesAndInTotal) {
  const auto snapshot = metrics.snapshot();
  const auto& list = series(snapshot, "/api/campaigns", "GET").counts.latency;
  EXPECT_EQ(list.bucketCounts[0], 1u);  // 400 us
  EXPECT_EQ(list.bucketCounts[1], 1u);  // 1 ms
  EXPECT_EQ(list.bucketCounts[3], 1u);  // 3 ms
  EXPECT_EQ(list.count, 3u);
  EXPECT_EQ(list.sumMicros, 4'400u);
  EXPECT_EQ(snapshot.totals.latency.count, 7u);
  EXPECT_EQ(snapshot.totals.latency.sumMicros, 4'505'200u);
  EXPECT_EQ(snapshot.totals.latency.bucketCounts[10], 1u);  // 1 s
  EXPECT_EQ(snapshot.totals.latency.bucketCounts[11], 2u);  // 1.5 s and 2 s
}

TEST_F(ScriptedTraffic, TotalsAndErrorRateCoverEveryRoute) {
  const auto totals = metrics.snapshot().totals;
  EXPECT_EQ(totals.requests, 7u);
  EXPECT_EQ(totals.statusCounts,
            (std::map<int, std::uint64_t>{{200, 3}, {304, 1}, {404, 1}, {500, 1}, {503, 1}}));
  EXPECT_EQ(totals.serverErrors(), 2u);
  EXPECT_DOUBLE_EQ(*totals.serverErrorRate(), 2.0 / 7.0);
}

TEST(RequestMetrics, ServiceTotalsLeaveOutTheRoutesThatWatchTheServer) {
  RequestMetrics metrics;
  metrics.recordRequest({"/api/campaigns", "GET", 200, 2'000, "", ""});
  metrics.recordRequest({"/api/campaigns", "GET", 500, 4'000, "", ""});
  metrics.recordRequest({"/monitoring/health", "GET", 503, 900'000, "", "", /*serviceLevel=*/false});
  const auto snapshot = metrics.snapshot();
  EXPECT_EQ(snapshot.totals.requests, 3u);
  EXPECT_EQ(snapshot.serviceTotals.requests, 2u);
  EXPECT_DOUBLE_EQ(*snapshot.serviceTotals.serverErrorRate(), 0.5);
  EXPECT_EQ(snapshot.serviceTotals.latency.sumMicros, 6'000u);
  EXPECT_EQ(nlohmann::ordered_json(snapshot)["service"]["requests"], 2);
}

TEST_F(ScriptedTraffic, CountsAndReportsRequestsStrictlyOverTheSlowThreshold) {
  EXPECT_EQ(metrics.snapshot().slowRequests, 2u);
  ASSERT_EQ(slow.size(), 2u);
  EXPECT_EQ(slow[0].route, "/api/campaigns/:id");
  EXPECT_EQ(slow[0].status, 503);
  EXPECT_EQ(slow[0].durationMicros, 2'000'000u);
  EXPECT_EQ(slow[1].route, "/api/sync");
  EXPECT_EQ(slow[1].method, "POST");
}

TEST_F(ScriptedTraffic, AHeldResponseIsNeverSlowHoweverLongItLasts) {
  RequestRecord stream{"/api/changes", "GET", 200, 3'600'000'000u, "", "", /*serviceLevel=*/false, /*held=*/true};
  metrics.recordRequest(stream);
  EXPECT_EQ(metrics.snapshot().slowRequests, 2u) << "still the scripted two";
  EXPECT_EQ(slow.size(), 2u);
}

TEST_F(ScriptedTraffic, RanksUserAgentsAndAnonymisedClientIps) {
  const auto snapshot = metrics.snapshot();
  ASSERT_EQ(snapshot.topUserAgents.size(), 2u);
  EXPECT_EQ(snapshot.topUserAgents[0].key, "curl/8.1");
  EXPECT_EQ(snapshot.topUserAgents[0].count, 2u);
  EXPECT_EQ(snapshot.topUserAgents[1].key, "Mozilla/5.0");
  ASSERT_EQ(snapshot.topClientIps.size(), 2u);
  EXPECT_EQ(snapshot.topClientIps[0].key, "203.0.113.0");  // .7 and .9 share their /24
  EXPECT_EQ(snapshot.topClientIps[0].count, 2u);
  EXPECT_EQ(snapshot.topClientIps[1].key, "198.51.100.0");
}

TEST_F(ScriptedTraffic, RendersPercentilesInMillisecondsAsJson) {
  const nlohmann::ordered_json json = metrics.snapshot();
  EXPECT_EQ(json["totals"]["requests"], 7);
  EXPECT_EQ(json["totals"]["statusCodes"]["503"], 1);
  EXPECT_EQ(json["slowRequests"]["count"], 2);
  EXPECT_DOUBLE_EQ(json["slowRequests"]["thresholdMs"].get<double>(), 1000.0);
  EXPECT_EQ(json["routes"].size(), 3u);
  EXPECT_EQ(json["routes"][0]["route"], "/api/campaigns");
  EXPECT_NEAR(json["routes"][0]["latencyMs"]["average"].get<double>(), 4400.0 / 3 / 1000, 1e-9);
  // rank 1.5 of 3: the 2nd observation, alone in (0.5 ms, 1 ms].
  EXPECT_NEAR(json["routes"][0]["latencyMs"]["p50"].get<double>(), 0.5 + 0.5 * 0.5, 1e-9);
  EXPECT_EQ(json["topClientIps"][0]["clientIp"], "203.0.113.0");
}

TEST(RequestMetrics, KeepsRawIpsWhenAnonymisationIsOff) {
  RequestMetricsOptions options;
  options.anonymizeClientIps = false;
  RequestMetrics metrics(options);
  record(metrics, "/", "GET", 200, 1, "", "203.0.113.7");
  EXPECT_EQ(metrics.snapshot().topClientIps.at(0).key, "203.0.113.7");
}

TEST(RequestMetrics, BoundsSeriesByFoldingNewRoutesIntoOther) {
  RequestMetricsOptions options;
  options.maxRouteSeries = 2;
  RequestMetrics metrics(options);
  record(metrics, "/a", "GET", 200, 1);
  record(metrics, "/b", "GET", 200, 1);
  record(metrics, "/c", "GET", 200, 1);
  record(metrics, "/d", "GET", 200, 1);
  record(metrics, "/a", "GET", 200, 1);
  const auto snapshot = metrics.snapshot();
  ASSERT_EQ(snapshot.routes.size(), 3u);
  EXPECT_EQ(series(snapshot, "/a", "GET").counts.requests, 2u);
  EXPECT_EQ(series(snapshot, kOverflowRoute, "GET").counts.requests, 2u);
  EXPECT_EQ(snapshot.totals.requests, 5u);
}

// Anyone can send a made-up method (a 501): each would be a series of its own, and past
// the bound an overflow series of its own, growing the metrics without limit.
TEST(RequestMetrics, FoldsMethodsNoOneDefinedIntoOne) {
  RequestMetricsOptions options;
  options.maxRouteSeries = 2;
  RequestMetrics metrics(options);
  for (int i = 0; i < 50; ++i) record(metrics, "(unmatched)", "M" + std::to_string(i), 501, 1);
  record(metrics, "/a", "get", 501, 1);
  record(metrics, "/a", "PATCH", 405, 1);
  const auto snapshot = metrics.snapshot();
  EXPECT_EQ(snapshot.routes.size(), 3u);
  EXPECT_EQ(series(snapshot, "(unmatched)", kOtherMethod).counts.requests, 50u);
  EXPECT_EQ(series(snapshot, "/a", kOtherMethod).counts.requests, 1u) << "methods are case-sensitive";
  EXPECT_EQ(series(snapshot, kOverflowRoute, "PATCH").counts.requests, 1u);
  EXPECT_EQ(snapshot.totals.requests, 52u);
}

TEST(RequestMetrics, RecordsImpossibleStatusesAsZero) {
  RequestMetrics metrics;
  record(metrics, "/", "GET", 42, 1);
  record(metrics, "/", "GET", 1000, 1);
  EXPECT_EQ(metrics.snapshot().totals.statusCounts, (std::map<int, std::uint64_t>{{0, 2}}));
}

TEST(RequestMetrics, TracksRequestsInFlight) {
  RequestMetrics metrics;
  metrics.beginRequest();
  {
    InFlightRequest guard(metrics);
    EXPECT_EQ(metrics.snapshot().inFlight, 2);
  }
  EXPECT_EQ(metrics.snapshot().inFlight, 1);
  metrics.endRequest();
  EXPECT_EQ(metrics.snapshot().inFlight, 0);
}

TEST(RequestMetrics, RendersInvalidUtf8UserAgentsAsValidJson) {
  RequestMetrics metrics;
  record(metrics, "/", "GET", 200, 1, "bad\xff\xfe agent", "");
  const nlohmann::ordered_json json = metrics.snapshot();
  EXPECT_NO_THROW((void)json.dump());
  EXPECT_EQ(json["topUserAgents"][0]["userAgent"], "bad\xEF\xBF\xBD\xEF\xBF\xBD agent");
}

TEST(RequestMetrics, CountsExactlyUnderConcurrentRecording) {
  RequestMetrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) {
        InFlightRequest guard(metrics);
        record(metrics, t % 2 == 0 ? "/even" : "/odd", "GET", 200, 100, "agent", "192.0.2.1");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto snapshot = metrics.snapshot();
  EXPECT_EQ(snapshot.totals.requests, 4000u);
  EXPECT_EQ(snapshot.routes.size(), 2u);
  EXPECT_EQ(snapshot.routes[0].counts.requests, 2000u);
  EXPECT_EQ(snapshot.topClientIps.at(0).count, 4000u);
  EXPECT_EQ(snapshot.inFlight, 0);
}

}  // namespace
}  // namespace livedata::server::monitoring
