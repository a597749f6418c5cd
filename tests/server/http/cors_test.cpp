#include "http/cors.h"

#include <gtest/gtest.h>

namespace livedata::server {
namespace {

std::string valueOf(const HeaderList& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(Cors, AllowedOriginIsEchoedAndVariesOnOrigin) {
  const CorsPolicy policy({"http://localhost:5173"});
  const auto headers = policy.responseHeaders("http://localhost:5173");
  EXPECT_EQ(valueOf(headers, "Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_EQ(valueOf(headers, "Vary"), "Origin");
  EXPECT_NE(valueOf(headers, "Access-Control-Expose-Headers").find("ETag"), std::string::npos);
  EXPECT_NE(valueOf(headers, "Access-Control-Expose-Headers").find("X-Request-Id"), std::string::npos)
      << "the dashboard reports it with an error";
}

// Another origin, or none, gets no CORS header, but the answer still varies on Origin: a
// shared cache must not hand that copy to an allowed origin. Without CORS nothing varies.
TEST(Cors, OtherOriginsGetOnlyVaryOrigin) {
  const CorsPolicy policy({"http://localhost:5173"});
  for (const char* origin : {"http://evil.test", ""}) {
    const auto headers = policy.responseHeaders(origin);
    ASSERT_EQ(headers.size(), 1u) << origin;
    EXPECT_EQ(valueOf(headers, "Vary"), "Origin") << origin;
  }
  EXPECT_TRUE(policy.preflightHeaders("http://localhost:5173.evil.test").empty());
  EXPECT_TRUE(CorsPolicy({}).responseHeaders("http://localhost:5173").empty());
}

TEST(Cors, PreflightAllowsTheHeadersTheClientSends) {
  const CorsPolicy policy({"https://dash.example"});
  const auto headers = policy.preflightHeaders("https://dash.example");
  const std::string allowed = valueOf(headers, "Access-Control-Allow-Headers");
  // Last-Event-ID: without it a browser on another origin could never resume the feed.
  for (const char* name : {"Authorization", "Cache-Control", "If-None-Match", "Last-Event-ID", "Livedata-Min-Version", "X-Request-Id"}) {
    EXPECT_NE(allowed.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace livedata::server
