// The backend's parts, composed: the store (SQLite, or PostgreSQL shared with other
// instances), the upstream marketing API (in-process unless a URL names one elsewhere), the
// sync that copies one into the other while this instance leads, and the response cache in
// front of the API's queries. Owns their lifetimes and the order in which they start and stop.
//
// Invariant: every change the store's log gains, whichever instance committed it,
// invalidates exactly the cache entries of the endpoint derived from its entity, and only
// then is published to the live feed, so a client that refetches on its notice never gets
// the older response. This instance's own commits do so before its sync goes on.
//
// Threading: the accessors are safe from any thread; stop() once, from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "livedata/expected.h"
#include "cache/shared_response_cache.h"
#include "feed/change_feed.h"
#include "app/log.h"
#include "app/options.h"
#include "app/sync_leadership.h"
#include "store/api_queries.h"
#include "store/store.h"
#include "sync/sync_service.h"
#include "simulated_upstream/account.h"
#include "upstream_client/klaviyo_upstream.h"
#include "simulated_upstream/upstream_server.h"

namespace livedata::server {

class Backend {
 public:
  // Opens the store, starts the in-process upstream (when options.upstreamUrl is empty),
  // the response cache and the sync service, which does not sync before startSyncing().
  // On failure, a message naming the part and the cause.
  static Expected<std::unique_ptr<Backend>, std::string> start(const ServerOptions& options, const Log& log);

  // Starts competing for the sync's lead; the leader queues a first sync so the store
  // catches up. Called once the server has its port: a server that cannot serve must not
  // spend the upstream's allowance or write to the store. Once; not after stop().
  void startSyncing();

  ~Backend();  // stop()
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  Store& store() { return *store_; }
  const ApiQueries& api() const { return *api_; }
  SharedResponseCache& cache() { return *cache_; }
  SyncService& sync() { return *sync_; }
  ChangeFeed& changeFeed() { return *changeFeed_; }
  // The newest change version committed to the store, read from it (the change log's
  // newest entry; 0 for none), not what this instance was told of; nullopt when the store
  // cannot be read. A query: for the moments this instance is behind (min_version.h).
  std::optional<std::int64_t> committedVersion() const;
  // The in-process upstream; null when the upstream runs elsewhere.
  UpstreamServer* localUpstream() { return upstreamServer_.get(); }

  // The leadership keeper, the sync (at a page boundary), the delivery of the store's
  // changes, the feed, then the cache's reconnect thread, then the in-process upstream.
  // Idempotent.
  void stop();

 private:
  Backend() = default;

  std::unique_ptr<Store> store_;
  std::unique_ptr<ChangeFeed> changeFeed_;
  std::unique_ptr<UpstreamAccount> account_;
  std::unique_ptr<UpstreamServer> upstreamServer_;
  std::unique_ptr<KlaviyoUpstream> upstreamSource_;
  std::unique_ptr<SharedResponseCache> cache_;
  std::unique_ptr<ApiQueries> api_;
  std::unique_ptr<SyncService> sync_;
  std::unique_ptr<SyncLeadership> leadership_;  // from startSyncing()
  std::chrono::milliseconds leaseCheckInterval_{};
  const Log* log_ = nullptr;  // the one start() was given, which outlives the backend
};

// The in-process or standalone upstream's options, from the server's.
UpstreamServerOptions upstreamServerOptionsFrom(const ServerOptions& options, const std::string& adminToken);
// The simulated account's options, its journal telling `log` what it meets.
UpstreamAccountOptions accountOptionsFrom(const ServerOptions& options, const Log& log);

}  // namespace livedata::server
