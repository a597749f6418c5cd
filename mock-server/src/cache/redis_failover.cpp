#include "cache/redis_failover.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "livedata/retry.h"
#include "livedata/url_password.h"

namespace livedata::server {

namespace {

constexpr Millis kMinReconnectDelayMs = 10;
constexpr int kMaxReconnectAttemptNumber = 64;  // the delay stopped growing long before

}  // namespace

RedisFailover::RedisFailover(RedisFailoverOptions options, RedisCacheBackend& redis, MemoryCacheBackend& memory,
                             StoreGate& gate, StructuredLogger log)
    : options_(std::move(options)),
      redis_(redis),
      memory_(memory),
      gate_(gate),
      log_(std::move(log)),
      random_(options_.jitterSeed ? *options_.jitterSeed : std::random_device{}()) {}

RedisFailover::~RedisFailover() { stop(); }

void RedisFailover::start() {
  if (!tryReturnToRedis(/*returning=*/false)) {
    ++fallbacks_;
    log(LogLevel::warn, "response cache starts on memory: redis unavailable",
        {{"redis", redactUrlPassword(options_.redisUrl)}, {"error", lastRedisError()}});
  } else {
    log(LogLevel::info, "response cache on redis", {{"redis", redactUrlPassword(options_.redisUrl)}});
  }
  reconnectThread_ = std::thread([this] { reconnectLoop(); });
}

void RedisFailover::stop() {
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

std::string RedisFailover::lastRedisError() const {
  std::lock_guard<std::mutex> lock(errorMutex_);
  return lastRedisError_;
}

void RedisFailover::log(LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) const {
  if (log_) log_(level, message, fields);
}

void RedisFailover::noteRedisError(const std::string& why) {
  ++redisErrors_;
  std::lock_guard<std::mutex> lock(errorMutex_);
  lastRedisError_ = why;
}

void RedisFailover::failover(const std::string& why) {
  noteRedisError(why);
  redis_.resetConnections();
  bool expected = true;
  if (!active_.compare_exchange_strong(expected, false)) return;  // already on memory
  ++fallbacks_;
  log(LogLevel::warn, "response cache fell back to memory", {{"error", why}});
  {
    std::lock_guard<std::mutex> lock(threadMutex_);  // no lost wake-up
  }
  threadWake_.notify_all();
}

void RedisFailover::reconnectLoop() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int attempt = 0;
  std::unique_lock<std::mutex> lock(threadMutex_);
  while (!stopping_) {
    if (active_.load()) {
      attempt = 0;
      threadWake_.wait(lock, [&] { return stopping_ || !active_.load(); });
      continue;
    }
    attempt = std::min(attempt + 1, kMaxReconnectAttemptNumber);
    const Millis delay =
        std::max(kMinReconnectDelayMs, backoffDelay(options_.reconnectBackoff, attempt, unit(random_)));
    if (threadWake_.wait_for(lock, std::chrono::milliseconds(delay), [&] { return stopping_; })) break;
    lock.unlock();
    const bool back = tryReturnToRedis(/*returning=*/true);
    lock.lock();
    if (back) attempt = 0;
  }
}

bool RedisFailover::tryReturnToRedis(bool returning) {
  if (auto problem = redis_.probe()) {
    log(LogLevel::debug, "response cache: redis still unavailable", {{"redis", redactUrlPassword(options_.redisUrl)}, {"error", *problem}});
    std::lock_guard<std::mutex> lock(errorMutex_);
    lastRedisError_ = *problem;  // not counted in redisErrors: those are errors of requests
    return false;
  }
  // 1. Stores that began while Redis was in use have finished (or failed) once we get the
  //    gate; later ones see active() == false and go to memory.
  gate_.lock();
  gate_.unlock();
  // 2. Redis may hold entries that invalidations made while it was away did not reach.
  std::size_t purged = 0;
  try {
    redis_.resetConnections();
    purged = redis_.invalidate(KeyPattern::all(), &stopRequested_);
  } catch (const CacheBackendError& error) {
    noteRedisError(error.what());
    redis_.resetConnections();
    return false;
  }
  // 3. No store reached Redis since the purge began (all went to memory).
  gate_.lock();
  memory_.clear();
  active_ = true;
  gate_.unlock();
  // The first connection, at start(), is no return: start() says it.
  if (returning) {
    ++reconnects_;
    log(LogLevel::info, "response cache back on redis", {{"redis", redactUrlPassword(options_.redisUrl)}, {"purgedKeys", purged}});
  }
  return true;
}

}  // namespace livedata::server
