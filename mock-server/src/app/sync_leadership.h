// One sync leader among the instances sharing a store (docs/backend.md): a thread that keeps
// asking the store for its write lease, often enough to take it over within a fraction of
// the lease once its holder is gone, and to keep it confirmed while held. Gaining it queues
// a sync (the new leader catches up from the committed cursors); both transitions are
// logged. With SQLite the lease is always held: the first check gains it, once.
//
// Threading: construct and destroy from one thread; the callback runs on the keeper's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "app/log.h"
#include "store/store.h"

namespace livedata::server {

class SyncLeadership {
 public:
  // Checks once at once (so a leader starts syncing without waiting), then every `every`.
  // `onGained` runs each time this instance becomes the leader.
  SyncLeadership(Store& store, std::chrono::milliseconds every, std::function<void()> onGained, const Log& log);
  ~SyncLeadership();  // stop()
  SyncLeadership(const SyncLeadership&) = delete;
  SyncLeadership& operator=(const SyncLeadership&) = delete;

  void stop();

 private:
  void check();
  void loop();

  Store& store_;
  const std::chrono::milliseconds every_;
  const std::function<void()> onGained_;
  const Log& log_;
  bool leading_ = false;  // only the keeper's thread (and the constructor, before it) touch it
  std::mutex mutex_;
  std::condition_variable stopRequested_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

// How often to check a lease of `leaseMs`: a quarter of it, at most every 500 ms, so a
// follower takes over well within the lease plus a second, and the holder's session never
// looks idle to the server.
std::chrono::milliseconds leadershipCheckInterval(int leaseMs);

}  // namespace livedata::server
