// The simulated upstream's Klaviyo collections over loopback: a real UpstreamServer asked as
// Klaviyo documents (klaviyo/operations.h), its pages read with the sync side's own parser.
#include <httplib.h>

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "klaviyo/cursor_link.h"
#include "livedata/cache.h"  // percentEncode
#include "klaviyo/iso_datetime.h"
#include "klaviyo/jsonapi_collection.h"
#include "klaviyo/operations.h"
#include "upstream_test_support.h"

namespace livedata::server {
namespace {

using namespace livedata::server::testing;
using klaviyo::Collection;
using Json = nlohmann::json;

constexpr const char* kApiKey = "pk_simulated_0123456789abcdef";

class KlaviyoCollections : public ::testing::Test {
 protected:
  void SetUp() override { start(false); }

  void start(bool documentedRateLimits) {
    server_.reset();
    if (!account_) account_ = makeAccount();
    server_ = startKlaviyoServer(*account_, kApiKey, documentedRateLimits);
    ASSERT_TRUE(server_);
  }

  httplib::Headers headers(const std::string& authorization = std::string("Klaviyo-API-Key ") + kApiKey,
                           const std::string& revision = std::string(klaviyo::kRevision)) const {
    httplib::Headers headers{{"Accept", "application/vnd.api+json"}};
    if (!authorization.empty()) headers.emplace("Authorization", authorization);
    if (!revision.empty()) headers.emplace("revision", revision);
    return headers;
  }

  // GET path with `query` (name -> value, encoded here).
  httplib::Result get(const std::string& path, const std::multimap<std::string, std::string>& query = {},
                      const httplib::Headers& given = {}) {
    std::string target = path;
    for (const auto& [name, value] : query) {
      target += (target == path ? "?" : "&") + livedata::percentEncode(name) + "=" + livedata::percentEncode(value);
    }
    httplib::Client client(server_->baseUrl());
    return client.Get(target.c_str(), given.empty() ? headers() : given);
  }

  // Follows links.next from the first page to the last; every page is parsed as the sync will.
  template <typename Resource>
  std::vector<Resource> walk(const std::string& path, std::multimap<std::string, std::string> query, int* pages = nullptr) {
    std::vector<Resource> all;
    for (int page = 0; page < 10000; ++page) {
      const auto result = get(path, query);
      if (!result || result->status != 200) {
        ADD_FAILURE() << path << ": " << (result ? std::to_string(result->status) + " " + result->body : "no answer");
        return all;
      }
      EXPECT_EQ(result->get_header_value("Content-Type"), "application/vnd.api+json");
      auto parsed = klaviyo::parseCollection<Resource>(result->body);
      if (!parsed) {
        ADD_FAILURE() << path << ": " << parsed.error();
        return all;
      }
      all.insert(all.end(), parsed.value().resources.begin(), parsed.value().resources.end());
      if (pages) *pages = page + 1;
      if (!parsed.value().nextLink) return all;
      const auto cursor = klaviyo::cursorFromNextLink(*parsed.value().nextLink, server_->baseUrl(), path);
      if (!cursor) {
        ADD_FAILURE() << *parsed.value().nextLink << ": " << cursor.error();
        return all;
      }
      query.erase("page[cursor]");
      query.emplace("page[cursor]", cursor.value());
    }
    ADD_FAILURE() << path << ": the walk does not end";
    return all;
  }

  // The first error of an error document, checked for the members Klaviyo's documents require.
  static Json firstError(const httplib::Result& result) {
    const Json document = Json::parse(result->body);
    const Json& error = document.at("errors").at(0);
    for (const char* member : {"id", "code", "title", "detail"}) EXPECT_TRUE(error.at(member).is_string()) << member;
    return error;
  }

  std::unique_ptr<UpstreamAccount> account_;
  std::unique_ptr<UpstreamServer> server_;
};

const std::multimap<std::string, std::string> kEmailCampaigns{{"filter", "equals(messages.channel,'email')"}};

template <typename Record>
std::set<std::string> idsOf(const std::vector<Record>& records) {
  std::set<std::string> ids;
  for (const auto& record : records) ids.insert(record.id);
  return ids;
}

TEST_F(KlaviyoCollections, WalksAtEachCollectionsLargestPageReturnEveryRecordOnceInUpdateOrder) {
  account_->applyChanges(60, endOfData() + 60);  // records sharing a second, across page ends
  int pages = 0;
  auto campaignQuery = kEmailCampaigns;
  campaignQuery.emplace("page[size]", "100");
  campaignQuery.emplace("sort", "updated_at");
  const auto campaigns = walk<klaviyo::CampaignResource>("/api/campaigns", campaignQuery, &pages);
  const auto expected = recordsOf<Campaign>(*account_, Entity::campaigns);
  EXPECT_EQ(campaigns.size(), expected.size());
  EXPECT_EQ(idsOf(campaigns), idsOf(expected));
  EXPECT_EQ(pages, static_cast<int>((expected.size() + 99) / 100));
  EXPECT_TRUE(std::is_sorted(campaigns.begin(), campaigns.end(),
                             [](const auto& a, const auto& b) { return a.updatedAt < b.updatedAt; }));

  const auto flows = walk<klaviyo::FlowResource>("/api/flows", {{"page[size]", "50"}, {"sort", "updated"}});
  EXPECT_EQ(idsOf(flows), idsOf(recordsOf<Flow>(*account_, Entity::flows)));
  const auto forms = walk<klaviyo::FormResource>("/api/forms", {{"page[size]", "7"}});
  EXPECT_EQ(idsOf(forms), idsOf(recordsOf<Form>(*account_, Entity::forms)));
  const auto segments = walk<klaviyo::SegmentResource>("/api/segments", {}, &pages);
  EXPECT_EQ(idsOf(segments), idsOf(recordsOf<Segment>(*account_, Entity::segments)));
  EXPECT_EQ(pages, 3);  // 30 segments at the default (and largest) page of 10
}

TEST_F(KlaviyoCollections, ResourcesCarryTheAccountsRecordsInKlaviyosWords) {
  const auto campaigns = walk<klaviyo::CampaignResource>("/api/campaigns", kEmailCampaigns);
  const auto records = recordsOf<Campaign>(*account_, Entity::campaigns);
  std::map<std::string, Campaign> byId;
  for (const auto& record : records) byId[record.id] = record;
  const std::map<CampaignStatus, std::string> words{{CampaignStatus::draft, "Draft"},
                                                    {CampaignStatus::scheduled, "Scheduled"},
                                                    {CampaignStatus::sending, "Sending"},
                                                    {CampaignStatus::sent, "Sent"},
                                                    {CampaignStatus::cancelled, "Cancelled"}};
  for (const auto& campaign : campaigns) {
    const Campaign& record = byId.at(campaign.id);
    EXPECT_EQ(campaign.name, record.name);
    EXPECT_EQ(campaign.status, words.at(record.status));
    EXPECT_EQ(campaign.updatedAt, record.updatedAt);
    EXPECT_EQ(campaign.sendTime.value_or(0), record.sendTime);
    EXPECT_LE(campaign.createdAt, campaign.updatedAt);
  }
  const std::set<std::string> triggerTypes{"Added to List", "Date Based", "Low Inventory", "Metric", "Price Drop", "Unconfigured"};
  for (const auto& flow : walk<klaviyo::FlowResource>("/api/flows", {})) {
    ASSERT_TRUE(flow.triggerType);
    EXPECT_TRUE(triggerTypes.count(*flow.triggerType)) << *flow.triggerType;
    EXPECT_TRUE(flow.status == "live" || flow.status == "draft" || flow.status == "manual");
  }
}

TEST_F(KlaviyoCollections, AnUpdateFilterSelectsExactlyTheRecordsChangedSinceItsTime) {
  const UnixSeconds since = endOfData() + 100;
  account_->applyChanges(25, since);
  account_->applyChanges(25, since + 50);
  auto query = kEmailCampaigns;
  query.erase("filter");
  query.emplace("filter", "and(equals(messages.channel,'email'),greater-or-equal(updated_at," +
                              klaviyo::formatFilterDateTime(since + 50) + "))");
  const auto campaigns = walk<klaviyo::CampaignResource>("/api/campaigns", query);
  std::set<std::string> expected;
  for (const auto& record : recordsOf<Campaign>(*account_, Entity::campaigns)) {
    if (record.updatedAt >= since + 50) expected.insert(record.id);
  }
  EXPECT_EQ(idsOf(campaigns), expected);

  // Segments take only greater-than on `updated`.
  const auto segments = walk<klaviyo::SegmentResource>(
      "/api/segments", {{"filter", "greater-than(updated," + klaviyo::formatFilterDateTime(since) + ")"}});
  for (const auto& segment : segments) EXPECT_GT(segment.updated.value_or(0), since);
  const auto refused = get("/api/segments", {{"filter", "greater-or-equal(updated," + klaviyo::formatFilterDateTime(since) + ")"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(firstError(refused).at("source").at("parameter"), "filter");
}

TEST_F(KlaviyoCollections, ARecordChangedDuringAWalkIsMetLaterInIt) {
  auto query = kEmailCampaigns;
  query.emplace("page[size]", "50");
  const auto first = get("/api/campaigns", query);
  ASSERT_TRUE(first);
  auto page = klaviyo::parseCollection<klaviyo::CampaignResource>(first->body);
  ASSERT_TRUE(page) << page.error();
  const std::string changed = page.value().resources.front().id;  // already served
  account_->applyChanges(40, endOfData() + 500);
  std::set<std::string> seen;
  auto next = page.value().nextLink;
  while (next) {
    const auto cursor = klaviyo::cursorFromNextLink(*next, server_->baseUrl(), "/api/campaigns");
    ASSERT_TRUE(cursor) << cursor.error();
    auto nextQuery = query;
    nextQuery.emplace("page[cursor]", cursor.value());
    const auto result = get("/api/campaigns", nextQuery);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    auto nextPage = klaviyo::parseCollection<klaviyo::CampaignResource>(result->body);
    ASSERT_TRUE(nextPage) << nextPage.error();
    for (const auto& campaign : nextPage.value().resources) seen.insert(campaign.id);
    next = nextPage.value().nextLink;
  }
  for (const auto& record : recordsOf<Campaign>(*account_, Entity::campaigns)) {
    if (record.updatedAt >= endOfData() + 500) {
      EXPECT_TRUE(seen.count(record.id)) << record.id << " changed but not met";
    }
  }
}

TEST_F(KlaviyoCollections, SparseFieldsetsAndProfileCountGiveWhatWasAskedFor) {
  auto query = kEmailCampaigns;
  query.emplace("fields[campaign]", "name,updated_at");
  const auto sparse = get("/api/campaigns", query);
  ASSERT_TRUE(sparse);
  ASSERT_EQ(sparse->status, 200) << sparse->body;
  const Json sparseDocument = Json::parse(sparse->body);  // held: a loop over a part of a temporary would dangle
  for (const auto& resource : sparseDocument.at("data")) {
    std::set<std::string> names;
    for (const auto& [name, value] : resource.at("attributes").items()) names.insert(name);
    EXPECT_EQ(names, (std::set<std::string>{"name", "updated_at"}));
  }
  const auto plain = walk<klaviyo::SegmentResource>("/api/segments", {});
  EXPECT_TRUE(std::none_of(plain.begin(), plain.end(), [](const auto& s) { return s.profileCount.has_value(); }));
  const auto counted = walk<klaviyo::SegmentResource>("/api/segments", {{"additional-fields[segment]", "profile_count"}});
  std::map<std::string, std::int64_t> members;
  for (const auto& record : recordsOf<Segment>(*account_, Entity::segments)) members[record.id] = record.members;
  ASSERT_EQ(counted.size(), members.size());
  for (const auto& segment : counted) EXPECT_EQ(segment.profileCount, members.at(segment.id)) << segment.id;
}

TEST_F(KlaviyoCollections, MetricsListTheAccountsMetricDefinitionsOnOnePage) {
  int pages = 0;
  const auto metrics = walk<klaviyo::MetricResource>("/api/metrics", {}, &pages);
  EXPECT_EQ(pages, 1);
  std::set<std::string> names;
  for (const auto& metric : metrics) names.insert(metric.name.value_or(""));
  for (const char* name : {"Received Email", "Opened Email", "Clicked Email", "Placed Order"}) EXPECT_TRUE(names.count(name)) << name;
  EXPECT_EQ(idsOf(metrics).size(), metrics.size());
  const auto again = walk<klaviyo::MetricResource>("/api/metrics", {});
  EXPECT_EQ(idsOf(again), idsOf(metrics));  // ids are stable
}

TEST_F(KlaviyoCollections, ParametersKlaviyoRefusesGetItsErrorDocumentNamingTheParameter) {
  struct Case {
    std::string path;
    std::multimap<std::string, std::string> query;
    std::string parameter;
  };
  const std::vector<Case> cases{
      {"/api/campaigns", {}, "filter"},  // messages.channel is required
      {"/api/campaigns", {{"filter", "equals(messages.channel,'fax')"}}, "filter"},
      {"/api/campaigns", {{"filter", "equals(messages.channel,'email'"}}, "filter"},  // unbalanced
      {"/api/flows", {{"page[size]", "51"}}, "page[size]"},
      {"/api/forms", {{"page[size]", "0"}}, "page[size]"},
      {"/api/segments", {{"page[size]", "11"}}, "page[size]"},
      {"/api/flows", {{"sort", "colour"}}, "sort"},
      {"/api/flows", {{"filter", "contains(updated,2026-01-01T00:00:00Z)"}}, "filter"},
      {"/api/flows", {{"filter", "greater-than(updated,'yesterday')"}}, "filter"},
      {"/api/flows", {{"colour", "red"}}, "colour"},
      {"/api/flows", {{"page[cursor]", "not-a-cursor"}}, "page[cursor]"},
      {"/api/metrics", {{"page[size]", "10"}}, "page[size]"},
      {"/api/forms", {{"additional-fields[segment]", "profile_count"}}, "additional-fields[segment]"},
  };
  for (const Case& c : cases) {
    const auto result = get(c.path, c.query);
    ASSERT_TRUE(result) << c.path;
    EXPECT_EQ(result->status, 400) << c.path << " " << result->body;
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/vnd.api+json");
    const Json error = firstError(result);
    EXPECT_EQ(error.at("code"), "invalid") << result->body;
    EXPECT_EQ(error.at("source").at("parameter"), c.parameter) << result->body;
  }
}

TEST_F(KlaviyoCollections, ACursorIsRefusedOnAnotherWalk) {
  auto query = kEmailCampaigns;
  query.emplace("page[size]", "10");
  const auto first = get("/api/campaigns", query);
  ASSERT_TRUE(first);
  auto page = klaviyo::parseCollection<klaviyo::CampaignResource>(first->body);
  ASSERT_TRUE(page && page.value().nextLink);
  const auto cursor = klaviyo::cursorFromNextLink(*page.value().nextLink, server_->baseUrl(), "/api/campaigns");
  ASSERT_TRUE(cursor);
  std::multimap<std::string, std::string> other{{"filter", "and(equals(messages.channel,'email'),greater-than(updated_at,2020-01-01T00:00:00Z))"},
                                                {"page[cursor]", cursor.value()}};
  const auto refused = get("/api/campaigns", other);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(firstError(refused).at("source").at("parameter"), "page[cursor]");
}

TEST_F(KlaviyoCollections, TheKeyAndTheRevisionAreRequired) {
  for (const std::string& authorization : {std::string(), std::string("Klaviyo-API-Key wrong"), std::string("Bearer ") + kApiKey,
                                          std::string("Klaviyo-API-Key ") + kApiKey + "x"}) {
    const auto result = get("/api/flows", {}, headers(authorization));
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 401) << authorization;
    EXPECT_EQ(firstError(result).at("code"), "not_authenticated");
    EXPECT_EQ(result->body.find(kApiKey), std::string::npos);
  }
  const auto noRevision = get("/api/flows", {}, headers(std::string("Klaviyo-API-Key ") + kApiKey, ""));
  ASSERT_TRUE(noRevision);
  EXPECT_EQ(noRevision->status, 400);
  EXPECT_EQ(firstError(noRevision).at("source").at("parameter"), "revision");
  const auto oldRevision = get("/api/flows", {}, headers(std::string("Klaviyo-API-Key ") + kApiKey, "2023-02-22"));
  ASSERT_TRUE(oldRevision);
  EXPECT_EQ(oldRevision->status, 400);
}

TEST_F(KlaviyoCollections, TheDocumentedBurstLimitAnswers429WithRetryAfter) {
  start(true);
  // /api/flows allows 3 a second: of 10 requests made well within three seconds, some are refused.
  int refused = 0;
  for (int i = 0; i < 10; ++i) {
    const auto result = get("/api/flows", {{"page[size]", "1"}});
    ASSERT_TRUE(result);
    if (result->status == 200) continue;
    ASSERT_EQ(result->status, 429) << result->body;
    ++refused;
    const std::string retryAfter = result->get_header_value("Retry-After");
    ASSERT_FALSE(retryAfter.empty());
    EXPECT_TRUE(std::all_of(retryAfter.begin(), retryAfter.end(), [](char c) { return c >= '0' && c <= '9'; })) << retryAfter;
    EXPECT_GE(std::stoi(retryAfter), 1);
    EXPECT_LE(std::stoi(retryAfter), 60);
    EXPECT_EQ(firstError(result).at("code"), "throttled");
  }
  EXPECT_GE(refused, 1);
  EXPECT_GE(server_->counters().rateLimited, static_cast<std::uint64_t>(refused));
  // Other operations keep their own windows.
  const auto forms = get("/api/forms", {});
  ASSERT_TRUE(forms);
  EXPECT_EQ(forms->status, 200);
}

TEST_F(KlaviyoCollections, InjectedFaultsAnswerWithKlaviyosDocuments) {
  UpstreamFaults faults;
  faults.errorRate = 1.0;
  ASSERT_FALSE(server_->setFaults(faults));
  const auto failed = get("/api/forms", {});
  ASSERT_TRUE(failed);
  EXPECT_GE(failed->status, 500);
  EXPECT_EQ(firstError(failed).at("code"), "error");
  faults = UpstreamFaults{};
  faults.rateLimitBurst = 1;
  faults.retryAfterSeconds = 7;
  ASSERT_FALSE(server_->setFaults(faults));
  const auto throttled = get("/api/forms", {});
  ASSERT_TRUE(throttled);
  EXPECT_EQ(throttled->status, 429);
  EXPECT_EQ(throttled->get_header_value("Retry-After"), "7");
  EXPECT_EQ(firstError(throttled).at("code"), "throttled");
}

}  // namespace
}  // namespace livedata::server
