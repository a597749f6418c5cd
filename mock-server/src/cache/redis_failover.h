// Redis failover and purge: whether the shared response cache uses Redis or its memory
// tier, and the way back to Redis.
//
// The cache uses Redis while Redis works; on any Redis error (a timeout, a refused
// connection, an error reply) the request goes on through the memory backend (it never
// fails because of Redis), failover() switches the cache to memory and a background thread
// reconnects with backoff (core's backoffDelay, full jitter). A pool with no connection free
// in time is not a Redis error (the cache does not call failover() for it), but an
// invalidation that cannot reach Redis always switches.
// Invalidations are applied to the memory tier always, and to Redis only while it is in
// use: those made while Redis was away were NOT applied there, so Redis may hold stale
// entries when it comes back (a restart from a snapshot, a network partition, a hung
// process that resumes). Therefore, before using Redis again, the thread
//   1. waits for stores that began while Redis was in use (each bounded by the timeouts),
//   2. deletes every "livedata:v1:*" key in Redis (SCAN + UNLINK),
//   3. clears the memory tier and switches back, under the exclusive side of the StoreGate,
//      so no store goes to Redis between 2 and 3.
// Starting is the same: a Redis found at start is purged before first use (its entries were
// not subject to this process's invalidations), and one unreachable at start is one lost:
// the cache starts on memory (counted as a fallback) and the thread connects when it can.
// Several servers may share one Redis: keys carry the version of the data they were
// rendered from (ResolvedRequest::cacheKey), so an entry another server wrote, or kept past
// an invalidation it did not hear, is never asked for once the data moved on. Limit: a SET
// that Redis had buffered from a connection we gave up on could in theory land after
// the purge of step 2 (Redis runs a closed connection's complete commands); the entry's TTL
// bounds that case.
//
// Threading: every public member is safe to call from any thread. stop() (and the
// destructor) ends the reconnect thread promptly: its waits are cut short and a purge in
// progress gives up between SCAN batches.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "cache/invalidation_log.h"
#include "cache/memory_backend.h"
#include "cache/redis_backend.h"
#include "livedata/config.h"
#include "model/structured_log.h"

namespace livedata::server {

struct RedisFailoverOptions {
  std::string redisUrl;  // for logs
  // Delay before reconnect attempt n: backoffDelay(reconnectBackoff, n, jitter), at least
  // 10 ms. maxAttempts and maxRetryAfterMs are not used: the thread tries until it succeeds.
  BackoffPolicy reconnectBackoff{0, 100, 5000, 0};
  // Seed of the jitter's random numbers; nullopt: std::random_device.
  std::optional<std::uint64_t> jitterSeed;
};

class RedisFailover {
 public:
  // REQUIRES: `redis`, `memory` and `gate` outlive this object.
  RedisFailover(RedisFailoverOptions options, RedisCacheBackend& redis, MemoryCacheBackend& memory,
                StoreGate& gate, StructuredLogger log);
  ~RedisFailover();  // stop()
  RedisFailover(const RedisFailover&) = delete;
  RedisFailover& operator=(const RedisFailover&) = delete;

  // Purges Redis and switches to it if it answers (else starts on memory, counted as a
  // fallback), then starts the reconnect thread. Call once.
  void start();
  // Ends the reconnect thread; the backend in use stays. Idempotent.
  void stop();

  // Whether the cache uses Redis now.
  bool active() const { return active_.load(); }
  // A Redis error `why` from a request: counts it and switches to memory (once).
  void failover(const std::string& why);

  std::uint64_t fallbacks() const { return fallbacks_.load(); }
  std::uint64_t reconnects() const { return reconnects_.load(); }
  std::uint64_t redisErrors() const { return redisErrors_.load(); }
  std::string lastRedisError() const;

 private:
  void noteRedisError(const std::string& why);
  void reconnectLoop();
  // Purges Redis and switches to it if it answers. `returning`: after a fallback (counted
  // and logged as a reconnect), not the first connection at start().
  bool tryReturnToRedis(bool returning);
  void log(LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) const;

  const RedisFailoverOptions options_;
  RedisCacheBackend& redis_;
  MemoryCacheBackend& memory_;
  StoreGate& gate_;
  const StructuredLogger log_;  // empty: no logs
  std::atomic<bool> active_{false};

  std::atomic<std::uint64_t> fallbacks_{0}, reconnects_{0}, redisErrors_{0};
  mutable std::mutex errorMutex_;
  std::string lastRedisError_;  // GUARDED_BY(errorMutex_)

  std::mutex threadMutex_;
  std::condition_variable threadWake_;  // active_ turned false, or stop()
  bool stopping_ = false;               // GUARDED_BY(threadMutex_)
  std::atomic<bool> stopRequested_{false};  // the same, for a purge to poll
  std::mt19937_64 random_;              // used by the reconnect thread only
  std::thread reconnectThread_;
};

}  // namespace livedata::server
