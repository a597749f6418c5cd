// An HTTP client for one ServerProcess with the admin token at hand: what the integration
// tests of the backend and of monitoring do over and over.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "server_process.h"

namespace livedata::testing {

class ServerClient {
 public:
  explicit ServerClient(const ServerProcess& server) : http_("127.0.0.1", server.port()), bearer_(server.bearer()) {
    http_.set_read_timeout(20, 0);
  }

  httplib::Result get(const std::string& path, bool authorized = true) {
    return authorized ? http_.Get(path, {{"Authorization", bearer_}}) : http_.Get(path);
  }
  // The status of an unauthenticated GET, -1 without a response.
  int status(const std::string& path) {
    const auto result = get(path, false);
    return result ? result->status : -1;
  }
  // The body of an unauthenticated GET when it is a 200, else "".
  std::string body(const std::string& path) {
    const auto result = get(path, false);
    return result && result->status == 200 ? result->body : "";
  }
  // An authorized GET that must answer 200 with JSON (a test failure otherwise).
  nlohmann::json getJson(const std::string& path) {
    const auto result = get(path);
    EXPECT_TRUE(result) << path;
    if (!result) return nlohmann::json();
    EXPECT_EQ(result->status, 200) << path << ": " << result->body;
    return nlohmann::json::parse(result->body, nullptr, false);
  }
  httplib::Result post(const std::string& path, const nlohmann::json& body) {
    return http_.Post(path, {{"Authorization", bearer_}}, body.dump(), "application/json");
  }
  httplib::Result put(const std::string& path, const nlohmann::json& body) {
    return http_.Put(path, {{"Authorization", bearer_}}, body.dump(), "application/json");
  }

 private:
  httplib::Client http_;
  std::string bearer_;
};

}  // namespace livedata::testing
