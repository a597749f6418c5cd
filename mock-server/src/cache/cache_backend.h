// The storage behind the server's response cache: one interface, two implementations
// (MemoryCacheBackend, RedisCacheBackend), and the key vocabulary both share.
//
// Keys. The cache is keyed by resource keys, exactly what core's livedata::makeResourceKey
// returns ("campaigns?limit=50&offset=0&sort=-updatedAt"; `_t` is never part of one). The
// caller builds them; the backends never parse them. In Redis a resource key is stored under
// redisKeyFor(resourceKey) = "livedata:v1:" + resourceKey, the only place that prefix is
// spelled. Bump the "v1" when the value encoding changes incompatibly.
//
// Patterns. Invalidation names keys with a KeyPattern, matched against resource keys with
// core's livedata::globMatch semantics ('*' any run, '?' one character, nothing else special)
// in both backends: the memory backend calls globMatch, the Redis backend asks SCAN MATCH for
// an escaped equivalent (redisScanPatternFor) and re-checks every returned key with the same
// KeyPattern::matches, so both remove exactly the same keys.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/representation.h"

namespace livedata::server {

inline constexpr std::string_view kRedisKeyPrefix = "livedata:v1:";

// "livedata:v1:" + resourceKey.
std::string redisKeyFor(std::string_view resourceKey);

// Which resource keys an invalidation covers.
class KeyPattern {
 public:
  // A glob over whole resource keys: "campaigns*", "overview?from=2026-10-01*", "*".
  static KeyPattern glob(std::string pattern);
  // Every key of one endpoint: "campaigns" matches "campaigns" and "campaigns?<query>", but
  // neither "campaigns-summary" nor "campaigns/123" (a glob cannot say "a literal '?'").
  static KeyPattern endpoint(std::string name);
  static KeyPattern all() { return glob("*"); }

  bool matches(std::string_view resourceKey) const;
  // The glob SCAN MATCH is given (before escaping): a superset of matches().
  const std::string& scanGlob() const { return scanGlob_; }
  // For logs: "campaigns*" or "endpoint:campaigns".
  std::string describe() const;

 private:
  enum class Kind { glob, endpoint };
  KeyPattern(Kind kind, std::string text, std::string scanGlob)
      : kind_(kind), text_(std::move(text)), scanGlob_(std::move(scanGlob)) {}

  Kind kind_;
  std::string text_;
  std::string scanGlob_;
};

// The SCAN MATCH argument for `glob` over resource keys: the escaped prefix followed by the
// glob with Redis's other metacharacters ('[', ']', '\') escaped, so that only '*' and '?'
// act as wildcards, as in globMatch.
std::string redisScanPatternFor(std::string_view glob);

struct BackendStats {
  std::size_t keys = 0;
  std::size_t bytes = 0;  // approximate: key and value bytes, no per-entry overhead
};

// A backend that cannot do what was asked. `busy` means only "no connection free in time"
// (Redis itself is fine); anything else means the backend is not usable right now.
class CacheBackendError : public std::runtime_error {
 public:
  enum class Kind { unavailable, busy };
  CacheBackendError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  bool busy() const { return kind_ == Kind::busy; }

 private:
  Kind kind_;
};

// Threading: every member is safe to call from any thread.
// Failures: the memory backend never throws; the Redis backend throws CacheBackendError.
class CacheBackend {
 public:
  virtual ~CacheBackend() = default;

  virtual const char* name() const = 0;  // "memory" | "redis"

  // The live entry for `resourceKey`, or nullptr (absent, expired, undecodable).
  virtual std::shared_ptr<const Representation> get(const std::string& resourceKey) = 0;
  // Stores (replacing any entry) for `ttl` (at least one second).
  virtual void put(const std::string& resourceKey, std::shared_ptr<const Representation> value,
                   std::chrono::seconds ttl) = 0;
  // Removes every entry `pattern` matches; returns how many it removed.
  virtual std::size_t invalidate(const KeyPattern& pattern) = 0;
  // Removes every entry of this cache (in Redis: every "livedata:v1:*" key, nothing else).
  virtual std::size_t clear() = 0;
  virtual BackendStats stats() = 0;
  // Whether the backend answers now (memory: always).
  virtual bool ping() = 0;
};

}  // namespace livedata::server
