// mock-server's protected routes (sync status, cache stats, monitoring), read with the
// admin bearer token (docs/api.md).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

#include "livedata/errors.h"

namespace livedata::loadgen {

// Thread-safe (each call opens its own connection).
class AdminApi {
 public:
  AdminApi(std::string host, int port, std::string token)
      : host_(std::move(host)), port_(port), token_(std::move(token)) {}

  // GET `path`; its JSON body when the status is 200, else an error naming the path.
  Expected<nlohmann::json> getJson(const std::string& path) const;

 private:
  std::string host_;
  int port_;
  std::string token_;
};

}  // namespace livedata::loadgen
