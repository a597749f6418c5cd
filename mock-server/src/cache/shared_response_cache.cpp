#include "cache/shared_response_cache.h"

#include <algorithm>
#include <exception>

#include "livedata/retry.h"

namespace livedata::server {

namespace {

constexpr Millis kMinReconnectDelayMs = 10;
constexpr int kMaxReconnectAttemptNumber = 64;  // the delay stopped growing long before

class SharedGateLock {
 public:
  template <class G>
  explicit SharedGateLock(G& gate) : unlock_([&gate] { gate.unlockShared(); }) {
    gate.lockShared();
  }
  ~SharedGateLock() { unlock_(); }
  SharedGateLock(const SharedGateLock&) = delete;
  SharedGateLock& operator=(const SharedGateLock&) = delete;

 private:
  std::function<void()> unlock_;
};

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
  if (options.ttlSeconds < 1 || options.ttlSeconds > 86400) return "ttlSeconds: expected 1..86400";
  if (options.memoryMaxEntries < 1) return "memoryMaxEntries: expected at least 1";
  if (options.memoryMaxBytes < 1024) return "memoryMaxBytes: expected at least 1024";
  if (options.reconnectBackoff.baseDelayMs < 1) return "reconnectBackoff.baseDelayMs: expected at least 1 ms";
  if (options.reconnectBackoff.maxDelayMs < options.reconnectBackoff.baseDelayMs) {
    return "reconnectBackoff.maxDelayMs: expected at least baseDelayMs";
  }
  if (!options.redisUrl.empty()) {
    RedisBackendOptions redis;
    redis.url = options.redisUrl;
    redis.connectTimeoutMs = options.connectTimeoutMs;
    redis.commandTimeoutMs = options.commandTimeoutMs;
    redis.poolSize = options.poolSize;
    if (auto error = validate(redis)) return error->rfind("invalid Redis URL", 0) == 0 ? "redisUrl: " + *error : *error;
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

// ---------------------------------------------------------------- Gate

void SharedResponseCache::Gate::lockShared() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !writer_ && writersWaiting_ == 0; });
  ++sharedHolders_;
}

void SharedResponseCache::Gate::unlockShared() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--sharedHolders_ == 0) changed_.notify_all();
}

void SharedResponseCache::Gate::lock() {
  std::unique_lock<std::mutex> lock(mutex_);
  ++writersWaiting_;
  changed_.wait(lock, [&] { return !writer_ && sharedHolders_ == 0; });
  --writersWaiting_;
  writer_ = true;
}

void SharedResponseCache::Gate::unlock() {
  std::lock_guard<std::mutex> lock(mutex_);
  writer_ = false;
  changed_.notify_all();
}

// ---------------------------------------------------------------- life cycle

std::variant<std::unique_ptr<SharedResponseCache>, std::string> SharedResponseCache::create(
    SharedResponseCacheOptions options, SharedResponseCacheDependencies dependencies) {
  if (auto error = validate(options)) return *error;
  std::unique_ptr<RedisCacheBackend> redis;
  if (!options.redisUrl.empty()) {
    RedisBackendOptions redisOptions;
    redisOptions.url = options.redisUrl;
    redisOptions.connectTimeoutMs = options.connectTimeoutMs;
    redisOptions.commandTimeoutMs = options.commandTimeoutMs;
    redisOptions.poolSize = options.poolSize;
    auto created = RedisCacheBackend::create(std::move(redisOptions));
    if (auto* error = std::get_if<std::string>(&created)) return *error;
    redis = std::move(std::get<std::unique_ptr<RedisCacheBackend>>(created));
  }
  std::unique_ptr<SharedResponseCache> cache(new SharedResponseCache(std::move(options), std::move(dependencies), std::move(redis)));
  if (cache->redis_) {
    if (!cache->tryReturnToRedis()) {
      ++cache->fallbacks_;
      cache->log(LogLevel::warn, "response cache starts on memory: redis unavailable",
                 {{"redis", cache->options_.redisUrl}, {"error", cache->stats().lastRedisError}});
    } else {
      cache->log(LogLevel::info, "response cache on redis", {{"redis", cache->options_.redisUrl}});
    }
    cache->reconnectThread_ = std::thread([raw = cache.get()] { raw->reconnectLoop(); });
  }
  return cache;
}

SharedResponseCache::SharedResponseCache(SharedResponseCacheOptions options, SharedResponseCacheDependencies dependencies,
                             std::unique_ptr<RedisCacheBackend> redis)
    : options_(std::move(options)),
      dependencies_(std::move(dependencies)),
      ttl_(options_.ttlSeconds),
      memory_(MemoryBackendLimits{options_.memoryMaxEntries, options_.memoryMaxBytes}, dependencies_.steadyNowMs),
      redis_(std::move(redis)),
      random_(options_.jitterSeed ? *options_.jitterSeed : std::random_device{}()) {}

SharedResponseCache::~SharedResponseCache() { stop(); }

void SharedResponseCache::stop() {
  {
    std::lock_guard<std::mutex> lock(threadMutex_);
    stopping_ = true;
  }
  stopRequested_ = true;
  threadWake_.notify_all();
  if (reconnectThread_.joinable() && reconnectThread_.get_id() != std::this_thread::get_id()) {
    reconnectThread_.join();
  }
}

void SharedResponseCache::log(LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) const {
  if (dependencies_.log) dependencies_.log(level, message, fields);
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
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard<std::mutex> lock(flightsMutex_);
    const auto found = flights_.find(resourceKey);
    if (found != flights_.end()) {
      std::lock_guard<std::mutex> logLock(logMutex_);
      // An invalidation overtook that flight: its result may be stale, do not wait for it.
      if (!invalidatedSinceLocked(resourceKey, found->second->startEpoch)) flight = found->second;
    }
    if (!flight) {
      flight = std::make_shared<Flight>();
      flight->startEpoch = currentEpoch();
      flight->result = flight->promise.get_future().share();
      flights_[resourceKey] = flight;  // replaces an overtaken one, which finishes on its own
      leader = true;
    }
  }
  if (leader) return lead(resourceKey, flight, compute, outcome);
  ++misses_;
  ++coalesced_;
  outcome = CacheOutcome::coalesced;
  return flight->result.get();  // rethrows the leader's exception
}

ComputeResult SharedResponseCache::lead(const std::string& resourceKey, const std::shared_ptr<Flight>& flight,
                                  const std::function<ComputeResult()>& compute, CacheOutcome& outcome) {
  const auto land = [&] {
    std::lock_guard<std::mutex> lock(flightsMutex_);
    const auto found = flights_.find(resourceKey);
    if (found != flights_.end() && found->second == flight) flights_.erase(found);
  };
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
      if (const auto* value = std::get_if<std::shared_ptr<const Representation>>(&result)) {
        if (*value) store(resourceKey, *value, flight->startEpoch);
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
  if (redisActive_.load()) {
    try {
      return redis_->get(resourceKey);
    } catch (const CacheBackendError& error) {
      if (error.busy()) return nullptr;  // Redis is fine, just saturated: a miss
      failover(error.what());
    }
  }
  return memory_.get(resourceKey);
}

void SharedResponseCache::store(const std::string& resourceKey, std::shared_ptr<const Representation> value,
                          std::uint64_t startEpoch) {
  SharedGateLock gate(gate_);
  {
    std::lock_guard<std::mutex> lock(logMutex_);
    if (invalidatedSinceLocked(resourceKey, startEpoch)) {
      ++storesSkipped_;
      return;
    }
  }
  if (redisActive_.load()) {
    try {
      redis_->put(resourceKey, value, ttl_);
      return;
    } catch (const CacheBackendError& error) {
      if (error.busy()) return;
      failover(error.what());
    }
  }
  memory_.put(resourceKey, std::move(value), ttl_);
}

// ---------------------------------------------------------------- invalidation

std::uint64_t SharedResponseCache::currentEpoch() const {
  std::lock_guard<std::mutex> lock(logMutex_);
  return epoch_;
}

bool SharedResponseCache::invalidatedSinceLocked(const std::string& resourceKey, std::uint64_t epoch) const {
  if (epoch_ == epoch) return false;
  // Epochs are consecutive: the log must still hold epoch + 1 to answer "no".
  if (invalidations_.empty() || invalidations_.front().epoch > epoch + 1) return true;
  for (auto it = invalidations_.rbegin(); it != invalidations_.rend() && it->epoch > epoch; ++it) {
    if (it->pattern.matches(resourceKey)) return true;
  }
  return false;
}

std::size_t SharedResponseCache::invalidatePatterns(const std::vector<KeyPattern>& patterns) {
  ++invalidationCalls_;
  bool toRedis = false;
  gate_.lock();
  {
    std::lock_guard<std::mutex> lock(logMutex_);
    for (const auto& pattern : patterns) {
      invalidations_.push_back(LoggedInvalidation{++epoch_, pattern});
      if (invalidations_.size() > kInvalidationLogSize) invalidations_.pop_front();
    }
    toRedis = redisActive_.load();
  }
  gate_.unlock();

  std::size_t removed = 0;
  for (const auto& pattern : patterns) removed += memory_.invalidate(pattern);
  if (toRedis) {
    try {
      for (const auto& pattern : patterns) removed += redis_->invalidate(pattern);
    } catch (const CacheBackendError& error) {
      // Even a busy pool: Redis missed this invalidation, so it must be purged before reuse.
      failover(error.what());
    }
  }
  invalidatedKeys_ += removed;
  return removed;
}

std::size_t SharedResponseCache::invalidate(const std::string& glob) { return invalidatePatterns({KeyPattern::glob(glob)}); }

std::size_t SharedResponseCache::invalidateEndpoints(const std::vector<std::string>& endpoints) {
  std::vector<KeyPattern> patterns;
  for (const auto& endpoint : endpoints) patterns.push_back(KeyPattern::endpoint(endpoint));
  if (patterns.empty()) return 0;
  return invalidatePatterns(patterns);
}

std::size_t SharedResponseCache::clear() { return invalidatePatterns({KeyPattern::all()}); }

// ---------------------------------------------------------------- failover

void SharedResponseCache::noteRedisError(const std::string& why) {
  ++redisErrors_;
  std::lock_guard<std::mutex> lock(errorMutex_);
  lastRedisError_ = why;
}

void SharedResponseCache::failover(const std::string& why) {
  noteRedisError(why);
  redis_->resetConnections();
  bool expected = true;
  if (!redisActive_.compare_exchange_strong(expected, false)) return;  // already on memory
  ++fallbacks_;
  log(LogLevel::warn, "response cache fell back to memory", {{"error", why}});
  {
    std::lock_guard<std::mutex> lock(threadMutex_);  // no lost wake-up
  }
  threadWake_.notify_all();
}

void SharedResponseCache::reconnectLoop() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int attempt = 0;
  std::unique_lock<std::mutex> lock(threadMutex_);
  while (!stopping_) {
    if (redisActive_.load()) {
      attempt = 0;
      threadWake_.wait(lock, [&] { return stopping_ || !redisActive_.load(); });
      continue;
    }
    attempt = std::min(attempt + 1, kMaxReconnectAttemptNumber);
    const Millis delay =
        std::max(kMinReconnectDelayMs, backoffDelay(options_.reconnectBackoff, attempt, unit(random_)));
    if (threadWake_.wait_for(lock, std::chrono::milliseconds(delay), [&] { return stopping_; })) break;
    lock.unlock();
    const bool back = tryReturnToRedis();
    lock.lock();
    if (back) attempt = 0;
  }
}

bool SharedResponseCache::tryReturnToRedis() {
  if (auto problem = redis_->probe()) {
    log(LogLevel::debug, "response cache: redis still unavailable", {{"redis", options_.redisUrl}, {"error", *problem}});
    std::lock_guard<std::mutex> lock(errorMutex_);
    lastRedisError_ = *problem;  // not counted in redisErrors: those are errors of requests
    return false;
  }
  // 1. Stores that began while Redis was in use have finished (or failed) once we get the
  //    gate; later ones see redisActive_ == false and go to memory.
  gate_.lock();
  gate_.unlock();
  // 2. Redis may hold entries that invalidations made while it was away did not reach.
  std::size_t purged = 0;
  try {
    redis_->resetConnections();
    purged = redis_->invalidate(KeyPattern::all(), &stopRequested_);
  } catch (const CacheBackendError& error) {
    noteRedisError(error.what());
    redis_->resetConnections();
    return false;
  }
  // 3. No store reached Redis since the purge began (all went to memory).
  gate_.lock();
  memory_.clear();
  redisActive_ = true;
  gate_.unlock();
  ++reconnects_;
  log(LogLevel::info, "response cache back on redis", {{"redis", options_.redisUrl}, {"purgedKeys", purged}});
  return true;
}

// ---------------------------------------------------------------- stats

SharedResponseCacheStats SharedResponseCache::stats() {
  SharedResponseCacheStats stats;
  stats.hits = hits_.load();
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
  if (redisActive_.load()) {
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
        failover(error.what());
      }
    }
  }
  if (!done) {
    const BackendStats backend = memory_.stats();
    stats.backend = "memory";
    stats.keys = backend.keys;
    stats.bytes = backend.bytes;
  }
  stats.fallbacks = fallbacks_.load();
  stats.reconnects = reconnects_.load();
  stats.redisErrors = redisErrors_.load();
  {
    std::lock_guard<std::mutex> lock(errorMutex_);
    stats.lastRedisError = lastRedisError_;
  }
  return stats;
}

}  // namespace livedata::server
