#include "app/sync_leadership.h"

#include <algorithm>

namespace livedata::server {

std::chrono::milliseconds leadershipCheckInterval(int leaseMs) {
  return std::chrono::milliseconds(std::clamp(leaseMs / 4, 50, 500));
}

SyncLeadership::SyncLeadership(Store& store, std::chrono::milliseconds every, std::function<void()> onGained,
                               const Log& log)
    : store_(store), every_(every), onGained_(std::move(onGained)), log_(log) {
  check();
  thread_ = std::thread([this] { loop(); });
}

SyncLeadership::~SyncLeadership() { stop(); }

void SyncLeadership::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stopRequested_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SyncLeadership::check() {
  const bool leading = store_.holdWriteLease();
  if (leading == leading_) return;
  leading_ = leading;
  if (leading) {
    log_.info("became the sync leader", {{"fencingToken", store_.fencingToken()}, {"store", store_.engine()}});
    if (onGained_) onGained_();
  } else {
    log_.warn("lost the sync leadership: another instance holds the write lease");
  }
}

void SyncLeadership::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopRequested_.wait_for(lock, every_, [this] { return stopping_; })) {
    lock.unlock();
    check();
    lock.lock();
  }
}

}  // namespace livedata::server
