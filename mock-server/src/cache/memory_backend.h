// The in-process tier of the response cache: an LRU map bounded by entry count and bytes,
// with a TTL per entry. Used alone when no Redis is configured, and as the fallback while
// Redis is unavailable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "cache/cache_backend.h"
#include "livedata/types.h"

namespace livedata::server {

struct MemoryBackendLimits {
  // LRU eviction keeps at most this many entries...
  std::size_t maxEntries = 10000;
  // ...and at most this many bytes (entryBytes of each). A larger single entry is not stored.
  std::size_t maxBytes = 64u << 20;
};

// What one entry counts against maxBytes: its key and the four strings of the value.
std::size_t entryBytes(const std::string& resourceKey, const Representation& value);

// Threading: every member is safe to call from any thread (one mutex; no I/O under it).
class MemoryCacheBackend final : public CacheBackend {
 public:
  // `steadyNowMs`: a monotonic clock in milliseconds for TTLs; empty: std::chrono::steady_clock.
  explicit MemoryCacheBackend(MemoryBackendLimits limits = {}, std::function<Millis()> steadyNowMs = {});

  const char* name() const override { return "memory"; }
  // Marks the entry most recently used. An expired entry is removed and reported absent.
  std::shared_ptr<const Representation> get(const std::string& resourceKey) override;
  // Evicts least recently used entries to fit. An entry larger than maxBytes is not stored
  // (and any older entry under its key is removed).
  void put(const std::string& resourceKey, std::shared_ptr<const Representation> value,
           std::chrono::seconds ttl) override;
  std::size_t invalidate(const KeyPattern& pattern) override;
  std::size_t clear() override;
  // Purges expired entries first, so the counts are of live entries.
  BackendStats stats() override;
  bool ping() override { return true; }

  std::uint64_t evictions() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Representation> value;
    std::size_t bytes = 0;
    Millis expiresAtMs = 0;
  };
  using EntryList = std::list<Entry>;

  Millis now() const;
  // REQUIRES: mutex_ held.
  void eraseLocked(EntryList::iterator it);
  void purgeExpiredLocked(Millis now);

  const MemoryBackendLimits limits_;
  const std::function<Millis()> steadyNowMs_;

  mutable std::mutex mutex_;
  EntryList lru_;  // GUARDED_BY(mutex_); front = most recently used
  std::unordered_map<std::string, EntryList::iterator> index_;  // GUARDED_BY(mutex_)
  std::size_t bytes_ = 0;                                        // GUARDED_BY(mutex_)
  std::uint64_t evictions_ = 0;                                  // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
