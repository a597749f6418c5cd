#include "cache/memory_backend.h"

#include <chrono>
#include <utility>

namespace livedata::server {

std::size_t entryBytes(const std::string& resourceKey, const Representation& value) {
  return resourceKey.size() + value.body.size() + value.etag.size() + value.gzipBody.size() +
         value.gzipEtag.size();
}

MemoryCacheBackend::MemoryCacheBackend(MemoryBackendLimits limits, std::function<Millis()> steadyNowMs)
    : limits_(limits), steadyNowMs_(std::move(steadyNowMs)) {}

Millis MemoryCacheBackend::now() const {
  if (steadyNowMs_) return steadyNowMs_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void MemoryCacheBackend::eraseLocked(EntryList::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

void MemoryCacheBackend::purgeExpiredLocked(Millis nowMs) {
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->expiresAtMs <= nowMs) eraseLocked(it);
    it = next;
  }
}

std::shared_ptr<const Representation> MemoryCacheBackend::get(const std::string& resourceKey) {
  const Millis nowMs = now();
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = index_.find(resourceKey);
  if (found == index_.end()) return nullptr;
  const auto it = found->second;
  if (it->expiresAtMs <= nowMs) {
    eraseLocked(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it);
  return it->value;
}

void MemoryCacheBackend::put(const std::string& resourceKey, std::shared_ptr<const Representation> value,
                             std::chrono::seconds ttl) {
  if (!value) return;
  const std::size_t bytes = entryBytes(resourceKey, *value);
  const Millis expiresAtMs = now() + std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
  std::lock_guard<std::mutex> lock(mutex_);
  if (const auto found = index_.find(resourceKey); found != index_.end()) eraseLocked(found->second);
  if (bytes > limits_.maxBytes || limits_.maxEntries == 0) return;
  lru_.push_front(Entry{resourceKey, std::move(value), bytes, expiresAtMs});
  index_.emplace(resourceKey, lru_.begin());
  bytes_ += bytes;
  while (lru_.size() > limits_.maxEntries || bytes_ > limits_.maxBytes) {
    eraseLocked(std::prev(lru_.end()));
    ++evictions_;
  }
}

std::size_t MemoryCacheBackend::invalidate(const KeyPattern& pattern) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t removed = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (pattern.matches(it->key)) {
      eraseLocked(it);
      ++removed;
    }
    it = next;
  }
  return removed;
}

std::size_t MemoryCacheBackend::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::size_t removed = lru_.size();
  lru_.clear();
  index_.clear();
  bytes_ = 0;
  return removed;
}

BackendStats MemoryCacheBackend::stats() {
  const Millis nowMs = now();
  std::lock_guard<std::mutex> lock(mutex_);
  purgeExpiredLocked(nowMs);
  return BackendStats{lru_.size(), bytes_};
}

std::uint64_t MemoryCacheBackend::evictions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return evictions_;
}

}  // namespace livedata::server
