#include "admin_routes.h"

#include <cctype>
#include <cstdio>
#include <fstream>

namespace livedata::mock {
namespace {

using Json = nlohmann::ordered_json;

AdminReply ok(const Json& body) { return {200, body.dump(-1, ' ', false, Json::error_handler_t::replace)}; }

AdminReply fail(const ApiError& error) { return {error.status, renderErrorBody(error)}; }

Json rulesJson(const std::vector<FaultRule>& rules) {
  Json list = Json::array();
  for (const auto& rule : rules) list.push_back(rule);
  return Json{{"rules", std::move(list)}};
}

}  // namespace

bool constantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of `b` (the secret) is visited whatever `a` holds.
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    difference |= static_cast<unsigned char>(x ^ static_cast<unsigned char>(b[i]));
  }
  return difference == 0;
}

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

AdminRoutes::AdminRoutes(std::string token, FaultInjector& faults, RequestLog& requests, ApiRoutes& api)
    : token_(std::move(token)), faults_(faults), requests_(requests), api_(api) {}

std::optional<ApiError> AdminRoutes::authorize(std::string_view authorization) const {
  constexpr std::string_view kScheme = "bearer ";
  bool schemeMatches = authorization.size() > kScheme.size();
  for (std::size_t i = 0; schemeMatches && i < kScheme.size(); ++i) {
    schemeMatches = std::tolower(static_cast<unsigned char>(authorization[i])) == kScheme[i];
  }
  if (!schemeMatches) return unauthorized("admin routes need Authorization: Bearer <token>");
  std::string_view credentials = authorization.substr(kScheme.size());
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && credentials.back() == ' ') credentials.remove_suffix(1);
  if (!constantTimeEquals(credentials, token_)) return unauthorized("wrong admin token");
  return std::nullopt;
}

AdminReply AdminRoutes::addFaults(const std::string& body) {
  auto parsed = parseFaultRules(body);
  if (auto* error = std::get_if<ApiError>(&parsed)) return fail(*error);
  faults_.add(std::get<std::vector<FaultRule>>(std::move(parsed)));
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

AdminReply AdminRoutes::touch(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return fail(invalidParameter("the request body must be JSON: {\"endpoint\": \"campaigns\"}"));
  }
  const std::string kAllowed = "overview, campaigns, flows, forms, segments";
  if (!json.contains("endpoint") || !json.at("endpoint").is_string()) {
    return fail(invalidParameter("endpoint is required: one of " + kAllowed));
  }
  const auto name = json.at("endpoint").get<std::string>();
  auto changed = api_.touch(name);
  if (!changed) return fail(invalidParameter("endpoint must be one of " + kAllowed));
  return ok(Json{{"endpoint", name}, {"item", std::move(*changed)}});
}

}  // namespace livedata::mock
