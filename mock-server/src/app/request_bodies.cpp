#include "app/request_bodies.h"

#include <cstdint>
#include <set>

#include <nlohmann/json.hpp>

#include "model/strict_json.h"

namespace livedata::server {
namespace {

// A JSON object body; an empty body counts as {} when `emptyIsObject`.
Expected<nlohmann::json, ApiError> parseObject(const std::string& body, bool emptyIsObject) {
  if (body.empty() && emptyIsObject) return nlohmann::json::object();
  auto json = parseJsonStrictly(body);
  if (!json) return invalidBody("the request body " + json.error());
  if (!json.value().is_object()) return invalidBody("the request body must be a JSON object");
  return std::move(json).value();
}

std::optional<ApiError> rejectUnknownFields(const nlohmann::json& object, const std::set<std::string>& known) {
  for (const auto& [key, value] : object.items()) {
    (void)value;
    if (known.count(key) == 0) return invalidBody("unknown field '" + key + "'");
  }
  return std::nullopt;
}

const std::string kEndpointNames = "overview, campaigns, flows, forms, segments";

}  // namespace

Expected<SyncRequest, ApiError> parseSyncRequestBody(const std::string& body) {
  auto parsed = parseObject(body, /*emptyIsObject=*/true);
  if (!parsed) return parsed.error();
  const auto& json = parsed.value();
  if (auto error = rejectUnknownFields(json, {"force", "entities"})) return *error;
  SyncRequest request;
  if (json.contains("force")) {
    if (!json["force"].is_boolean()) return invalidBody("force must be true or false");
    request.force = json["force"].get<bool>();
  }
  if (json.contains("entities")) {
    const auto& entities = json["entities"];
    if (!entities.is_array()) return invalidBody("entities must be an array of entity names");
    for (const auto& name : entities) {
      const auto entity = name.is_string() ? entityFromName(name.get<std::string>()) : std::nullopt;
      if (!entity) {
        return invalidBody("entities: " + name.dump() + " is not one of campaigns, flows, forms, segments, metrics");
      }
      request.entities.push_back(*entity);
    }
  }
  return request;
}

Expected<CacheInvalidation, ApiError> parseCacheInvalidationBody(const std::string& body) {
  auto parsed = parseObject(body, /*emptyIsObject=*/false);
  if (!parsed) return parsed.error();
  const auto& json = parsed.value();
  if (auto error = rejectUnknownFields(json, {"pattern", "endpoints"})) return *error;
  if (json.contains("pattern") == json.contains("endpoints")) {
    return invalidBody("give exactly one of pattern (a glob such as \"campaigns*\") and endpoints");
  }
  CacheInvalidation invalidation;
  if (json.contains("pattern")) {
    const auto& pattern = json["pattern"];
    if (!pattern.is_string() || pattern.get<std::string>().empty() || pattern.get<std::string>().size() > 512) {
      return invalidBody("pattern must be a glob of 1 to 512 characters, such as \"campaigns*\"");
    }
    invalidation.pattern = pattern.get<std::string>();
    return invalidation;
  }
  const auto& endpoints = json["endpoints"];
  if (!endpoints.is_array() || endpoints.empty()) {
    return invalidBody("endpoints must be a non-empty array of " + kEndpointNames);
  }
  for (const auto& name : endpoints) {
    if (!name.is_string() || !apiResourceFromName(name.get<std::string>())) {
      return invalidBody("endpoints: " + name.dump() + " is not one of " + kEndpointNames);
    }
    invalidation.endpoints.push_back(name.get<std::string>());
  }
  return invalidation;
}

Expected<int, ApiError> parseUpstreamChangesBody(const std::string& body) {
  auto parsed = parseObject(body, /*emptyIsObject=*/false);
  if (!parsed) return parsed.error();
  const auto& json = parsed.value();
  if (auto error = rejectUnknownFields(json, {"count"})) return *error;
  if (!json.contains("count") || !json["count"].is_number_integer() || json["count"].get<std::int64_t>() < 1 ||
      json["count"].get<std::int64_t>() > 1000000) {
    return invalidBody("count must be an integer from 1 to 1000000");
  }
  return json["count"].get<int>();
}

Expected<ApiResource, ApiError> parseTouchBody(const std::string& body) {
  auto parsed = parseObject(body, /*emptyIsObject=*/false);
  if (!parsed) return parsed.error();
  const auto& json = parsed.value();
  const auto resource = json.contains("endpoint") && json["endpoint"].is_string()
                            ? apiResourceFromName(json["endpoint"].get<std::string>())
                            : std::nullopt;
  if (!resource) return invalidBody("endpoint must be one of " + kEndpointNames);
  return *resource;
}

}  // namespace livedata::server
