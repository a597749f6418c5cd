#include "livedata/live_feed.h"

#include <algorithm>
#include <mutex>

#include "livedata/endpoints.h"
#include "livedata/event_stream.h"
#include "livedata/retry.h"

namespace livedata {

std::vector<std::string> endpointsNamedIn(std::string_view notice) {
  // An unescaped "name" followed by a colon can only be an object key (inside a JSON string
  // its quotes would be escaped), and only endpoint objects have that key.
  std::vector<std::string> names;
  constexpr std::string_view kKey = "\"name\"";
  for (std::size_t at = notice.find(kKey); at != std::string_view::npos; at = notice.find(kKey, at + 1)) {
    std::size_t i = at + kKey.size();
    const auto skipSpaces = [&] {
      while (i < notice.size() && (notice[i] == ' ' || notice[i] == '\t' || notice[i] == '\n' || notice[i] == '\r')) ++i;
    };
    skipSpaces();
    if (i >= notice.size() || notice[i] != ':') continue;
    ++i;
    skipSpaces();
    for (const Endpoint endpoint : allEndpoints()) {
      const std::string quoted = std::string("\"") + nameOf(endpoint) + "\"";
      if (notice.substr(i, quoted.size()) == quoted &&
          std::find(names.begin(), names.end(), nameOf(endpoint)) == names.end()) {
        names.emplace_back(nameOf(endpoint));
      }
    }
  }
  return names;
}

namespace {

// What a decision taken under the lock asks for, carried out after it is released.
struct Actions {
  std::optional<HttpRequest> open;  // a new stream, of generation `openGeneration`
  std::uint64_t openGeneration = 0;
  RequestId close = 0;
  std::vector<TimerId> cancelTimers;
  struct Timer {
    enum class Kind { reconnect, poll, idle } kind;
    Millis delayMs = 0;
    std::uint64_t sequence = 0;  // what State::expected holds for it while it is pending
  };
  std::vector<Timer> timers;
  std::vector<Callback<void()>> hooks;
};

}  // namespace

struct LiveFeed::State : std::enable_shared_from_this<LiveFeed::State> {
  State(LiveConfig c, std::string u, Millis timeout, LiveFeedDependencies d, LiveFeedHooks h)
      : config(std::move(c)), url(std::move(u)), connectTimeoutMs(timeout), deps(std::move(d)), hooks(std::move(h)) {}

  const LiveConfig config;
  const std::string url;
  const Millis connectTimeoutMs;
  const LiveFeedDependencies deps;
  const LiveFeedHooks hooks;
  // Off (live.enabled false, or no stream transport): the feed never connects; it only
  // polls, so watched queries still follow the server every fallbackPollMs.
  const bool connects = config.enabled && deps.stream != nullptr;

  mutable std::mutex mutex;  // guards everything below
  bool started = false;
  bool stopped = false;
  bool online = true;
  ConnectionState connection = ConnectionState::idle;
  std::optional<std::int64_t> version;  // the last version seen; nullopt before a subscription
  Millis lastChangeAt = 0;
  // The stream: each connection gets a new generation, and callbacks of another are ignored.
  std::uint64_t generation = 0;
  RequestId stream = 0;
  bool streamAccepted = false;   // answered 200 with an event stream
  Millis retryAfterMs = 0;       // a refusal's Retry-After, for the next wait
  Millis serverRetryMs = 0;      // the stream's retry: advice; 0 without one
  int failures = 0;              // connection attempts failed since the last subscription
  Millis lastByteAt = 0;
  EventStreamParser parser;
  // One pending timer per kind at most: `expected` holds its sequence number (0: none), so
  // a timer that fires after it was cancelled or replaced does nothing; `timerIds` are
  // the scheduler's ids, to cancel them early.
  std::uint64_t timerSequence = 0;
  std::uint64_t expected[3] = {0, 0, 0};
  TimerId timerIds[3] = {0, 0, 0};

  Millis now() const { return deps.clock->nowMs(); }
  void log(LogLevel level, const std::string& message) const {
    if (deps.logger) deps.logger(level, "live feed: " + message);
  }

  ConnectionChangedEvent statusLocked() const { return {connection, version.value_or(0), lastChangeAt}; }

  void setConnection(ConnectionState next, Actions& actions) {
    if (connection == next) return;
    connection = next;
    announce(actions);
  }
  void announce(Actions& actions) {
    if (!hooks.connectionChanged) return;
    actions.hooks.push_back([hook = hooks.connectionChanged, status = statusLocked()] { hook(status); });
  }
  void hook(const Callback<void()>& h, Actions& actions) {
    if (h) actions.hooks.push_back(h);
  }

  using TimerKind = Actions::Timer::Kind;
  static std::size_t slot(TimerKind kind) { return static_cast<std::size_t>(kind); }
  bool pending(TimerKind kind) const { return expected[slot(kind)] != 0; }
  void schedule(TimerKind kind, Millis delayMs, Actions& actions) {
    cancelTimer(kind, actions);
    expected[slot(kind)] = ++timerSequence;
    actions.timers.push_back({kind, delayMs, timerSequence});
  }
  void cancelTimer(TimerKind kind, Actions& actions) {
    if (timerIds[slot(kind)]) actions.cancelTimers.push_back(timerIds[slot(kind)]);
    timerIds[slot(kind)] = 0;
    expected[slot(kind)] = 0;
  }
  void cancelAllTimers(Actions& actions) {
    for (const TimerKind kind : {TimerKind::reconnect, TimerKind::poll, TimerKind::idle}) cancelTimer(kind, actions);
  }

  void connect(Actions& actions) {
    if (!connects) {
      setConnection(ConnectionState::idle, actions);
      if (config.fallbackPollMs > 0 && !pending(TimerKind::poll)) schedule(TimerKind::poll, config.fallbackPollMs, actions);
      return;
    }
    ++generation;
    stream = 0;
    streamAccepted = false;
    parser.reset();
    HttpRequest request;
    request.url = url;
    request.path = config.path;
    request.headers.add("Accept", "text/event-stream");
    request.headers.add("Cache-Control", "no-store");
    if (version) request.headers.add("Last-Event-ID", std::to_string(*version));
    request.timeoutMs = connectTimeoutMs;
    actions.open = std::move(request);
    actions.openGeneration = generation;
    setConnection(version || failures > 0 ? ConnectionState::reconnecting : ConnectionState::connecting, actions);
    if (config.fallbackPollMs > 0 && !pending(TimerKind::poll)) schedule(TimerKind::poll, config.fallbackPollMs, actions);
  }

  // Drops the current stream (if any) without reconnecting.
  void dropStream(Actions& actions) {
    if (stream) actions.close = stream;
    stream = 0;
    ++generation;
    cancelTimer(TimerKind::idle, actions);
  }

  void scheduleReconnect(Actions& actions) {
    ++failures;
    BackoffPolicy policy;
    policy.baseDelayMs = serverRetryMs > 0 ? serverRetryMs : config.reconnectBaseMs;
    policy.maxDelayMs = config.maxReconnectDelayMs;
    const Millis delay = std::max(backoffDelay(policy, failures, deps.random()), retryAfterMs);
    retryAfterMs = 0;
    setConnection(ConnectionState::reconnecting, actions);
    schedule(TimerKind::reconnect, delay, actions);
    if (config.fallbackPollMs > 0 && !pending(TimerKind::poll)) schedule(TimerKind::poll, config.fallbackPollMs, actions);
    log(LogLevel::info, "reconnecting in " + std::to_string(delay) + " ms (attempt " + std::to_string(failures) + ")");
  }

  void onEvent(const StreamEvent& event, Actions& actions) {
    const auto id = parseNonNegativeDecimal(event.lastEventId);
    if (event.type == "subscribed") {
      // Resumed: the stream carries on from our version (the server says so by naming it).
      // Anything else (a first subscription, or a stream relayed from another tab that is
      // elsewhere) may hide changes from us: resync, and go on from the stream's version.
      const bool resumed = version.has_value() && id == version;
      if (id) version = *id;
      failures = 0;
      setConnection(ConnectionState::live, actions);
      cancelTimer(TimerKind::poll, actions);
      if (!resumed) hook(hooks.resync, actions);
    } else if (event.type == "change") {
      // Versions grow by one per change, and the server turns a gap of its own into a reset:
      // one past the next is a defence (against a proxy or relay that dropped events), not
      // a case the server makes; what went unheard may be anything, so all is revalidated.
      const bool gap = id && version && *id > *version + 1;
      if (id) version = *id;
      lastChangeAt = now();
      if (gap) {
        log(LogLevel::warn, "the stream skipped to version " + event.lastEventId + "; revalidating everything");
        hook(hooks.resync, actions);
      } else if (hooks.changed) {
        actions.hooks.push_back([hook = hooks.changed, endpoints = endpointsNamedIn(event.data)] { hook(endpoints); });
      }
      announce(actions);
    } else if (event.type == "reset") {
      if (id) version = *id;
      log(LogLevel::info, "the server reset the client to version " + event.lastEventId);
      hook(hooks.resync, actions);
      announce(actions);
    }
  }

  void onResponse(std::uint64_t of, int status, const Headers& headers, Actions& actions) {
    if (of != generation) return;
    const std::string type = headers.get("Content-Type").value_or("");
    streamAccepted = status == 200 && type.rfind("text/event-stream", 0) == 0;
    if (streamAccepted) {
      // Silence from here on, even before the first event, is a dead connection.
      lastByteAt = now();
      schedule(TimerKind::idle, config.idleTimeoutMs, actions);
      return;
    }
    // Seconds or an HTTP-date, as for any request (parseRetryAfter saturates, never overflows).
    const auto retryAfter = parseRetryAfter(headers.get("Retry-After").value_or(""), now());
    retryAfterMs = retryAfter ? std::min<Millis>(*retryAfter, config.maxReconnectDelayMs) : 0;
    log(LogLevel::warn, "the server refused the stream with status " + std::to_string(status));
  }

  void onData(std::uint64_t of, std::string_view bytes, Actions& actions) {
    if (of != generation || !streamAccepted) return;
    lastByteAt = now();
    EventStreamHandlers handlers;
    handlers.onEvent = [&](const StreamEvent& event) { onEvent(event, actions); };
    handlers.onRetry = [&](Millis retryMs) { serverRetryMs = std::clamp<Millis>(retryMs, 1, config.maxReconnectDelayMs); };
    if (!parser.feed(bytes, handlers)) {
      log(LogLevel::warn, "the stream sent a line too long to be an event; reconnecting");
      dropStream(actions);
      scheduleReconnect(actions);
      return;
    }
    if (connection == ConnectionState::live) hook(hooks.confirmed, actions);
    if (!pending(TimerKind::idle)) schedule(TimerKind::idle, config.idleTimeoutMs, actions);
  }

  void onEnd(std::uint64_t of, const std::optional<TransportFailure>& failure, Actions& actions) {
    if (of != generation) return;
    stream = 0;
    ++generation;
    cancelTimer(TimerKind::idle, actions);
    if (stopped || !online) return;
    log(LogLevel::info, failure ? "the stream broke: " + failure->message : std::string("the server ended the stream"));
    scheduleReconnect(actions);
  }

  void onTimer(const Actions::Timer& timer, Actions& actions) {
    if (expected[slot(timer.kind)] != timer.sequence || stopped || !online) return;
    expected[slot(timer.kind)] = 0;
    timerIds[slot(timer.kind)] = 0;
    switch (timer.kind) {
      case TimerKind::reconnect:
        connect(actions);
        return;
      case TimerKind::poll:
        if (connection == ConnectionState::live) return;
        hook(hooks.poll, actions);
        schedule(TimerKind::poll, config.fallbackPollMs, actions);
        return;
      case TimerKind::idle: {
        if (!stream) return;
        const Millis silent = now() - lastByteAt;
        if (silent < config.idleTimeoutMs) {
          schedule(TimerKind::idle, config.idleTimeoutMs - silent, actions);
          return;
        }
        log(LogLevel::warn, "nothing heard for " + std::to_string(silent) + " ms; reconnecting");
        dropStream(actions);
        scheduleReconnect(actions);
        return;
      }
    }
  }
};

namespace {

void run(const std::shared_ptr<LiveFeed::State>& state, Actions actions);

StreamHandlers handlersFor(const std::weak_ptr<LiveFeed::State>& weak, std::uint64_t generation) {
  const auto apply = [weak](auto&& decide) {
    const auto state = weak.lock();
    if (!state) return;
    Actions actions;
    {
      std::lock_guard lock(state->mutex);
      if (state->stopped) return;
      decide(*state, actions);
    }
    run(state, std::move(actions));
  };
  StreamHandlers handlers;
  handlers.onResponse = [apply, generation](int status, const Headers& headers) {
    apply([&](LiveFeed::State& s, Actions& a) { s.onResponse(generation, status, headers, a); });
  };
  handlers.onData = [apply, generation](std::string_view bytes) {
    apply([&](LiveFeed::State& s, Actions& a) { s.onData(generation, bytes, a); });
  };
  handlers.onEnd = [apply, generation](std::optional<TransportFailure> failure) {
    apply([&](LiveFeed::State& s, Actions& a) { s.onEnd(generation, failure, a); });
  };
  return handlers;
}

void run(const std::shared_ptr<LiveFeed::State>& state, Actions actions) {
  const std::weak_ptr<LiveFeed::State> weak = state;
  if (actions.close) state->deps.stream->close(actions.close);
  for (const TimerId id : actions.cancelTimers) state->deps.scheduler->cancel(id);
  for (const Actions::Timer& timer : actions.timers) {
    const TimerId id = state->deps.scheduler->runAfter(timer.delayMs, [weak, timer] {
      const auto alive = weak.lock();
      if (!alive) return;
      Actions next;
      {
        std::lock_guard lock(alive->mutex);
        alive->onTimer(timer, next);
      }
      run(alive, std::move(next));
    });
    std::lock_guard lock(state->mutex);
    const std::size_t slot = LiveFeed::State::slot(timer.kind);
    // Still pending: keep its id for an early cancel. Otherwise it was cancelled or has
    // fired already, and cancelling it is harmless.
    if (state->expected[slot] == timer.sequence) {
      state->timerIds[slot] = id;
    } else {
      state->deps.scheduler->cancel(id);
    }
  }
  if (actions.open) {
    const RequestId id = state->deps.stream->open(std::move(*actions.open), handlersFor(weak, actions.openGeneration));
    std::lock_guard lock(state->mutex);
    if (state->generation == actions.openGeneration) {
      state->stream = id;
    } else {
      state->deps.stream->close(id);  // dropped (stop, offline) before it was even open
    }
  }
  for (const auto& hook : actions.hooks) hook();
}

}  // namespace

std::shared_ptr<LiveFeed> LiveFeed::create(LiveConfig config, std::string url, Millis connectTimeoutMs,
                                           LiveFeedDependencies dependencies, LiveFeedHooks hooks) {
  auto state = std::make_shared<State>(std::move(config), std::move(url), connectTimeoutMs, std::move(dependencies),
                                       std::move(hooks));
  return std::shared_ptr<LiveFeed>(new LiveFeed(std::move(state)));
}

LiveFeed::~LiveFeed() { stop(); }

void LiveFeed::start() {
  Actions actions;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->started || state_->stopped) return;
    state_->started = true;
    if (!state_->online) {
      state_->setConnection(ConnectionState::offline, actions);
    } else {
      state_->connect(actions);
    }
  }
  run(state_, std::move(actions));
}

void LiveFeed::stop() {
  Actions actions;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return;
    state_->stopped = true;
    state_->dropStream(actions);
    state_->cancelAllTimers(actions);
  }
  actions.hooks.clear();
  run(state_, std::move(actions));
}

void LiveFeed::setOnline(bool online) {
  Actions actions;
  {
    std::lock_guard lock(state_->mutex);
    State& s = *state_;
    if (s.stopped || s.online == online) return;
    s.online = online;
    if (!s.started) return;
    s.dropStream(actions);
    s.cancelAllTimers(actions);
    if (!online) {
      s.setConnection(ConnectionState::offline, actions);
    } else {
      s.failures = 0;
      s.connect(actions);
    }
  }
  run(state_, std::move(actions));
}

bool LiveFeed::connects() const { return state_->connects; }  // const: no lock needed

ConnectionChangedEvent LiveFeed::status() const {
  std::lock_guard lock(state_->mutex);
  return state_->statusLocked();
}

}  // namespace livedata
