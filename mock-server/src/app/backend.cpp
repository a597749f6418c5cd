#include "livedata/expected.h"
#include "app/backend.h"

#include <filesystem>
#include <random>
#include <string_view>
#include <utility>

namespace livedata::server {
namespace {

// Unwraps a factory's variant, or returns its message prefixed with the part's name.
template <typename T>
std::string takeOrExplain(Expected<std::unique_ptr<T>, std::string>&& made, std::unique_ptr<T>& into,
                          const char* part) {
  if (!made) return std::string(part) + ": " + made.error();
  into = std::move(made.value());
  return {};
}

// 128 random bits in hex: a key no other process knows.
std::string randomApiKey() {
  std::random_device random;
  std::string key = "pk_";
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) key += kHex[random() % 16];
  return key;
}

}  // namespace

UpstreamServerOptions upstreamServerOptionsFrom(const ServerOptions& options, const std::string& adminToken) {
  UpstreamServerOptions server = options.upstream;
  server.adminToken = adminToken;
  server.readTimeoutMs = options.http.readTimeoutMs;
  server.writeTimeoutMs = options.http.writeTimeoutMs;
  return server;
}

UpstreamAccountOptions accountOptionsFrom(const ServerOptions& options, const Log& log) {
  UpstreamAccountOptions account = options.account;
  account.journalLog = [log](LogLevel level, const std::string& message) { log.write(level, message); };
  return account;
}

Expected<std::unique_ptr<Backend>, std::string> Backend::start(const ServerOptions& options, const Log& log) {
  std::unique_ptr<Backend> backend(new Backend());
  StoreOptions storeOptions;
  storeOptions.changeLogCapacity = options.feed.replayCapacity;
  storeOptions.writeLeaseMs = options.writeLeaseMs;
  std::error_code ignored;
  const bool newFile = !isPostgresUrl(options.database) && !std::filesystem::exists(options.database, ignored);
  auto opened = Store::open(options.database, storeOptions);
  if (!opened) return opened.error();  // says "store: ..." itself
  backend->store_ = std::move(opened).value();
  // Said, so a mistyped --db is seen before the first sync fills a store nobody meant.
  if (newFile) log.info("store: created a new database file", {{"path", options.database}});
  // A SQLite file takes one server: a second would neither sync nor see the first's commits
  // in its feed. (Instances that share a store share a PostgreSQL database, whose lease
  // passes between them.)
  if (std::string_view(backend->store_->engine()) == "sqlite" && !backend->store_->holdWriteLease()) {
    return "store: " + options.database +
           " is in use by another server; run one per SQLite file, or several on PostgreSQL (docs/deploy.md)";
  }
  // The feed starts at the newest change of the log it read (or, the log empty, at the
  // version the store had delivered before the read), and the store's observer (set below)
  // hands it every change after that one, those delivered meanwhile included.
  const std::int64_t deliveredBeforeRead = backend->store_->changeVersion();
  auto recentChanges = backend->store_->recentChanges(options.feed.replayCapacity);
  if (!recentChanges) return "change feed: " + recentChanges.error();
  const std::int64_t feedVersion =
      recentChanges.value().empty() ? deliveredBeforeRead : recentChanges.value().back().version;
  backend->changeFeed_ = std::make_unique<ChangeFeed>(options.feed, std::move(recentChanges).value(), feedVersion);

  std::string upstreamUrl = options.upstreamUrl;
  std::string apiKey = options.upstream.apiKey;
  if (upstreamUrl.empty()) {
    // The in-process pair shares a key made up for this process when none is set.
    if (apiKey.empty()) apiKey = randomApiKey();
    if (auto error = takeOrExplain(UpstreamAccount::create(accountOptionsFrom(options, log)), backend->account_,
                                   "upstream account");
        !error.empty()) {
      return error;
    }
    UpstreamServerOptions serverOptions = upstreamServerOptionsFrom(options, options.adminToken);
    serverOptions.apiKey = apiKey;
    serverOptions.host = "127.0.0.1";
    serverOptions.port = 0;
    if (auto error = takeOrExplain(UpstreamServer::create(*backend->account_, serverOptions),
                                   backend->upstreamServer_, "upstream server");
        !error.empty()) {
      return error;
    }
    if (!backend->upstreamServer_->start()) return std::string("upstream server: cannot listen on 127.0.0.1");
    backend->account_->start();
    upstreamUrl = backend->upstreamServer_->baseUrl();
    log.info("upstream started in-process", {{"url", upstreamUrl}});
  }
  if (apiKey.empty()) {
    return "upstream: " + upstreamUrl + " needs a Klaviyo private API key: --upstream-api-key-file FILE or LIVEDATA_UPSTREAM_API_KEY";
  }
  KlaviyoUpstreamOptions sourceOptions;
  sourceOptions.source.http.baseUrl = upstreamUrl;
  sourceOptions.source.apiKey = std::move(apiKey);
  sourceOptions.metricIds = options.klaviyoMetrics;
  // The reports' daily budget is counted in the store: a restart, or another instance taking
  // the lead, spends only what is left of the day's allowance.
  Store& store = *backend->store_;
  sourceOptions.source.reportCalls.callsOn = [&store, &log](std::string_view operation, std::int64_t day) {
    auto calls = store.upstreamCallsOn(operation, day);
    if (calls) return std::optional<int>(calls.value());
    log.warn("upstream budget: counted in this process only", {{"error", calls.error()}});
    return std::optional<int>();
  };
  sourceOptions.source.reportCalls.countCall = [&store, &log](std::string_view operation, std::int64_t day) {
    if (auto error = store.countUpstreamCall(operation, day)) {
      log.warn("upstream budget: a call not counted in the store", {{"error", *error}});
    }
  };
  if (auto error = takeOrExplain(KlaviyoUpstream::create(std::move(sourceOptions)), backend->upstreamSource_, "upstream");
      !error.empty()) {
    return error;
  }

  SharedResponseCacheDependencies cacheDependencies;
  cacheDependencies.log = [&log](LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) {
    log.write(level, message, fields);
  };
  if (auto error = takeOrExplain(SharedResponseCache::create(options.cache, cacheDependencies), backend->cache_,
                                 "response cache");
      !error.empty()) {
    return error;
  }

  backend->api_ = std::make_unique<ApiQueries>(*backend->store_);

  // Every change the store's log gains, committed by this instance's sync or by another
  // instance's (Store::observeChanges): the cached responses of its entity go first, then
  // the live feed announces it (the invariant in backend.h). The committer drops the shared
  // Redis entries, once per change; every instance drops its own memory tier's. (Cache keys
  // carry the data's version, so this is for space as much as for freshness: no instance
  // serves an entry rendered from older data once it has seen the change.)
  SharedResponseCache& cache = *backend->cache_;
  ChangeFeed& feed = *backend->changeFeed_;
  backend->store_->observeChanges(feed.currentVersion(), [&cache, &feed, &log](const Change& change, bool committedHere) {
    const std::int64_t current = feed.currentVersion();
    if (change.version <= current) return;  // already in the log the feed started from
    // A gap: changes left the store's log before this instance saw them (it was cut off from
    // the store for longer than the log's capacity): nothing cached can be trusted.
    const bool gap = change.version != current + 1;
    const auto scope = committedHere ? SharedResponseCache::Scope::everywhere : SharedResponseCache::Scope::thisInstance;
    const std::size_t removed = gap ? cache.clear() : cache.invalidateEndpoints({endpointNameOf(change.entity)}, scope);
    log.debug("cache invalidated after a change", {{"entity", nameOf(change.entity)}, {"version", change.version},
                                                   {"committedHere", committedHere}, {"afterGap", gap},
                                                   {"removed", removed}});
    feed.publish(change);
  });

  SyncDependencies syncDependencies;
  syncDependencies.log = cacheDependencies.log;
  if (auto error = takeOrExplain(SyncService::create(*backend->store_, *backend->upstreamSource_, options.sync,
                                                     std::move(syncDependencies)),
                                 backend->sync_, "sync");
      !error.empty()) {
    return error;
  }
  backend->leaseCheckInterval_ = leadershipCheckInterval(options.writeLeaseMs);
  backend->log_ = &log;
  return backend;
}

void Backend::startSyncing() {
  // The leader syncs; becoming it queues a sync, to catch up with whatever changed while no
  // instance (or another one) led. With SQLite this instance always leads.
  SyncService& sync = *sync_;
  leadership_ = std::make_unique<SyncLeadership>(*store_, leaseCheckInterval_, [&sync] { sync.requestSync({}); }, *log_);
}

Backend::~Backend() { stop(); }

std::optional<std::int64_t> Backend::committedVersion() const {
  auto newest = store_->recentChanges(1);
  if (!newest) return std::nullopt;
  return newest.value().empty() ? 0 : newest.value().back().version;
}

void Backend::stop() {
  if (leadership_) leadership_->stop();
  if (sync_) sync_->stop();  // its last page's change still reaches the cache and the feed
  // Then the store's delivery stops: its listener thread (PostgreSQL) hands other instances'
  // changes to an observer that uses the cache and the feed, which go before the store.
  if (store_) store_->observeChanges(store_->changeVersion(), {});
  if (changeFeed_) changeFeed_->stop();
  // A stopped sync never fetches again, so its source can go now; its idle kept-alive
  // connections would otherwise hold the upstream server's stop() for the keep-alive timeout.
  upstreamSource_.reset();
  if (cache_) cache_->stop();
  if (account_) account_->stop();
  if (upstreamServer_) upstreamServer_->stop();
}

}  // namespace livedata::server
