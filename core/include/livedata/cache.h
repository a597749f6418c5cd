// The client's response cache and the one function that builds cache keys (used by the
// client, the server's response cache and the tests alike).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "livedata/callback.h"
#include "livedata/config.h"
#include "livedata/types.h"

namespace livedata {

// The cache-busting query parameter a forceFresh request adds (its value: the time in ms).
inline constexpr std::string_view kCacheBustingParam = "_t";

// Canonical form of a query: parameters percent-encoded (RFC 3986 unreserved characters
// kept), sorted by name then value, joined with '&'. `_t` (cache busting) is dropped, so a
// forced request and a normal one share a key.
std::string normalizeQuery(const Query& query);

// Parses "a=1&b=x%20y" (a leading '?' is allowed), percent- and '+'-decoding.
Query parseQueryString(std::string_view queryString);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percentEncode(std::string_view text);

// "/api/campaigns" -> "campaigns"; "/api/sync/status" -> "sync/status"; other paths are
// returned without their leading '/'.
std::string endpointNameForPath(std::string_view path);

// The resource part of a key, which invalidation patterns match and the server's shared
// cache names its keys after: "<path>" or "<path>?<normalized query>", the path without its
// "/api/" ("campaigns"; any other path whole: "/health", unlike its endpoint name).
std::string makeResourceKey(std::string_view path, const Query& query);

// THE cache key: "<METHOD> <resource>", e.g. "GET campaigns?limit=10&status=sent".
std::string makeCacheKey(std::string_view method, std::string_view path, const Query& query);

// The resource part of a key made by makeCacheKey.
std::string_view resourceOfKey(std::string_view key);

// Glob match with '*' (any run) and '?' (one character); no other metacharacters.
bool globMatch(std::string_view pattern, std::string_view text);

// The response directives of Cache-Control that a private cache acts on (RFC 9111
// section 5.2.2). Unknown directives are ignored, as the RFC requires.
struct CacheDirectives {
  bool noStore = false;
  bool noCache = false;              // store, but revalidate before every use
  std::optional<Millis> maxAgeMs;
};

CacheDirectives parseCacheControl(std::string_view headerValue);

// Identifies a key's entry while it stays in the cache: kept when its body is replaced,
// not reused once the entry is evicted, removed or cleared. 0 is no entry. The low
// kEntrySlotBits are the entry's slot, a small number that a later entry takes again, so
// that an adapter can index an array by it and compare the whole id; the bits above count
// the slot's uses (wrapping after 2^27 of them). Every id fits in 53 bits, so a JavaScript
// number holds it exactly.
using EntryId = std::uint64_t;
inline constexpr int kEntrySlotBits = 26;
inline constexpr std::uint32_t entrySlotOf(EntryId id) {
  return static_cast<std::uint32_t>(id & ((EntryId{1} << kEntrySlotBits) - 1));
}

struct CacheEntry {
  EntryId id = 0;      // assigned by the cache when the key enters it
  std::string key;
  std::string endpoint;
  std::string path;    // request path, to refetch the entry
  Query query;         // request query (without _t), to refetch the entry
  std::shared_ptr<const std::string> body;
  std::string etag;    // empty when the server sent none
  Millis fetchedAtMs = 0;   // when the server last confirmed this body (200 or 304)
  Millis expiresAtMs = 0;   // served without asking the server until then
  bool invalidated = false; // set by invalidation: must be revalidated before use
  bool staleNotified = false;  // dataStale already emitted for the current fetch
  std::uint64_t version = 0;   // assigned by the cache on every put; never reused

  bool isFresh(Millis now) const { return !invalidated && now < expiresAtMs; }
};

// Told of every entry the cache drops (evicted, removed, cleared) as it goes, so that the
// owner can announce it (the Client's EntryRemovedEvent). Runs inside the cache's call:
// it must not call back into the cache.
using RemovalListener = Callback<void(const CacheEntry& dropped)>;

// An LRU map of responses bounded by entry count (at most 2^26, the slots an EntryId can
// name, whatever the limits say) and body bytes.
// Not synchronized: REQUIRES external synchronization (the Client holds its lock).
class ResponseCache {
 public:
  explicit ResponseCache(CacheLimits limits, RemovalListener onRemoval = {});

  // The entry for `key`, marking it most recently used; nullptr when absent.
  CacheEntry* lookup(const std::string& key);
  // The same by the entry's id.
  CacheEntry* lookup(EntryId id);
  // The entry for `key` without touching recency.
  const CacheEntry* peek(const std::string& key) const;

  // Inserts or replaces; evicts least recently used entries to stay within the limits.
  // Returns false (and stores nothing) when the body alone exceeds maxBytes.
  bool put(CacheEntry entry);
  // A version for a body kept in no entry (too large, no-store), from the sequence put()
  // draws from: every body delivered has a version of its own, so a watcher of a query
  // whose answers are never cached still hears each new one as news.
  std::uint64_t versionForUnstoredBody() { return nextVersion_++; }

  // Marks entries as needing revalidation; they stay available as stale fallbacks.
  std::size_t invalidateKey(const std::string& key);
  std::size_t invalidateEndpoint(std::string_view endpoint);
  // Matched against each key, and against its resource (the key without its method), so
  // "campaigns*" and a result's own key ("GET campaigns?limit=5") both name entries.
  std::size_t invalidatePattern(std::string_view glob);
  std::size_t invalidateAll();

  bool remove(const std::string& key);
  void clear();

  void forEach(const Callback<void(CacheEntry&)>& visit);

  std::size_t size() const { return index_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::uint64_t evictions() const { return evictions_; }

 private:
  using Position = std::list<CacheEntry>::iterator;
  std::size_t invalidateIf(const Callback<bool(const CacheEntry&)>& matches);
  void evictToFit();
  void erase(Position position);

  CacheLimits limits_;
  std::list<CacheEntry> lru_;  // front = most recently used
  // Both indexes hold every entry of lru_, and nothing else.
  // Ordered, not hashed: a hash table was the WASM module's only one, and its code (rehash,
  // prime bucket counts) 1.7 KB of the module gzipped (bench/js/bundle-size.mjs, 2026-12-07).
  // A hit costs more: bench/micro's BM_CacheLookup_Hit (the lookup and the move to the front
  // of the LRU list, 1,000 entries) went from 1.2 to about 4 times a bare unordered_map
  // find, some 70 ns more, which no read of a page notices.
  std::map<std::string, Position> index_;
  struct Slot {
    Position position;
    std::uint32_t uses = 0;  // the generation part of the slot's current id
    bool occupied = false;
  };
  std::vector<Slot> slots_;               // by entrySlotOf(id); each occupied one holds an entry of lru_
  std::vector<std::uint32_t> freeSlots_;
  RemovalListener onRemoval_;
  std::size_t bytes_ = 0;
  std::uint64_t nextVersion_ = 1;
  std::uint64_t evictions_ = 0;
};

}  // namespace livedata
