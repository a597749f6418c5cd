#include "livedata/events.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <utility>

namespace livedata {

// Copy-on-write listener list: dispatch, the frequent operation, takes the lock once to
// share the current list and then calls listeners without it, while (un)subscribing, which
// is rare, publishes a new list. A list being dispatched therefore never changes under the
// dispatch, and listeners may (un)subscribe during it. A record removed mid-dispatch is
// skipped through its `removed` flag, which is set before the removal is published.
struct Subscription::Registry {
  struct Record {
    std::uint64_t id = 0;
    std::optional<EventType> type;
    EventListener listener;
    std::atomic<bool> removed{false};
  };
  using Records = std::vector<std::shared_ptr<Record>>;

  mutable std::mutex mutex;
  std::shared_ptr<const Records> records = std::make_shared<const Records>();  // guarded by mutex
  std::uint64_t nextId = 1;                                                    // guarded by mutex

  std::shared_ptr<const Records> current() const {
    std::lock_guard<std::mutex> lock(mutex);
    return records;
  }

  // Returns the new record's id.
  std::uint64_t add(std::shared_ptr<Record> record) {
    std::lock_guard<std::mutex> lock(mutex);
    record->id = nextId++;
    auto next = std::make_shared<Records>();
    next->reserve(records->size() + 1);
    next->insert(next->end(), records->begin(), records->end());
    next->push_back(record);
    records = std::move(next);  // every record of the old list is in the new one
    return record->id;
  }

  void remove(std::uint64_t id) {
    // The old list may hold the last reference to the removed record, whose listener's
    // captures may unsubscribe in their destructors: they must not find the lock held.
    std::shared_ptr<const Records> retired;
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = std::find_if(records->begin(), records->end(), [&](const auto& r) { return r->id == id; });
    if (it == records->end()) return;
    (*it)->removed.store(true, std::memory_order_release);
    auto next = std::make_shared<Records>();
    next->reserve(records->size() - 1);
    next->insert(next->end(), records->begin(), it);
    next->insert(next->end(), std::next(it), records->end());
    retired = std::exchange(records, std::move(next));
  }
};

EventType typeOf(const Event& event) { return static_cast<EventType>(event.index()); }

const char* toString(EventType type) {
  switch (type) {
    case EventType::forceDataRefresh: return "forceDataRefresh";
    case EventType::dataUpdated: return "dataUpdated";
    case EventType::dataError: return "dataError";
    case EventType::dataStale: return "dataStale";
    case EventType::loadingChanged: return "loadingChanged";
    case EventType::entryRemoved: return "entryRemoved";
    case EventType::connectionChanged: return "connectionChanged";
    case EventType::retryScheduled: return "retryScheduled";
  }
  return "unknown";
}

const char* toString(ConnectionState state) {
  switch (state) {
    case ConnectionState::idle: return "idle";
    case ConnectionState::connecting: return "connecting";
    case ConnectionState::live: return "live";
    case ConnectionState::reconnecting: return "reconnecting";
    case ConnectionState::offline: return "offline";
  }
  return "unknown";
}

Subscription::Subscription(std::weak_ptr<Registry> registry, std::uint64_t id)
    : registry_(std::move(registry)), id_(id) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::move(other.registry_);
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

Subscription::~Subscription() { reset(); }

void Subscription::reset() {
  if (const auto registry = registry_.lock()) registry->remove(id_);
  registry_.reset();
  id_ = 0;
}

bool Subscription::active() const {
  const auto registry = registry_.lock();
  if (!registry) return false;
  const auto records = registry->current();
  return std::any_of(records->begin(), records->end(), [&](const auto& r) { return r->id == id_; });
}

EventBus::EventBus() : registry_(std::make_shared<Subscription::Registry>()) {}

Subscription EventBus::subscribe(std::optional<EventType> type, EventListener listener) {
  auto record = std::make_shared<Subscription::Registry::Record>();
  record->type = type;
  record->listener = std::move(listener);
  const std::uint64_t id = registry_->add(std::move(record));
  return Subscription(registry_, id);
}

void EventBus::dispatch(const Event& event) const {
  const EventType type = typeOf(event);
  const auto records = registry_->current();  // a snapshot: later (un)subscribes publish a new list
  for (const auto& record : *records) {
    if (record->type && *record->type != type) continue;
    // Unsubscribed by an earlier listener of this dispatch (or by another thread).
    if (record->removed.load(std::memory_order_acquire)) continue;
    record->listener(event);
  }
}

std::size_t EventBus::listenerCount() const { return registry_->current()->size(); }

}  // namespace livedata
