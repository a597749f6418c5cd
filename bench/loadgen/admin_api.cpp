#include "admin_api.h"

#include <httplib.h>

#include "failure.h"

namespace livedata::loadgen {

Expected<nlohmann::json> AdminApi::getJson(const std::string& path) const {
  httplib::Client client(host_, port_);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  const auto response = client.Get(path, {{"Authorization", "Bearer " + token_}});
  if (!response) return failure("GET " + path + ": " + httplib::to_string(response.error()));
  if (response->status != 200) {
    return failure("GET " + path + ": HTTP " + std::to_string(response->status) + ": " + response->body.substr(0, 200));
  }
  auto body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return failure("GET " + path + ": the body is not JSON");
  return body;
}

}  // namespace livedata::loadgen
