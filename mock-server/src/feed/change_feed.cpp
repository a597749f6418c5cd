#include "feed/change_feed.h"

#include <algorithm>
#include <utility>

namespace livedata::server {

ChangeFeed::ChangeFeed(const ChangeFeedOptions& options, std::vector<Change> recent, std::int64_t currentVersion)
    : options_(options), version_(currentVersion) {
  // Keep only a run of consecutive versions that ends at the current one.
  for (auto it = recent.rbegin(); it != recent.rend() && tail_.size() < options_.replayCapacity; ++it) {
    const std::int64_t expected = tail_.empty() ? currentVersion : tail_.front().version - 1;
    if (it->version != expected) break;
    tail_.push_front(std::move(*it));
  }
}

void ChangeFeed::publish(Change change) {
  {
    std::lock_guard lock(mutex_);
    if (change.version <= version_) return;  // already known: publishing twice changes nothing
    if (change.version != version_ + 1) tail_.clear();
    version_ = change.version;
    tail_.push_back(std::move(change));
    while (tail_.size() > options_.replayCapacity) tail_.pop_front();
  }
  changed_.notify_all();
}

std::int64_t ChangeFeed::currentVersion() const {
  std::lock_guard lock(mutex_);
  return version_;
}

ChangeFeed::Subscription::~Subscription() {
  if (!feed_) return;
  std::lock_guard lock(feed_->mutex_);
  --feed_->subscribers_;
}

std::optional<ChangeFeed::Subscription> ChangeFeed::subscribe() {
  std::lock_guard lock(mutex_);
  if (stopped_ || subscribers_ >= options_.maxSubscribers) return std::nullopt;
  ++subscribers_;
  return Subscription(*this);
}

std::size_t ChangeFeed::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_;
}

Catchup ChangeFeed::catchupLocked(std::int64_t version, std::size_t limit) const {
  Catchup catchup;
  catchup.version = version_;
  if (stopped_) {
    catchup.kind = Catchup::Kind::stopped;
    return catchup;
  }
  if (version == version_) {
    catchup.kind = Catchup::Kind::timedOut;
    return catchup;
  }
  const bool inTail = version >= 0 && version < version_ && !tail_.empty() && version >= tail_.front().version - 1;
  if (!inTail) {
    catchup.kind = Catchup::Kind::reset;
    return catchup;
  }
  catchup.kind = Catchup::Kind::changes;
  const std::size_t first = static_cast<std::size_t>(version - (tail_.front().version - 1));
  const std::size_t count = std::min(limit, tail_.size() - first);
  catchup.changes.assign(tail_.begin() + static_cast<std::ptrdiff_t>(first),
                         tail_.begin() + static_cast<std::ptrdiff_t>(first + count));
  return catchup;
}

Catchup ChangeFeed::waitAfter(std::int64_t version, std::chrono::steady_clock::time_point deadline,
                              std::size_t limit) const {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [&] { return stopped_ || version_ != version; });
  return catchupLocked(version, limit);
}

void ChangeFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool ChangeFeed::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

}  // namespace livedata::server
