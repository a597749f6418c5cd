#include "cache/invalidation_log.h"

namespace livedata::server {

// ---------------------------------------------------------------- InvalidationLog

std::uint64_t InvalidationLog::currentEpoch() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return epoch_;
}

void InvalidationLog::record(const std::vector<KeyPattern>& patterns) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& pattern : patterns) {
    entries_.push_back(Entry{++epoch_, pattern});
    if (entries_.size() > kSize) entries_.pop_front();
  }
}

bool InvalidationLog::invalidatedSince(const std::string& resourceKey, std::uint64_t epoch) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (epoch_ == epoch) return false;
  // Epochs are consecutive: the log must still hold epoch + 1 to answer "no".
  if (entries_.empty() || entries_.front().epoch > epoch + 1) return true;
  for (auto it = entries_.rbegin(); it != entries_.rend() && it->epoch > epoch; ++it) {
    if (it->pattern.matches(resourceKey)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- StoreGate

void StoreGate::lockShared() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !writer_ && writersWaiting_ == 0; });
  ++sharedHolders_;
}

void StoreGate::unlockShared() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--sharedHolders_ == 0) changed_.notify_all();
}

void StoreGate::lock() {
  std::unique_lock<std::mutex> lock(mutex_);
  ++writersWaiting_;
  changed_.wait(lock, [&] { return !writer_ && sharedHolders_ == 0; });
  --writersWaiting_;
  writer_ = true;
}

void StoreGate::unlock() {
  std::lock_guard<std::mutex> lock(mutex_);
  writer_ = false;
  changed_.notify_all();
}

}  // namespace livedata::server
