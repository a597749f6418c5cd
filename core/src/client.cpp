#include "livedata/client.h"

#include <algorithm>
#include <mutex>
#include <random>
#include <map>
#include <set>

#include "livedata/cache.h"
#include "livedata/endpoints.h"
#include "livedata/fallback.h"
#include "livedata/flight.h"
#include "livedata/http_policy.h"
#include "livedata/live_feed.h"
#include "livedata/retry.h"

namespace livedata {

namespace {

// Work decided under the lock and carried out after it is released: no transport call,
// callback or listener ever runs while the Client's mutex is held.
struct Send {
  std::string key;
  std::uint64_t attemptId = 0;
  HttpRequest request;
  std::shared_ptr<AttemptWire> wire;  // where the transport's id goes, without the lock
};

struct RetryTimer {
  std::string key;
  std::uint64_t attemptId = 0;
  Millis delayMs = 0;
  std::shared_ptr<AttemptWire> wire;  // where the scheduler's id goes, without the lock
};

// One listener of a watched query. Shared with the deliveries in flight, which check
// `active` (under `mutex`) right before calling, so an unwatched listener is not called.
struct WatchListenerSlot {
  std::uint64_t id = 0;
  WatchListener listener;
  std::mutex mutex;
  bool active = true;      // GUARDED_BY(mutex)
  bool delivered = false;  // GUARDED_BY(mutex): it has had a result
  std::uint64_t version = 0;  // GUARDED_BY(mutex): of the last result it had
  bool ok = true;             // GUARDED_BY(mutex): whether that result had no error
  bool delivering = false;    // GUARDED_BY(mutex): a thread is in the listener
  std::optional<FetchResult> waiting;  // GUARDED_BY(mutex): the newest result that came meanwhile
};

// Whether `result` is news to the slot (watched, and newer data or another state of error
// than it had); if so it counts as had. REQUIRES: slot.mutex held.
bool takeIfNews(WatchListenerSlot& slot, const FetchResult& result) {
  if (!slot.active) return false;
  const bool news = !slot.delivered || result.version > slot.version || result.ok() != slot.ok;
  if (!news) return false;
  slot.delivered = true;
  slot.version = std::max(slot.version, result.version);
  slot.ok = result.ok();
  return true;
}

// Calls the listener with `result` unless it was unwatched, or already has this data (or
// newer) in the same state of error. One call at a time, in order: a result that comes
// while the listener runs (from another thread, or from the listener itself) waits, the
// newest only, and the thread in the listener hands it on when the listener returns. No
// thread ever waits for a listener: a native transport's workers are never parked behind one.
void deliver(const std::shared_ptr<WatchListenerSlot>& slot, const FetchResult& result) {
  std::unique_lock<std::mutex> lock(slot->mutex);
  if (slot->delivering) {
    if (!slot->waiting || result.version >= slot->waiting->version) slot->waiting = result;
    return;
  }
  if (!takeIfNews(*slot, result)) return;
  slot->delivering = true;
  FetchResult current = result;
  for (;;) {
    lock.unlock();
    slot->listener(current);
    lock.lock();
    if (!slot->waiting) break;
    current = std::move(*slot->waiting);
    slot->waiting.reset();
    if (!takeIfNews(*slot, current)) break;
  }
  slot->delivering = false;
}

struct WatchedQuery {
  std::string path;
  Query query;
  std::string endpoint;
  std::vector<std::shared_ptr<WatchListenerSlot>> listeners;
  // Recovery (State::noteWatchedOutcome): fetches failed in a row, cancellations aside; the
  // last one's error; and the recovery timer in effect (RecoveryTimer::due; 0: none).
  int failures = 0;
  std::optional<Error> lastFailure;
  std::uint64_t recoveryDue = 0;
};

// A watched query's next try after a failure (State::noteWatchedOutcome).
struct RecoveryTimer {
  std::string key;
  std::uint64_t due = 0;  // a timer whose number is no longer its query's recoveryDue is void
  Millis delayMs = 0;
};

struct Effects {
  std::vector<Event> events;
  std::vector<std::pair<FetchCallback, FetchResult>> completions;
  std::vector<std::pair<std::shared_ptr<WatchListenerSlot>, FetchResult>> deliveries;
  // Fetched afresh, each key once however many causes ask for it in one step (setOnline
  // may find a key stale, unconfirmed and failed offline at once).
  struct Refetch {
    std::string key, path;
    Query query;
  };
  std::vector<Refetch> refetches;
  void refetch(const std::string& key, const std::string& path, const Query& query) {
    const bool queued = std::any_of(refetches.begin(), refetches.end(), [&](const Refetch& r) { return r.key == key; });
    if (!queued) refetches.push_back({key, path, query});
  }
  std::vector<Send> sends;
  std::vector<RetryTimer> retries;
  std::vector<RecoveryTimer> recoveries;
  std::vector<RequestId> toCancel;
  std::vector<TimerId> timersToCancel;
};

}  // namespace

bool RefreshReport::allOk() const {
  return std::all_of(endpoints.begin(), endpoints.end(), [](const EndpointRefresh& e) { return e.ok; });
}

double ClientStats::hitRate() const {
  const auto lookups = hits + misses;
  return lookups == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(lookups);
}

// The client's state and the decisions that need it: the HTTP policy (http_policy.h)
// judges answers, each in-flight request moves through its Flight (flight.h), and this
// applies the results to the cache, the counters and the events. Every member function
// REQUIRES the mutex held.
// What a WatchHandle unwatches through: the Client's state, without exposing it.
struct WatchHandle::Owner {
  virtual ~Owner() = default;
  virtual void unwatch(std::uint64_t id) = 0;
};

struct Client::State : std::enable_shared_from_this<Client::State>, WatchHandle::Owner {
  State(ClientConfig cfg, BaseUrl url, ClientDependencies d)
      : config(std::move(cfg)), base(std::move(url)), deps(std::move(d)),
        cache(config.cache,
              [this](const CacheEntry& dropped) { removals.push_back({dropped.endpoint, dropped.key, dropped.id}); }),
        staleDetector(config.staleThresholdMs) {}

  const ClientConfig config;
  const BaseUrl base;
  ClientDependencies deps;  // moved out by ~Client so adapters are destroyed on its thread
  EventBus events;

  mutable std::mutex mutex;  // guards everything below
  std::vector<EntryRemovedEvent> removals;  // what the cache dropped, not yet announced
  ResponseCache cache;
  StaleDetector staleDetector;
  // Trees, not hash tables: these hold tens of entries, and the WASM module then carries
  // one kind of container for them (1.5 KB gzipped less), as the cache's index does.
  std::map<std::string, Flight> flights;  // by cache key
  std::map<std::string, Error> lastErrorByEndpoint;
  ClientStats counters;
  std::uint64_t nextAttemptId = 1;
  std::uint64_t epoch = 0;
  bool online = true;
  bool focused = true;
  bool destroyed = false;
  std::mt19937_64 defaultRandom;
  // Watched queries by cache key, and the key of each listener id.
  std::map<std::string, WatchedQuery> watched;
  std::map<std::uint64_t, std::string> watchKeys;
  std::uint64_t nextWatchId = 1;
  std::uint64_t nextRecovery = 1;
  // Keys whose flight was already under way when a change notice named their endpoint: the
  // answer may predate the change, so it is stored as invalidated (and, if watched, fetched
  // once more) when it lands.
  std::set<std::string> changedInFlight;
  std::shared_ptr<LiveFeed> live;  // set once by create when there is a stream transport

  void unwatch(std::uint64_t id) override;

  Millis now() const { return deps.clock->nowMs(); }

  void log(LogLevel level, const std::string& message) const {
    if (deps.logger) deps.logger(level, message);
  }

  double random01() {
    if (deps.random) return deps.random();
    return std::uniform_real_distribution<double>(0.0, 1.0)(defaultRandom);
  }

  FlightContext flightContext() {
    return {config.retry, [this] { return random01(); }, [this] { return nextAttemptId++; }};
  }

  // ---- results ------------------------------------------------------------------------

  // The one cache key of a GET of `path` with `query` (a `_t` in it never reaches the key).
  static std::string requestKey(const std::string& path, const Query& query) {
    return makeCacheKey("GET", path, query);
  }

  // The entry fetchFromAPI may answer from without a request, or null when it must do
  // anything else (offline, nothing cached, expired, invalidated): the one freshness rule
  // of fetchFromAPI and peek.
  // `id` is a cache key or an EntryId.
  template <typename Id>
  const CacheEntry* freshEntry(const Id& id, Millis nowMs) {
    if (!online) return nullptr;
    const CacheEntry* entry = cache.lookup(id);
    return entry != nullptr && entry->isFresh(nowMs) ? entry : nullptr;
  }

  // A hit on a fresh entry: counted, and its result.
  FetchResult hit(const CacheEntry& entry, Millis nowMs, std::string key) {
    ++counters.hits;
    return resultFromEntry(entry, nowMs, std::move(key));
  }

  // `key` is entry.key, passed by callers that own a copy they no longer need.
  FetchResult resultFromEntry(const CacheEntry& entry, Millis nowMs, std::string key) const {
    FetchResult result;
    result.endpoint = entry.endpoint;
    result.key = std::move(key);
    result.body = entry.body;
    result.version = entry.version;
    result.entryId = entry.id;
    result.fromCache = true;
    result.updatedAt = entry.fetchedAtMs;
    result.stale = staleDetector.isStale(entry.fetchedAtMs, nowMs);
    result.status = 200;
    return result;
  }

  // Stale-if-error: the cached body marked stale with the error, else an empty value.
  FetchResult fallbackResult(const std::string& key, const std::string& endpoint, const Error& error) {
    FetchResult result;
    if (const CacheEntry* entry = cache.peek(key)) {
      result = resultFromEntry(*entry, now(), key);
      result.stale = true;
      ++counters.staleServed;
    } else {
      result.endpoint = endpoint;
      result.key = key;
      result.body = std::make_shared<const std::string>(emptyBodyFor(endpoint));
      result.fallback = true;
      ++counters.fallbacks;
    }
    result.status = error.status;
    result.error = error;
    return result;
  }

  // What a successful verdict does to the cache, and the result it delivers. A request
  // started before the last clear() (another epoch) stores nothing.
  FetchResult applyVerdict(const std::string& key, const Flight& flight, const HttpVerdict& verdict,
                           const HttpResponse& response, Millis nowMs) {
    const bool current = flight.epoch == epoch;
    if (verdict.kind == HttpVerdict::Kind::notModified) {
      ++counters.notModified;
      CacheEntry* entry = cache.lookup(key);  // still there: the policy was told so
      if (current) {
        entry->fetchedAtMs = nowMs;
        entry->expiresAtMs = nowMs + verdict.ttlMs;
        entry->invalidated = false;
        entry->staleNotified = false;
      }
      FetchResult result = resultFromEntry(*entry, nowMs, key);
      result.revalidated = true;
      result.status = 304;
      return result;
    }
    auto body = std::make_shared<const std::string>(response.body);
    FetchResult result;
    result.endpoint = flight.endpoint;
    result.key = key;
    result.body = body;
    result.updatedAt = nowMs;
    result.status = response.status;
    if (verdict.kind == HttpVerdict::Kind::doNotStore) {
      cache.remove(key);  // no-store: keep no copy, not even the older one
    } else if (current) {
      CacheEntry entry;
      entry.key = key;
      entry.endpoint = flight.endpoint;
      entry.path = flight.path;
      entry.query = flight.query;
      entry.body = body;
      entry.etag = response.headers.get("ETag").value_or("");
      entry.fetchedAtMs = nowMs;
      entry.expiresAtMs = nowMs + verdict.ttlMs;
      if (cache.put(std::move(entry))) {
        const CacheEntry* stored = cache.peek(key);
        result.version = stored->version;
        result.entryId = stored->id;
      }
    }
    if (result.version == 0) result.version = cache.versionForUnstoredBody();
    return result;
  }

  // Announces what the cache dropped since the last call.
  void announceRemovals(Effects& fx) {
    for (auto& removal : removals) fx.events.emplace_back(std::move(removal));
    removals.clear();
  }

  // The bookkeeping of every delivered result, in flight or failed fast: the error and
  // success counters, the endpoint's last error, and its event.
  void recordOutcome(const std::string& endpoint, const std::string& key, const FetchResult& result,
                     Effects& fx) {
    if (result.error) {
      ++counters.errors;
      lastErrorByEndpoint[endpoint] = *result.error;
      fx.events.emplace_back(DataErrorEvent{endpoint, key, *result.error, !result.fallback});
    } else {
      lastErrorByEndpoint.erase(endpoint);
      fx.events.emplace_back(DataUpdatedEvent{endpoint, key, result.updatedAt, result.fromCache});
    }
    if (const auto it = watched.find(key); it != watched.end()) noteWatchedOutcome(key, it->second, result, fx);
  }

  // A watched query is on screen: when its fetch fails, it is tried again by itself, so
  // what failed recovers once the server does, with no change notice or user action. The
  // wait is the feed's reconnection backoff (full jitter up to min(live.maxReconnectDelayMs,
  // live.reconnectBaseMs * 2^(n-1)) for the n-th failure in a row), and at least what the
  // server asked for (Retry-After). Timed are the failures a later try may not meet: the
  // retryable ones, and a body that is not the JSON promised (a cut transfer, a proxy's
  // page), which no immediate retry fixes but the server's recovery does. Offline waits for
  // setOnline, and a refusal (4xx) for the next change or refresh. A cancelled fetch changes
  // nothing, except that a recovery it overtook is timed anew.
  void noteWatchedOutcome(const std::string& key, WatchedQuery& query, const FetchResult& result, Effects& fx) {
    if (result.error && result.error->kind == ErrorKind::cancelled) {
      if (query.recoveryDue == 0 && query.lastFailure && recoversByItself(*query.lastFailure)) {
        scheduleRecovery(key, query, fx);
      }
      return;
    }
    query.recoveryDue = 0;
    if (!result.error) {
      query.failures = 0;
      query.lastFailure.reset();
      return;
    }
    ++query.failures;
    query.lastFailure = result.error;
    if (recoversByItself(*result.error)) scheduleRecovery(key, query, fx);
  }

  static bool recoversByItself(const Error& error) { return error.isRetryable() || error.kind == ErrorKind::parse; }

  void scheduleRecovery(const std::string& key, WatchedQuery& query, Effects& fx) {
    BackoffPolicy policy;
    policy.baseDelayMs = config.live.reconnectBaseMs;
    policy.maxDelayMs = config.live.maxReconnectDelayMs;
    const Millis delay =
        std::max(backoffDelay(policy, query.failures, random01()), query.lastFailure ? query.lastFailure->retryAfterMs : 0);
    query.recoveryDue = nextRecovery++;
    fx.recoveries.push_back({key, query.recoveryDue, delay});
  }

  // A recovery timer fired: the query, if still watched and failing, is revalidated; a fetch
  // of it already under way stands in (its outcome times the next try, see above).
  void recover(const std::string& key, std::uint64_t due, Effects& fx) {
    const auto it = watched.find(key);
    if (it == watched.end() || it->second.recoveryDue != due) return;
    it->second.recoveryDue = 0;
    if (flights.count(key) == 0) revalidateWatched(key, it->second, fx);
  }

  // ---- requests -----------------------------------------------------------------------

  HttpRequest buildRequest(const std::string& key, Flight& flight) {
    Query wire = parseQueryString(normalizeQuery(flight.query));
    HttpRequest request;
    request.path = flight.path;
    request.headers.add("Accept", "application/json");
    // Monotonic reads across instances (live_feed.h): the lock order Client, then feed.
    if (const std::int64_t seen = live ? live->status().version : 0; seen > 0) {
      request.headers.add(kMinVersionHeader, std::to_string(seen));
    }
    flight.conditional = false;
    if (flight.forceFresh) {
      // Cache busting: a unique URL defeats every cache on the way; no-cache asks the
      // server for a full answer too (RFC 9111 section 5.2.1.4).
      wire.emplace_back(kCacheBustingParam, std::to_string(now()));
      request.headers.add("Cache-Control", "no-cache");
    } else if (const CacheEntry* entry = flight.mayRevalidate ? cache.peek(key) : nullptr;
               entry && !entry->etag.empty()) {
      request.headers.add("If-None-Match", entry->etag);
      flight.conditional = true;
      ++counters.revalidations;
    }
    std::string queryString;
    for (const auto& [name, value] : wire) {
      queryString += queryString.empty() ? "?" : "&";
      queryString += percentEncode(name) + "=" + percentEncode(value);
    }
    request.query = std::move(wire);
    request.url = base.origin() + base.prefix + flight.path + queryString;
    request.timeoutMs = config.requestTimeoutMs;
    request.maxResponseBytes = config.maxResponseBytes;
    return request;
  }

  // Carries out what `key`'s flight decided. `result` is what a settle without error
  // delivers (built from the verdict); a settle with an error delivers the fallback.
  void perform(const std::string& key, Flight& flight, FlightStep step, Effects& fx,
               std::optional<FetchResult> result = std::nullopt) {
    for (const RequestId id : step.cancelRequests) fx.toCancel.push_back(id);
    for (const TimerId id : step.cancelTimers) fx.timersToCancel.push_back(id);
    switch (step.action) {
      case FlightStep::Action::none: return;
      case FlightStep::Action::send:
        ++counters.networkRequests;
        fx.sends.push_back({key, flight.attemptId, buildRequest(key, flight), flight.wire});
        return;
      case FlightStep::Action::retryLater: {
        const Error& error = *step.error;
        ++counters.retries;
        log(LogLevel::warn, "retry " + std::to_string(flight.attempts) + "/" +
                                std::to_string(config.retry.maxAttempts - 1) + " of " + key + " in " +
                                std::to_string(step.delayMs) + " ms after " + toString(error.kind) +
                                (error.status ? " (" + std::to_string(error.status) + ")" : "") + ": " +
                                error.detail);
        fx.retries.push_back({key, flight.attemptId, step.delayMs, flight.wire});
        fx.events.emplace_back(RetryScheduledEvent{flight.endpoint, key, error, step.delayMs, now() + step.delayMs});
        return;
      }
      case FlightStep::Action::settle:
        if (step.error) {
          log(LogLevel::error, "giving up on " + key + " after " + std::to_string(flight.attempts) +
                                   " attempt(s): " + toString(step.error->kind) + ": " + step.error->detail);
          result = fallbackResult(key, flight.endpoint, *step.error);
        }
        settle(key, std::move(*result), fx);
        return;
    }
  }

  // Ends `key`'s flight: its waiters and the key's watchers get `result`.
  void settle(const std::string& key, FetchResult result, Effects& fx) {
    auto it = flights.find(key);
    Flight flight = std::move(it->second);
    flights.erase(it);
    fx.events.emplace_back(LoadingChangedEvent{flight.endpoint, key, false});
    recordOutcome(flight.endpoint, key, result, fx);
    const auto watchedIt = watched.find(key);
    if (watchedIt != watched.end()) {
      for (const auto& slot : watchedIt->second.listeners) fx.deliveries.emplace_back(slot, result);
    }
    if (changedInFlight.erase(key) > 0) {
      cache.invalidateKey(key);
      if (watchedIt != watched.end()) fx.refetch(key, watchedIt->second.path, watchedIt->second.query);
    }
    for (auto& waiter : flight.waiters) fx.completions.emplace_back(std::move(waiter), result);
  }

  // ---- watched queries and the live feed ---------------------------------------------

  // Makes `key` (watched) ask the server again: now, or once its flight in progress lands.
  void revalidateWatched(const std::string& key, const WatchedQuery& query, Effects& fx) {
    if (flights.count(key) > 0) {
      changedInFlight.insert(key);
      return;
    }
    cache.invalidateKey(key);
    fx.refetch(key, query.path, query.query);
  }

  // A change named `endpoints` (empty: all): their entries must be revalidated before use,
  // answers already on the way may predate it, and the watched ones are refetched.
  void onChanged(const std::vector<std::string>& endpoints, Effects& fx) {
    const auto named = [&](const std::string& endpoint) {
      return endpoints.empty() || std::find(endpoints.begin(), endpoints.end(), endpoint) != endpoints.end();
    };
    if (endpoints.empty()) {
      cache.invalidateAll();
    } else {
      for (const auto& endpoint : endpoints) cache.invalidateEndpoint(endpoint);
    }
    for (const auto& [key, flight] : flights) {
      if (named(flight.endpoint)) changedInFlight.insert(key);
    }
    for (const auto& [key, query] : watched) {
      if (named(query.endpoint) && flights.count(key) == 0) fx.refetch(key, query.path, query.query);
    }
  }

  // The live feed confirmed that nothing it has not named changed: every entry of an
  // endpoint it covers still fresh is as current as now, for as long again. Other paths
  // (fetchFromAPI takes any) keep their own lifetime: the feed says nothing of them.
  void confirmFreshEntries() {
    const Millis nowMs = now();
    cache.forEach([&](CacheEntry& entry) {
      if (!entry.isFresh(nowMs) || !endpointFromName(entry.endpoint)) return;
      entry.expiresAtMs = nowMs + (entry.expiresAtMs - entry.fetchedAtMs);
      entry.fetchedAtMs = nowMs;
      entry.staleNotified = false;
    });
  }

  // Revalidates every watched query, or only those not fresh when `onlyUnconfirmed`.
  void revalidateAllWatched(bool onlyUnconfirmed, Effects& fx) {
    const Millis nowMs = now();
    for (const auto& [key, query] : watched) {
      if (onlyUnconfirmed) {
        const CacheEntry* entry = cache.peek(key);
        if (entry != nullptr && entry->isFresh(nowMs)) continue;
      }
      revalidateWatched(key, query, fx);
    }
  }

  bool feedIsLive() const { return live && live->status().state == ConnectionState::live; }
  // Whether the feed streams changes (else it only polls): live.enabled and a stream transport.
  bool feedConnects() const { return live && live->connects(); }

  // The transport's answer to attempt `attemptId` of `key`, judged by the HTTP policy.
  // `what` names the request in error details ("GET http://...").
  void onTransportResult(const std::string& key, std::uint64_t attemptId, const std::string& what,
                         const TransportResult& outcome, Effects& fx) {
    auto it = flights.find(key);
    if (it == flights.end() || it->second.attemptId != attemptId) return;  // superseded
    Flight& flight = it->second;
    if (outcome.response) counters.bytesReceived += outcome.response->body.size();
    const Millis nowMs = now();
    const bool entryStillCached = flight.conditional && cache.peek(key) != nullptr;
    HttpVerdict verdict = judgeResponse(outcome, {flight.endpoint, what, flight.conditional, entryStillCached},
                                        config, deps.acceptsJson, nowMs);
    if (verdict.error && verdict.error->kind == ErrorKind::offline) online = false;
    std::optional<FetchResult> result;
    if (verdict.kind != HttpVerdict::Kind::fail && verdict.kind != HttpVerdict::Kind::askAgainInFull) {
      result = applyVerdict(key, flight, verdict, *outcome.response, nowMs);
      counters.evictions = cache.evictions();
    }
    announceRemovals(fx);
    FlightStep step = flight.advance(AttemptAnswered{attemptId, std::move(verdict)}, flightContext());
    perform(key, flight, std::move(step), fx, std::move(result));
  }
};

// ---- effects runner: everything that must happen outside the lock --------------------

namespace {

// `state` by value: a callback it runs may destroy the Client, whose own pointer a public
// method would have passed.
void run(std::shared_ptr<Client::State> state, Effects fx);
void startFetch(const std::shared_ptr<Client::State>& state, const std::string& path, FetchOptions options,
                FetchCallback done);

// A `_t` the caller put in the query never reaches the key or the watch: it is the
// client's own cache busting (forceFresh).
void dropCacheBusting(Query& query) {
  query.erase(std::remove_if(query.begin(), query.end(),
                             [](const QueryParam& param) { return param.first == kCacheBustingParam; }),
              query.end());
}

// Runs `decide` under the state's lock (unless the Client is gone) and then its effects.
template <typename Decide>
void withState(const std::weak_ptr<Client::State>& weak, Decide&& decide) {
  const auto state = weak.lock();
  if (!state) return;
  Effects fx;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->destroyed) return;
    decide(*state, fx);
  }
  run(state, std::move(fx));
}

void onRetryTimer(const std::weak_ptr<Client::State>& weak, const std::string& key, std::uint64_t attemptId) {
  withState(weak, [&](Client::State& s, Effects& fx) {
    auto it = s.flights.find(key);
    if (it != s.flights.end()) s.perform(key, it->second, it->second.advance(RetryDue{attemptId}, s.flightContext()), fx);
  });
}

bool isDestroyed(Client::State& state) {
  std::lock_guard<std::mutex> lock(state.mutex);
  return state.destroyed;
}

void run(std::shared_ptr<Client::State> state, Effects fx) {
  std::shared_ptr<Transport> transport;
  std::shared_ptr<Scheduler> scheduler;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (!state->destroyed) {
      transport = state->deps.transport;
      scheduler = state->deps.scheduler;
    }
  }
  if (transport) {
    for (const RequestId id : fx.toCancel) transport->cancel(id);
  }
  if (scheduler) {
    for (const TimerId id : fx.timersToCancel) scheduler->cancel(id);
    for (const RetryTimer& retry : fx.retries) {
      const std::weak_ptr<Client::State> weak = state;
      retry.wire->retryTimer = scheduler->runAfter(
          retry.delayMs, [weak, key = retry.key, attemptId = retry.attemptId] { onRetryTimer(weak, key, attemptId); });
    }
    for (const RecoveryTimer& recovery : fx.recoveries) {
      const std::weak_ptr<Client::State> weak = state;
      scheduler->runAfter(recovery.delayMs, [weak, key = recovery.key, due = recovery.due] {
        withState(weak, [&](Client::State& s, Effects& next) { s.recover(key, due, next); });
      });
    }
  }
  for (const auto& event : fx.events) state->events.dispatch(event);
  for (auto& [callback, result] : fx.completions) callback(std::move(result));
  for (const auto& [slot, result] : fx.deliveries) deliver(slot, result);
  // A listener or callback just run may have destroyed the Client (on another thread too):
  // then nothing more goes out (startFetch checks again, under the lock).
  if (!transport || isDestroyed(*state)) return;
  for (auto& refetch : fx.refetches) {
    FetchOptions options;
    options.query = std::move(refetch.query);
    startFetch(state, refetch.path, std::move(options), [](FetchResult) {});
  }
  for (Send& send : fx.sends) {
    const std::weak_ptr<Client::State> weak = state;
    std::string what = send.request.method + " " + send.request.url;
    send.wire->request = transport->send(
        std::move(send.request), [weak, key = send.key, attemptId = send.attemptId, what](TransportResult outcome) {
          const auto alive = weak.lock();
          if (!alive) return;
          Effects next;
          {
            std::lock_guard<std::mutex> lock(alive->mutex);
            if (alive->destroyed) return;
            alive->onTransportResult(key, attemptId, what, outcome, next);
          }
          run(alive, std::move(next));
        });
  }
}

}  // namespace

// ---- the live feed's hooks ------------------------------------------------------------

namespace {

std::shared_ptr<LiveFeed> createLiveFeed(const std::shared_ptr<Client::State>& state) {
  const std::weak_ptr<Client::State> weak = state;
  LiveFeedHooks hooks;
  hooks.changed = [weak](const std::vector<std::string>& endpoints) {
    withState(weak, [&](Client::State& s, Effects& fx) { s.onChanged(endpoints, fx); });
  };
  hooks.resync = [weak] { withState(weak, [](Client::State& s, Effects& fx) { s.onChanged({}, fx); }); };
  hooks.confirmed = [weak] { withState(weak, [](Client::State& s, Effects&) { s.confirmFreshEntries(); }); };
  hooks.poll = [weak] {
    withState(weak, [](Client::State& s, Effects& fx) { s.revalidateAllWatched(/*onlyUnconfirmed=*/false, fx); });
  };
  hooks.connectionChanged = [weak](const ConnectionChangedEvent& status) {
    if (const auto s = weak.lock()) s->events.dispatch(status);
  };
  LiveFeedDependencies deps;
  deps.stream = state->deps.stream;
  deps.clock = state->deps.clock;
  deps.scheduler = state->deps.scheduler;
  deps.logger = state->deps.logger;
  // Called under the feed's own lock, so a generator of its own, never the Client's.
  if (state->deps.random) {
    deps.random = state->deps.random;
  } else {
    auto generator = std::make_shared<std::mt19937_64>(static_cast<std::uint64_t>(state->now()) ^ 0x9e3779b97f4a7c15u);
    deps.random = [generator] { return std::uniform_real_distribution<double>(0.0, 1.0)(*generator); };
  }
  const LiveConfig& live = state->config.live;
  return LiveFeed::create(live, state->base.origin() + state->base.prefix + live.path, state->config.requestTimeoutMs,
                          std::move(deps), std::move(hooks));
}

}  // namespace

void Client::State::unwatch(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex);
  const auto keyIt = watchKeys.find(id);
  if (keyIt == watchKeys.end()) return;
  const auto queryIt = watched.find(keyIt->second);
  watchKeys.erase(keyIt);
  if (queryIt == watched.end()) return;
  auto& listeners = queryIt->second.listeners;
  for (auto it = listeners.begin(); it != listeners.end(); ++it) {
    if ((*it)->id != id) continue;
    {
      std::lock_guard<std::mutex> slotLock((*it)->mutex);
      (*it)->active = false;
    }
    listeners.erase(it);
    break;
  }
  if (listeners.empty()) watched.erase(queryIt);
}

WatchHandle::WatchHandle(WatchHandle&& other) noexcept : owner_(std::move(other.owner_)), id_(other.id_) {
  other.id_ = 0;
}

WatchHandle& WatchHandle::operator=(WatchHandle&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = std::move(other.owner_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void WatchHandle::reset() {
  if (id_ == 0) return;
  if (const auto owner = owner_.lock()) owner->unwatch(id_);
  owner_.reset();
  id_ = 0;
}

// ---- public API -------------------------------------------------------------------------

Expected<std::unique_ptr<Client>> Client::create(ClientConfig config, ClientDependencies deps) {
  if (auto problem = validate(config)) return *problem;
  if (!deps.transport) return makeError(ErrorKind::config, "", "dependencies.transport is required");
  if (!deps.clock) return makeError(ErrorKind::config, "", "dependencies.clock is required");
  if (!deps.scheduler) return makeError(ErrorKind::config, "", "dependencies.scheduler is required");
  if (!deps.acceptsJson) return makeError(ErrorKind::config, "", "dependencies.acceptsJson is required");
  BaseUrl base = parseBaseUrl(config.baseUrl).value();
  auto state = std::make_shared<State>(std::move(config), std::move(base), std::move(deps));
  state->defaultRandom.seed(static_cast<std::uint64_t>(state->now()));
  // Always a feed: without a stream transport or with live.enabled off, it polls only.
  state->live = createLiveFeed(state);
  return std::unique_ptr<Client>(new Client(std::move(state)));
}

Client::Client(std::shared_ptr<State> state) : state_(std::move(state)) {}

Client::~Client() {
  if (state_->live) state_->live->stop();  // before the transports go; no hook runs after it
  ClientDependencies deps;
  std::vector<RequestId> requests;
  std::vector<TimerId> timers;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->destroyed = true;
    for (auto& [key, flight] : state_->flights) {
      if (const RequestId id = flight.wire->request.load()) requests.push_back(id);
      if (const TimerId id = flight.wire->retryTimer.load()) timers.push_back(id);
    }
    state_->flights.clear();
    deps = std::move(state_->deps);
  }
  for (const RequestId id : requests) deps.transport->cancel(id);
  for (const TimerId id : timers) deps.scheduler->cancel(id);
  state_.reset();
  // `deps` is destroyed here, on the caller's thread: a native transport joins its workers,
  // whose pending callbacks find the state destroyed and do nothing.
}

namespace {

void startFetch(const std::shared_ptr<Client::State>& state, const std::string& path, FetchOptions options,
                FetchCallback done) {
  using State = Client::State;
  State& s = *state;
  Query& query = options.query;
  dropCacheBusting(query);
  std::string key = State::requestKey(path, query);
  Effects fx;
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    // A refetch an effects run started as the Client was destroyed: its clock is gone too.
    if (s.destroyed) return;
    const Millis nowMs = s.now();
    if (!s.online) {
      ++s.counters.misses;
      const std::string endpoint = endpointNameForPath(path);
      const Error error = makeError(ErrorKind::offline, endpoint, "GET " + path + ": the network is offline");
      FetchResult result = s.fallbackResult(key, endpoint, error);
      s.recordOutcome(endpoint, key, result, fx);
      fx.completions.emplace_back(std::move(done), std::move(result));
    } else if (const CacheEntry* entry = options.forceFresh ? nullptr : s.freshEntry(key, nowMs)) {
      // The hot path (a dashboard re-reading what it has): a hit has no events, sends or
      // timers, only its completion, so it skips the effects runner. As every callback, it
      // runs outside the lock.
      FetchResult result = s.hit(*entry, nowMs, std::move(key));
      lock.unlock();
      done(std::move(result));
      return;
    } else {
      ++s.counters.misses;
      auto it = s.flights.find(key);
      if (it != s.flights.end()) {
        Flight& flight = it->second;
        // A flight from before clear() (a sign-out) answers with what was true before it:
        // a read after it supersedes that attempt rather than wait for it.
        const bool supersede = options.forceFresh || flight.epoch != s.epoch;
        if (!supersede) ++s.counters.deduplicated;
        FlightEvent event = supersede ? FlightEvent{ForceFreshFlight{std::move(done), s.epoch}}
                                      : FlightEvent{JoinFlight{std::move(done)}};
        s.perform(key, flight, flight.advance(std::move(event), s.flightContext()), fx);
      } else {
        Flight& flight = s.flights[key];
        flight.epoch = s.epoch;
        flight.endpoint = endpointNameForPath(path);
        flight.path = path;
        flight.query = std::move(query);
        flight.forceFresh = options.forceFresh;
        flight.waiters.push_back(std::move(done));
        fx.events.emplace_back(LoadingChangedEvent{flight.endpoint, key, true});
        s.perform(key, flight, flight.start(s.flightContext()), fx);
      }
    }
  }
  run(state, std::move(fx));
}

}  // namespace

namespace {

// The path is appended to the base URL as it is: anything but an absolute path without a
// query or fragment ("api/flows", "@elsewhere/x", "/a?b") would make another URL. Nil when
// it is one; else the result that says so.
std::optional<FetchResult> refusedPath(const std::string& path) {
  const bool absolutePath = !path.empty() && path.front() == '/' &&
                            std::none_of(path.begin(), path.end(), [](char c) {
                              return c == '?' || c == '#' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
                            });
  if (absolutePath) return std::nullopt;
  const std::string endpoint = endpointNameForPath(path);
  FetchResult result;
  result.endpoint = endpoint;
  result.body = std::make_shared<const std::string>(emptyBodyFor(endpoint));
  result.fallback = true;
  result.error = makeError(ErrorKind::config, endpoint,
                           "invalid path \"" + path +
                               "\": an absolute path (/api/...) without spaces, query (pass it as the query) or fragment");
  return result;
}

}  // namespace

void Client::fetchFromAPI(const std::string& path, FetchOptions options, FetchCallback done) {
  if (auto refused = refusedPath(path)) return done(std::move(*refused));
  startFetch(state_, path, std::move(options), std::move(done));
}

std::optional<FetchResult> Client::peek(const std::string& path, const Query& query) {
  std::string key = State::requestKey(path, query);
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mutex);
  const Millis nowMs = s.now();
  const CacheEntry* entry = s.freshEntry(key, nowMs);
  if (entry == nullptr) return std::nullopt;
  return s.hit(*entry, nowMs, std::move(key));
}

std::optional<FetchResult> Client::peek(std::uint64_t entryId) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mutex);
  const Millis nowMs = s.now();
  const CacheEntry* entry = s.freshEntry(EntryId{entryId}, nowMs);
  if (entry == nullptr) return std::nullopt;
  return s.hit(*entry, nowMs, entry->key);
}

std::optional<Client::Reread> Client::reread(std::uint64_t entryId, std::uint64_t version) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mutex);
  const Millis nowMs = s.now();
  const CacheEntry* entry = s.freshEntry(EntryId{entryId}, nowMs);
  if (entry == nullptr || entry->version != version) return std::nullopt;
  ++s.counters.hits;  // as hit() counts, for a result the caller already holds
  return Reread{entry->fetchedAtMs, s.staleDetector.isStale(entry->fetchedAtMs, nowMs)};
}

void Client::forceRefreshData(std::vector<std::string> endpoints, Callback<void(RefreshReport)> done) {
  if (endpoints.empty()) {
    for (const Endpoint e : allEndpoints()) endpoints.emplace_back(nameOf(e));
  }
  // Shared by the refetches' callbacks; the last one to finish reports.
  struct Aggregate {
    std::mutex mutex;
    RefreshReport report;
    std::size_t remaining = 0;
    Callback<void(RefreshReport)> done;
  };
  auto aggregate = std::make_shared<Aggregate>();
  aggregate->done = std::move(done);

  std::vector<std::pair<std::size_t, std::pair<std::string, Query>>> refetches;  // report index, request
  std::vector<std::string> known;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (const auto& name : endpoints) {
      EndpointRefresh entry;
      entry.endpoint = name;
      const auto endpoint = endpointFromName(name);
      if (!endpoint) {
        entry.error = makeError(ErrorKind::config, name, "unknown endpoint \"" + name + "\"");
        aggregate->report.endpoints.push_back(std::move(entry));
        continue;
      }
      const std::size_t index = aggregate->report.endpoints.size();
      std::vector<std::pair<std::string, Query>> variants;
      std::vector<std::string> keys;  // of the variants, each asked once
      state_->cache.forEach([&](CacheEntry& cached) {
        if (cached.endpoint != name) return;
        keys.push_back(cached.key);
        variants.emplace_back(cached.path, cached.query);
      });
      // What is on screen is refreshed too, cached or not (refused, or evicted).
      for (const auto& [key, watched] : state_->watched) {
        if (watched.endpoint != name || std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
        keys.push_back(key);
        variants.emplace_back(watched.path, watched.query);
      }
      if (variants.empty()) variants.emplace_back(pathOf(*endpoint), Query{});
      state_->cache.invalidateEndpoint(name);
      entry.requests = static_cast<int>(variants.size());
      entry.ok = true;
      aggregate->report.endpoints.push_back(std::move(entry));
      for (auto& variant : variants) refetches.emplace_back(index, std::move(variant));
      known.push_back(name);
    }
    aggregate->remaining = refetches.size();
  }
  state_->events.dispatch(ForceDataRefreshEvent{known});
  if (refetches.empty()) {
    aggregate->done(std::move(aggregate->report));
    return;
  }
  for (auto& [index, request] : refetches) {
    FetchOptions options;
    options.query = std::move(request.second);
    options.forceFresh = true;
    fetchFromAPI(request.first, std::move(options), [aggregate, index = index](FetchResult result) {
      std::unique_lock<std::mutex> lock(aggregate->mutex);
      EndpointRefresh& entry = aggregate->report.endpoints[index];
      if (result.error && entry.ok) {
        entry.ok = false;
        entry.error = result.error;
      }
      if (--aggregate->remaining == 0) {
        RefreshReport report = std::move(aggregate->report);
        lock.unlock();
        aggregate->done(std::move(report));
      }
    });
  }
}

std::size_t Client::invalidateKey(const std::string& key) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->cache.invalidateKey(key);
}

std::size_t Client::invalidateEndpoint(const std::string& endpoint) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->cache.invalidateEndpoint(endpoint);
}

std::size_t Client::invalidatePattern(const std::string& glob) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->cache.invalidatePattern(glob);
}

std::size_t Client::invalidateAll() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->cache.invalidateAll();
}

void Client::clear() {
  Effects fx;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->cache.clear();
    state_->lastErrorByEndpoint.clear();
    ++state_->epoch;
    state_->announceRemovals(fx);
  }
  run(state_, std::move(fx));
}

Freshness Client::freshness(const std::string& endpoint) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  Freshness freshness;
  const Millis nowMs = state_->now();
  state_->cache.forEach([&](CacheEntry& entry) {
    if (entry.endpoint == endpoint && (!freshness.lastUpdated || entry.fetchedAtMs > *freshness.lastUpdated)) {
      freshness.lastUpdated = entry.fetchedAtMs;
    }
  });
  if (freshness.lastUpdated) {
    freshness.ageMs = std::max<Millis>(0, nowMs - *freshness.lastUpdated);
    freshness.stale = state_->staleDetector.isStale(*freshness.lastUpdated, nowMs);
  }
  freshness.loading = std::any_of(state_->flights.begin(), state_->flights.end(),
                                  [&](const auto& flight) { return flight.second.endpoint == endpoint; });
  if (const auto it = state_->lastErrorByEndpoint.find(endpoint); it != state_->lastErrorByEndpoint.end()) {
    freshness.error = it->second;
  }
  return freshness;
}

void Client::tick(Millis nowMs) {
  std::vector<Event> events;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->cache.forEach([&](CacheEntry& entry) {
      if (!entry.staleNotified && state_->staleDetector.isStale(entry.fetchedAtMs, nowMs)) {
        entry.staleNotified = true;
        events.emplace_back(DataStaleEvent{entry.endpoint, entry.key, entry.fetchedAtMs, nowMs - entry.fetchedAtMs});
      }
    });
  }
  for (const auto& event : events) state_->events.dispatch(event);
}

void Client::setOnline(bool online) {
  Effects fx;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    State& s = *state_;
    const bool cameBack = online && !s.online;
    s.online = online;
    if (cameBack) {
      const Millis nowMs = s.now();
      s.cache.forEach([&](CacheEntry& entry) {
        if (!entry.isFresh(nowMs) || s.staleDetector.isStale(entry.fetchedAtMs, nowMs)) {
          entry.invalidated = true;
          fx.refetch(entry.key, entry.path, entry.query);
        }
      });
      // With a connected feed, its resume replays what changed meanwhile; without one, ask.
      if (!s.feedConnects() && s.config.live.revalidateOnReconnect) {
        s.revalidateAllWatched(/*onlyUnconfirmed=*/true, fx);
      }
      // What failed for being offline is not in the feed's replay: asked again now.
      for (const auto& [key, query] : s.watched) {
        const bool failedOffline = query.lastFailure && query.lastFailure->kind == ErrorKind::offline;
        if (failedOffline && s.flights.count(key) == 0) s.revalidateWatched(key, query, fx);
      }
    }
  }
  if (state_->live) state_->live->setOnline(online);
  run(state_, std::move(fx));
}

WatchHandle Client::watch(const std::string& path, Query query, WatchListener listener) {
  // A path that is refused is never watched: later refetches (a change, focus, a poll)
  // would send it, and it is no URL of this server's.
  if (auto refused = refusedPath(path)) {
    listener(*refused);
    return WatchHandle();
  }
  dropCacheBusting(query);
  auto slot = std::make_shared<WatchListenerSlot>();
  slot->listener = std::move(listener);
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    State& s = *state_;
    const std::string key = State::requestKey(path, query);
    slot->id = s.nextWatchId++;
    WatchedQuery& watched = s.watched[key];
    if (watched.listeners.empty()) {
      watched.path = path;
      watched.query = query;
      watched.endpoint = endpointNameForPath(path);
    }
    watched.listeners.push_back(slot);
    s.watchKeys[slot->id] = key;
  }
  WatchHandle handle(std::weak_ptr<WatchHandle::Owner>(state_), slot->id);
  if (state_->live) state_->live->start();
  FetchOptions options;
  options.query = std::move(query);
  fetchFromAPI(path, std::move(options), [slot](FetchResult result) { deliver(slot, result); });
  return handle;
}

void Client::setFocused(bool focused) {
  Effects fx;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    State& s = *state_;
    const bool gained = focused && !s.focused;
    s.focused = focused;
    if (!gained || !s.config.live.revalidateOnFocus || !s.online) return;
    // What the live feed keeps current needs no request; the rest is asked for.
    s.revalidateAllWatched(/*onlyUnconfirmed=*/s.feedIsLive(), fx);
  }
  run(state_, std::move(fx));
}

ConnectionChangedEvent Client::connection() const {
  return state_->live ? state_->live->status() : ConnectionChangedEvent{};
}

bool Client::isOnline() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->online;
}

ClientStats Client::stats() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  ClientStats stats = state_->counters;
  stats.entries = state_->cache.size();
  stats.cacheBytes = state_->cache.bytes();
  stats.evictions = state_->cache.evictions();
  return stats;
}

EventBus& Client::events() { return state_->events; }

const ClientConfig& Client::config() const { return state_->config; }

}  // namespace livedata
