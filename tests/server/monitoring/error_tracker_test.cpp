#include "monitoring/error_tracker.h"

#include <gtest/gtest.h>

#include "monitoring/error_fingerprint.h"

namespace livedata::server::monitoring {
namespace {

ErrorEvent notFound(std::string message, std::string route = "/api/campaigns/:id", std::string requestId = "r1") {
  return {"NotFound", std::move(message), std::move(route), std::move(requestId), {{"detail", 1}}};
}

TEST(MessageTemplate, ReplacesNumbersHexIdsQuotedStringsAndUuids) {
  EXPECT_EQ(messageTemplate("campaign 42 not found"), "campaign <n> not found");
  EXPECT_EQ(messageTemplate("user 'alice' id 550e8400-e29b-41d4-a716-446655440000 at 0x7ffd1234 obj 5f2a9c3e1b"),
            "user <str> id <uuid> at <hex> obj <hex>");
  EXPECT_EQ(messageTemplate("key \"campaigns?limit=50\" expired after 1.5s"), "key <str> expired after <n>.<n>s");
  EXPECT_EQ(messageTemplate("page12 of 30"), "page<n> of <n>");
}

TEST(MessageTemplate, LeavesWordsAndUnterminatedQuotesAlone) {
  EXPECT_EQ(messageTemplate("deadbeef cafe"), "deadbeef cafe");  // hex letters but no digit: a word
  EXPECT_EQ(messageTemplate("say \"hi"), "say \"hi");
  EXPECT_EQ(messageTemplate(""), "");
}

TEST(MessageTemplate, ReadsAtMostTheBoundedPrefix) {
  EXPECT_EQ(messageTemplate(std::string(10'000, 'a')).size(), kMaxTemplateBytes);
}

TEST(ErrorFingerprint, IsAStableShortHashOfTypeTemplateAndRoute) {
  // FNV-1a 64 of "NotFound\x1f" "campaign <n> not found\x1f" "/api/campaigns/:id".
  EXPECT_EQ(errorFingerprint("NotFound", "campaign <n> not found", "/api/campaigns/:id"), "fb212d0242125476");
  EXPECT_NE(errorFingerprint("ab", "c", "r"), errorFingerprint("a", "bc", "r"));
}

TEST(ErrorTracker, GroupsTheSameCauseWithDifferentNumbers) {
  ErrorTracker tracker;
  const auto first = tracker.recordError(notFound("campaign 42 not found", "/api/campaigns/:id", "r1"), 1'000);
  const auto second = tracker.recordError(notFound("campaign 7 not found", "/api/campaigns/:id", "r2"), 5'000);
  EXPECT_EQ(first, second);
  const auto snapshot = tracker.snapshot();
  EXPECT_EQ(snapshot.totalErrors, 2u);
  ASSERT_EQ(snapshot.groups.size(), 1u);
  const ErrorGroup& group = snapshot.groups[0];
  EXPECT_EQ(group.fingerprint, "fb212d0242125476");
  EXPECT_EQ(group.count, 2u);
  EXPECT_EQ(group.firstSeenMs, 1'000);
  EXPECT_EQ(group.lastSeenMs, 5'000);
  EXPECT_EQ(group.lastRequestId, "r2");
  EXPECT_EQ(group.sampleMessage, "campaign 42 not found");
  EXPECT_EQ(group.messageTemplate, "campaign <n> not found");
}

TEST(ErrorTracker, SeparatesDifferentRoutesAndTypes) {
  ErrorTracker tracker;
  tracker.recordError(notFound("campaign 42 not found", "/api/campaigns/:id"), 1);
  tracker.recordError(notFound("campaign 42 not found", "/api/ads/:id"), 2);
  ErrorEvent other = notFound("campaign 42 not found");
  other.type = "DatabaseError";
  tracker.recordError(other, 3);
  tracker.recordError(notFound("ad 42 not found"), 4);
  const auto snapshot = tracker.snapshot();
  EXPECT_EQ(snapshot.totalErrors, 4u);
  EXPECT_EQ(snapshot.groups.size(), 4u);
}

TEST(ErrorTracker, EvictsTheLeastRecentlySeenGroupWhenFull) {
  ErrorTracker tracker(ErrorTrackerOptions{2});
  tracker.recordError(notFound("a 1"), 1);
  tracker.recordError(notFound("b 1"), 2);
  tracker.recordError(notFound("a 2"), 3);  // a is now the most recent
  tracker.recordError(notFound("c 1"), 4);  // evicts b
  const auto snapshot = tracker.snapshot();
  EXPECT_EQ(snapshot.totalErrors, 4u);
  EXPECT_EQ(snapshot.evictedGroups, 1u);
  ASSERT_EQ(snapshot.groups.size(), 2u);
  EXPECT_EQ(snapshot.groups[0].messageTemplate, "c <n>");
  EXPECT_EQ(snapshot.groups[1].messageTemplate, "a <n>");
  EXPECT_EQ(snapshot.groups[1].count, 2u);
}

TEST(ErrorTracker, BoundsContextAndRendersInvalidUtf8AsValidJson) {
  ErrorTracker tracker;
  ErrorEvent event = notFound("bad \xff byte");
  event.context = {{"blob", std::string(10'000, 'x')}};
  tracker.recordError(event, 1'764'000'000'000);
  const nlohmann::ordered_json json = tracker.snapshot();
  EXPECT_NO_THROW((void)json.dump());
  EXPECT_EQ(json["groups"][0]["lastContext"], nlohmann::ordered_json({{"truncated", true}}));
  EXPECT_EQ(json["groups"][0]["sampleMessage"], "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(json["groups"][0]["firstSeen"], "2025-11-24T16:00:00Z");
  EXPECT_EQ(json["totalErrors"], 1);
}

}  // namespace
}  // namespace livedata::server::monitoring
