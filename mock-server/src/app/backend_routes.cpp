#include "livedata/expected.h"
#include "app/backend_routes.h"

#include <algorithm>
#include <set>

#include "store/api_queries.h"
#include "simulated_upstream/upstream_faults.h"

namespace livedata::server {
namespace {

using Json = nlohmann::ordered_json;

// A JSON object body; an empty body counts as {} when `emptyIsObject`.
Expected<nlohmann::json, ApiError> parseObject(const std::string& body, bool emptyIsObject) {
  if (body.empty() && emptyIsObject) return nlohmann::json::object();
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return invalidBody("the request body is not valid JSON");
  if (!json.is_object()) return invalidBody("the request body must be a JSON object");
  return json;
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

AdminReply BackendRoutes::syncStatus() { return okReply(Json(backend_.sync().status())); }

AdminReply BackendRoutes::requestSync(const std::string& body) {
  auto parsed = parseObject(body, /*emptyIsObject=*/true);
  if (!parsed) return errorReply(parsed.error());
  const auto& json = parsed.value();
  if (auto error = rejectUnknownFields(json, {"force", "entities"})) return errorReply(*error);
  SyncRequest request;
  if (json.contains("force")) {
    if (!json["force"].is_boolean()) return errorReply(invalidBody("force must be true or false"));
    request.force = json["force"].get<bool>();
  }
  if (json.contains("entities")) {
    const auto& entities = json["entities"];
    if (!entities.is_array()) return errorReply(invalidBody("entities must be an array of entity names"));
    for (const auto& name : entities) {
      const auto entity = name.is_string() ? entityFromName(name.get<std::string>()) : std::nullopt;
      if (!entity) {
        return errorReply(invalidBody("entities: " + name.dump() +
                                      " is not one of campaigns, flows, forms, segments, metrics"));
      }
      request.entities.push_back(*entity);
    }
  }
  const SyncAcceptance acceptance = backend_.sync().requestSync(request);
  return okReply(Json{{"accepted", nameOf(acceptance)}, {"status", Json(backend_.sync().status())}}, 202);
}

AdminReply BackendRoutes::cacheStats() { return okReply(backend_.cache().toJson()); }

AdminReply BackendRoutes::invalidateCache(const std::string& body) {
  auto parsed = parseObject(body, /*emptyIsObject=*/false);
  if (!parsed) return errorReply(parsed.error());
  const auto& json = parsed.value();
  if (auto error = rejectUnknownFields(json, {"pattern", "endpoints"})) return errorReply(*error);
  if (json.contains("pattern") == json.contains("endpoints")) {
    return errorReply(invalidBody("give exactly one of pattern (a glob such as \"campaigns*\") and endpoints"));
  }
  if (json.contains("pattern")) {
    const auto& pattern = json["pattern"];
    if (!pattern.is_string() || pattern.get<std::string>().empty() || pattern.get<std::string>().size() > 512) {
      return errorReply(invalidBody("pattern must be a glob of 1 to 512 characters, such as \"campaigns*\""));
    }
    const std::size_t removed = backend_.cache().invalidate(pattern.get<std::string>());
    return okReply(Json{{"removed", removed}, {"pattern", pattern.get<std::string>()}});
  }
  const auto& endpoints = json["endpoints"];
  if (!endpoints.is_array() || endpoints.empty()) {
    return errorReply(invalidBody("endpoints must be a non-empty array of " + kEndpointNames));
  }
  std::vector<std::string> names;
  for (const auto& name : endpoints) {
    if (!name.is_string() || !apiResourceFromName(name.get<std::string>())) {
      return errorReply(invalidBody("endpoints: " + name.dump() + " is not one of " + kEndpointNames));
    }
    names.push_back(name.get<std::string>());
  }
  const std::size_t removed = backend_.cache().invalidateEndpoints(names);
  return okReply(Json{{"removed", removed}, {"endpoints", names}});
}

AdminReply BackendRoutes::upstreamFaults() {
  UpstreamServer* upstream = backend_.localUpstream();
  if (!upstream) return errorReply(upstreamExternal());
  return okReply(Json(upstream->faults()));
}

AdminReply BackendRoutes::setUpstreamFaults(const std::string& body) {
  UpstreamServer* upstream = backend_.localUpstream();
  if (!upstream) return errorReply(upstreamExternal());
  auto parsed = parseFaults(body);
  if (!parsed) return errorReply(parsed.error());
  if (auto error = upstream->setFaults(std::move(parsed).value())) {
    return errorReply(invalidBody(*error));
  }
  return okReply(Json(upstream->faults()));
}

AdminReply BackendRoutes::clearUpstreamFaults() {
  UpstreamServer* upstream = backend_.localUpstream();
  if (!upstream) return errorReply(upstreamExternal());
  upstream->clearFaults();
  return okReply(Json(upstream->faults()));
}

AdminReply BackendRoutes::upstreamChanges(const std::string& body) {
  UpstreamServer* upstream = backend_.localUpstream();
  if (!upstream) return errorReply(upstreamExternal());
  auto parsed = parseObject(body, /*emptyIsObject=*/false);
  if (!parsed) return errorReply(parsed.error());
  const auto& json = parsed.value();
  if (auto error = rejectUnknownFields(json, {"count"})) return errorReply(*error);
  if (!json.contains("count") || !json["count"].is_number_integer() || json["count"].get<std::int64_t>() < 1 ||
      json["count"].get<std::int64_t>() > 1000000) {
    return errorReply(invalidBody("count must be an integer from 1 to 1000000"));
  }
  const int count = json["count"].get<int>();
  const UnixSeconds stamp = upstream->account().changesNow(count);
  return okReply(Json{{"changes", count}, {"stampedAt", formatIsoTimestamp(stamp)},
                      {"totalChanges", upstream->account().changeCount()}});
}

AdminReply BackendRoutes::touch(const std::string& body) {
  UpstreamServer* upstream = backend_.localUpstream();
  if (!upstream) return errorReply(upstreamExternal());
  auto parsed = parseObject(body, /*emptyIsObject=*/false);
  if (!parsed) return errorReply(parsed.error());
  const auto& json = parsed.value();
  const auto resource = json.contains("endpoint") && json["endpoint"].is_string()
                            ? apiResourceFromName(json["endpoint"].get<std::string>())
                            : std::nullopt;
  if (!resource) return errorReply(invalidBody("endpoint must be one of " + kEndpointNames));
  const Entity entity = entityOf(*resource);
  // Changes are drawn at random over all entities, so a few rounds may be needed before one
  // lands on this entity; each round is synced so the store and the cache follow at once.
  constexpr int kChangesPerRound = 20;
  constexpr int kMaxRounds = 50;
  for (int round = 1; round <= kMaxRounds; ++round) {
    upstream->account().changesNow(kChangesPerRound);
    const SyncRunReport report = backend_.sync().runNow({false, {entity}});
    if (report.failed() || report.stopped) {
      return errorReply({503, "sync_failed", "the sync of " + std::string(nameOf(entity)) + " did not complete"});
    }
    const auto changed = report.changedEntities();
    if (std::find(changed.begin(), changed.end(), entity) != changed.end()) {
      return okReply(Json{{"endpoint", nameOf(*resource)}, {"rounds", round}, {"report", Json(report)}});
    }
  }
  return errorReply({503, "sync_failed", "no upstream change reached " + std::string(nameOf(entity))});
}

}  // namespace livedata::server
