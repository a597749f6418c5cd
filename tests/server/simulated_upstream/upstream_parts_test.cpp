// The upstream's small parts: cursors, fault settings and their draws, the token bucket,
// the feed's request parameters, and which failures are worth retrying.
#include <gtest/gtest.h>

#include "simulated_upstream/feed_cursor.h"
#include "simulated_upstream/upstream_faults.h"
#include "upstream_client/upstream_source.h"

namespace livedata::server {
namespace {

using Params = std::multimap<std::string, std::string>;

TEST(FeedCursor, RoundTripsAndIsUrlSafe) {
  const FeedCursor cursor{Entity::segments, 1234, SyncCursor{1'793'491'199, "seg_0042|odd id"}};
  const std::string text = encodeCursor(cursor);
  EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  const auto back = decodeCursor(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->entity, Entity::segments);
  EXPECT_EQ(back->walk, 1234);
  EXPECT_EQ(back->position, cursor.position);
}

TEST(FeedCursor, RefusesWhatItDidNotWrite) {
  const std::string good = encodeCursor({Entity::metrics, 0, {5, "2026-10-31"}});
  EXPECT_TRUE(decodeCursor(good));
  EXPECT_FALSE(decodeCursor(""));
  EXPECT_FALSE(decodeCursor("not a cursor!"));
  EXPECT_FALSE(decodeCursor(good.substr(0, good.size() - 3)));
  EXPECT_FALSE(decodeCursor(encodeCursor({Entity::metrics, 0, {5, "yesterday"}})));  // a day's id is a date
  EXPECT_TRUE(decodeCursor("djF8Y2FtcGFpZ25zfDB8NXxjbXBfMDAwMQ"));    // "v1|campaigns|0|5|cmp_0001"
  EXPECT_FALSE(decodeCursor("djJ8Y2FtcGFpZ25zfDB8NXxjbXBfMDAwMQ"));   // "v2|...": another version
  EXPECT_FALSE(decodeCursor("djF8Y2FtcGFpZ25zfDB8NQ"));               // "v1|campaigns|0|5": no id
  EXPECT_FALSE(decodeCursor("djF8Y2FtcGFpZ25zfHh8NXxjbXBfMDAwMQ"));   // "v1|campaigns|x|5|...": not a number
  EXPECT_FALSE(decodeCursor(std::string(2000, 'A')));
}

TEST(UpstreamFaults, ParsesEveryFieldAndStartsFromDefaults) {
  auto parsed = parseFaults(R"({"errorRate":0.25,"errorStatuses":[503],"latencyMs":5,"timeoutRate":0.5,)"
                            R"("timeoutMs":100,"malformedRate":0.25,"rateLimitBurst":2,"retryAfterSeconds":3,"seed":9})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const auto& f = parsed.value();
  EXPECT_EQ(f.errorRate, 0.25);
  EXPECT_EQ(f.errorStatuses, std::vector<int>{503});
  EXPECT_EQ(f.latencyMs, 5);
  EXPECT_EQ(f.timeoutRate, 0.5);
  EXPECT_EQ(f.timeoutMs, 100);
  EXPECT_EQ(f.malformedRate, 0.25);
  EXPECT_EQ(f.rateLimitBurst, 2);
  EXPECT_EQ(f.retryAfterSeconds, 3);
  EXPECT_EQ(f.seed, 9u);

  auto empty = parseFaults("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(nlohmann::ordered_json(empty.value()), nlohmann::ordered_json(UpstreamFaults{}));
}

TEST(UpstreamFaults, RefusesUnknownFieldsAndBadValuesNamingThem) {
  auto messageOf = [](const std::string& body) {
    auto parsed = parseFaults(body);
    if (!parsed) {
      EXPECT_EQ(parsed.error().status, 400);
      EXPECT_EQ(parsed.error().code, "invalid_body") << "as every admin body's refusal";
      return parsed.error().message;
    }
    ADD_FAILURE() << "accepted " << body;
    return std::string();
  };
  EXPECT_NE(messageOf(R"({"errorRat":0.5})").find("'errorRat' is not a fault field"), std::string::npos);
  EXPECT_NE(messageOf(R"({"errorRate":"0.5"})").find("errorRate must be a number from 0 to 1"), std::string::npos);
  EXPECT_NE(messageOf(R"({"errorRate":2})").find("errorRate"), std::string::npos);
  EXPECT_NE(messageOf(R"({"latencyMs":1.5})").find("latencyMs must be an integer"), std::string::npos);
  EXPECT_NE(messageOf(R"({"timeoutMs":0})").find("timeoutMs"), std::string::npos);
  EXPECT_NE(messageOf(R"({"errorStatuses":[200]})").find("errorStatuses"), std::string::npos);
  EXPECT_NE(messageOf(R"({"errorStatuses":[]})").find("errorStatuses"), std::string::npos);
  EXPECT_NE(messageOf(R"({"rateLimitBurst":-1})").find("rateLimitBurst"), std::string::npos);
  EXPECT_NE(messageOf(R"({"seed":-1})").find("seed"), std::string::npos);
  EXPECT_NE(messageOf(R"({"errorRate":0.6,"malformedRate":0.6})").find("must not exceed 1"), std::string::npos);
  EXPECT_NE(messageOf("[1]").find("JSON object"), std::string::npos);
  EXPECT_NE(messageOf("").find("JSON object"), std::string::npos);
}

TEST(FaultPlan, DrawsTheSameFaultsFromTheSameSeed) {
  UpstreamFaults faults;
  faults.errorRate = 0.3;
  faults.timeoutRate = 0.2;
  faults.malformedRate = 0.2;
  faults.seed = 77;
  auto draws = [&] {
    FaultPlan plan(faults);
    std::vector<std::pair<int, int>> seen;
    for (int i = 0; i < 200; ++i) {
      const FaultDecision d = plan.next();
      seen.push_back({static_cast<int>(d.kind), d.status});
    }
    return seen;
  };
  const auto first = draws();
  EXPECT_EQ(first, draws());
  std::map<int, int> byKind;
  for (const auto& [kind, status] : first) ++byKind[kind];
  EXPECT_EQ(byKind.size(), 4u);  // none, error, timeout, malformed all occur
  faults.seed = 78;
  EXPECT_NE(first, draws());
}

TEST(FaultPlan, ABurstOf429sCountsDownThenStops) {
  UpstreamFaults faults;
  faults.rateLimitBurst = 2;
  faults.retryAfterSeconds = 4;
  FaultPlan plan(faults);
  EXPECT_EQ(plan.next().kind, FaultDecision::Kind::rateLimited);
  EXPECT_EQ(plan.current().rateLimitBurst, 1);
  const FaultDecision second = plan.next();
  EXPECT_EQ(second.kind, FaultDecision::Kind::rateLimited);
  EXPECT_EQ(second.retryAfterSeconds, 4);
  EXPECT_EQ(plan.next().kind, FaultDecision::Kind::none);
}

TEST(UpstreamFailure, RetriesAllButClientErrorsOtherThan408And429) {
  using Kind = UpstreamFailure::Kind;
  auto failure = [](Kind kind, int status = 0) {
    UpstreamFailure f;
    f.kind = kind;
    f.status = status;
    return f;
  };
  EXPECT_TRUE(failure(Kind::network).retryable());
  EXPECT_TRUE(failure(Kind::timeout).retryable());
  EXPECT_TRUE(failure(Kind::malformed, 200).retryable());
  EXPECT_TRUE(failure(Kind::rate_limited, 429).retryable());
  EXPECT_TRUE(failure(Kind::http, 500).retryable());
  EXPECT_TRUE(failure(Kind::http, 503).retryable());
  EXPECT_TRUE(failure(Kind::http, 408).retryable());
  EXPECT_TRUE(failure(Kind::http, 429).retryable());
  EXPECT_FALSE(failure(Kind::http, 400).retryable());
  EXPECT_FALSE(failure(Kind::http, 401).retryable());
  EXPECT_FALSE(failure(Kind::http, 404).retryable());
}

}  // namespace
}  // namespace livedata::server
