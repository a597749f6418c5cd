#include "livedata/expected.h"
#include "cache/shared_response_cache.h"

#include <exception>

namespace livedata::server {
namespace {

RedisBackendOptions redisBackendOptionsFrom(const SharedResponseCacheOptions& options) {
  RedisBackendOptions redis;
  redis.url = options.redisUrl;
  redis.connectTimeoutMs = options.connectTimeoutMs;
  redis.commandTimeoutMs = options.commandTimeoutMs;
  redis.poolSize = options.poolSize;
  return redis;
}

}  // namespace

const char* nameOf(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::hit: return "hit";
    case CacheOutcome::computed: return "computed";
    case CacheOutcome::coalesced: return "coalesced";
  }
  return "unknown";
}

std::optional<std::string> validate(const SharedResponseCacheOptions& options) {
  using Options = SharedResponseCacheOptions;
  if (options.ttlSeconds < 1 || options.ttlSeconds > Options::kMaxTtlSeconds) {
    return "ttlSeconds: expected 1.." + std::to_string(Options::kMaxTtlSeconds);
  }
  if (options.memoryMaxEntries < 1) return "memoryMaxEntries: expected at least 1";
  if (options.memoryMaxBytes < Options::kMinMemoryMaxBytes) {
    return "memoryMaxBytes: expected at least " + std::to_string(Options::kMinMemoryMaxBytes);
  }
  if (options.reconnectBackoff.baseDelayMs < 1) return "reconnectBackoff.baseDelayMs: expected at least 1 ms";
  if (options.reconnectBackoff.maxDelayMs < options.reconnectBackoff.baseDelayMs) {
    return "reconnectBackoff.maxDelayMs: expected at least baseDelayMs";
  }
  if (!options.redisUrl.empty()) {
    if (auto error = validate(redisBackendOptionsFrom(options))) {
      return error->rfind("invalid Redis URL", 0) == 0 ? "redisUrl: " + *error : *error;
    }
  }
  return std::nullopt;
}

nlohmann::ordered_json SharedResponseCacheStats::toJson() const {
  nlohmann::ordered_json json;
  json["backend"] = backend;
  json["redisConfigured"] = redisConfigured;
  json["hits"] = hits;
  json["misses"] = misses;
  json["hitRatio"] = hitRatio();
  json["computations"] = computations;
  json["coalesced"] = coalesced;
  json["computeErrors"] = computeErrors;
  json["storesSkipped"] = storesSkipped;
  json["memoryTierHits"] = memoryTierHits;
  json["keys"] = keys;
  json["bytes"] = bytes;
  json["memoryEvictions"] = memoryEvictions;
  json["fallbacks"] = fallbacks;
  json["reconnects"] = reconnects;
  json["redisErrors"] = redisErrors;
  json["lastRedisError"] = lastRedisError.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(lastRedisError);
  json["invalidations"] = {{"calls", invalidationCalls}, {"keysRemoved", invalidatedKeys}};
  return json;
}

// ---------------------------------------------------------------- life cycle

Expected<std::unique_ptr<SharedResponseCache>, std::string> SharedResponseCache::create(
    SharedResponseCacheOptions options, SharedResponseCacheDependencies dependencies) {
  if (auto error = validate(options)) return *error;
  std::unique_ptr<RedisCacheBackend> redis;
  if (!options.redisUrl.empty()) {
    auto created = RedisCacheBackend::create(redisBackendOptionsFrom(options));
    if (!created) return created.error();
    redis = std::move(created.value());
  }
  std::unique_ptr<SharedResponseCache> cache(
      new SharedResponseCache(std::move(options), std::move(dependencies), std::move(redis)));
  if (cache->failover_) cache->failover_->start();
  return cache;
}

SharedResponseCache::SharedResponseCache(SharedResponseCacheOptions options, SharedResponseCacheDependencies dependencies,
                                         std::unique_ptr<RedisCacheBackend> redis)
    : options_(std::move(options)),
      dependencies_(std::move(dependencies)),
      ttl_(options_.ttlSeconds),
      memory_(MemoryBackendLimits{options_.memoryMaxEntries, options_.memoryMaxBytes}, dependencies_.steadyNowMs),
      redis_(std::move(redis)) {
  if (redis_) {
    RedisFailoverOptions failoverOptions;
    failoverOptions.redisUrl = options_.redisUrl;
    failoverOptions.reconnectBackoff = options_.reconnectBackoff;
    failoverOptions.jitterSeed = options_.jitterSeed;
    failover_ = std::make_unique<RedisFailover>(std::move(failoverOptions), *redis_, memory_, gate_, dependencies_.log);
  }
}

SharedResponseCache::~SharedResponseCache() { stop(); }

void SharedResponseCache::stop() {
  if (failover_) failover_->stop();
}

// ---------------------------------------------------------------- reads and stores

ComputeResult SharedResponseCache::getOrCompute(const std::string& resourceKey, const std::function<ComputeResult()>& compute,
                                          CacheOutcome* outcomeOut) {
  CacheOutcome ignored;
  CacheOutcome& outcome = outcomeOut ? *outcomeOut : ignored;
  if (auto hit = backendGet(resourceKey)) {
    ++hits_;
    outcome = CacheOutcome::hit;
    return hit;
  }
  const SingleFlight::Boarding boarding = flights_.board(
      resourceKey,
      // An invalidation overtook that flight: its result may be stale, do not wait for it.
      [&](std::uint64_t startEpoch) { return invalidations_.invalidatedSince(resourceKey, startEpoch); },
      [&] { return invalidations_.currentEpoch(); });
  const std::shared_ptr<SingleFlight::Flight>& flight = boarding.flight;
  const bool leader = boarding.leader;
  if (leader) return lead(resourceKey, flight, compute, outcome);
  ++misses_;
  ++coalesced_;
  outcome = CacheOutcome::coalesced;
  return flight->result.get();  // rethrows the leader's exception
}

ComputeResult SharedResponseCache::lead(const std::string& resourceKey, const std::shared_ptr<SingleFlight::Flight>& flight,
                                        const std::function<ComputeResult()>& compute, CacheOutcome& outcome) {
  const auto land = [&] { flights_.land(resourceKey, flight); };
  ComputeResult result;
  try {
    // Another request may have stored it between our miss and our taking the lead.
    if (auto hit = backendGet(resourceKey)) {
      ++hits_;
      outcome = CacheOutcome::hit;
      result = std::move(hit);
    } else {
      ++misses_;
      ++computations_;
      outcome = CacheOutcome::computed;
      result = compute();
      if (result) {
        if (result.value()) store(resourceKey, result.value(), flight->startEpoch);
      } else {
        ++computeErrors_;
      }
    }
  } catch (...) {
    ++computeErrors_;
    flight->promise.set_exception(std::current_exception());
    land();
    throw;
  }
  flight->promise.set_value(result);
  land();
  return result;
}

std::shared_ptr<const Representation> SharedResponseCache::backendGet(const std::string& resourceKey) {
  if (redisActive()) {
    if (auto near = memory_.get(resourceKey)) {
      ++memoryTierHits_;
      return near;
    }
    const std::uint64_t startEpoch = invalidations_.currentEpoch();
    try {
      auto shared = redis_->get(resourceKey);
      if (shared) keepNear(resourceKey, shared, startEpoch);
      return shared;
    } catch (const CacheBackendError& error) {
      if (error.busy()) return nullptr;  // Redis is fine, just saturated: a miss
      failover_->failover(error.what());
    }
  }
  return memory_.get(resourceKey);
}

void SharedResponseCache::keepNear(const std::string& resourceKey, const std::shared_ptr<const Representation>& value,
                                   std::uint64_t startEpoch) {
  StoreGate::SharedLock gate(gate_);
  if (!invalidations_.invalidatedSince(resourceKey, startEpoch)) memory_.put(resourceKey, value, ttl_);
}

void SharedResponseCache::store(const std::string& resourceKey, std::shared_ptr<const Representation> value,
                          std::uint64_t startEpoch) {
  StoreGate::SharedLock gate(gate_);
  if (invalidations_.invalidatedSince(resourceKey, startEpoch)) {
    ++storesSkipped_;
    return;
  }
  if (redisActive()) {
    try {
      redis_->put(resourceKey, value, ttl_);
    } catch (const CacheBackendError& error) {
      if (!error.busy()) failover_->failover(error.what());
    }
  }
  memory_.put(resourceKey, std::move(value), ttl_);  // the memory tier, in front of Redis or alone
}

// ---------------------------------------------------------------- invalidation

std::size_t SharedResponseCache::invalidatePatterns(const std::vector<KeyPattern>& patterns, Scope scope) {
  ++invalidationCalls_;
  bool toRedis = false;
  gate_.lock();
  invalidations_.record(patterns);
  toRedis = redisActive() && scope == Scope::everywhere;
  gate_.unlock();

  // Entries removed: from Redis when it is invalidated (the memory tier holds copies of
  // some of them), else from the memory tier.
  std::size_t removedFromMemory = 0;
  for (const auto& pattern : patterns) removedFromMemory += memory_.invalidate(pattern);
  std::size_t removed = removedFromMemory;
  if (toRedis) {
    try {
      std::size_t removedFromRedis = 0;
      for (const auto& pattern : patterns) removedFromRedis += redis_->invalidate(pattern);
      removed = removedFromRedis;
    } catch (const CacheBackendError& error) {
      // Even a busy pool: Redis missed this invalidation, so it must be purged before reuse.
      failover_->failover(error.what());
    }
  }
  invalidatedKeys_ += removed;
  return removed;
}

std::size_t SharedResponseCache::invalidate(const std::string& glob) { return invalidatePatterns({KeyPattern::glob(glob)}); }

std::size_t SharedResponseCache::invalidateEndpoints(const std::vector<std::string>& endpoints, Scope scope) {
  std::vector<KeyPattern> patterns;
  for (const auto& endpoint : endpoints) patterns.push_back(KeyPattern::endpoint(endpoint));
  if (patterns.empty()) return 0;
  return invalidatePatterns(patterns, scope);
}

std::size_t SharedResponseCache::clear() { return invalidatePatterns({KeyPattern::all()}); }

// ---------------------------------------------------------------- stats

SharedResponseCacheStats SharedResponseCache::stats() {
  SharedResponseCacheStats stats;
  stats.hits = hits_.load();
  stats.memoryTierHits = memoryTierHits_.load();
  stats.misses = misses_.load();
  stats.computations = computations_.load();
  stats.coalesced = coalesced_.load();
  stats.computeErrors = computeErrors_.load();
  stats.storesSkipped = storesSkipped_.load();
  stats.redisConfigured = redis_ != nullptr;
  stats.memoryEvictions = memory_.evictions();
  stats.invalidationCalls = invalidationCalls_.load();
  stats.invalidatedKeys = invalidatedKeys_.load();
  bool done = false;
  if (redisActive()) {
    try {
      const BackendStats backend = redis_->stats();
      stats.backend = "redis";
      stats.keys = backend.keys;
      stats.bytes = backend.bytes;
      done = true;
    } catch (const CacheBackendError& error) {
      if (error.busy()) {
        stats.backend = "redis";  // counts unknown for now
        done = true;
      } else {
        failover_->failover(error.what());
      }
    }
  }
  if (!done) {
    const BackendStats backend = memory_.stats();
    stats.backend = "memory";
    stats.keys = backend.keys;
    stats.bytes = backend.bytes;
  }
  if (failover_) {
    stats.fallbacks = failover_->fallbacks();
    stats.reconnects = failover_->reconnects();
    stats.redisErrors = failover_->redisErrors();
    stats.lastRedisError = failover_->lastRedisError();
  }
  return stats;
}

}  // namespace livedata::server
