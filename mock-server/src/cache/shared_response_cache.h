// The server's response cache: the only part of the cache module the server uses.
//
// Cache-aside. getOrCompute(resourceKey, compute) returns the cached Representation of a
// resource, or computes it, stores it for ttlSeconds and returns it. A compute that fails
// returns a ComputeError, which is handed back to the caller and never stored.
//
// Single-flight. Concurrent misses on one key run `compute` ONCE: the first becomes the
// leader, the others wait for its result (its error, or its exception, too). A leader looks
// in the backend again before computing, so a request that missed just before another one
// stored the value finds it instead of computing it a second time.
//
// Invalidation and the race rule. invalidate(pattern) (and invalidateEndpoints, clear) must
// be called AFTER the data behind the keys changed. It returns once the matching entries are
// gone from the backend in use; a request that starts after it returned sees the new data.
// A computation that started before an invalidation covering its key may have read the old
// data, so its result must not be stored. The invariant:
//
//   every invalidation gets the next epoch number and is kept, with its pattern, in a log;
//   every flight remembers the epoch current when it started (before `compute` reads any
//   data); a result is stored only if no invalidation after that epoch matches its key,
//   and that check and the store happen together under the shared side of `gate_`, while
//   recording an invalidation takes its exclusive side.
//
// So a store either completed before the invalidation was recorded (and the invalidation,
// which deletes after recording, removes it), or it sees the invalidation and is skipped.
// The log keeps the last kInvalidationLogSize invalidations; a flight older than that is
// treated as invalidated (a wasted store, never a stale one). For the same reason a request
// does not join a flight that an invalidation has overtaken: it starts a new one.
// A compute must not call getOrCompute for its own key (it would wait for itself).
//
// Backends and failover. Without redisUrl the cache is a MemoryCacheBackend. With one it
// uses Redis while Redis works; on any Redis error (a timeout, a refused connection, an
// error reply) the request goes on through the memory backend (it never fails because of
// Redis), the cache switches to memory and a background thread reconnects with backoff
// (core's backoffDelay, full jitter). A Redis command waits at most about
// connectTimeoutMs + commandTimeoutMs (a connection from the pool, or a new one, and the
// reply); a request makes at most three (get, the leader's second look, put), and after a
// failure the rest of it uses memory. A pool with no connection free in time is not a Redis
// error: that get is a miss and that put is skipped, without switching (but an invalidation
// that cannot reach Redis always switches, see below).
// Invalidations are applied to the memory tier always, and to Redis only while it is in
// use: those made while Redis was away were NOT applied there, so Redis may hold stale
// entries when it comes back (a restart from a snapshot, a network partition, a hung
// process that resumes). Therefore, before using Redis again, the thread
//   1. waits for stores that began while Redis was in use (each bounded by the timeouts),
//   2. deletes every "livedata:v1:*" key in Redis (SCAN + UNLINK),
//   3. clears the memory tier and switches back, under the exclusive side of `gate_`, so no
//      store goes to Redis between 2 and 3.
// Starting is the same: a Redis found at start is purged before first use (its entries were
// not subject to this process's invalidations), and one unreachable at start is one lost:
// the cache starts on memory (counted as a fallback) and the thread connects when it can.
// Limits: the cache assumes it is the only writer of "livedata:v1:*" keys in its Redis
// database (several servers sharing one Redis would not see each other's invalidations); and
// a SET that Redis had buffered from a connection we gave up on could in theory land after
// the purge of step 2 (Redis runs a closed connection's complete commands); the entry's TTL
// bounds that case.
//
// Threading: every public member is safe to call from any thread. stop() (and the
// destructor) ends the reconnect thread promptly: its waits are cut short and a purge in
// progress gives up between SCAN batches.
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/cache_backend.h"
#include "cache/memory_backend.h"
#include "cache/redis_backend.h"
#include "livedata/config.h"
#include "livedata/types.h"
#include "model/structured_log.h"
#include "model/representation.h"

namespace livedata::server {

struct SharedResponseCacheOptions {
  // redis://HOST[:PORT][/DB]; empty: memory only.
  std::string redisUrl;
  // Lifetime of an entry, in both tiers. 1..86400.
  int ttlSeconds = 300;
  // Bounds of the memory tier (LRU). maxEntries >= 1, maxBytes >= 1024.
  std::size_t memoryMaxEntries = 10000;
  std::size_t memoryMaxBytes = 64u << 20;
  // Redis: bound on opening a connection, on each command's reply, and connections at most.
  int connectTimeoutMs = 200;
  int commandTimeoutMs = 150;
  int poolSize = 8;
  // Delay before reconnect attempt n: backoffDelay(reconnectBackoff, n, jitter), at least
  // 10 ms. maxAttempts and maxRetryAfterMs are not used: the thread tries until it succeeds.
  BackoffPolicy reconnectBackoff{0, 100, 5000, 0};
  // Seed of the jitter's random numbers; nullopt: std::random_device.
  std::optional<std::uint64_t> jitterSeed;
};

// The first problem with `options`, naming the field, or nullopt when they are valid.
std::optional<std::string> validate(const SharedResponseCacheOptions& options);

// A failed computation, carried back to the caller (and to requests that waited for it)
// unchanged and never stored. `payload` is whatever the compute put there, e.g. an ApiError;
// getOrComputeAs<E> wraps and unwraps it.
struct ComputeError {
  std::any payload;
};
using ComputeResult = std::variant<std::shared_ptr<const Representation>, ComputeError>;

enum class CacheOutcome {
  hit,        // served from the backend
  computed,   // this request ran compute
  coalesced,  // this request waited for another request's compute
};
const char* nameOf(CacheOutcome outcome);

struct SharedResponseCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;          // computed + coalesced requests
  std::uint64_t computations = 0;    // compute calls
  std::uint64_t coalesced = 0;       // misses that waited for another request's compute
  std::uint64_t computeErrors = 0;   // computes that returned a ComputeError or threw
  std::uint64_t storesSkipped = 0;   // results not stored: an invalidation overtook them
  std::size_t keys = 0;              // in the backend in use
  std::size_t bytes = 0;             // ditto, approximate
  std::uint64_t memoryEvictions = 0; // LRU evictions of the memory tier
  std::string backend;               // "redis" | "memory"
  bool redisConfigured = false;
  std::uint64_t fallbacks = 0;       // switches to memory (and a Redis unreachable at start)
  std::uint64_t reconnects = 0;      // switches back to Redis
  std::uint64_t redisErrors = 0;
  std::string lastRedisError;        // empty if none yet
  std::uint64_t invalidationCalls = 0;   // invalidate, invalidateEndpoints, clear
  std::uint64_t invalidatedKeys = 0;     // entries they removed (both tiers)

  double hitRatio() const { return hits + misses == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(hits + misses); }
  nlohmann::ordered_json toJson() const;
};

// Log lines: level, a fixed message ("response cache fell back to memory"), and fields.
using CacheLogger = StructuredLogger;

struct SharedResponseCacheDependencies {
  // A monotonic clock in ms for the memory tier's TTLs. Empty: std::chrono::steady_clock.
  std::function<Millis()> steadyNowMs;
  CacheLogger log;  // empty: no logs
};

class SharedResponseCache {
 public:
  // Validates the options (the URL too); connects to Redis when one is configured (if it
  // does not answer, starts on memory and keeps trying in the background).
  // On invalid options, the message of validate().
  static std::variant<std::unique_ptr<SharedResponseCache>, std::string> create(
      SharedResponseCacheOptions options = {}, SharedResponseCacheDependencies dependencies = {});

  ~SharedResponseCache();  // stop()
  SharedResponseCache(const SharedResponseCache&) = delete;
  SharedResponseCache& operator=(const SharedResponseCache&) = delete;

  // See the header comment. A compute that returns a null representation gets it back,
  // uncached. Exceptions from compute propagate to every request waiting for it.
  ComputeResult getOrCompute(const std::string& resourceKey, const std::function<ComputeResult()>& compute,
                             CacheOutcome* outcome = nullptr);

  // Typed convenience: cache.getOrComputeAs<ApiError>(key, [&]() -> std::variant<
  // std::shared_ptr<const Representation>, ApiError> {...}). Every request for one key must
  // use the same E (a waiter unwraps the leader's error as E).
  template <class E>
  std::variant<std::shared_ptr<const Representation>, E> getOrComputeAs(
      const std::string& resourceKey,
      const std::function<std::variant<std::shared_ptr<const Representation>, E>()>& compute,
      CacheOutcome* outcome = nullptr) {
    ComputeResult result = getOrCompute(
        resourceKey,
        [&]() -> ComputeResult {
          auto computed = compute();
          if (auto* error = std::get_if<E>(&computed)) return ComputeError{std::any(std::move(*error))};
          return std::get<std::shared_ptr<const Representation>>(std::move(computed));
        },
        outcome);
    if (auto* error = std::get_if<ComputeError>(&result)) return std::any_cast<E>(error->payload);
    return std::get<std::shared_ptr<const Representation>>(std::move(result));
  }

  // Removes every entry whose resource key matches the glob (core globMatch semantics:
  // '*' and '?'); returns how many were removed (both tiers). "*" removes everything.
  std::size_t invalidate(const std::string& glob);
  // Every entry of each endpoint ("campaigns": "campaigns" and "campaigns?..." only).
  std::size_t invalidateEndpoints(const std::vector<std::string>& endpoints);
  std::size_t clear();

  // Counts, and keys/bytes of the backend in use (with Redis: a SCAN of the prefix).
  SharedResponseCacheStats stats();
  nlohmann::ordered_json toJson() { return stats().toJson(); }

  bool redisConfigured() const { return redis_ != nullptr; }
  // PING on a new connection to the configured Redis (health checks: the backend in use only
  // changes once a cache operation fails). False when it does not answer or none is configured.
  bool pingRedis() { return redis_ && redis_->ping(); }
  bool usingRedis() const { return redisActive_.load(); }
  const SharedResponseCacheOptions& options() const { return options_; }

  // Ends the reconnect thread; the cache keeps working on the backend in use. Idempotent.
  void stop();

  static constexpr std::size_t kInvalidationLogSize = 4096;

 private:
  // The shared side is held by a store (check + put); the exclusive side records an
  // invalidation or switches backends. Writer-preferring: a waiting exclusive locker stops
  // new shared lockers, so invalidations are not starved by a stream of stores.
  class Gate {
   public:
    void lockShared();
    void unlockShared();
    void lock();
    void unlock();

   private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int sharedHolders_ = 0;     // GUARDED_BY(mutex_)
    int writersWaiting_ = 0;    // GUARDED_BY(mutex_)
    bool writer_ = false;       // GUARDED_BY(mutex_)
  };

  struct Flight {
    std::uint64_t startEpoch = 0;
    std::promise<ComputeResult> promise;
    std::shared_future<ComputeResult> result;
  };

  struct LoggedInvalidation {
    std::uint64_t epoch;
    KeyPattern pattern;
  };

  SharedResponseCache(SharedResponseCacheOptions options, SharedResponseCacheDependencies dependencies,
                std::unique_ptr<RedisCacheBackend> redis);

  ComputeResult lead(const std::string& resourceKey, const std::shared_ptr<Flight>& flight,
                     const std::function<ComputeResult()>& compute, CacheOutcome& outcome);
  // From the backend in use; a Redis failure falls back to memory.
  std::shared_ptr<const Representation> backendGet(const std::string& resourceKey);
  // The race rule's check and the put, under the gate's shared side.
  void store(const std::string& resourceKey, std::shared_ptr<const Representation> value, std::uint64_t startEpoch);
  std::size_t invalidatePatterns(const std::vector<KeyPattern>& patterns);
  // REQUIRES: logMutex_ held.
  bool invalidatedSinceLocked(const std::string& resourceKey, std::uint64_t epoch) const;
  std::uint64_t currentEpoch() const;

  void failover(const std::string& why);
  void noteRedisError(const std::string& why);
  void reconnectLoop();
  bool tryReturnToRedis();
  void log(LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) const;

  const SharedResponseCacheOptions options_;
  const SharedResponseCacheDependencies dependencies_;
  const std::chrono::seconds ttl_;
  MemoryCacheBackend memory_;
  const std::unique_ptr<RedisCacheBackend> redis_;  // null: memory only
  std::atomic<bool> redisActive_{false};

  Gate gate_;
  mutable std::mutex logMutex_;
  std::uint64_t epoch_ = 0;                      // GUARDED_BY(logMutex_); invalidations recorded
  std::deque<LoggedInvalidation> invalidations_;  // GUARDED_BY(logMutex_); the latest ones

  std::mutex flightsMutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;  // GUARDED_BY(flightsMutex_)

  std::atomic<std::uint64_t> hits_{0}, misses_{0}, computations_{0}, coalesced_{0}, computeErrors_{0},
      storesSkipped_{0}, fallbacks_{0}, reconnects_{0}, redisErrors_{0}, invalidationCalls_{0},
      invalidatedKeys_{0};
  mutable std::mutex errorMutex_;
  std::string lastRedisError_;  // GUARDED_BY(errorMutex_)

  std::mutex threadMutex_;
  std::condition_variable threadWake_;  // redisActive_ turned false, or stop()
  bool stopping_ = false;               // GUARDED_BY(threadMutex_)
  std::atomic<bool> stopRequested_{false};  // the same, for a purge to poll
  std::mt19937_64 random_;              // used by the reconnect thread only
  std::thread reconnectThread_;
};

}  // namespace livedata::server
