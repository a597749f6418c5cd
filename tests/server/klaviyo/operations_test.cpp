// The operations table against Klaviyo's own documents (../shared/klaviyo-openapi/).
#include "klaviyo/operations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "klaviyo_documents.h"

namespace livedata::server::klaviyo {
namespace {

using livedata::testing::klaviyoDocument;
using Json = nlohmann::json;

std::string fileOf(Collection collection) { return "get_" + std::string(operationOf(collection).path.substr(5)) + ".json"; }

const Json& parameter(const Json& operation, const std::string& name) {
  for (const auto& p : operation.at("parameters")) {
    if (p.at("name") == name) return p;
  }
  static const Json kNone;
  return kNone;
}

// "10/s" -> 10
int rateOf(const Json& limits, const char* window) { return limits.contains(window) ? std::stoi(limits.at(window).get<std::string>()) : 0; }

TEST(KlaviyoOperations, CollectionsMatchTheirDocuments) {
  LIVEDATA_REQUIRE_KLAVIYO_DOCUMENTS();
  for (const Collection collection : kAllCollections) {
    const CollectionOperation& table = operationOf(collection);
    SCOPED_TRACE(std::string(table.path));
    const Json document = klaviyoDocument(fileOf(collection));
    ASSERT_TRUE(document.at("paths").contains(std::string(table.path)));
    const Json& get = document.at("paths").at(std::string(table.path)).at("get");

    const Json& limits = get.at("x-klaviyo-ratelimit");
    EXPECT_EQ(table.rateLimit.perSecond, rateOf(limits, "burst"));
    EXPECT_EQ(table.rateLimit.perMinute, rateOf(limits, "steady"));
    EXPECT_FALSE(table.rateLimit.perDay);

    const Json& pageSize = parameter(get, "page[size]");
    if (table.maxPageSize == 0) {
      EXPECT_TRUE(pageSize.is_null());
    } else {
      EXPECT_EQ(table.maxPageSize, pageSize.at("schema").at("maximum"));
      EXPECT_EQ(table.defaultPageSize, pageSize.at("schema").at("default"));
    }

    const Json& sort = parameter(get, "sort");
    std::vector<std::string> ascending;
    if (!sort.is_null()) {
      for (const auto& value : sort.at("schema").at("enum")) {
        if (value.get<std::string>().front() != '-') ascending.push_back(value);
      }
    }
    EXPECT_EQ(std::vector<std::string>(table.sortFields.begin(), table.sortFields.end()), ascending);

    if (!table.updateField.empty()) {
      const Json& operators = get.at("x-klaviyo-filters").at(std::string(table.updateField)).at("operators").at("single");
      auto documented = operators.get<std::vector<std::string>>();
      std::vector<std::string> ours(table.updateOperators.begin(), table.updateOperators.end());
      std::sort(documented.begin(), documented.end());
      std::sort(ours.begin(), ours.end());
      EXPECT_EQ(ours, documented);
      // The update field is a sort key, so a walk can go in its order.
      EXPECT_NE(std::find(table.sortFields.begin(), table.sortFields.end(), table.updateField), table.sortFields.end());
    }
  }
}

TEST(KlaviyoOperations, ReportsMatchTheirDocuments) {
  LIVEDATA_REQUIRE_KLAVIYO_DOCUMENTS();
  const std::vector<std::pair<Report, std::string>> files{{Report::campaign_values, "query_campaign_values.json"},
                                                          {Report::flow_values, "query_flow_values.json"},
                                                          {Report::form_values, "query_form_values.json"},
                                                          {Report::segment_values, "query_segment_values.json"},
                                                          {Report::metric_aggregates, "query_metric_aggregates.json"}};
  for (const auto& [report, file] : files) {
    const ReportOperation& table = operationOf(report);
    SCOPED_TRACE(file);
    const Json document = klaviyoDocument(file);
    ASSERT_TRUE(document.at("paths").contains(std::string(table.path)));
    const Json& post = document.at("paths").at(std::string(table.path)).at("post");
    const Json& limits = post.at("x-klaviyo-ratelimit");
    EXPECT_EQ(table.rateLimit.perSecond, rateOf(limits, "burst"));
    EXPECT_EQ(table.rateLimit.perMinute, rateOf(limits, "steady"));
    EXPECT_EQ(table.rateLimit.perDay.value_or(0), rateOf(limits, "daily"));
    // The request body's data.type names the report.
    const std::string body = post.at("requestBody").at("content").at("application/vnd.api+json").at("schema").at("$ref");
    EXPECT_NE(document.dump().find("\"enum\":[\"" + std::string(table.resourceType) + "\"]"), std::string::npos) << body;
  }
}

TEST(KlaviyoOperations, EveryRequestCarriesTheRevisionOfTheDocuments) {
  LIVEDATA_REQUIRE_KLAVIYO_DOCUMENTS();
  const Json document = klaviyoDocument("get_flows.json");
  const Json& revision = parameter(document.at("paths").at("/api/flows").at("get"), "revision");
  EXPECT_EQ(revision.at("in"), "header");
  EXPECT_TRUE(revision.at("required").get<bool>());
  EXPECT_EQ(revision.at("schema").at("default"), std::string(kRevision));
}

}  // namespace
}  // namespace livedata::server::klaviyo
