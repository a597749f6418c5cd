#include "http/request_log.h"

#include <gtest/gtest.h>

#include <string>

namespace livedata::server {
namespace {

RequestRecordView request(const std::string& path, const std::string& query, int status = 200) {
  return {"GET", path, path, query, "\"etag\"", "no-cache", status};
}

TEST(RequestLog, KeepsEachRequestsFieldsAndCountsPerPath) {
  RequestLog log;
  log.record(request("/api/campaigns", "limit=5"));
  log.record(request("/api/flows", "", 304));
  log.record(request("/api/campaigns", "limit=6"));

  const auto json = log.toJson();
  EXPECT_EQ(json["counts"]["/api/campaigns"], 2);
  EXPECT_EQ(json["counts"]["/api/flows"], 1);
  ASSERT_EQ(json["log"].size(), 3u);
  EXPECT_EQ(json["log"][0]["query"], "limit=5");
  EXPECT_EQ(json["log"][1]["path"], "/api/flows");
  EXPECT_EQ(json["log"][1]["status"], 304);
  EXPECT_EQ(json["log"][1]["ifNoneMatch"], "\"etag\"");
  EXPECT_EQ(json["log"][1]["cacheControl"], "no-cache");
  EXPECT_EQ(json["log"][2]["query"], "limit=6");
}

TEST(RequestLog, ShowsAQueryWithTheValuesOfSecretParametersRedacted) {
  RequestLog log;
  log.record(request("/api/flows", "limit=5&access_token=s3cret&api_key=k3y"));
  const std::string shown = log.toJson().dump();
  EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("k3y"), std::string::npos) << shown;
  EXPECT_EQ(log.toJson()["log"][0]["query"], "limit=5&access_token=[redacted]&api_key=[redacted]");
}

TEST(RequestLog, KeepsTheLastRecordsOldestFirstOnceFullAndCountsThemAll) {
  RequestLog log;
  const std::size_t total = RequestLog::kMaxRecords * 2 + 7;
  for (std::size_t i = 0; i < total; ++i) log.record(request("/api/forms", "offset=" + std::to_string(i)));

  const auto json = log.toJson();
  EXPECT_EQ(json["counts"]["/api/forms"], total);
  ASSERT_EQ(json["log"].size(), RequestLog::kMaxRecords);
  EXPECT_EQ(json["log"][0]["query"], "offset=" + std::to_string(total - RequestLog::kMaxRecords));
  EXPECT_EQ(json["log"][RequestLog::kMaxRecords - 1]["query"], "offset=" + std::to_string(total - 1));
}

TEST(RequestLog, StartsAfreshWhenCleared) {
  RequestLog log;
  for (std::size_t i = 0; i < RequestLog::kMaxRecords + 3; ++i) log.record(request("/api/forms", "a"));
  log.clear();
  log.record(request("/api/segments", "b"));
  log.record(request("/api/segments", "c"));

  const auto json = log.toJson();
  EXPECT_FALSE(json["counts"].contains("/api/forms"));
  ASSERT_EQ(json["log"].size(), 2u);
  EXPECT_EQ(json["log"][0]["query"], "b");
  EXPECT_EQ(json["log"][1]["query"], "c");
}

}  // namespace
}  // namespace livedata::server
