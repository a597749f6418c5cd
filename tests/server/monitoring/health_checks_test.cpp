#include "monitoring/health_checks.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace livedata::server::monitoring {
namespace {

constexpr std::int64_t kNowMs = 1'764'000'000'000;  // 2025-11-24T16:00:00Z

HealthObservations healthy() {
  HealthObservations o;
  o.databaseReachable = true;
  o.databasePingMillis = 2.5;
  o.redisConfigured = true;
  o.redisReachable = true;
  o.hostMemoryTotalBytes = 1000;
  o.hostMemoryAvailableBytes = 500;
  o.processCpuPercent = 10;
  o.diskFreeBytes = 500;
  o.diskTotalBytes = 1000;
  o.apiAverageLatencyMillis = 20;
  o.apiErrorRate = 0.0;
  o.syncAgeSeconds = 30;
  return o;
}

HealthStatus statusOf(const HealthReport& report, const std::string& key) {
  for (const auto& check : report.checks) {
    if (check.component + ":" + check.measurement == key) return check.status;
  }
  throw std::runtime_error("no check " + key);
}

TEST(HealthChecks, AllGoodIsPassWith200) {
  const HealthReport report = evaluateHealth(healthy(), {}, kNowMs);
  EXPECT_EQ(report.status, HealthStatus::pass);
  EXPECT_EQ(report.checks.size(), 8u);
  EXPECT_EQ(httpStatusFor(report.status), 200);
}

// Data that has not synced for 15 minutes warns, as the stale-sync alert pages; after an
// hour the dashboard shows data that old as current, which fails. A follower, which does not
// sync, has nothing of its own to judge.
TEST(HealthChecks, DataThatHasNotSyncedForLongWarnsThenFails) {
  HealthObservations o = healthy();
  o.syncAgeSeconds = 1200;
  HealthReport report = evaluateHealth(o, {}, kNowMs);
  EXPECT_EQ(statusOf(report, "sync:lastSuccessAge"), HealthStatus::warn);
  EXPECT_EQ(httpStatusFor(report.status), 200);
  const auto warned = std::find_if(report.checks.begin(), report.checks.end(),
                                   [](const HealthCheck& check) { return check.component == "sync"; });
  EXPECT_EQ(warned->output, "no complete sync for 1200 s beyond threshold 900");
  o.syncAgeSeconds = 4000;
  report = evaluateHealth(o, {}, kNowMs);
  EXPECT_EQ(statusOf(report, "sync:lastSuccessAge"), HealthStatus::fail);
  EXPECT_EQ(httpStatusFor(report.status), 503);
  o.syncAgeSeconds.reset();
  EXPECT_EQ(statusOf(evaluateHealth(o, {}, kNowMs), "sync:lastSuccessAge"), HealthStatus::pass);
}

TEST(HealthChecks, UnreachableDatabaseFailsWith503) {
  HealthObservations o = healthy();
  o.databaseReachable = false;
  o.databasePingMillis.reset();
  o.databaseError = "unable to open database file";
  const HealthReport report = evaluateHealth(o, {}, kNowMs);
  EXPECT_EQ(report.status, HealthStatus::fail);
  EXPECT_EQ(httpStatusFor(report.status), 503);
  EXPECT_EQ(report.checks[0].output, "database query failed: unable to open database file");
}

TEST(HealthChecks, SlowDatabasePingWarns) {
  HealthObservations o = healthy();
  o.databasePingMillis = 150;
  EXPECT_EQ(statusOf(evaluateHealth(o, {}, kNowMs), "database:responseTime"), HealthStatus::warn);
}

TEST(HealthChecks, RedisOnMemoryFallbackWarnsButStays200) {
  HealthObservations o = healthy();
  o.cacheOnMemoryFallback = true;
  const HealthReport report = evaluateHealth(o, {}, kNowMs);
  EXPECT_EQ(report.status, HealthStatus::warn);
  EXPECT_EQ(httpStatusFor(report.status), 200);
  o.redisReachable = false;
  o.cacheOnMemoryFallback = false;
  EXPECT_EQ(statusOf(evaluateHealth(o, {}, kNowMs), "redis:connection"), HealthStatus::warn);
  o.redisConfigured = false;
  EXPECT_EQ(evaluateHealth(o, {}, kNowMs).status, HealthStatus::pass);
}

TEST(HealthChecks, DiskFreeBelowTenPercentWarnsAndBelowFiveFails) {
  HealthObservations o = healthy();
  o.diskFreeBytes = 100;  // exactly 10%: not below
  EXPECT_EQ(statusOf(evaluateHealth(o, {}, kNowMs), "disk:free"), HealthStatus::pass);
  o.diskFreeBytes = 80;
  EXPECT_EQ(statusOf(evaluateHealth(o, {}, kNowMs), "disk:free"), HealthStatus::warn);
  o.diskFreeBytes = 40;
  EXPECT_EQ(statusOf(evaluateHealth(o, {}, kNowMs), "disk:free"), HealthStatus::fail);
}

TEST(HealthChecks, MemoryAndCpuFollowTheirThresholds) {
  HealthObservations o = healthy();
  o.hostMemoryAvailableBytes = 100;  // exactly 90% used: not over
  EXPECT_EQ(statusOf(evaluateHealth(o, {}, kNowMs), "memory:utilization"), HealthStatus::pass);
  o.hostMemoryAvailableBytes = 80;
  o.processCpuPercent = 85;
  auto report = evaluateHealth(o, {}, kNowMs);
  EXPECT_EQ(statusOf(report, "memory:utilization"), HealthStatus::warn);
  // Utilization is the share in use, as for the CPU, and the output says what crossed what.
  const auto memory = std::find_if(report.checks.begin(), report.checks.end(),
                                   [](const HealthCheck& check) { return check.component == "memory"; });
  ASSERT_NE(memory, report.checks.end());
  EXPECT_DOUBLE_EQ(memory->observedValue.get<double>(), 0.92);
  EXPECT_EQ(memory->observedUnit, "ratio used");
  EXPECT_EQ(memory->output, "memory used 0.92 of total beyond threshold 0.9");
  EXPECT_EQ(statusOf(report, "cpu:utilization"), HealthStatus::warn);
  o.hostMemoryAvailableBytes = 40;
  o.processCpuPercent = 99;
  report = evaluateHealth(o, {}, kNowMs);
  EXPECT_EQ(statusOf(report, "memory:utilization"), HealthStatus::fail);
  EXPECT_EQ(statusOf(report, "cpu:utilization"), HealthStatus::fail);
}

TEST(HealthChecks, ApiLatencyAndErrorRateFollowTheirThresholds) {
  HealthObservations o = healthy();
  o.apiAverageLatencyMillis = 250;
  o.apiErrorRate = 0.02;
  auto report = evaluateHealth(o, {}, kNowMs);
  EXPECT_EQ(statusOf(report, "api:responseTime"), HealthStatus::warn);
  EXPECT_EQ(statusOf(report, "api:errorRate"), HealthStatus::warn);
  o.apiAverageLatencyMillis = 1500;
  o.apiErrorRate = 0.06;
  report = evaluateHealth(o, {}, kNowMs);
  EXPECT_EQ(statusOf(report, "api:responseTime"), HealthStatus::fail);
  EXPECT_EQ(statusOf(report, "api:errorRate"), HealthStatus::fail);
}

TEST(HealthChecks, ThresholdsAreConfigurable) {
  HealthObservations o = healthy();
  o.apiAverageLatencyMillis = 50;
  HealthThresholds strict;
  strict.latencyWarnMillis = 10;
  EXPECT_EQ(statusOf(evaluateHealth(o, strict, kNowMs), "api:responseTime"), HealthStatus::warn);
}

TEST(HealthChecks, NoRequestsPassesButUnreadableSystemValuesWarn) {
  HealthObservations o = healthy();
  o.apiAverageLatencyMillis.reset();
  o.apiErrorRate.reset();
  EXPECT_EQ(evaluateHealth(o, {}, kNowMs).status, HealthStatus::pass);
  o.diskTotalBytes.reset();
  EXPECT_EQ(statusOf(evaluateHealth(o, {}, kNowMs), "disk:free"), HealthStatus::warn);
}

TEST(HealthChecks, AFailingCheckNamesTheFailThresholdInItsTextAndItsJson) {
  const auto errorRateCheck = [](double rate) {
    HealthObservations o = healthy();
    o.apiErrorRate = rate;
    const HealthReport report = evaluateHealth(o, {}, kNowMs);
    const auto check = std::find_if(report.checks.begin(), report.checks.end(),
                                    [](const HealthCheck& c) { return c.measurement == "errorRate"; });
    EXPECT_NE(check, report.checks.end());
    return check == report.checks.end() ? HealthCheck{} : *check;
  };
  const HealthCheck failing = errorRateCheck(0.1077);
  EXPECT_EQ(failing.status, HealthStatus::fail);
  EXPECT_EQ(failing.output, "5xx ratio 0.1077 of requests beyond threshold 0.05");
  EXPECT_EQ(failing.threshold, 0.05) << "the threshold crossed, as the text says";
  const HealthCheck warning = errorRateCheck(0.02);
  EXPECT_EQ(warning.status, HealthStatus::warn);
  EXPECT_EQ(warning.threshold, 0.01) << "the warn threshold while warning";
}

TEST(HealthJson, FollowsTheIetfDraftShape) {
  HealthObservations o = healthy();
  o.cacheOnMemoryFallback = true;
  const auto json = renderHealthJson(evaluateHealth(o, {}, kNowMs), {"1", "0.1.0", "livedata-mock-server", "test"});
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"status", "version", "releaseId", "serviceId", "description", "checks",
                                            "output"}));
  EXPECT_EQ(json["status"], "warn");
  EXPECT_EQ(json["output"], "redis:connection warn");
  const auto& database = json["checks"]["database:responseTime"];
  ASSERT_TRUE(database.is_array());
  ASSERT_EQ(database.size(), 1u);
  EXPECT_EQ(database[0]["componentType"], "datastore");
  EXPECT_EQ(database[0]["observedValue"], 2.5);
  EXPECT_EQ(database[0]["observedUnit"], "ms");
  EXPECT_EQ(database[0]["status"], "pass");
  EXPECT_EQ(database[0]["time"], "2025-11-24T16:00:00Z");
  EXPECT_EQ(database[0]["threshold"], 100.0);
  EXPECT_FALSE(database[0].contains("output"));
  const auto& redis = json["checks"]["redis:connection"][0];
  EXPECT_EQ(redis["status"], "warn");
  EXPECT_EQ(redis["observedValue"], "memory fallback");
  EXPECT_EQ(redis["threshold"], "connected");
  EXPECT_TRUE(redis.contains("output"));
  EXPECT_EQ(json["checks"].size(), 8u);
}

TEST(HealthJson, OmitsTopLevelOutputWhenPassing) {
  const auto json = renderHealthJson(evaluateHealth(healthy(), {}, kNowMs), {});
  EXPECT_EQ(json["status"], "pass");
  EXPECT_FALSE(json.contains("output"));
}

}  // namespace
}  // namespace livedata::server::monitoring
