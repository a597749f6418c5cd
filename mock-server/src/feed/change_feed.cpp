#include "feed/change_feed.h"

#include <algorithm>
#include <utility>

#include "feed/change_notice.h"

namespace livedata::server {

PublishedChange::PublishedChange(Change published)
    : change(std::move(published)), noticeJson(changeNoticeJson(change)), event(changeEvent(change)) {}

ChangeFeed::ChangeFeed(const ChangeFeedOptions& options, std::vector<Change> recent, std::int64_t currentVersion)
    : options_(options), version_(currentVersion) {
  // Keep only a run of consecutive versions that ends at the current one.
  for (auto it = recent.rbegin(); it != recent.rend() && tail_.size() < options_.replayCapacity; ++it) {
    const std::int64_t expected = tail_.empty() ? currentVersion : tail_.front()->change.version - 1;
    if (it->version != expected) break;
    tail_.push_front(std::make_shared<const PublishedChange>(std::move(*it)));
  }
}

void ChangeFeed::publish(Change change) {
  auto published = std::make_shared<const PublishedChange>(std::move(change));  // encoded outside the lock
  {
    std::unique_lock lock(mutex_);
    const std::int64_t version = published->change.version;
    if (version <= version_) return;  // already known: publishing twice changes nothing
    if (version != version_ + 1) tail_.clear();
    version_ = version;
    tail_.push_back(std::move(published));
    while (tail_.size() > options_.replayCapacity) tail_.pop_front();
  }
  signal_.wakeAll();
  notifyListener();
}

void ChangeFeed::setChangeListener(std::function<void()> listener) {
  std::lock_guard lock(listenerMutex_);
  listener_ = std::move(listener);
}

void ChangeFeed::notifyListener() {
  // Called under its own lock, so that once setChangeListener returns, the listener it
  // replaced is not running and never runs again.
  std::lock_guard lock(listenerMutex_);
  if (listener_) listener_();
}

std::int64_t ChangeFeed::currentVersion() const {
  std::shared_lock lock(mutex_);
  return version_;
}

ChangeFeed::Subscription::~Subscription() {
  if (!feed_) return;
  std::unique_lock lock(feed_->mutex_);
  --feed_->subscribers_;
}

std::optional<ChangeFeed::Subscription> ChangeFeed::subscribe() {
  std::unique_lock lock(mutex_);
  if (stopped_ || subscribers_ >= options_.maxSubscribers) return std::nullopt;
  ++subscribers_;
  return Subscription(*this);
}

std::size_t ChangeFeed::subscribers() const {
  std::shared_lock lock(mutex_);
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
  const bool inTail = version >= 0 && version < version_ && !tail_.empty() && version >= tail_.front()->change.version - 1;
  if (!inTail) {
    catchup.kind = Catchup::Kind::reset;
    return catchup;
  }
  catchup.kind = Catchup::Kind::changes;
  const std::size_t first = static_cast<std::size_t>(version - (tail_.front()->change.version - 1));
  const std::size_t count = std::min(limit, tail_.size() - first);
  catchup.changes.assign(tail_.begin() + static_cast<std::ptrdiff_t>(first),
                         tail_.begin() + static_cast<std::ptrdiff_t>(first + count));
  return catchup;
}

template <typename Answer>
auto ChangeFeed::waitUntil(std::chrono::steady_clock::time_point deadline, Answer answer) const {
  for (;;) {
    const std::uint32_t seen = signal_.sequence();  // before the check: see ChangeSignal
    {
      std::shared_lock lock(mutex_);  // waiters read side by side
      const bool late = std::chrono::steady_clock::now() >= deadline;
      if (auto answered = answer(late)) return std::move(*answered);
    }
    signal_.waitWhile(seen, deadline);
  }
}

Catchup ChangeFeed::waitAfter(std::int64_t version, std::chrono::steady_clock::time_point deadline,
                              std::size_t limit) const {
  return waitUntil(deadline, [&](bool late) -> std::optional<Catchup> {
    if (stopped_ || version_ != version || late) return catchupLocked(version, limit);
    return std::nullopt;
  });
}

bool ChangeFeed::waitUntilPublished(std::int64_t version, std::chrono::steady_clock::time_point deadline) const {
  return waitUntil(deadline, [&](bool late) -> std::optional<bool> {
    if (version_ >= version) return true;
    if (stopped_ || late) return false;
    return std::nullopt;
  });
}

void ChangeFeed::stop() {
  {
    std::unique_lock lock(mutex_);
    stopped_ = true;
  }
  signal_.wakeAll();
  notifyListener();
}

bool ChangeFeed::stopped() const {
  std::shared_lock lock(mutex_);
  return stopped_;
}

}  // namespace livedata::server
