#include "monitoring/monitoring_service.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "monitoring/prometheus_writer.h"
#include "required_tool.h"

namespace livedata::server::monitoring {
namespace {

struct LoggedLine {
  livedata::LogLevel level;
  std::string message;
  nlohmann::ordered_json fields;
};

class Monitoring : public ::testing::Test {
 protected:
  Monitoring() {
    cache.hits = 80;
    cache.misses = 20;
    cache.keys = 12;
    cache.bytes = 4096;
    cache.backend = "redis";
    cache.redisConfigured = true;
    cache.fallbacks = 1;
    cache.invalidations = 3;
    sync.runs = 10;
    sync.successes = 9;
    sync.failures = 1;
    sync.records = 1234;
    sync.retries = 5;
    sync.rateLimitedRetries = 3;
    sync.reportCalls = {{"POST /api/campaign-values-reports", 144, 225}, {"POST /api/flow-values-reports", 0, 225}};
    sync.lastRunDurationMs = 1500;
    sync.lastSuccessAgeMs = 60'000;
    sync.state = "idle";
    system.processCpuPercent = 12.5;
    system.processCpuSeconds = 3.25;
    system.residentMemoryBytes = 50'000'000;
    system.threads = 6;
    system.openFileDescriptors = 17;
    system.hostMemory = HostMemory{8'000'000'000, 4'000'000'000};
    system.load = LoadAverages{0.5, 0.25, 0.125};
    system.diskFreeBytes = 600;
    system.diskTotalBytes = 1000;
  }

  void traffic() {
    service.recordRequest({"/api/campaigns", "GET", 200, 1'000, "curl/8.1", "203.0.113.7"});
    service.recordRequest({"/api/campaigns", "GET", 200, 3'000, "curl/8.1", "203.0.113.9"});
    service.recordRequest({"/api/campaigns/:id", "GET", 500, 2'000'000, "curl/8.1", "203.0.113.9"});
  }

  std::int64_t nowMs = 1'764'000'000'000;  // 2025-11-24T16:00:00Z
  std::vector<LoggedLine> logged;
  static MonitoringOptions judgeFromTheFirstSample() {
    MonitoringOptions options;
    options.targets.minSamples = 1;
    return options;
  }

  MonitoringService service{
      judgeFromTheFirstSample(),
      [this](livedata::LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) {
        logged.push_back({level, std::string(message), fields});
      },
      [this] { return nowMs; }};
  CacheSnapshot cache;
  SyncSnapshot sync;
  SystemMetrics system;
};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool hasLine(const std::string& text, const std::string& line) {
  for (const auto& candidate : lines(text)) {
    if (candidate == line) return true;
  }
  return false;
}

TEST_F(Monitoring, LogsSlowRequestsWithRouteAndDuration) {
  traffic();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].level, livedata::LogLevel::warn);
  EXPECT_EQ(logged[0].message, "slow request");
  EXPECT_EQ(logged[0].fields["route"], "/api/campaigns/:id");
  EXPECT_EQ(logged[0].fields["durationMs"], 2000.0);
}

TEST_F(Monitoring, HealthUsesProbeCacheSystemAndRequestTotals) {
  traffic();  // 1 of 3 requests failed: the error rate fails
  HealthReport report = service.checkHealth({true, 1.0, ""}, cache, system, sync);
  EXPECT_EQ(report.status, HealthStatus::fail);
  const auto json = service.healthJson(report);
  EXPECT_EQ(json["checks"]["api:errorRate"][0]["status"], "fail");
  EXPECT_EQ(json["serviceId"], "livedata-mock-server");
  EXPECT_EQ(json["checks"]["api:errorRate"][0]["time"], "2025-11-24T16:00:00Z");
}

TEST_F(Monitoring, HealthWarnsOnMemoryFallbackAndFailsWithoutDatabase) {
  cache.backend = "memory";
  EXPECT_EQ(service.checkHealth({true, 1.0, ""}, cache, system, sync).status, HealthStatus::warn);
  cache.backend = "redis";
  EXPECT_EQ(service.checkHealth({true, 1.0, ""}, cache, system, sync).status, HealthStatus::pass);
  const auto report = service.checkHealth({false, std::nullopt, "no such table"}, cache, system, sync);
  EXPECT_EQ(httpStatusFor(report.status), 503);
}

TEST_F(Monitoring, HealthWarnsWhenRedisStopsAnsweringBeforeTheCacheNotices) {
  cache.backend = "redis";  // the cache has not failed over yet
  cache.redisAnswersPing = false;
  const auto report = service.checkHealth({true, 1.0, ""}, cache, system, sync);
  EXPECT_EQ(report.status, HealthStatus::warn);
  cache.redisAnswersPing = true;
  EXPECT_EQ(service.checkHealth({true, 1.0, ""}, cache, system, sync).status, HealthStatus::pass);
}

TEST(SyncSnapshot, SuccessRateCountsFinishedRunsOnly) {
  SyncSnapshot sync;
  sync.runs = 1;  // in progress
  EXPECT_EQ(sync.successRate(), std::nullopt);
  sync.runs = 3;
  sync.successes = 2;
  EXPECT_DOUBLE_EQ(*sync.successRate(), 1.0) << "the third run is still going";
  sync.failures = 1;
  sync.runs = 4;
  EXPECT_DOUBLE_EQ(*sync.successRate(), 2.0 / 3.0);
}

TEST_F(Monitoring, StatusShowsTargetsAndAlertsWithTimes) {
  traffic();
  nowMs += 5'000;
  const auto targets = service.evaluateTargets(cache, sync);
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_DOUBLE_EQ(*targets[0].current, 0.8);
  EXPECT_DOUBLE_EQ(*targets[1].current, 0.9);
  const auto json = service.statusJson(sync, cache, service.checkHealth({true, 1.0, ""}, cache, system, sync));
  EXPECT_EQ(json["version"], "1");
  EXPECT_EQ(json["uptimeSeconds"], 5.0);
  EXPECT_EQ(json["sync"]["state"], "idle");
  EXPECT_EQ(json["cache"]["backend"], "redis");
  EXPECT_EQ(json["health"]["status"], "fail");
  EXPECT_EQ(json["targets"].size(), 4u);
  // All four are missed: hit rate 80%, sync 90%, errors 33%, average 668 ms.
  ASSERT_EQ(json["alerts"]["open"].size(), 4u);
  EXPECT_EQ(json["alerts"]["open"][0]["startedAt"], "2025-11-24T16:00:05Z");
  EXPECT_EQ(json["alerts"]["history"].size(), 0u);

  cache.hits = 1000;
  nowMs += 60'000;
  service.evaluateTargets(cache, sync);
  const auto after = service.statusJson(sync, cache, {});
  EXPECT_EQ(after["alerts"]["open"].size(), 3u);
  ASSERT_EQ(after["alerts"]["history"].size(), 1u);
  EXPECT_EQ(after["alerts"]["history"][0]["target"], "cache_hit_rate");
  EXPECT_EQ(after["alerts"]["history"][0]["endedAt"], "2025-11-24T16:01:05Z");
}

// Health and the targets judge the last 5 minutes, not the process's life: over a lifetime,
// ten failures at start-up kept the error rate failing until thousands of good requests
// diluted them, and an outage on a long-lived process barely moved it.
TEST_F(Monitoring, HealthAndTargetsJudgeTheRecentWindowNotTheLifetime) {
  for (int i = 0; i < 10; ++i) service.recordRequest({"/api/campaigns", "GET", 503, 1'000, "", ""});
  nowMs += 1'000;
  EXPECT_FALSE(service.evaluateTargets(cache, sync)[2].met);
  const auto failing = service.healthJson(service.checkHealth({true, 1.0, ""}, cache, system, sync));
  EXPECT_EQ(failing["checks"]["api:errorRate"][0]["status"], "fail");
  EXPECT_EQ(failing["checks"]["api:errorRate"][0]["output"], "5xx ratio over the last 5 min 1 of requests beyond threshold 0.05");

  nowMs += 6 * 60'000;  // the failures are more than 5 minutes old
  for (int i = 0; i < 150; ++i) service.recordRequest({"/api/campaigns", "GET", 200, 1'000, "", ""});
  const auto targets = service.evaluateTargets(cache, sync);
  EXPECT_TRUE(targets[2].met) << "over its life the server failed 10 of 160 requests, 6%";
  EXPECT_EQ(*targets[2].current, 0.0);
  EXPECT_EQ(targets[2].windowSeconds, 300);
  const auto healthy = service.healthJson(service.checkHealth({true, 1.0, ""}, cache, system, sync));
  EXPECT_EQ(healthy["checks"]["api:errorRate"][0]["status"], "pass");
  EXPECT_EQ(service.statusJson(sync, cache, {})["alerts"]["history"][0]["target"], "error_rate") << "closed";

  // Sync runs are judged over the hour: a run a minute gives too few in 5 minutes.
  EXPECT_DOUBLE_EQ(*targets[1].current, 0.9);
  EXPECT_EQ(targets[1].windowSeconds, 3600);
}

TEST(RecentCounters, TakeTheChangeSinceTheStartUntilTheWindowFills) {
  RecentCounters recent(0, 60'000);
  Counters now;
  now.requests = 10;
  EXPECT_EQ(recent.changeOver(30'000, now, 60'000).requests, 10u) << "younger than the window: since the start";
  recent.sample(30'000, now);
  now.requests = 25;
  recent.sample(95'000, now);
  EXPECT_EQ(recent.changeOver(95'000, now, 60'000).requests, 15u) << "since the sample 65 s old";
}

// A health check and the targets' evaluation run on two threads: one may read the counters a
// moment before the other yet sample after it. That read takes no total back (a total that
// went back would have looked like a window of thousands of requests, or of none).
TEST(RecentCounters, AReadFromAMomentBeforeTakesNoTotalBack) {
  RecentCounters recent(0, 300'000);
  Counters later;
  later.requests = 1000;
  later.serverErrors = 10;
  later.cacheHits = 500;
  recent.sample(10'000, later);
  Counters before = later;  // read a moment earlier, sampled after
  before.requests = 990;
  before.cacheHits = 498;
  recent.sample(11'000, before);
  Counters now = later;
  now.requests = 1100;
  now.serverErrors = 11;
  now.cacheHits = 600;
  const Counters change = recent.changeOver(20'000, now, 9'500);  // since the sample at 10 s
  EXPECT_EQ(change.requests, 100u);
  EXPECT_EQ(change.serverErrors, 1u);
  EXPECT_EQ(change.cacheHits, 100u);
  EXPECT_EQ(recent.changeOver(20'500, now, 9'000).requests, 100u) << "the sample at 11 s holds the later totals";
}

TEST(MonitoringTargets, AreNotJudgedBeforeEnoughSamples) {
  MonitoringService service;  // minSamples 20
  CacheSnapshot cache;
  cache.misses = 5;  // a cold cache: every lookup so far missed
  SyncSnapshot sync;
  for (int i = 0; i < 19; ++i) service.recordRequest({"/api/campaigns", "GET", 503, 1'000, "", ""});
  auto targets = service.evaluateTargets(cache, sync);
  for (const auto& target : targets) {
    EXPECT_TRUE(target.met) << target.name;
    EXPECT_FALSE(target.current.has_value()) << target.name;
  }
  service.recordRequest({"/api/campaigns", "GET", 503, 1'000, "", ""});
  cache.misses = 20;
  targets = service.evaluateTargets(cache, sync);
  EXPECT_FALSE(targets[0].met) << "20 lookups, all misses";
  EXPECT_FALSE(targets[2].met) << "20 requests, all 5xx";
  EXPECT_TRUE(targets[3].met) << "1 ms average";
}

TEST_F(Monitoring, RendersMetricsApiMetricsAndErrorsJson) {
  traffic();
  service.recordError({"HttpError", "upstream returned 500 for id 42", "/api/campaigns/:id", "req-1", nullptr});
  service.recordError({"HttpError", "upstream returned 500 for id 43", "/api/campaigns/:id", "req-2", nullptr});
  const auto metrics = service.metricsJson(system, cache);
  EXPECT_EQ(metrics["cache"]["hitRate"], 0.8);
  EXPECT_EQ(metrics["system"]["process"]["threads"], 6);
  EXPECT_EQ(service.apiMetricsJson()["totals"]["requests"], 3);
  const auto errors = service.errorsJson();
  EXPECT_EQ(errors["totalErrors"], 2);
  ASSERT_EQ(errors["groups"].size(), 1u);
  EXPECT_EQ(errors["groups"][0]["count"], 2);
  EXPECT_EQ(errors["groups"][0]["lastRequestId"], "req-2");
}

TEST_F(Monitoring, ExposesConventionalPrometheusSeries) {
  traffic();
  service.recordError({"HttpError", "boom", "/", "r", nullptr});
  service.evaluateTargets(cache, sync);
  const std::string text = service.prometheusText(system, cache, sync);
  for (const char* line : {
           R"(livedata_http_requests_total{route="/api/campaigns",method="GET",status="200"} 2)",
           R"(livedata_http_requests_total{route="/api/campaigns/:id",method="GET",status="500"} 1)",
           R"(livedata_http_request_duration_seconds_bucket{route="/api/campaigns",method="GET",le="0.001"} 1)",
           R"(livedata_http_request_duration_seconds_bucket{route="/api/campaigns",method="GET",le="0.005"} 2)",
           R"(livedata_http_request_duration_seconds_bucket{route="/api/campaigns",method="GET",le="+Inf"} 2)",
           R"(livedata_http_request_duration_seconds_sum{route="/api/campaigns",method="GET"} 0.004)",
           R"(livedata_http_request_duration_seconds_count{route="/api/campaigns",method="GET"} 2)",
           "livedata_http_requests_in_flight 0",
           "livedata_http_slow_requests_total 1",
           "livedata_errors_total 1",
           "livedata_cache_hits_total 80",
           "livedata_cache_misses_total 20",
           "livedata_cache_keys 12",
           "livedata_cache_bytes 4096",
           R"(livedata_cache_backend_info{backend="redis"} 1)",
           "livedata_cache_fallbacks_total 1",
           "livedata_cache_redis_configured 1",
           R"(livedata_build_info{version=")" LIVEDATA_VERSION R"(",api_version="1"} 1)",
           R"(livedata_sync_runs_total{outcome="success"} 9)",
           R"(livedata_sync_runs_total{outcome="failure"} 1)",
           "livedata_sync_records_total 1234",
           R"(livedata_sync_retries_total{reason="rate_limited"} 3)",
           R"(livedata_sync_retries_total{reason="other"} 2)",
           R"(livedata_upstream_report_calls_today{operation="POST /api/campaign-values-reports"} 144)",
           R"(livedata_upstream_report_calls_daily_limit{operation="POST /api/campaign-values-reports"} 225)",
           R"(livedata_upstream_report_calls_today{operation="POST /api/flow-values-reports"} 0)",
           "livedata_sync_last_success_age_seconds 60",
           "livedata_process_cpu_percent 12.5",
           "process_cpu_seconds_total 3.25",
           "process_resident_memory_bytes 50000000",
           "process_open_fds 17",
           "process_threads 6",
           "livedata_uptime_seconds 0",
           R"(livedata_slo_met{target="cache_hit_rate"} 0)",
           "livedata_alerts_open 4",
       }) {
    EXPECT_TRUE(hasLine(text, line)) << "missing: " << line << "\n" << text;
  }
}

TEST_F(Monitoring, PrometheusTextFollowsTheExpositionRules) {
  traffic();
  const std::string text = service.prometheusText(system, cache, sync);
  std::map<std::string, std::string> typeOf;
  std::set<std::string> helped;
  std::string current;
  std::map<std::string, std::uint64_t> infBucket;
  std::map<std::string, std::uint64_t> count;
  for (const auto& line : lines(text)) {
    if (line.rfind("# HELP ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(helped.insert(name).second) << "HELP twice: " << name;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream in(line.substr(7));
      std::string name, type;
      in >> name >> type;
      EXPECT_TRUE(typeOf.emplace(name, type).second) << "TYPE twice: " << name;
      EXPECT_TRUE(helped.count(name)) << "TYPE before HELP: " << name;
      if (type == "counter") {
        EXPECT_EQ(name.substr(name.size() - 6), "_total") << name;
      }
      current = name;
      continue;
    }
    const std::string series = line.substr(0, line.find_first_of("{ "));
    // Every sample belongs to the family whose header came last (families are contiguous).
    const bool ownFamily = series == current || (typeOf[current] == "histogram" &&
                                                 (series == current + "_bucket" || series == current + "_sum" ||
                                                  series == current + "_count"));
    EXPECT_TRUE(ownFamily) << line;
    const std::string value = line.substr(line.rfind(' ') + 1);
    if (series == "livedata_http_request_duration_seconds_bucket" && line.find("le=\"+Inf\"") != std::string::npos) {
      const std::string labels = line.substr(line.find('{'), line.find(",le=") - line.find('{'));
      infBucket[labels] = std::stoull(value);
    }
    if (series == "livedata_http_request_duration_seconds_count") {
      count[line.substr(line.find('{'), line.find('}') - line.find('{'))] = std::stoull(value);
    }
  }
  EXPECT_EQ(infBucket.size(), 2u);
  EXPECT_EQ(infBucket, count);
}

TEST_F(Monitoring, PrometheusBucketsAreCumulative) {
  for (std::uint64_t micros : {100, 700, 700, 30'000, 20'000'000}) {
    service.recordRequest({"/r", "GET", 200, micros, "", ""});
  }
  const std::string text = service.prometheusText(system, cache, sync);
  std::vector<std::uint64_t> buckets;
  for (const auto& line : lines(text)) {
    if (line.rfind("livedata_http_request_duration_seconds_bucket{route=\"/r\"", 0) == 0) {
      buckets.push_back(std::stoull(line.substr(line.rfind(' ') + 1)));
    }
  }
  const std::vector<std::uint64_t> expected = {1, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5};
  EXPECT_EQ(buckets, expected);
}

TEST_F(Monitoring, PromtoolAcceptsTheExposition) {
  LIVEDATA_REQUIRE_TOOL("promtool");
  traffic();
  service.evaluateTargets(cache, sync);
  const auto path = std::filesystem::temp_directory_path() / ("livedata-metrics-" + std::to_string(getpid()) + ".txt");
  std::ofstream(path) << service.prometheusText(service.sampleSystem(), cache, sync);
  const int status = std::system(("promtool check metrics < " + path.string()).c_str());
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0);
}

TEST(MonitoringOptions, DefaultsAreValid) { EXPECT_EQ(validateMonitoringOptions({}), std::nullopt); }

TEST(MonitoringOptions, NamesTheFirstInvalidField) {
  MonitoringOptions options;
  options.health.diskFailRatio = 0.2;  // above the warn ratio 0.1
  EXPECT_EQ(validateMonitoringOptions(options), "health.diskFailRatio must be within [0, health.diskWarnRatio]");
  options = {};
  options.health.memoryFailRatio = 0.8;  // below the warn ratio 0.9: memory in use fails before it warns
  EXPECT_EQ(validateMonitoringOptions(options), "health.memoryFailRatio must be within [health.memoryWarnRatio, 1]");
  options = {};
  options.targets.maxErrorRate = 0.0 / 0.0;
  EXPECT_EQ(validateMonitoringOptions(options), "targets.maxErrorRate must be within [0, 1]");
  options = {};
  options.requests.maxRouteSeries = 0;
  EXPECT_EQ(validateMonitoringOptions(options), "requests.maxRouteSeries must be at least 1");
}

}  // namespace
}  // namespace livedata::server::monitoring
