// The invalidation log and its gate: what the race rule of the shared response cache rests on.
//
// An invalidation must be applied AFTER the data behind its keys changed. A computation that
// started before an invalidation covering its key may have read the old data, so its result
// must not be stored. The invariant:
//
//   every invalidation gets the next epoch number and is kept, with its pattern, in the log;
//   every flight remembers the epoch current when it started (before `compute` reads any
//   data); a result is stored only if no invalidation after that epoch matches its key,
//   and that check and the store happen together under the shared side of the StoreGate,
//   while recording an invalidation takes its exclusive side.
//
// So a store either completed before the invalidation was recorded (and the invalidation,
// which deletes after recording, removes it), or it sees the invalidation and is skipped.
// The log keeps the last kSize invalidations; a flight older than that is treated as
// invalidated (a wasted store, never a stale one). For the same reason a request does not
// join a flight that an invalidation has overtaken: it starts a new one.
//
// Threading: both classes are safe from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "cache/cache_backend.h"

namespace livedata::server {

class InvalidationLog {
 public:
  static constexpr std::size_t kSize = 4096;

  // The epoch of the latest invalidation recorded (0: none yet).
  std::uint64_t currentEpoch() const;
  // Gives each pattern the next epoch. REQUIRES: the StoreGate held exclusively.
  void record(const std::vector<KeyPattern>& patterns);
  // Whether an invalidation recorded after `epoch` matches `resourceKey`; also true when the
  // log no longer reaches back that far.
  bool invalidatedSince(const std::string& resourceKey, std::uint64_t epoch) const;

 private:
  struct Entry {
    std::uint64_t epoch;
    KeyPattern pattern;
  };

  mutable std::mutex mutex_;
  std::uint64_t epoch_ = 0;      // GUARDED_BY(mutex_); invalidations recorded
  std::deque<Entry> entries_;    // GUARDED_BY(mutex_); the latest ones
};

// The shared side is held by a store (check + put); the exclusive side records an
// invalidation or switches backends. Writer-preferring: a waiting exclusive locker stops
// new shared lockers, so invalidations are not starved by a stream of stores.
class StoreGate {
 public:
  void lockShared();
  void unlockShared();
  void lock();
  void unlock();

  // Holds the shared side for its lifetime.
  class SharedLock {
   public:
    explicit SharedLock(StoreGate& gate) : gate_(gate) { gate_.lockShared(); }
    ~SharedLock() { gate_.unlockShared(); }
    SharedLock(const SharedLock&) = delete;
    SharedLock& operator=(const SharedLock&) = delete;

   private:
    StoreGate& gate_;
  };

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int sharedHolders_ = 0;     // GUARDED_BY(mutex_)
  int writersWaiting_ = 0;    // GUARDED_BY(mutex_)
  bool writer_ = false;       // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
