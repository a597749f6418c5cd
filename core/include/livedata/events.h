// A typed event bus for the UI. Subscriptions are RAII handles; a listener may
// unsubscribe itself or others, or subscribe new listeners, while an event is being
// dispatched: dispatch works on a snapshot, and a listener removed during dispatch is not
// called afterwards. Thread-safe; listeners run on the dispatching thread, outside any lock.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "livedata/callback.h"
#include "livedata/errors.h"
#include "livedata/types.h"

namespace livedata {

// forceRefreshData() was called for these endpoints (all five when none were named).
struct ForceDataRefreshEvent {
  std::vector<std::string> endpoints;
};
// New data for a key arrived from the server (fromCache false), or the server confirmed
// the cached data with a 304 (fromCache true). Plain cache hits emit nothing.
struct DataUpdatedEvent {
  std::string endpoint;
  std::string key;
  Millis updatedAt = 0;
  bool fromCache = false;
};
// A request failed after its retries; `servedStale` tells whether cached data was served.
struct DataErrorEvent {
  std::string endpoint;
  std::string key;
  Error error;
  bool servedStale = false;
};
// A cached entry just turned stale (emitted once per fetch, by Client::tick).
struct DataStaleEvent {
  std::string endpoint;
  std::string key;
  Millis lastUpdated = 0;
  Millis ageMs = 0;
};
// A key started or stopped loading from the network.
struct LoadingChangedEvent {
  std::string endpoint;
  std::string key;
  bool loading = false;
};

// The cache dropped an entry: evicted to stay within its limits, removed (a no-store
// answer), or cleared. Its id (FetchResult::entryId) is never used again, so whatever an
// adapter keeps per entry (parsed data) can go, and stays bounded by the cache's limits.
struct EntryRemovedEvent {
  std::string endpoint;
  std::string key;
  std::uint64_t entryId = 0;
};

// The live feed's connection (docs/api.md, "Live changes").
enum class ConnectionState {
  idle,          // nothing watched yet, or no stream transport: the feed is not in use
  connecting,    // the first connection is being made
  live,          // subscribed: every change reaches the client as it is committed
  reconnecting,  // the connection broke; the next attempt waits its backoff
  offline,       // the platform reports no network
};
const char* toString(ConnectionState state);  // "idle", "connecting", "live", ...

// The connection changed state, or a change arrived while live.
struct ConnectionChangedEvent {
  ConnectionState state = ConnectionState::idle;
  std::int64_t version = 0;  // the last change version the client has seen; 0 before any
  Millis lastChangeAt = 0;   // when the last change arrived; 0 before any
};

// A request failed and will be tried again in `delayMs` (at `retryAt`, on the client's
// clock): the backoff, or the wait the server asked for (a 429's or 503's Retry-After). The
// key keeps loading until then; `error` is the failure (its `attempts` made so far), so a
// page can say why it waits and for how long rather than only that it loads.
struct RetryScheduledEvent {
  std::string endpoint;
  std::string key;
  Error error;
  Millis delayMs = 0;
  Millis retryAt = 0;
};

using Event = std::variant<ForceDataRefreshEvent, DataUpdatedEvent, DataErrorEvent, DataStaleEvent,
                           LoadingChangedEvent, EntryRemovedEvent, ConnectionChangedEvent, RetryScheduledEvent>;

enum class EventType {
  forceDataRefresh,
  dataUpdated,
  dataError,
  dataStale,
  loadingChanged,
  entryRemoved,
  connectionChanged,
  retryScheduled
};

EventType typeOf(const Event& event);
// "forceDataRefresh", "dataUpdated", "dataError", "dataStale", "loadingChanged", "entryRemoved",
// "connectionChanged", "retryScheduled"
const char* toString(EventType type);

using EventListener = Callback<void(const Event&)>;

class EventBus;

// Unsubscribes when destroyed or reset. Outliving the bus is safe.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&&) noexcept = default;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

  void reset();
  bool active() const;

 private:
  friend class EventBus;
  struct Registry;
  Subscription(std::weak_ptr<Registry> registry, std::uint64_t id);

  std::weak_ptr<Registry> registry_;
  std::uint64_t id_ = 0;
};

class EventBus {
 public:
  EventBus();

  // Listens to one type of event, or to all when `type` is empty.
  [[nodiscard]] Subscription subscribe(std::optional<EventType> type, EventListener listener);

  // Typed convenience: bus.on<DataUpdatedEvent>([](const DataUpdatedEvent& e) { ... }).
  template <typename E>
  [[nodiscard]] Subscription on(Callback<void(const E&)> listener) {
    return subscribe(typeOf(Event{E{}}), [listener = std::move(listener)](const Event& event) {
      listener(std::get<E>(event));
    });
  }

  void dispatch(const Event& event) const;
  std::size_t listenerCount() const;

 private:
  std::shared_ptr<Subscription::Registry> registry_;
};

}  // namespace livedata
