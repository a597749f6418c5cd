#include "server_figures.h"

#include <nlohmann/json.hpp>

#include "failure.h"

namespace livedata::loadgen {
namespace {

double ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

Expected<ServerFigures> readServerFigures(const AdminApi& admin) {
  auto cache = admin.getJson("/api/cache/stats");
  if (!cache) return cache.error();
  auto sync = admin.getJson("/api/sync/status");
  if (!sync) return sync.error();
  auto api = admin.getJson("/monitoring/api-metrics");
  if (!api) return api.error();

  // json::value() throws type_error on a field of another type: a server that no longer
  // speaks docs/api.md. That ends here, as an error value.
  try {
    ServerFigures figures;
    const auto& c = cache.value();
    figures.cacheBackend = c.value("backend", "");
    figures.cacheHits = c.value("hits", std::uint64_t{0});
    figures.cacheMisses = c.value("misses", std::uint64_t{0});
    figures.cacheRenders = c.value("computations", std::uint64_t{0});
    figures.cacheCoalesced = c.value("coalesced", std::uint64_t{0});
    figures.cacheHitRate = ratio(figures.cacheHits, figures.cacheHits + figures.cacheMisses);

    const auto counters = sync.value().value("counters", nlohmann::json::object());
    figures.syncRuns = counters.value("runs", std::uint64_t{0});
    figures.syncSuccesses = counters.value("successes", std::uint64_t{0});
    figures.syncFailures = counters.value("failures", std::uint64_t{0});
    figures.syncRetries = counters.value("retries", std::uint64_t{0});
    figures.syncSuccessRate = ratio(figures.syncSuccesses, figures.syncSuccesses + figures.syncFailures);

    const auto service = api.value().value("service", nlohmann::json::object());
    const auto latency = service.value("latencyMs", nlohmann::json::object());
    figures.requests = service.value("requests", std::uint64_t{0});
    figures.serverErrors = service.value("serverErrors", std::uint64_t{0});
    figures.latencyAverageMs = latency.value("average", 0.0);
    figures.latencyP50Ms = latency.value("p50", 0.0);
    figures.latencyP95Ms = latency.value("p95", 0.0);
    figures.latencyP99Ms = latency.value("p99", 0.0);
    return figures;
  } catch (const nlohmann::json::exception& e) {
    return failure(std::string("mock-server's figures have an unexpected shape: ") + e.what());
  }
}

ServerFigures since(const ServerFigures& before, const ServerFigures& after) {
  ServerFigures delta = after;
  delta.cacheHits -= before.cacheHits;
  delta.cacheMisses -= before.cacheMisses;
  delta.cacheRenders -= before.cacheRenders;
  delta.cacheCoalesced -= before.cacheCoalesced;
  delta.cacheHitRate = ratio(delta.cacheHits, delta.cacheHits + delta.cacheMisses);
  delta.syncRuns -= before.syncRuns;
  delta.syncSuccesses -= before.syncSuccesses;
  delta.syncFailures -= before.syncFailures;
  delta.syncRetries -= before.syncRetries;
  delta.syncSuccessRate = ratio(delta.syncSuccesses, delta.syncSuccesses + delta.syncFailures);
  delta.requests -= before.requests;
  delta.serverErrors -= before.serverErrors;
  return delta;
}

}  // namespace livedata::loadgen
