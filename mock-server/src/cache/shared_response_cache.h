// The server's response cache, shared by every request (and by the server's processes when
// on Redis); not the client's livedata::ResponseCache. The only part of the cache module the
// server uses.
//
// Cache-aside. getOrCompute(resourceKey, compute) returns the cached Representation of a
// resource, or computes it, stores it for ttlSeconds and returns it. A compute that fails
// returns an ApiError, which is handed back to the caller and never stored.
//
// Single-flight. Concurrent misses on one key run `compute` ONCE: the first becomes the
// leader, the others wait for its result (its error, or its exception, too). A leader looks
// in the backend again before computing, so a request that missed just before another one
// stored the value finds it instead of computing it a second time (single_flight.h).
//
// Invalidation and the race rule. invalidate(pattern) (and invalidateEndpoints, clear) must
// be called AFTER the data behind the keys changed. It returns once the matching entries are
// gone from the backend in use; a request that starts after it returned sees the new data.
// A computation that started before an invalidation covering its key is not stored: the
// invariant, and the log and gate that keep it, are in invalidation_log.h. For the same
// reason a request does not join a flight that an invalidation has overtaken.
// A compute must not call getOrCompute for its own key (it would wait for itself).
//
// Backends and failover. Without redisUrl the cache is a MemoryCacheBackend. With one it
// uses Redis while Redis works, with the memory backend as a tier in front of it (a hit
// there costs no Redis round trip; a Redis hit is kept there too), and memory alone
// otherwise. Keys carry the version of the data they were rendered from
// (ResolvedRequest::cacheKey), so an entry the memory tier keeps is never served for newer
// data, even before the change feed's invalidation reaches this instance; how it falls back and comes back
// without serving entries an invalidation missed is in redis_failover.h. A Redis command
// waits at most about connectTimeoutMs + commandTimeoutMs (a connection from the pool, or a
// new one, and the reply); a request makes at most three (get, the leader's second look,
// put), and after a failure the rest of it uses memory. A pool with no connection free in
// time is not a Redis error: that get is a miss and that put is skipped, without switching.
//
// Threading: every public member is safe to call from any thread. stop() (and the
// destructor) ends the reconnect thread promptly: its waits are cut short and a purge in
// progress gives up between SCAN batches.
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "livedata/expected.h"
#include "cache/cache_backend.h"
#include "cache/invalidation_log.h"
#include "cache/memory_backend.h"
#include "cache/redis_backend.h"
#include "cache/redis_failover.h"
#include "cache/single_flight.h"
#include "livedata/config.h"
#include "livedata/types.h"
#include "model/representation.h"
#include "model/structured_log.h"

namespace livedata::server {

struct SharedResponseCacheOptions {
  // redis://HOST[:PORT][/DB]; empty: memory only.
  std::string redisUrl;
  // The limits create() holds these options to; mock-server's flags take them from here.
  static constexpr int kMaxTtlSeconds = 86400;
  static constexpr std::size_t kMinMemoryMaxBytes = 1024;

  // Lifetime of an entry, in both tiers. 1..kMaxTtlSeconds.
  int ttlSeconds = 300;
  // Bounds of the memory tier (LRU). maxEntries >= 1, maxBytes >= kMinMemoryMaxBytes.
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

enum class CacheOutcome {
  hit,        // served from the backend
  computed,   // this request ran compute
  coalesced,  // this request waited for another request's compute
};
const char* nameOf(CacheOutcome outcome);

struct SharedResponseCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t memoryTierHits = 0;  // hits served by the memory tier in front of Redis
  std::uint64_t misses = 0;          // computed + coalesced requests
  std::uint64_t computations = 0;    // compute calls
  std::uint64_t coalesced = 0;       // misses that waited for another request's compute
  std::uint64_t computeErrors = 0;   // computes that returned an ApiError or threw
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
  static Expected<std::unique_ptr<SharedResponseCache>, std::string> create(
      SharedResponseCacheOptions options = {}, SharedResponseCacheDependencies dependencies = {});

  ~SharedResponseCache();  // stop()
  SharedResponseCache(const SharedResponseCache&) = delete;
  SharedResponseCache& operator=(const SharedResponseCache&) = delete;

  // See the header comment. A compute that returns a null representation gets it back,
  // uncached. Exceptions from compute propagate to every request waiting for it.
  ComputeResult getOrCompute(const std::string& resourceKey, const std::function<ComputeResult()>& compute,
                             CacheOutcome* outcome = nullptr);

  // Removes every entry whose resource key matches the glob (core globMatch semantics:
  // '*' and '?'); returns how many were removed (from Redis when it is in use, else from
  // memory). "*" removes everything.
  std::size_t invalidate(const std::string& glob);
  // Every entry of each endpoint ("campaigns": "campaigns" and "campaigns?..." only), in
  // both tiers, or with `thisInstance` only in this process's memory tier: another
  // instance's commit, whose committer drops the shared Redis entries itself.
  enum class Scope { everywhere, thisInstance };
  std::size_t invalidateEndpoints(const std::vector<std::string>& endpoints, Scope scope = Scope::everywhere);
  std::size_t clear();

  // Counts, and keys/bytes of the backend in use (with Redis: a SCAN of the prefix).
  SharedResponseCacheStats stats();
  nlohmann::ordered_json toJson() { return stats().toJson(); }

  bool redisConfigured() const { return redis_ != nullptr; }
  // PING on a new connection to the configured Redis (health checks: the backend in use only
  // changes once a cache operation fails). False when it does not answer or none is configured.
  bool pingRedis() { return redis_ && redis_->ping(); }
  bool usingRedis() const { return redisActive(); }
  const SharedResponseCacheOptions& options() const { return options_; }

  // Ends the reconnect thread; the cache keeps working on the backend in use. Idempotent.
  void stop();

  static constexpr std::size_t kInvalidationLogSize = InvalidationLog::kSize;

 private:
  SharedResponseCache(SharedResponseCacheOptions options, SharedResponseCacheDependencies dependencies,
                      std::unique_ptr<RedisCacheBackend> redis);

  ComputeResult lead(const std::string& resourceKey, const std::shared_ptr<SingleFlight::Flight>& flight,
                     const std::function<ComputeResult()>& compute, CacheOutcome& outcome);
  bool redisActive() const { return failover_ != nullptr && failover_->active(); }
  // From the backend in use; a Redis failure falls back to memory.
  std::shared_ptr<const Representation> backendGet(const std::string& resourceKey);
  // The race rule's check and the put, under the gate's shared side.
  void store(const std::string& resourceKey, std::shared_ptr<const Representation> value, std::uint64_t startEpoch);
  std::size_t invalidatePatterns(const std::vector<KeyPattern>& patterns, Scope scope = Scope::everywhere);
  // Keeps a Redis hit in the memory tier, unless an invalidation of its key came after
  // `startEpoch` (the race rule, as for stores).
  void keepNear(const std::string& resourceKey, const std::shared_ptr<const Representation>& value, std::uint64_t startEpoch);

  const SharedResponseCacheOptions options_;
  const SharedResponseCacheDependencies dependencies_;
  const std::chrono::seconds ttl_;
  MemoryCacheBackend memory_;
  const std::unique_ptr<RedisCacheBackend> redis_;  // null: memory only

  StoreGate gate_;
  InvalidationLog invalidations_;
  SingleFlight flights_;

  std::atomic<std::uint64_t> hits_{0}, memoryTierHits_{0}, misses_{0}, computations_{0}, coalesced_{0},
      computeErrors_{0}, storesSkipped_{0}, invalidationCalls_{0}, invalidatedKeys_{0};
  // Null without Redis. Last: destroyed first, so its thread stops before what it uses goes.
  std::unique_ptr<RedisFailover> failover_;
};

}  // namespace livedata::server
