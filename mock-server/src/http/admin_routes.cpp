#include "http/admin_routes.h"

#include <cstdio>
#include <fstream>

#include "http/bearer_auth.h"

namespace livedata::server {
namespace {

using Json = nlohmann::ordered_json;

AdminReply ok(const Json& body) { return okReply(body); }

AdminReply fail(const ApiError& error) { return errorReply(error); }

Json rulesJson(const std::vector<FaultRule>& rules) {
  Json list = Json::array();
  for (const auto& rule : rules) list.push_back(rule);
  return Json{{"rules", std::move(list)}};
}

}  // namespace

AdminReply okReply(const nlohmann::ordered_json& body, int status) {
  return {status, body.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

AdminReply errorReply(const ApiError& error) { return {error.status, renderErrorBody(error)}; }

std::optional<std::string> generateAdminToken() {
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[16];
  if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes)) return std::nullopt;
  std::string token;
  for (const unsigned char byte : bytes) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", byte);
    token += hex;
  }
  return token;
}

AdminRoutes::AdminRoutes(std::string token, FaultInjector& faults, RequestLog& requests)
    : token_(std::move(token)), faults_(faults), requests_(requests) {}

std::optional<ApiError> AdminRoutes::authorize(std::string_view authorization) const {
  const auto credentials = bearerCredentials(authorization);
  if (!credentials) return unauthorized("this route needs Authorization: Bearer <token>");
  if (!constantTimeEquals(*credentials, token_)) return unauthorized("wrong token");
  return std::nullopt;
}

AdminReply AdminRoutes::addFaults(const std::string& body) {
  auto parsed = parseFaultRules(body);
  if (!parsed) return fail(parsed.error());
  faults_.add(std::move(parsed).value());
  return ok(rulesJson(faults_.rules()));
}

AdminReply AdminRoutes::clearFaults() {
  faults_.clear();
  return ok(rulesJson({}));
}

AdminReply AdminRoutes::requests() const { return ok(requests_.toJson()); }

AdminReply AdminRoutes::reset() {
  faults_.clear();
  requests_.clear();
  return ok(Json{{"reset", true}});
}

}  // namespace livedata::server
