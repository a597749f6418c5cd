#include "app/backend_routes.h"

#include <algorithm>

#include "app/request_bodies.h"
#include "simulated_upstream/upstream_faults.h"

namespace livedata::server {
namespace {

using Json = nlohmann::ordered_json;

}  // namespace

AdminReply BackendRoutes::syncStatus() { return okReply(Json(backend_.sync().status())); }

AdminReply BackendRoutes::requestSync(const std::string& body) {
  const auto request = parseSyncRequestBody(body);
  if (!request) return errorReply(request.error());
  const SyncAcceptance acceptance = backend_.sync().requestSync(request.value());
  return okReply(Json{{"accepted", nameOf(acceptance)}, {"status", Json(backend_.sync().status())}}, 202);
}

AdminReply BackendRoutes::cacheStats() { return okReply(backend_.cache().toJson()); }

AdminReply BackendRoutes::invalidateCache(const std::string& body) {
  const auto parsed = parseCacheInvalidationBody(body);
  if (!parsed) return errorReply(parsed.error());
  const CacheInvalidation& invalidation = parsed.value();
  if (invalidation.pattern) {
    const std::size_t removed = backend_.cache().invalidate(*invalidation.pattern);
    return okReply(Json{{"removed", removed}, {"pattern", *invalidation.pattern}});
  }
  const std::size_t removed = backend_.cache().invalidateEndpoints(invalidation.endpoints);
  return okReply(Json{{"removed", removed}, {"endpoints", invalidation.endpoints}});
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
  const auto parsed = parseUpstreamChangesBody(body);
  if (!parsed) return errorReply(parsed.error());
  const int count = parsed.value();
  const UnixSeconds stamp = upstream->account().changesNow(count);
  return okReply(Json{{"changes", count}, {"stampedAt", formatIsoTimestamp(stamp)},
                      {"totalChanges", upstream->account().changeCount()}});
}

AdminReply BackendRoutes::touch(const std::string& body) {
  UpstreamServer* upstream = backend_.localUpstream();
  if (!upstream) return errorReply(upstreamExternal());
  const auto resource = parseTouchBody(body);
  if (!resource) return errorReply(resource.error());
  const Entity entity = entityOf(resource.value());
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
      return okReply(Json{{"endpoint", nameOf(resource.value())}, {"rounds", round}, {"report", Json(report)}});
    }
  }
  return errorReply({503, "sync_failed", "no upstream change reached " + std::string(nameOf(entity))});
}

}  // namespace livedata::server
