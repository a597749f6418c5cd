// The data layer's client: one fetchFromAPI through which every endpoint goes, with the
// client cache, ETag revalidation, cache busting, in-flight de-duplication, retry,
// fallback, freshness and events; and watched queries kept current by the live feed
// (live_feed.h) and the focus, online and poll triggers.
//
// Threading contract: a Client may be used from a single thread (the browser, where the
// transport and scheduler call back on that same thread) or from several threads at once
// natively; all state is guarded by one internal mutex. Callbacks and event listeners run
// outside that lock, on the thread that completed the work (a transport or scheduler
// thread, or the caller's own thread for a cache hit, in which case the callback runs
// before fetchFromAPI returns). Listeners and callbacks may call back into the Client.
// Destroying the Client cancels its in-flight requests and pending retries; their
// callbacks are then not called.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "livedata/callback.h"
#include "livedata/config.h"
#include "livedata/errors.h"
#include "livedata/events.h"
#include "livedata/freshness.h"
#include "livedata/types.h"

namespace livedata {

struct FetchOptions {
  Query query;
  // Skip the local cache, add `_t=<now ms>` to the URL and send `Cache-Control: no-cache`,
  // so that no cache on the way answers either. Supersedes an identical request in flight.
  bool forceFresh = false;
};

struct FetchResult {
  std::string endpoint;
  std::string key;
  // The JSON text of the data; never null (an empty value of the endpoint's shape when
  // nothing else is available). Shared: the same cached body is never copied.
  std::shared_ptr<const std::string> body;
  // Identifies the body: equal versions mean equal bodies (0 for fallback values).
  std::uint64_t version = 0;
  // The cache entry it came from or was stored in (CacheEntry::id), stable while the entry
  // stays cached, until an EntryRemovedEvent names it; 0 when none (a fallback, no-store).
  std::uint64_t entryId = 0;
  bool fromCache = false;    // served from the client cache (a hit, a 304 or a fallback)
  bool revalidated = false;  // the server confirmed the cached body with 304
  bool stale = false;        // older than the stale threshold, or served after an error
  bool fallback = false;     // nothing was cached: an empty value of the right shape
  Millis updatedAt = 0;      // when the server last confirmed the data; 0 for fallbacks
  int status = 0;            // HTTP status of the last response, 0 without one
  std::optional<Error> error;

  bool ok() const { return !error.has_value(); }
};

using FetchCallback = Callback<void(FetchResult)>;

struct EndpointRefresh {
  std::string endpoint;
  bool ok = false;
  int requests = 0;            // how many cached variants (queries) were refetched
  std::optional<Error> error;  // the first failure, or why the name matched nothing
};

struct RefreshReport {
  std::vector<EndpointRefresh> endpoints;
  bool allOk() const;
};

struct ClientStats {
  std::uint64_t hits = 0;           // answered from a fresh cache entry, no network
  std::uint64_t misses = 0;         // needed the network (including revalidations)
  std::uint64_t revalidations = 0;  // conditional requests sent with If-None-Match
  std::uint64_t notModified = 0;    // 304 answers to those
  std::uint64_t networkRequests = 0;// attempts handed to the transport, retries included
  std::uint64_t deduplicated = 0;   // requests that joined one already in flight
  std::uint64_t retries = 0;
  std::uint64_t errors = 0;         // requests that failed after their retries
  std::uint64_t staleServed = 0;    // failures answered with cached data
  std::uint64_t fallbacks = 0;      // failures answered with an empty value
  std::uint64_t bytesReceived = 0;  // response body bytes
  std::uint64_t evictions = 0;
  std::size_t entries = 0;
  std::size_t cacheBytes = 0;

  // hits / (hits + misses); 0 before any request. One of the product's success metrics.
  double hitRate() const;
};

struct ClientDependencies {
  std::shared_ptr<Transport> transport;  // required
  std::shared_ptr<Clock> clock;          // required
  std::shared_ptr<Scheduler> scheduler;  // required (retry delays)
  Logger logger;                         // optional
  RandomSource random;                   // optional; a seeded generator by default
  JsonSyntaxCheck acceptsJson;           // required: a 2xx body it rejects is a parse error
  // Optional: the live feed's event stream (LiveConfig). Without one, watched queries are
  // kept current by the focus, online and poll triggers only.
  std::shared_ptr<StreamTransport> stream;
};

// Called with a watched query's data: at once (from the cache or the first fetch), then
// each time it changes (new data, or an error replacing data, or data after an error).
using WatchListener = Callback<void(const FetchResult& result)>;

// A watched query: unwatches when destroyed or reset. Outliving the Client is safe.
class WatchHandle {
 public:
  WatchHandle() = default;
  WatchHandle(WatchHandle&& other) noexcept;
  WatchHandle& operator=(WatchHandle&& other) noexcept;
  WatchHandle(const WatchHandle&) = delete;
  WatchHandle& operator=(const WatchHandle&) = delete;
  ~WatchHandle() { reset(); }

  void reset();
  bool active() const { return id_ != 0; }

 private:
  friend class Client;
  struct Owner;  // what the handle unwatches through, defined in client.cpp
  WatchHandle(std::weak_ptr<Owner> owner, std::uint64_t id) : owner_(std::move(owner)), id_(id) {}
  std::weak_ptr<Owner> owner_;
  std::uint64_t id_ = 0;
};

class Client {
 public:
  // A `config` error naming the bad field, or a missing dependency.
  static Expected<std::unique_ptr<Client>> create(ClientConfig config, ClientDependencies deps);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // GET `path` (e.g. "/api/campaigns") through the cache. `done` is always called exactly
  // once (unless the Client is destroyed first) and never with an exception.
  void fetchFromAPI(const std::string& path, FetchOptions options, FetchCallback done);

  // The result fetchFromAPI(path, {query}) would deliver now from a fresh cache entry, or
  // nullopt when it would have to do anything else (offline, nothing cached, expired,
  // invalidated); synchronous, the equivalent of TanStack Query's getQueryData. A result is
  // counted as a hit, like fetchFromAPI's; a nullopt counts nothing. Sends nothing, emits no
  // event, schedules nothing.
  std::optional<FetchResult> peek(const std::string& path, const Query& query);
  // The same by the entry a result came from (FetchResult::entryId): a repeated read names
  // it without building its query and key again.
  std::optional<FetchResult> peek(std::uint64_t entryId);

  // A repeated read by a caller that holds the entry's endpoint, key and parsed body at
  // `version` already (the WASM adapter's memo): what peek(entryId) would add to them, with
  // nothing copied, when the entry is fresh and still at that version; counted as a hit
  // like peek's. nullopt otherwise (counting nothing): peek(entryId) then says whether there
  // is a result, and gives all of it.
  struct Reread {
    Millis updatedAt = 0;
    bool stale = false;
  };
  std::optional<Reread> reread(std::uint64_t entryId, std::uint64_t version);

  // Invalidates the named endpoints (all when `endpoints` is empty), emits
  // forceDataRefresh, refetches every cached variant of each (its default query when none
  // is cached) with forceFresh, and reports per endpoint. Unknown names are reported.
  void forceRefreshData(std::vector<std::string> endpoints,
                        Callback<void(RefreshReport)> done);

  // Invalidation marks entries for revalidation; the data stays as a stale fallback.
  // Each returns the number of entries it marked.
  std::size_t invalidateKey(const std::string& key);
  std::size_t invalidateEndpoint(const std::string& endpoint);
  std::size_t invalidatePattern(const std::string& glob);  // e.g. "campaigns*"
  std::size_t invalidateAll();

  // Drops every entry and every error, and stops in-flight responses from being stored
  // (for example on sign-out).
  void clear();

  Freshness freshness(const std::string& endpoint) const;

  // Emits dataStale for each entry that has turned stale since its last fetch; call it
  // from a timer (the core has none of its own).
  void tick(Millis nowMs);

  // Offline: requests fail fast as `offline`, with cached data, and the live feed waits.
  // Going back online revalidates every entry that is stale or expired, and the feed
  // resumes from its last version (without a feed: every watched query is revalidated,
  // config.live.revalidateOnReconnect).
  void setOnline(bool online);
  bool isOnline() const;

  // Watches GET `path` with `query` (in the spirit of TanStack's QueryObserver): the client
  // now knows this data is on screen. `listener` gets the data at once and again whenever
  // it changes. The first watch opens the live feed (when there is a stream transport and
  // config.live.enabled); a change notice naming the endpoint refetches each watched query
  // of it at once, conditionally (If-None-Match), one request per query however many
  // notices arrive meanwhile, while unwatched entries are only marked to refetch when
  // next read. A listener is not called after its handle is reset (unless a call is
  // already under way on another thread).
  [[nodiscard]] WatchHandle watch(const std::string& path, Query query, WatchListener listener);

  // The window gained (true) or lost focus, or visibility. Gaining it revalidates the
  // watched queries the live feed is not keeping current (config.live.revalidateOnFocus).
  void setFocused(bool focused);

  // The live feed's state; idle when it is not in use.
  ConnectionChangedEvent connection() const;

  ClientStats stats() const;
  EventBus& events();
  const ClientConfig& config() const;

  struct State;  // defined in client.cpp

 private:
  explicit Client(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace livedata
