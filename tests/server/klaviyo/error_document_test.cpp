// Klaviyo's error documents: rendered by the simulated upstream, described by the sync.
#include "klaviyo/error_document.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace livedata::server::klaviyo {
namespace {

TEST(ErrorDocument, CarriesTheMembersKlaviyosDocumentsRequire) {
  const auto document = nlohmann::json::parse(renderErrorDocument(invalidParameter("page[size]", "too big"), "e-1"));
  const auto& error = document.at("errors").at(0);
  EXPECT_EQ(error.at("id"), "e-1");
  EXPECT_EQ(error.at("status"), 400);
  EXPECT_EQ(error.at("code"), "invalid");
  EXPECT_EQ(error.at("title"), "Invalid input.");
  EXPECT_EQ(error.at("detail"), "too big");
  EXPECT_EQ(error.at("source"), (nlohmann::json{{"parameter", "page[size]"}}));
  const auto body = nlohmann::json::parse(renderErrorDocument(invalidBody("/data/attributes/timeframe", "bad"), "e-2"));
  EXPECT_EQ(body.at("errors").at(0).at("source"), (nlohmann::json{{"pointer", "/data/attributes/timeframe"}}));
  EXPECT_FALSE(nlohmann::json::parse(renderErrorDocument(serverError(), "e-3")).at("errors").at(0).contains("source"));
}

TEST(ErrorDocument, TheAnswersOfTheSimulatedUpstreamHaveKlaviyosCodes) {
  EXPECT_EQ(notAuthenticated().status, 401);
  EXPECT_EQ(notAuthenticated().code, "not_authenticated");
  EXPECT_EQ(throttled(3).status, 429);
  EXPECT_EQ(throttled(3).code, "throttled");
  EXPECT_NE(throttled(3).detail.find("3 seconds"), std::string::npos);
  EXPECT_EQ(serverError().code, "error");
  EXPECT_EQ(notFound("x").status, 404);
}

TEST(ErrorDocument, DescribesTheFirstErrorForALogLine) {
  EXPECT_EQ(describeErrorDocument(renderErrorDocument(invalidParameter("filter", "Invalid filter provided."), "e")),
            "invalid: Invalid filter provided. (filter)");
  EXPECT_EQ(describeErrorDocument(renderErrorDocument(notAuthenticated(), "e")),
            "not_authenticated: Missing or invalid private key.");
  for (const char* notOne : {"", "<html>502</html>", "{}", "{\"errors\":[]}", "{\"errors\":[{\"detail\":\"x\"}]}", "[1]"}) {
    EXPECT_FALSE(describeErrorDocument(notOne)) << notOne;
  }
}

}  // namespace
}  // namespace livedata::server::klaviyo
