// The page body on the wire: what the server renders, the client reads back exactly, and
// anything else is refused with a message naming the fault.
#include "upstream_client/page_json.h"

#include <gtest/gtest.h>

#include "http/http_caching.h"
#include "upstream_test_support.h"

namespace livedata::server {
namespace {

using testing::makeAccount;
using testing::rowsOf;

std::string parseError(Entity entity, const std::string& body) {
  auto parsed = parsePage(entity, body);
  if (!parsed) return parsed.error();
  ADD_FAILURE() << "parsed: " << body;
  return {};
}

const char* kCampaign =
    R"({"id":"cmp_0001","name":"A","status":"sent","sendTime":"2026-10-01T10:00:00Z","recipients":10,"opens":5,)"
    R"("clicks":1,"revenue":2.5,"openRate":0.5,"clickRate":0.1,"updatedAt":"2026-10-02T00:00:00Z"})";

std::string pageOf(const std::string& records, const std::string& next = "null") {
  return R"({"data":[)" + records + R"(],"next_cursor":)" + next + "}";
}

TEST(UpstreamPageJson, RoundTripsEveryEntityExactly) {
  auto account = makeAccount();
  for (const Entity entity : kAllEntities) {
    const FeedPage page = account->readFeed(entity, 0, std::nullopt, 1000);
    auto parsed = parsePage(entity, renderPage(page.rows, std::string("next")));
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    const auto& back = parsed.value();
    EXPECT_EQ(rowsOf(back.rows), rowsOf(page.rows)) << nameOf(entity);
    EXPECT_EQ(back.nextCursor, std::optional<std::string>("next"));
  }
}

// Pinned from the renderer that built an nlohmann::ordered_json tree per page (before a direct
// writer replaced it), as the FNV-1a hash of each page (strongEtagFor).
TEST(UpstreamPageJson, RenderedPagesArePinnedToTheTreeRenderersBytes) {
  auto account = makeAccount();
  const std::vector<std::pair<Entity, const char*>> cases{{Entity::campaigns, "\"cd5a6c2f4bbb8e62\""},
                                                          {Entity::flows, "\"e521874848ce5bbb\""},
                                                          {Entity::forms, "\"7383d6271d729be8\""},
                                                          {Entity::segments, "\"c3a102354095be79\""},
                                                          {Entity::metrics, "\"6a553518161eafe4\""}};
  for (const auto& [entity, hash] : cases) {
    const FeedPage page = account->readFeed(entity, 0, std::nullopt, 1000);
    EXPECT_EQ(strongEtagFor(renderPage(page.rows, std::string("next"))), hash) << nameOf(entity);
  }
}

TEST(UpstreamPageJson, RendersAwkwardTextAndNumbersAsTheTreeRendererDid) {
  Segment segment{"seg_\"1\"", "tab\t nl\n bell\x07 caf\xc3\xa9 bad\xff", SegmentStatus::active, 0, -1e-5, 0};
  DailyMetrics day{dayFromCivil(2026, 10, 31), 3, 2, 1, 1e300, 1'793'491'199};
  EXPECT_EQ(renderPage(std::vector<Segment>{segment}, std::nullopt), "{\"data\":[{\"id\":\"seg_\\\"1\\\"\",\"name\":\"tab\\t nl\\n bell\\u0007 caf\xc3\xa9 bad\xef\xbf\xbd\",\"status\":\"active\",\"members\":0,\"growth\":-1e-05,\"updatedAt\":\"1970-01-01T00:00:00Z\"}],\"next_cursor\":null}");
  EXPECT_EQ(renderPage(std::vector<DailyMetrics>{day}, std::string("c\"1")), "{\"data\":[{\"date\":\"2026-10-31\",\"sends\":3,\"opens\":2,\"clicks\":1,\"revenue\":1e+300,\"updatedAt\":\"2026-10-31T23:59:59Z\"}],\"next_cursor\":\"c\\\"1\"}");
}

TEST(UpstreamPageJson, MetricsRecordsCarryTheirDateAndUpdatedAt) {
  DailyMetrics day;
  day.day = dayFromCivil(2026, 10, 31);
  day.sends = 3;
  day.updatedAt = day.day * kSecondsPerDay + 60;
  const auto json = nlohmann::json::parse(renderPage(std::vector<DailyMetrics>{day}, std::nullopt));
  EXPECT_EQ(json["data"][0]["date"], "2026-10-31");
  EXPECT_EQ(json["data"][0]["updatedAt"], "2026-10-31T00:01:00Z");
  EXPECT_TRUE(json["next_cursor"].is_null());
}

TEST(UpstreamPageJson, AcceptsAValidPageAndIgnoresUnknownFields) {
  std::string record = kCampaign;
  record.insert(1, R"("extra":[1,2],)");
  auto parsed = parsePage(Entity::campaigns, pageOf(record, "\"abc\""));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(rowCount(parsed.value().rows), 1u);
}

TEST(UpstreamPageJson, RefusesWhatIsNotAPage) {
  EXPECT_EQ(parseError(Entity::campaigns, "{\"data\": [{\"id\""), "body is not valid JSON");
  EXPECT_EQ(parseError(Entity::campaigns, "[]"), "body: expected an object");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"next_cursor":null})"), "data: missing");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":{},"next_cursor":null})"), "data: expected an array");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":[]})"), "next_cursor: missing");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":[],"next_cursor":5})"),
            "next_cursor: expected a non-empty string or null");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":[],"next_cursor":""})"),
            "next_cursor: expected a non-empty string or null");
  EXPECT_EQ(parseError(Entity::campaigns, pageOf("3")), "data[0]: expected an object");
}

TEST(UpstreamPageJson, RefusesRecordsOfTheWrongShapeNamingTheField) {
  auto with = [](const std::string& field, const std::string& value) {
    nlohmann::ordered_json record = nlohmann::ordered_json::parse(kCampaign);
    if (value.empty()) {
      record.erase(field);
    } else {
      record[field] = nlohmann::ordered_json::parse(value);
    }
    return pageOf(record.dump());
  };
  EXPECT_EQ(parseError(Entity::campaigns, with("opens", "")), "data[0].opens: missing");
  EXPECT_EQ(parseError(Entity::campaigns, with("opens", "\"5\"")), "data[0].opens: expected an integer of 0 or more");
  EXPECT_EQ(parseError(Entity::campaigns, with("opens", "1.5")), "data[0].opens: expected an integer of 0 or more");
  EXPECT_EQ(parseError(Entity::campaigns, with("opens", "-1")), "data[0].opens: expected an integer of 0 or more");
  EXPECT_EQ(parseError(Entity::campaigns, with("revenue", "null")), "data[0].revenue: expected a number");
  EXPECT_EQ(parseError(Entity::campaigns, with("id", "7")), "data[0].id: expected a string");
  EXPECT_EQ(parseError(Entity::campaigns, with("status", "\"paused\"")),
            "data[0].status: expected one of draft, scheduled, sending, sent");
  EXPECT_EQ(parseError(Entity::campaigns, with("updatedAt", "\"2026-10-02 00:00:00\"")),
            "data[0].updatedAt: expected a timestamp like 2026-10-31T08:15:00Z");
  // A flows page of campaign records: the fields do not fit.
  EXPECT_EQ(parseError(Entity::flows, pageOf(kCampaign)), "data[0].status: expected one of live, draft, manual");
  EXPECT_EQ(parseError(Entity::metrics, pageOf(kCampaign)), "data[0].date: missing");
}

// The page is read in one pass, without a tree; these pin the tree's semantics it keeps.
TEST(UpstreamPageJson, ReadsAsTheParsedTreeWouldInOnePass) {
  auto with = [](const std::string& members) {
    std::string record = kCampaign;
    record.insert(1, members);
    return record;
  };
  // A repeated member keeps its last value; unknown members of any shape are skipped, even
  // when they hold members named like the format's.
  auto parsed = parsePage(Entity::campaigns, pageOf(with(R"("opens":"x","extra":{"id":5,"data":[1,{"a":[]}]},)")));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const auto& campaign = std::get<std::vector<Campaign>>(parsed.value().rows).at(0);
  EXPECT_EQ(campaign.opens, 5);
  EXPECT_EQ(campaign.id, "cmp_0001");
  parsed = parsePage(Entity::campaigns, R"({"data":[3],"next_cursor":"a","data":[],"next_cursor":null})");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(rowCount(parsed.value().rows), 0u);
  EXPECT_EQ(parsed.value().nextCursor, std::nullopt);

  std::string record = kCampaign;
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = record;
    text.replace(text.find(from), from.size(), to);
    return pageOf(text);
  };
  EXPECT_EQ(parseError(Entity::campaigns, replaced("\"opens\":5", "\"opens\":18446744073709551615")),
            "data[0].opens: expected an integer of 0 or more");
  EXPECT_EQ(parseError(Entity::campaigns, replaced("\"revenue\":2.5", "\"revenue\":true")),
            "data[0].revenue: expected a number");
  EXPECT_EQ(parseError(Entity::campaigns, replaced("\"id\":\"cmp_0001\"", "\"id\":[\"cmp_0001\"]")),
            "data[0].id: expected a string");
  parsed = parsePage(Entity::campaigns, replaced("\"revenue\":2.5", "\"revenue\":7"));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(std::get<std::vector<Campaign>>(parsed.value().rows).at(0).revenue, 7.0);

  // Faults are named in the tree's order: the whole body first, then next_cursor, then records.
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":[3],"next_cursor":null)"), "body is not valid JSON");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":[3],"next_cursor":5})"),
            "next_cursor: expected a non-empty string or null");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":[3],"next_cursor":{"a":1}})"),
            "next_cursor: expected a non-empty string or null");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":[],"data":{},"next_cursor":null})"), "data: expected an array");
  EXPECT_EQ(parseError(Entity::campaigns, R"({"data":[],"data":1,"next_cursor":null})"), "data: expected an array");
  EXPECT_EQ(parseError(Entity::campaigns, pageOf(std::string(kCampaign) + ",[],3")), "data[1]: expected an object");
  EXPECT_EQ(parseError(Entity::campaigns, "\"text\""), "body: expected an object");
  EXPECT_EQ(parseError(Entity::campaigns, ""), "body is not valid JSON");
}

TEST(UpstreamPageJson, RefusesRecordsOutOfFeedOrder) {
  nlohmann::ordered_json second = nlohmann::ordered_json::parse(kCampaign);
  second["id"] = "cmp_0000";  // same updatedAt, smaller id
  EXPECT_EQ(parseError(Entity::campaigns, pageOf(std::string(kCampaign) + "," + second.dump())),
            "data[1]: out of (updatedAt, id) order");
  EXPECT_EQ(parseError(Entity::campaigns, pageOf(std::string(kCampaign) + "," + kCampaign)),
            "data[1]: out of (updatedAt, id) order");
}

TEST(UpstreamPageJson, ParsesIsoTimestampsStrictly) {
  EXPECT_EQ(parseIsoTimestamp("1970-01-01T00:00:00Z"), std::optional<UnixSeconds>(0));
  EXPECT_EQ(parseIsoTimestamp(formatIsoTimestamp(1'793'491'199)), std::optional<UnixSeconds>(1'793'491'199));
  for (const char* bad : {"", "2026-10-31", "2026-10-31T24:00:00Z", "2026-10-31T23:60:00Z", "2026-02-30T00:00:00Z",
                          "2026-10-31T00:00:00", "2026-10-31T00:00:00+00:00", "2026-10-31t00:00:00Z", "2026-10-31T0a:00:00Z"}) {
    EXPECT_EQ(parseIsoTimestamp(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace livedata::server
