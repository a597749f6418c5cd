#include "livedata/client.h"

#include <algorithm>
#include <mutex>
#include <random>
#include <unordered_map>


#include "livedata/cache.h"
#include "livedata/endpoints.h"
#include "livedata/fallback.h"
#include "livedata/retry.h"

namespace livedata {

namespace {

constexpr std::size_t kDetailBodyExcerpt = 200;

// One network request for a key, shared by every caller that asked for that key while it
// was in flight (de-duplication). A forceFresh request supersedes it: the waiters move to
// the new request, whose attempt id replaces the old one, so a late answer to the old
// attempt finds a different id and is dropped: an older response never overwrites newer
// data.
struct InFlight {
  std::uint64_t attemptId = 0;  // the attempt whose answer counts; unique per Client
  std::uint64_t epoch = 0;      // Client::clear() epoch when started; a stale epoch is not stored
  std::string endpoint;
  std::string path;
  Query query;
  bool forceFresh = false;
  bool conditional = false;     // the current attempt carries If-None-Match
  bool mayRevalidate = true;    // false after a 304 found no entry to refresh
  int attempts = 0;             // network attempts made so far
  RequestId transportId = 0;    // of the current attempt, 0 when none is on the wire
  std::optional<TimerId> retryTimer;
  std::vector<FetchCallback> waiters;
};

// Work decided under the lock and carried out after it is released: no transport call,
// callback or listener ever runs while the Client's mutex is held.
struct PendingAttempt {
  std::string key;
  std::uint64_t attemptId = 0;
  HttpRequest request;  // for a send; unused for a retry timer
  Millis delayMs = 0;   // for a retry timer
};

struct Effects {
  std::vector<Event> events;
  std::vector<std::pair<FetchCallback, FetchResult>> completions;
  std::vector<PendingAttempt> sends;
  std::vector<PendingAttempt> retries;
  std::vector<RequestId> toCancel;
  std::vector<TimerId> timersToCancel;
};

std::string excerpt(const std::string& body) {
  return body.size() <= kDetailBodyExcerpt ? body : body.substr(0, kDetailBodyExcerpt) + "...";
}

ErrorKind kindForTransportFailure(TransportFailureKind kind) {
  switch (kind) {
    case TransportFailureKind::network: return ErrorKind::network;
    case TransportFailureKind::timeout: return ErrorKind::timeout;
    case TransportFailureKind::cancelled: return ErrorKind::cancelled;
    case TransportFailureKind::offline: return ErrorKind::offline;
  }
  return ErrorKind::network;
}

ErrorKind kindForStatus(int status) {
  if (status == 429) return ErrorKind::rate_limited;
  if (status >= 500) return ErrorKind::http_server;
  return ErrorKind::http_client;  // 408 included: Error::isRetryable tells it apart
}

}  // namespace

bool RefreshReport::allOk() const {
  return std::all_of(endpoints.begin(), endpoints.end(), [](const EndpointRefresh& e) { return e.ok; });
}

double ClientStats::hitRate() const {
  const auto lookups = hits + misses;
  return lookups == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(lookups);
}

struct Client::State : std::enable_shared_from_this<Client::State> {
  State(ClientConfig cfg, BaseUrl url, ClientDependencies d)
      : config(std::move(cfg)), base(std::move(url)), deps(std::move(d)), cache(config.cache),
        staleDetector(config.staleThresholdMs) {}

  const ClientConfig config;
  const BaseUrl base;
  ClientDependencies deps;  // moved out by ~Client so adapters are destroyed on its thread
  EventBus events;

  mutable std::mutex mutex;  // guards everything below
  ResponseCache cache;
  StaleDetector staleDetector;
  std::unordered_map<std::string, InFlight> inFlight;
  std::unordered_map<std::string, Error> lastErrorByEndpoint;
  ClientStats counters;
  std::uint64_t nextAttemptId = 1;
  std::uint64_t epoch = 0;
  bool online = true;
  bool destroyed = false;
  std::mt19937_64 defaultRandom;

  Millis now() const { return deps.clock->nowMs(); }

  void log(LogLevel level, const std::string& message) const {
    if (deps.logger) deps.logger(level, message);
  }

  double random01() {
    if (deps.random) return deps.random();
    return std::uniform_real_distribution<double>(0.0, 1.0)(defaultRandom);
  }

  // ---- results ------------------------------------------------------------------------

  // The one cache key of a GET of `path` with `query` (a `_t` in it never reaches the key).
  static std::string requestKey(const std::string& path, const Query& query) {
    return makeCacheKey("GET", path, query);
  }

  // The entry fetchFromAPI may answer from without a request, or null when it must do
  // anything else (offline, nothing cached, expired, invalidated). The one freshness rule
  // of fetchFromAPI and peek. REQUIRES: mutex held.
  const CacheEntry* freshEntry(const std::string& key, Millis nowMs) {
    if (!online) return nullptr;
    const CacheEntry* entry = cache.lookup(key);
    return entry != nullptr && entry->isFresh(nowMs) ? entry : nullptr;
  }

  // A hit on a fresh entry: counted, and its result. REQUIRES: mutex held.
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

  // ---- requests -----------------------------------------------------------------------

  HttpRequest buildRequest(const std::string& key, InFlight& flight) {
    Query wire = parseQueryString(normalizeQuery(flight.query));
    HttpRequest request;
    request.path = flight.path;
    request.headers.add("Accept", "application/json");
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
    return request;
  }

  // Starts the next attempt of `key`'s in-flight request.
  void queueAttempt(const std::string& key, InFlight& flight, Effects& fx) {
    flight.attemptId = nextAttemptId++;
    ++flight.attempts;
    ++counters.networkRequests;
    flight.retryTimer.reset();
    fx.sends.push_back({key, flight.attemptId, buildRequest(key, flight), 0});
  }

  void complete(const std::string& key, FetchResult result, Effects& fx) {
    auto it = inFlight.find(key);
    if (it == inFlight.end()) return;
    InFlight flight = std::move(it->second);
    inFlight.erase(it);
    fx.events.emplace_back(LoadingChangedEvent{flight.endpoint, key, false});
    if (result.error) {
      ++counters.errors;
      lastErrorByEndpoint[flight.endpoint] = *result.error;
      fx.events.emplace_back(DataErrorEvent{flight.endpoint, key, *result.error, !result.fallback});
    } else {
      lastErrorByEndpoint.erase(flight.endpoint);
      fx.events.emplace_back(DataUpdatedEvent{flight.endpoint, key, result.updatedAt, result.fromCache});
    }
    for (auto& waiter : flight.waiters) fx.completions.emplace_back(std::move(waiter), result);
  }

  void failOrRetry(const std::string& key, InFlight& flight, Error error, std::optional<Millis> retryAfter,
                   Effects& fx) {
    error.endpoint = flight.endpoint;
    error.attempts = flight.attempts;
    if (error.kind == ErrorKind::offline) online = false;
    const RetryDecision decision = decideRetry(config.retry, error, flight.attempts, retryAfter, random01());
    if (decision.retry) {
      ++counters.retries;
      log(LogLevel::warn, "retry " + std::to_string(flight.attempts) + "/" +
                              std::to_string(config.retry.maxAttempts - 1) + " of " + key + " in " +
                              std::to_string(decision.delayMs) + " ms after " + toString(error.kind) +
                              (error.status ? " (" + std::to_string(error.status) + ")" : "") + ": " +
                              error.detail);
      flight.transportId = 0;
      fx.retries.push_back({key, flight.attemptId, {}, decision.delayMs});
      return;
    }
    log(LogLevel::error, "giving up on " + key + " after " + std::to_string(flight.attempts) +
                             " attempt(s): " + toString(error.kind) + ": " + error.detail);
    complete(key, fallbackResult(key, flight.endpoint, error), fx);
  }

  // Handles the transport's answer to attempt `attemptId` of `key`.
  // `what` names the request in error details ("GET http://...").
  void onTransportResult(const std::string& key, std::uint64_t attemptId, const std::string& what,
                         TransportResult outcome, Effects& fx) {
    auto it = inFlight.find(key);
    if (it == inFlight.end() || it->second.attemptId != attemptId) return;  // superseded
    InFlight& flight = it->second;
    flight.transportId = 0;

    if (outcome.failure) {
      const ErrorKind kind = kindForTransportFailure(outcome.failure->kind);
      failOrRetry(key, flight, makeError(kind, flight.endpoint, what + ": " + outcome.failure->message), std::nullopt,
                  fx);
      return;
    }
    const HttpResponse& response = *outcome.response;
    counters.bytesReceived += response.body.size();
    const Millis nowMs = now();

    if (response.status == 304) {
      CacheEntry* entry = flight.conditional ? cache.lookup(key) : nullptr;
      if (entry == nullptr) {
        if (flight.conditional) {
          // The entry was evicted or cleared while we revalidated it: ask again in full.
          flight.mayRevalidate = false;
          queueAttempt(key, flight, fx);
          return;
        }
        failOrRetry(key, flight,
                    makeError(ErrorKind::http_client, flight.endpoint, what + ": 304 to an unconditional request", 304),
                    std::nullopt, fx);
        return;
      }
      ++counters.notModified;
      if (flight.epoch == epoch) {
        entry->fetchedAtMs = nowMs;
        entry->expiresAtMs = nowMs + ttlFor(flight.endpoint, response.headers).value_or(0);
        entry->invalidated = false;
        entry->staleNotified = false;
      }
      FetchResult result = resultFromEntry(*entry, nowMs, key);
      result.revalidated = true;
      result.status = 304;
      complete(key, std::move(result), fx);
      return;
    }

    if (response.status >= 200 && response.status < 300) {
      if (!deps.acceptsJson(response.body)) {
        failOrRetry(key, flight,
                    makeError(ErrorKind::parse, flight.endpoint,
                              what + ": response is not valid JSON: " + excerpt(response.body), response.status),
                    std::nullopt, fx);
        return;
      }
      auto body = std::make_shared<const std::string>(response.body);
      FetchResult result;
      result.endpoint = flight.endpoint;
      result.key = key;
      result.body = body;
      result.updatedAt = nowMs;
      result.status = response.status;
      const auto ttl = ttlFor(flight.endpoint, response.headers);
      if (ttl && flight.epoch == epoch) {
        CacheEntry entry;
        entry.key = key;
        entry.endpoint = flight.endpoint;
        entry.path = flight.path;
        entry.query = flight.query;
        entry.body = body;
        entry.etag = response.headers.get("ETag").value_or("");
        entry.fetchedAtMs = nowMs;
        entry.expiresAtMs = nowMs + *ttl;
        if (cache.put(std::move(entry))) result.version = cache.peek(key)->version;
      } else if (!ttl) {
        cache.remove(key);  // no-store: keep no copy, not even the older one
      }
      counters.evictions = cache.evictions();
      complete(key, std::move(result), fx);
      return;
    }

    std::optional<Millis> retryAfter;
    if (const auto header = response.headers.get("Retry-After")) retryAfter = parseRetryAfter(*header, nowMs);
    failOrRetry(key, flight,
                makeError(kindForStatus(response.status), flight.endpoint,
                          what + ": HTTP " + std::to_string(response.status) + ": " + excerpt(response.body),
                          response.status),
                retryAfter, fx);
  }

  // How long a response may be served from the cache; nullopt when it must not be stored.
  std::optional<Millis> ttlFor(const std::string& endpoint, const Headers& headers) const {
    if (config.obeyCacheControl) {
      if (const auto header = headers.get("Cache-Control")) {
        const CacheDirectives directives = parseCacheControl(*header);
        if (directives.noStore) return std::nullopt;
        if (directives.noCache) return 0;
        if (directives.maxAgeMs) {
          Millis age = 0;  // RFC 9111 section 4.2.3: time already spent in caches upstream
          if (const auto ageHeader = headers.get("Age")) age = parseRetryAfter(*ageHeader, 0).value_or(0);
          return std::max<Millis>(0, *directives.maxAgeMs - age);
        }
      }
    }
    return config.ttlFor(endpoint);
  }
};

// ---- effects runner: everything that must happen outside the lock --------------------

namespace {

void run(const std::shared_ptr<Client::State>& state, Effects fx);

void onRetryTimer(const std::weak_ptr<Client::State>& weak, const std::string& key, std::uint64_t attemptId) {
  const auto state = weak.lock();
  if (!state) return;
  Effects fx;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->destroyed) return;
    auto it = state->inFlight.find(key);
    if (it == state->inFlight.end() || it->second.attemptId != attemptId) return;
    state->queueAttempt(key, it->second, fx);
  }
  run(state, std::move(fx));
}

void run(const std::shared_ptr<Client::State>& state, Effects fx) {
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
    for (const PendingAttempt& retry : fx.retries) {
      const std::weak_ptr<Client::State> weak = state;
      const TimerId timer = scheduler->runAfter(
          retry.delayMs, [weak, key = retry.key, attemptId = retry.attemptId] { onRetryTimer(weak, key, attemptId); });
      std::lock_guard<std::mutex> lock(state->mutex);
      auto it = state->inFlight.find(retry.key);
      if (it != state->inFlight.end() && it->second.attemptId == retry.attemptId) it->second.retryTimer = timer;
    }
  }
  for (const auto& event : fx.events) state->events.dispatch(event);
  for (auto& [callback, result] : fx.completions) callback(std::move(result));
  if (!transport) return;
  for (PendingAttempt& send : fx.sends) {
    const std::weak_ptr<Client::State> weak = state;
    std::string what = send.request.method + " " + send.request.url;
    const RequestId id = transport->send(
        std::move(send.request), [weak, key = send.key, attemptId = send.attemptId, what](TransportResult outcome) {
          const auto alive = weak.lock();
          if (!alive) return;
          Effects next;
          {
            std::lock_guard<std::mutex> lock(alive->mutex);
            if (alive->destroyed) return;
            alive->onTransportResult(key, attemptId, what, std::move(outcome), next);
          }
          run(alive, std::move(next));
        });
    std::lock_guard<std::mutex> lock(state->mutex);
    auto it = state->inFlight.find(send.key);
    if (it != state->inFlight.end() && it->second.attemptId == send.attemptId) it->second.transportId = id;
  }
}

}  // namespace

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
  return std::unique_ptr<Client>(new Client(std::move(state)));
}

Client::Client(std::shared_ptr<State> state) : state_(std::move(state)) {}

Client::~Client() {
  ClientDependencies deps;
  std::vector<RequestId> requests;
  std::vector<TimerId> timers;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->destroyed = true;
    for (auto& [key, flight] : state_->inFlight) {
      if (flight.transportId != 0) requests.push_back(flight.transportId);
      if (flight.retryTimer) timers.push_back(*flight.retryTimer);
    }
    state_->inFlight.clear();
    deps = std::move(state_->deps);
  }
  for (const RequestId id : requests) deps.transport->cancel(id);
  for (const TimerId id : timers) deps.scheduler->cancel(id);
  state_.reset();
  // `deps` is destroyed here, on the caller's thread: a native transport joins its workers,
  // whose pending callbacks find the state destroyed and do nothing.
}

void Client::fetchFromAPI(const std::string& path, FetchOptions options, FetchCallback done) {
  State& s = *state_;
  Query& query = options.query;
  query.erase(std::remove_if(query.begin(), query.end(),
                             [](const QueryParam& param) { return param.first == kCacheBustingParam; }),
              query.end());
  std::string key = State::requestKey(path, query);
  Effects fx;
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    const Millis nowMs = s.now();
    if (!s.online) {
      ++s.counters.misses;
      const std::string endpoint = endpointNameForPath(path);
      Error error = makeError(ErrorKind::offline, endpoint, "GET " + path + ": the network is offline");
      FetchResult result = s.fallbackResult(key, endpoint, error);
      ++s.counters.errors;
      s.lastErrorByEndpoint[endpoint] = error;
      fx.events.emplace_back(DataErrorEvent{endpoint, key, error, !result.fallback});
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
      auto it = s.inFlight.find(key);
      if (it != s.inFlight.end() && !options.forceFresh) {
        ++s.counters.deduplicated;
        it->second.waiters.push_back(std::move(done));
      } else if (it != s.inFlight.end()) {
        // Supersede: the old attempt's answer will be ignored; its waiters get ours.
        InFlight& flight = it->second;
        if (flight.transportId != 0) fx.toCancel.push_back(flight.transportId);
        if (flight.retryTimer) fx.timersToCancel.push_back(*flight.retryTimer);
        flight.forceFresh = true;
        flight.attempts = 0;
        flight.epoch = s.epoch;
        flight.waiters.push_back(std::move(done));
        s.queueAttempt(key, flight, fx);
      } else {
        InFlight& flight = s.inFlight[key];
        flight.epoch = s.epoch;
        flight.endpoint = endpointNameForPath(path);
        flight.path = path;
        flight.query = std::move(query);
        flight.forceFresh = options.forceFresh;
        flight.waiters.push_back(std::move(done));
        fx.events.emplace_back(LoadingChangedEvent{flight.endpoint, key, true});
        s.queueAttempt(key, flight, fx);
      }
    }
  }
  run(state_, std::move(fx));
}

std::optional<FetchResult> Client::peek(const std::string& path, const Query& query) {
  return peekKey(State::requestKey(path, query));
}

std::optional<FetchResult> Client::peekKey(std::string key) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mutex);
  const Millis nowMs = s.now();
  const CacheEntry* entry = s.freshEntry(key, nowMs);
  if (entry == nullptr) return std::nullopt;
  return s.hit(*entry, nowMs, std::move(key));
}

void Client::forceRefreshData(std::vector<std::string> endpoints, std::function<void(RefreshReport)> done) {
  if (endpoints.empty()) {
    for (const Endpoint e : allEndpoints()) endpoints.emplace_back(nameOf(e));
  }
  // Shared by the refetches' callbacks; the last one to finish reports.
  struct Aggregate {
    std::mutex mutex;
    RefreshReport report;
    std::size_t remaining = 0;
    std::function<void(RefreshReport)> done;
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
      state_->cache.forEach([&](CacheEntry& cached) {
        if (cached.endpoint == name) variants.emplace_back(cached.path, cached.query);
      });
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
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->cache.clear();
  state_->lastErrorByEndpoint.clear();
  ++state_->epoch;
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
  freshness.loading = std::any_of(state_->inFlight.begin(), state_->inFlight.end(),
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
  std::vector<std::pair<std::string, Query>> toRevalidate;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    const bool cameBack = online && !state_->online;
    state_->online = online;
    if (!cameBack) return;
    const Millis nowMs = state_->now();
    state_->cache.forEach([&](CacheEntry& entry) {
      if (!entry.isFresh(nowMs) || state_->staleDetector.isStale(entry.fetchedAtMs, nowMs)) {
        entry.invalidated = true;
        toRevalidate.emplace_back(entry.path, entry.query);
      }
    });
  }
  for (auto& [path, query] : toRevalidate) {
    FetchOptions options;
    options.query = std::move(query);
    fetchFromAPI(path, std::move(options), [](FetchResult) {});
  }
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
