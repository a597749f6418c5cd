#include "livedata/events.h"

#include <algorithm>

namespace livedata {

// Listeners live in shared records so that a dispatch in progress can keep calling a
// snapshot while the list changes, and can skip a record removed mid-dispatch.
struct Subscription::Registry {
  struct Record {
    std::uint64_t id = 0;
    std::optional<EventType> type;
    EventListener listener;
    bool removed = false;  // guarded by mutex
  };
  mutable std::mutex mutex;
  std::vector<std::shared_ptr<Record>> records;
  std::uint64_t nextId = 1;

  void remove(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = std::find_if(records.begin(), records.end(), [&](const auto& r) { return r->id == id; });
    if (it == records.end()) return;
    (*it)->removed = true;
    records.erase(it);
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
  std::lock_guard<std::mutex> lock(registry->mutex);
  return std::any_of(registry->records.begin(), registry->records.end(),
                     [&](const auto& r) { return r->id == id_; });
}

EventBus::EventBus() : registry_(std::make_shared<Subscription::Registry>()) {}

Subscription EventBus::subscribe(std::optional<EventType> type, EventListener listener) {
  std::lock_guard<std::mutex> lock(registry_->mutex);
  auto record = std::make_shared<Subscription::Registry::Record>();
  record->id = registry_->nextId++;
  record->type = type;
  record->listener = std::move(listener);
  registry_->records.push_back(record);
  return Subscription(registry_, record->id);
}

void EventBus::dispatch(const Event& event) const {
  const EventType type = typeOf(event);
  std::vector<std::shared_ptr<Subscription::Registry::Record>> snapshot;
  {
    std::lock_guard<std::mutex> lock(registry_->mutex);
    snapshot = registry_->records;
  }
  for (const auto& record : snapshot) {
    if (record->type && *record->type != type) continue;
    {
      std::lock_guard<std::mutex> lock(registry_->mutex);
      if (record->removed) continue;  // unsubscribed by an earlier listener of this dispatch
    }
    record->listener(event);
  }
}

std::size_t EventBus::listenerCount() const {
  std::lock_guard<std::mutex> lock(registry_->mutex);
  return registry_->records.size();
}

}  // namespace livedata
