#include "monitoring/service_targets.h"

#include <gtest/gtest.h>

namespace livedata::server::monitoring {
namespace {

struct LoggedLine {
  livedata::LogLevel level;
  std::string message;
  nlohmann::ordered_json fields;
};

TargetInputs allMet() { return {0.95, 1.0, 0.0, 50.0}; }

TEST(ServiceTargets, ComparesEachTargetStrictly) {
  const auto statuses = evaluateTargets({0.90, 0.995, 0.01, 199.0}, {});
  ASSERT_EQ(statuses.size(), 4u);
  EXPECT_EQ(statuses[0].name, "cache_hit_rate");
  EXPECT_FALSE(statuses[0].met);  // 90% is not over 90%
  EXPECT_EQ(statuses[1].name, "sync_success_rate");
  EXPECT_TRUE(statuses[1].met);
  EXPECT_EQ(statuses[2].name, "error_rate");
  EXPECT_FALSE(statuses[2].met);  // 1% is not under 1%
  EXPECT_EQ(statuses[3].name, "average_response_ms");
  EXPECT_TRUE(statuses[3].met);
  EXPECT_DOUBLE_EQ(statuses[3].target, 200.0);
}

TEST(ServiceTargets, TargetsWithoutDataHaveNoCurrentValueAndCountAsMet) {
  for (const auto& status : evaluateTargets({}, {})) {
    EXPECT_FALSE(status.current) << status.name;
    EXPECT_TRUE(status.met) << status.name;
  }
}

TEST(ServiceTargets, OpensAnAlertWhenMissedAndClosesItWhenMetAgain) {
  std::vector<LoggedLine> logged;
  ServiceTargets targets({}, 10, [&](livedata::LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) {
    logged.push_back({level, std::string(message), fields});
  });
  targets.evaluate(1'000, allMet());
  EXPECT_TRUE(targets.openAlerts().empty());

  TargetInputs missed = allMet();
  missed.cacheHitRate = 0.5;
  targets.evaluate(2'000, missed);
  missed.cacheHitRate = 0.6;
  targets.evaluate(3'000, missed);  // still missed: the same alert
  TargetInputs noData = allMet();
  noData.cacheHitRate.reset();
  targets.evaluate(4'000, noData);  // no data: no evidence of recovery

  auto open = targets.openAlerts();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].target, "cache_hit_rate");
  EXPECT_EQ(open[0].startedAtMs, 2'000);
  EXPECT_DOUBLE_EQ(open[0].valueAtStart, 0.5);
  EXPECT_DOUBLE_EQ(open[0].threshold, 0.9);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].level, livedata::LogLevel::warn);
  EXPECT_EQ(logged[0].message, "service target missed");
  EXPECT_EQ(logged[0].fields["target"], "cache_hit_rate");

  targets.evaluate(5'000, allMet());
  EXPECT_TRUE(targets.openAlerts().empty());
  const auto history = targets.alertHistory();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].startedAtMs, 2'000);
  EXPECT_EQ(history[0].endedAtMs, 5'000);
  EXPECT_DOUBLE_EQ(*history[0].valueAtEnd, 0.95);
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[1].level, livedata::LogLevel::info);
  EXPECT_EQ(logged[1].message, "service target met again");
}

TEST(ServiceTargets, KeepsABoundedHistoryNewestFirst) {
  ServiceTargets targets({}, 2);
  TargetInputs slow = allMet();
  slow.averageResponseMillis = 500;
  for (std::int64_t round = 0; round < 3; ++round) {
    targets.evaluate(round * 100, slow);
    targets.evaluate(round * 100 + 50, allMet());
  }
  const auto history = targets.alertHistory();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].startedAtMs, 200);
  EXPECT_EQ(history[1].startedAtMs, 100);
}

TEST(ServiceTargets, RendersStatusesAndAlertsAsJson) {
  ServiceTargets targets;
  TargetInputs missed = allMet();
  missed.errorRate = 0.2;
  missed.windowSeconds = 300;
  missed.syncWindowSeconds = 3600;
  const auto statuses = targets.evaluate(1'764'000'000'000, missed);
  const nlohmann::ordered_json status = statuses[2];
  EXPECT_EQ(status, nlohmann::ordered_json::parse(
                        R"({"name":"error_rate","comparison":"<","target":0.01,"current":0.2,"met":false,"windowSeconds":300})"));
  EXPECT_EQ(nlohmann::ordered_json(statuses[1])["windowSeconds"], 3600) << "sync runs have their own window";
  const nlohmann::ordered_json alert = targets.openAlerts().at(0);
  EXPECT_EQ(alert["startedAt"], "2025-11-24T16:00:00Z");
  EXPECT_TRUE(alert["endedAt"].is_null());
  EXPECT_EQ(targets.lastStatuses().size(), 4u);
}

}  // namespace
}  // namespace livedata::server::monitoring
