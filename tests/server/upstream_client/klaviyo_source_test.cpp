// The sync's Klaviyo reader against the simulated Klaviyo on loopback (and, for answers the
// simulation never gives, a server that answers what a test says).
#include "upstream_client/klaviyo_source.h"

#include <httplib.h>

#include <map>
#include <mutex>
#include <set>
#include <string_view>
#include <utility>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loopback_server.h"

#include "klaviyo/iso_datetime.h"
#include "simulated_upstream/klaviyo_collections.h"  // metricDefinitionsOf
#include "canned_server.h"
#include "upstream_test_support.h"

namespace livedata::server {
namespace {

using namespace livedata::server::testing;
using Kind = UpstreamFailure::Kind;

constexpr const char* kApiKey = "pk_source_test_9f8e7d6c5b4a";

std::unique_ptr<KlaviyoSource> makeKlaviyoSource(const std::string& baseUrl, const std::string& key = kApiKey) {
  KlaviyoSourceOptions options;
  options.http.baseUrl = baseUrl;
  options.http.connectTimeoutMs = 2000;
  options.http.readTimeoutMs = 5000;
  options.apiKey = key;
  auto created = KlaviyoSource::create(std::move(options));
  EXPECT_TRUE(created) << (created ? "" : created.error());
  return created ? std::move(created.value()) : nullptr;
}

class KlaviyoSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { start(false); }
  void start(bool documentedRateLimits) {
    server_.reset();
    if (!account_) account_ = makeAccount();
    server_ = startKlaviyoServer(*account_, kApiKey, documentedRateLimits);
    ASSERT_TRUE(server_);
    source_ = makeKlaviyoSource(server_->baseUrl());
    ASSERT_TRUE(source_);
  }

  // Every page from `since`, following nextCursor.
  template <typename Resource>
  std::vector<Resource> walk(UnixSeconds since, int* pages = nullptr) {
    std::vector<Resource> all;
    std::optional<std::string> cursor;
    for (int page = 1; page < 10000; ++page) {
      auto result = source_->fetchCollection<Resource>(since, cursor);
      if (!result) {
        ADD_FAILURE() << result.error().message;
        return all;
      }
      all.insert(all.end(), result.value().resources.begin(), result.value().resources.end());
      if (pages) *pages = page;
      cursor = result.value().nextCursor;
      if (!cursor) return all;
    }
    ADD_FAILURE() << "the walk does not end";
    return all;
  }

  std::unique_ptr<UpstreamAccount> account_;
  std::unique_ptr<UpstreamServer> server_;
  std::unique_ptr<KlaviyoSource> source_;
};

template <typename Items>
std::set<std::string> idsOf(const Items& items) {
  std::set<std::string> ids;
  for (const auto& item : items) ids.insert(item.id);
  return ids;
}

TEST_F(KlaviyoSourceTest, AWalkFromTheStartReadsEveryRecordAtEachCollectionsPageSize) {
  int pages = 0;
  const auto campaigns = walk<klaviyo::CampaignResource>(0, &pages);
  EXPECT_EQ(idsOf(campaigns), idsOf(recordsOf<Campaign>(*account_, Entity::campaigns)));
  EXPECT_EQ(pages, 3);  // 300 campaigns at 100 a page
  EXPECT_EQ(idsOf(walk<klaviyo::FlowResource>(0)), idsOf(recordsOf<Flow>(*account_, Entity::flows)));
  EXPECT_EQ(idsOf(walk<klaviyo::FormResource>(0)), idsOf(recordsOf<Form>(*account_, Entity::forms)));
  EXPECT_EQ(idsOf(walk<klaviyo::SegmentResource>(0, &pages)), idsOf(recordsOf<Segment>(*account_, Entity::segments)));
  EXPECT_EQ(pages, 3);  // 30 segments at 10 a page
  EXPECT_EQ(idsOf(walk<klaviyo::MetricResource>(0)), idsOf(metricDefinitionsOf(*account_)));
  // The sparse fieldsets keep what the sync reads.
  for (const auto& campaign : campaigns) {
    EXPECT_FALSE(campaign.name.empty());
    EXPECT_GT(campaign.updatedAt, 0);
  }
}

TEST_F(KlaviyoSourceTest, AnIncrementalWalkReadsTheRecordsChangedAtOrAfterItsTime) {
  const UnixSeconds since = endOfData() + 100;
  account_->applyChanges(40, since);
  std::set<std::string> changedSegments, changedFlows;
  for (const auto& s : recordsOf<Segment>(*account_, Entity::segments)) {
    if (s.updatedAt >= since) changedSegments.insert(s.id);
  }
  for (const auto& f : recordsOf<Flow>(*account_, Entity::flows)) {
    if (f.updatedAt >= since) changedFlows.insert(f.id);
  }
  EXPECT_EQ(idsOf(walk<klaviyo::SegmentResource>(since)), changedSegments);  // greater-than the second before
  EXPECT_EQ(idsOf(walk<klaviyo::FlowResource>(since)), changedFlows);        // greater-or-equal
}

// What the source asks an upstream that only records it: a whole pass (since 0) puts no
// condition on the update time, which Klaviyo documents as nullable for flows and segments
// (a record whose `updated` is null never passes one); an incremental walk does. A page
// larger than any page is refused unread.
TEST(KlaviyoSourceRequests, AWholePassFiltersOnNoUpdateTimeAndAPagePastItsBoundIsMalformed) {
  std::mutex mutex;
  std::vector<std::string> targets;
  livedata::testing::LoopbackServer upstream([&](httplib::Server& server) {
    server.Get(R"(/api/(flows|segments|campaigns))", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mutex);
      targets.push_back(httplib::detail::decode_url(req.target, false));
      res.set_content(R"({"data":[],"links":{}})", "application/vnd.api+json");
    });
    server.Get("/api/forms", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"data":[],"links":{},"padding":")" + std::string(17u << 20, 'x') + "\"}", "application/vnd.api+json");
    });
  });
  const auto source = makeKlaviyoSource(upstream.url());
  ASSERT_TRUE(source->fetchCollection<klaviyo::FlowResource>(0, std::nullopt));
  ASSERT_TRUE(source->fetchCollection<klaviyo::SegmentResource>(0, std::nullopt));
  ASSERT_TRUE(source->fetchCollection<klaviyo::CampaignResource>(0, std::nullopt));
  ASSERT_TRUE(source->fetchCollection<klaviyo::FlowResource>(1'700'000'000, std::nullopt));
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_EQ(targets[0].find("filter="), std::string::npos) << targets[0];
  EXPECT_EQ(targets[1].find("filter="), std::string::npos) << targets[1];
  EXPECT_NE(targets[2].find("filter=equals(messages.channel,'email')"), std::string::npos) << targets[2];
  EXPECT_EQ(targets[2].find("greater"), std::string::npos) << "sorted on the update time, not filtered: " << targets[2];
  EXPECT_NE(targets[3].find("filter=greater-or-equal(updated,"), std::string::npos) << targets[3];
  const auto huge = source->fetchCollection<klaviyo::FormResource>(0, std::nullopt);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().kind, Kind::malformed);
  EXPECT_NE(huge.error().message.find("over 16777216 bytes"), std::string::npos) << huge.error().message;
}

TEST_F(KlaviyoSourceTest, AWrongKeyIsAnAuthenticationFailureThatNeverShowsAKey) {
  auto wrong = makeKlaviyoSource(server_->baseUrl(), "pk_wrong_key_123");
  const auto result = wrong->fetchCollection<klaviyo::FormResource>(0, std::nullopt);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, Kind::http);
  EXPECT_EQ(result.error().status, 401);
  EXPECT_FALSE(result.error().retryable());
  EXPECT_NE(result.error().message.find("not_authenticated"), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find("pk_wrong_key_123"), std::string::npos);
  EXPECT_EQ(result.error().message.find(kApiKey), std::string::npos);
  EXPECT_FALSE(KlaviyoSource::create({{server_->baseUrl()}, "", {}, {}, {}}));
  const auto spaced = KlaviyoSource::create({{server_->baseUrl()}, "pk_a pk_b", {}, {}, {}});
  ASSERT_FALSE(spaced);
  EXPECT_EQ(spaced.error().find("pk_a"), std::string::npos);
}

TEST_F(KlaviyoSourceTest, ThrottlingIsRateLimitedWithItsRetryAfterAndFaultsAreTheirKinds) {
  start(true);
  std::optional<UpstreamFailure> limited;
  for (int i = 0; i < 12 && !limited; ++i) {
    auto result = source_->fetchCollection<klaviyo::FlowResource>(0, std::nullopt);
    if (!result) limited = result.error();
  }
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->kind, Kind::rate_limited);
  ASSERT_TRUE(limited->retryAfterMs);
  EXPECT_GE(*limited->retryAfterMs, 1000);
  EXPECT_TRUE(limited->retryable());

  start(false);
  UpstreamFaults faults;
  faults.malformedRate = 1.0;
  ASSERT_FALSE(server_->setFaults(faults));
  const auto malformed = source_->fetchCollection<klaviyo::FormResource>(0, std::nullopt);
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().kind, Kind::malformed);
  faults = UpstreamFaults{};
  faults.errorRate = 1.0;
  ASSERT_FALSE(server_->setFaults(faults));
  const auto failed = source_->fetchCollection<klaviyo::FormResource>(0, std::nullopt);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, Kind::http);
  EXPECT_TRUE(failed.error().retryable());
}

TEST_F(KlaviyoSourceTest, ReportsArePostedAsDocumentedAndBadOnesSayWhy) {
  std::string placedOrder;
  for (const auto& metric : metricDefinitionsOf(*account_)) {
    if (metric.name == "Placed Order") placedOrder = metric.id;
  }
  const nlohmann::json body{{"data",
                             {{"type", "campaign-values-report"},
                              {"attributes",
                               {{"statistics", {"recipients", "opens_unique"}},
                                {"timeframe", {{"key", "last_365_days"}}},
                                {"conversion_metric_id", placedOrder}}}}}};
  const auto answer = source_->postReport(klaviyo::Report::campaign_values, body.dump());
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(nlohmann::json::parse(answer.value()).at("data").at("type"), "campaign-values-report");
  nlohmann::json bad = body;
  bad["data"]["attributes"].erase("conversion_metric_id");
  const auto refused = source_->postReport(klaviyo::Report::campaign_values, bad.dump());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 400);
  EXPECT_FALSE(refused.error().retryable());
  EXPECT_NE(refused.error().message.find("/data/attributes/conversion_metric_id"), std::string::npos) << refused.error().message;
}

Expected<KlaviyoPage<klaviyo::FlowResource>, UpstreamFailure> pageWithNext(const std::string& next,
                                                                           const std::optional<std::string>& cursor) {
  CannedServer server(R"({"data":[],"links":{"self":"x","next":")" + next + R"("}})");
  auto source = makeKlaviyoSource(server.url());
  return source->fetchCollection<klaviyo::FlowResource>(0, cursor);
}

// The daily budget, spent, is named as such up to the last second of the UTC day.
TEST(KlaviyoSourceBudget, ASpentDayIsNamedEvenInItsLastMinute) {
  CannedServer server(R"({"data":{"type":"form-values-report","attributes":{"results":[]}}})");
  constexpr std::int64_t kMidnightMs = 1'796'428'800'000;  // 2026-12-05
  std::int64_t nowMs = kMidnightMs;
  KlaviyoSourceOptions options;
  options.http.baseUrl = server.url();
  options.apiKey = kApiKey;
  options.nowMs = [&] { return nowMs; };
  options.sleepFor = [&](std::int64_t ms) { nowMs += ms; };
  auto source = KlaviyoSource::create(std::move(options));
  ASSERT_TRUE(source);
  for (int call = 0; call < 225; ++call) {
    ASSERT_TRUE(source.value()->postReport(klaviyo::Report::form_values, "{}")) << call;
    nowMs += 31'000;  // within the steady limit of 2 a minute
  }
  nowMs = kMidnightMs + 86'400'000 - 30'000;  // 23:59:30
  const std::optional<BudgetUse> use = source.value()->budgetOf(klaviyo::Report::form_values);
  ASSERT_TRUE(use);
  EXPECT_EQ(use->operation, "POST /api/form-values-reports");
  EXPECT_EQ(use->usedToday, 225);
  EXPECT_EQ(use->resetsAt, kMidnightMs + 86'400'000);
  EXPECT_FALSE(source.value()->budgetOf(klaviyo::Report::metric_aggregates));  // no daily limit
  const auto held = source.value()->postReport(klaviyo::Report::form_values, "{}");
  ASSERT_FALSE(held);
  EXPECT_EQ(held.error().kind, Kind::rate_limited);
  EXPECT_NE(held.error().message.find("daily budget of 225"), std::string::npos) << held.error().message;
  EXPECT_EQ(held.error().retryAfterMs, 30'000);
}

// The calls the ledger counted today (an earlier process's, another instance's) are spent:
// only what is left of the budget is sent, each call sent is counted there, and a ledger that
// cannot be read leaves this process's own count standing.
TEST(KlaviyoSourceBudget, CallsCountedInTheLedgerAreSpentAndEachCallSentIsCounted) {
  CannedServer server(R"({"data":{"type":"form-values-report","attributes":{"results":[]}}})");
  constexpr std::int64_t kMidnightMs = 1'796'428'800'000;  // 2026-12-05
  const std::int64_t today = RateWindows::dayOf(kMidnightMs);
  std::int64_t nowMs = kMidnightMs + 3'600'000;
  std::map<std::pair<std::string, std::int64_t>, int> ledger{{{"/api/form-values-reports", today}, 223}};
  bool ledgerReadable = true;
  KlaviyoSourceOptions options;
  options.http.baseUrl = server.url();
  options.apiKey = kApiKey;
  options.nowMs = [&] { return nowMs; };
  options.sleepFor = [&](std::int64_t ms) { nowMs += ms; };
  options.reportCalls.callsOn = [&](std::string_view operation, std::int64_t day) -> std::optional<int> {
    if (!ledgerReadable) return std::nullopt;
    const auto found = ledger.find({std::string(operation), day});
    return found == ledger.end() ? 0 : found->second;
  };
  options.reportCalls.countCall = [&](std::string_view operation, std::int64_t day) {
    ++ledger[{std::string(operation), day}];
  };
  auto source = KlaviyoSource::create(std::move(options));
  ASSERT_TRUE(source);
  EXPECT_EQ(source.value()->budgetOf(klaviyo::Report::form_values)->usedToday, 223);

  ASSERT_TRUE(source.value()->postReport(klaviyo::Report::form_values, "{}"));
  EXPECT_EQ((ledger[{"/api/form-values-reports", today}]), 224);
  nowMs += 31'000;
  ++ledger[{"/api/form-values-reports", today}];  // another instance's call, in between
  const auto held = source.value()->postReport(klaviyo::Report::form_values, "{}");
  ASSERT_FALSE(held);
  EXPECT_EQ(held.error().kind, Kind::rate_limited);
  EXPECT_NE(held.error().message.find("daily budget of 225"), std::string::npos) << held.error().message;
  EXPECT_EQ((ledger[{"/api/form-values-reports", today}]), 225) << "a call held back is not counted";

  // Another report's budget is its own; with the ledger unreadable, this process's count stands.
  ledgerReadable = false;
  ASSERT_TRUE(source.value()->postReport(klaviyo::Report::segment_values, "{}"));
  EXPECT_EQ((ledger[{"/api/segment-values-reports", today}]), 1);
  EXPECT_EQ(source.value()->budgetOf(klaviyo::Report::segment_values)->usedToday, 1);
  EXPECT_EQ(source.value()->budgetOf(klaviyo::Report::form_values)->usedToday, 225);
}

TEST(KlaviyoSourceLinks, ALinkElsewhereOrACursorLoopIsMalformed) {
  const auto elsewhere = pageWithNext("http://evil.example/api/flows?page%5Bcursor%5D=abc", std::nullopt);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().kind, Kind::malformed);
  EXPECT_NE(elsewhere.error().message.find("another origin"), std::string::npos) << elsewhere.error().message;
  const auto followed = pageWithNext("ORIGIN/api/flows/?page%5Bcursor%5D=abc", std::nullopt);
  ASSERT_TRUE(followed) << followed.error().message;
  EXPECT_EQ(followed.value().nextCursor, "abc");
  const auto loop = pageWithNext("ORIGIN/api/flows/?page%5Bcursor%5D=abc", std::string("abc"));
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().kind, Kind::malformed);
  EXPECT_NE(loop.error().message.find("loop"), std::string::npos) << loop.error().message;
}

}  // namespace
}  // namespace livedata::server
