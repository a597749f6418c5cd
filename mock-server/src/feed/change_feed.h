// The live feed's state in one server: the tail of the store's change log in memory, the
// subscribers' slots, and the wait a subscriber makes for what it has not seen yet
// (docs/api.md, "Live changes"). Knows nothing of HTTP: change_routes serve it as an event
// stream and as long-poll JSON.
//
// Invariant: the tail holds consecutive versions ending at currentVersion() (or nothing).
// A client at version v is told every change after v while v is within the tail, and to
// reset (revalidate all it holds) when v is older, or newer than the store has (the
// database was replaced): never a silent gap.
//
// Threading: every member is safe to call from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <optional>
#include <vector>

#include "feed/change_signal.h"
#include "model/change.h"

namespace livedata::server {

struct ChangeFeedOptions {
  // Event streams and waiting long-polls held at once; past it subscribe() refuses. >= 1.
  std::size_t maxSubscribers = 1000;
  // Changes kept for clients that resume: the store's change log capacity. >= 1.
  std::size_t replayCapacity = 1000;
  // How often an idle event stream gets a heartbeat comment. Under the 60 s after which
  // proxies (nginx's proxy_read_timeout) close an idle connection. >= 1.
  int heartbeatSeconds = 15;
  // The reconnection delay the stream advises clients (its `retry:` field), in ms; clients
  // wait a random time up to it (and up to more on later failures).
  int retryMs = 1000;
  // The longest wait a long-poll may ask for (?wait=S), in seconds.
  static constexpr int kMaxWaitSeconds = 60;
};

// A change as the feed keeps it: its wire forms encoded once, when it is published, and
// shared by every subscriber it reaches (encoding it per stream cost more than writing it).
struct PublishedChange {
  explicit PublishedChange(Change change);
  Change change;
  std::string noticeJson;  // changeNoticeJson(change)
  std::string event;       // changeEvent(change)
};
using PublishedChangePtr = std::shared_ptr<const PublishedChange>;

// What a client at some version has to learn.
struct Catchup {
  enum class Kind {
    changes,   // `changes` are what it missed, oldest first (maybe not all: ask again)
    reset,     // its version is not in the tail: it revalidates everything
    timedOut,  // nothing happened before the deadline
    stopped,   // the feed stopped: the client reconnects later
  };
  Kind kind = Kind::timedOut;
  std::vector<PublishedChangePtr> changes;
  std::int64_t version = 0;  // the feed's current version when answered
};

class ChangeFeed {
 public:
  // `recent`: the change log's newest entries, oldest first; `currentVersion`: the store's.
  ChangeFeed(const ChangeFeedOptions& options, std::vector<Change> recent, std::int64_t currentVersion);

  // Adds a committed change and wakes every waiter. Changes come in version order; one
  // that does not follow the current version (a change was never published) empties the
  // tail, so clients from before it reset rather than miss it.
  void publish(Change change);

  std::int64_t currentVersion() const;

  // One subscriber's slot, held while its stream or long-poll lasts.
  class Subscription {
   public:
    explicit Subscription(ChangeFeed& feed) : feed_(&feed) {}
    Subscription(Subscription&& other) noexcept : feed_(other.feed_) { other.feed_ = nullptr; }
    Subscription& operator=(Subscription&&) = delete;
    Subscription(const Subscription&) = delete;
    ~Subscription();

   private:
    ChangeFeed* feed_;
  };
  // A slot, or nullopt when maxSubscribers are held or the feed stopped.
  std::optional<Subscription> subscribe();
  std::size_t subscribers() const;
  std::size_t maxSubscribers() const { return options_.maxSubscribers; }

  // What a client at `version` missed (at most `limit` changes): at once when anything,
  // else when the next change comes, `deadline` passes or stop() is called.
  Catchup waitAfter(std::int64_t version, std::chrono::steady_clock::time_point deadline, std::size_t limit) const;

  // Waits until `version` (or a later one) is published: true then, false when `deadline`
  // passes or the feed stops first.
  bool waitUntilPublished(std::int64_t version, std::chrono::steady_clock::time_point deadline) const;

  // Ends every wait (with Kind::stopped) and refuses new subscribers, for shutdown.
  void stop();

  // Called after every publish and after stop() (with no lock of the feed's state held), for
  // a subscriber that cannot block in waitAfter (an event loop). One listener at a time;
  // once this returns, the one it replaced is not running. The listener must be quick and
  // must not call back into the feed.
  void setChangeListener(std::function<void()> listener);
  bool stopped() const;

 private:
  Catchup catchupLocked(std::int64_t version, std::size_t limit) const;  // REQUIRES: mutex_ (shared)
  // Calls answer(deadline passed) under a shared lock at once and after every publish or
  // stop until it returns a value, and returns that.
  template <typename Answer>
  auto waitUntil(std::chrono::steady_clock::time_point deadline, Answer answer) const;

  const ChangeFeedOptions options_;
  mutable std::shared_mutex mutex_;
  ChangeSignal signal_;  // wakes waitAfter() on a change or stop()
  void notifyListener();
  std::mutex listenerMutex_;
  std::function<void()> listener_;  // GUARDED_BY(listenerMutex_)
  std::deque<PublishedChangePtr> tail_;  // GUARDED_BY(mutex_)
  std::int64_t version_ = 0;       // GUARDED_BY(mutex_)
  std::size_t subscribers_ = 0;    // GUARDED_BY(mutex_)
  bool stopped_ = false;           // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
