#include "app/server_monitoring.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "monitoring/prometheus_writer.h"
#include "store/store.h"  // isPostgresUrl

namespace livedata::server {

using namespace monitoring;

MonitoringOptions monitoringOptionsFrom(const ServerOptions& options) {
  MonitoringOptions out;
  out.requests.slowRequestThresholdMicros = static_cast<std::uint64_t>(options.slowRequestMs) * 1000;
  out.requests.anonymizeClientIps = !options.monitorFullClientIps;
  // The disk the SQLite file is on; with PostgreSQL, the working folder's (its logs, if any).
  const std::filesystem::path folder =
      isPostgresUrl(options.database) ? std::filesystem::path() : std::filesystem::path(options.database).parent_path();
  out.system.diskPath = folder.empty() ? "." : folder.string();
  out.targets = options.targets;
  return out;
}

ServerMonitoring::ServerMonitoring(const ServerOptions& options, Backend& backend, const Log& log)
    : backend_(backend),
      service_(monitoringOptionsFrom(options),
               [&log](LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) {
                 log.write(level, message, fields);
               }) {
  if (options.alertCheckSeconds > 0) {
    evaluator_ = std::thread([this, interval = options.alertCheckSeconds] { evaluateTargetsUntilStopped(interval); });
  }
}

ServerMonitoring::~ServerMonitoring() { stop(); }

void ServerMonitoring::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  std::lock_guard joinLock(joinMutex_);  // one joins; a concurrent caller then finds it joined
  if (evaluator_.joinable()) evaluator_.join();
}

void ServerMonitoring::evaluateTargetsUntilStopped(int intervalSeconds) {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::seconds(intervalSeconds), [this] { return stopping_; })) {
    lock.unlock();
    service_.evaluateTargets(cacheSnapshot(false), syncSnapshot());
    lock.lock();
  }
}

CacheSnapshot ServerMonitoring::cacheSnapshot(bool probeRedis) {
  SharedResponseCache& cache = backend_.cache();
  const SharedResponseCacheStats stats = cache.stats();
  CacheSnapshot snapshot;
  snapshot.hits = stats.hits;
  snapshot.misses = stats.misses;
  snapshot.keys = stats.keys;
  snapshot.bytes = stats.bytes;
  snapshot.backend = stats.backend;
  snapshot.redisConfigured = stats.redisConfigured;
  snapshot.fallbacks = stats.fallbacks;
  snapshot.invalidations = stats.invalidationCalls;
  if (probeRedis && stats.redisConfigured) snapshot.redisAnswersPing = cache.pingRedis();
  return snapshot;
}

SyncSnapshot ServerMonitoring::syncSnapshot() {
  const SyncStatus status = backend_.sync().status();
  SyncSnapshot snapshot;
  snapshot.runs = status.counters.runs;
  snapshot.successes = status.counters.successes;
  snapshot.failures = status.counters.failures;
  snapshot.records = status.counters.records;
  snapshot.retries = status.counters.retries;
  snapshot.rateLimitedRetries = status.counters.rateLimitedRetries;
  if (status.leader) {
    for (const auto& use : status.reportBudget) {
      snapshot.reportCalls.push_back({use.operation, static_cast<std::uint64_t>(std::max(0, use.usedToday)),
                                      static_cast<std::uint64_t>(std::max(0, use.dailyLimit))});
    }
  }
  snapshot.lastRunDurationMs = static_cast<std::uint64_t>(std::max<Millis>(0, status.lastRunDurationMs.value_or(0)));
  snapshot.state = nameOf(status.state);
  // The data is as fresh as its stalest entity: the age of the oldest per-entity success.
  // While some entity has not synced since this process took the lease, the data is at
  // least as old as its lead: a sync that fails from the start (a wrong API key, an
  // upstream down) still ages, and alerts, and a follower that takes over counts from then,
  // not from its own start. A follower reports nothing: it does not sync, and the leader's
  // age describes the data they share.
  std::optional<Millis> oldestSuccess;
  bool everyEntitySynced = !status.entities.empty();
  for (const auto& [entity, entityStatus] : status.entities) {
    if (!entityStatus.lastSuccessAt) everyEntitySynced = false;
    else if (!oldestSuccess || *entityStatus.lastSuccessAt < *oldestSuccess) oldestSuccess = entityStatus.lastSuccessAt;
  }
  if (everyEntitySynced && oldestSuccess) {
    snapshot.lastSuccessAgeMs = std::max<std::int64_t>(0, systemMillisNow() - *oldestSuccess);
  } else if (status.leaderSince) {
    snapshot.lastSuccessAgeMs = std::max<std::int64_t>(0, systemMillisNow() - *status.leaderSince);
  }
  return snapshot;
}

DatabaseProbe ServerMonitoring::probeDatabase() {
  const auto start = std::chrono::steady_clock::now();
  const auto error = backend_.store().ping();
  const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
  if (error) return {false, std::nullopt, *error};
  return {true, elapsed.count(), ""};
}

HealthReport ServerMonitoring::checkHealth(const CacheSnapshot& cache, const SyncSnapshot& sync) {
  return service_.checkHealth(probeDatabase(), cache, service_.sampleSystem(), sync);
}

AdminReply ServerMonitoring::health() {
  const HealthReport report = checkHealth(cacheSnapshot(true), syncSnapshot());
  AdminReply reply = okReply(service_.healthJson(report), httpStatusFor(report.status));
  reply.contentType = kHealthContentType;
  return reply;
}

AdminReply ServerMonitoring::metrics() {
  nlohmann::ordered_json json = service_.metricsJson(service_.sampleSystem(), cacheSnapshot(false));
  const ChangeFeed& feed = backend_.changeFeed();
  json["liveFeed"] = {{"subscribers", feed.subscribers()},
                      {"maxSubscribers", feed.maxSubscribers()},
                      {"version", feed.currentVersion()}};
  return okReply(json);
}

AdminReply ServerMonitoring::apiMetrics() { return okReply(service_.apiMetricsJson()); }

AdminReply ServerMonitoring::errors() { return okReply(service_.errorsJson()); }

AdminReply ServerMonitoring::status() {
  const CacheSnapshot cache = cacheSnapshot(true);
  const SyncSnapshot sync = syncSnapshot();
  service_.evaluateTargets(cache, sync);
  return okReply(service_.statusJson(sync, cache, checkHealth(cache, sync)));
}

AdminReply ServerMonitoring::prometheus() {
  const CacheSnapshot cache = cacheSnapshot(false);
  const SyncSnapshot sync = syncSnapshot();
  service_.evaluateTargets(cache, sync);
  const ChangeFeed& feed = backend_.changeFeed();
  std::string text = service_.prometheusText(service_.sampleSystem(), cache, sync);
  text += "# HELP livedata_live_subscribers Event streams and long-polls of the live feed held now.\n"
          "# TYPE livedata_live_subscribers gauge\n"
          "livedata_live_subscribers " + std::to_string(feed.subscribers()) + "\n"
          "# HELP livedata_live_max_subscribers The most event streams and long-polls held at once (--max-subscribers).\n"
          "# TYPE livedata_live_max_subscribers gauge\n"
          "livedata_live_max_subscribers " + std::to_string(feed.maxSubscribers()) + "\n"
          "# HELP livedata_change_version The store's latest change version.\n"
          "# TYPE livedata_change_version gauge\n"
          "livedata_change_version " + std::to_string(feed.currentVersion()) + "\n";
  return {200, text, kPrometheusContentType};
}

AdminReply ServerMonitoring::live() { return okReply({{"status", "live"}}); }

AdminReply ServerMonitoring::ready() {
  const DatabaseProbe database = probeDatabase();
  if (!database.reachable) return okReply({{"status", "not ready"}, {"reason", database.error}}, 503);
  return okReply({{"status", "ready"}});
}

}  // namespace livedata::server
