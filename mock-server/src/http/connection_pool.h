// The threads that serve an httplib server's connections, one connection per thread at a
// time (httplib's model, where a kept-alive connection keeps its thread while it idles, up
// to the keep-alive timeout). So that idle connections never make a new client wait, the
// pool grows: a connection queued while no worker is free gets a new worker, up to
// maxWorkers; workers beyond minWorkers end after `linger` without a connection.
//
// Connections held for long (event streams, long-polls) hand their thread over to
// themselves and leave the count, so they never take a worker from the data routes. How
// many may be held is the caller's bound (the change feed's maxSubscribers); a held
// connection costs one thread, which ends with it.
//
// Threading: enqueue and shutdown are httplib's calls; handOverCurrentThread is called
// from a handler running on one of the pool's threads.
#pragma once

#include <condition_variable>
#include <chrono>
#include <cstddef>
#include <deque>
#include <atomic>
#include <functional>
#include <mutex>

#include <httplib.h>

namespace livedata::server {

struct ConnectionPoolOptions {
  std::size_t minWorkers = 8;   // always ready; >= 1
  std::size_t maxWorkers = 1024;  // connections served at once; more wait in the queue; >= minWorkers
  std::chrono::milliseconds linger{30000};  // an extra worker's idle time before it ends
};

class ConnectionPool : public httplib::TaskQueue {
 public:
  explicit ConnectionPool(const ConnectionPoolOptions& options);
  ~ConnectionPool() override;  // shutdown()

  void enqueue(std::function<void()> task) override;
  // Lets the queued connections be served, then waits for every thread, held ones too
  // (their owners must end them: the change feed's stop()).
  void shutdown() override;

  // Called on the thread of a connection that will be held: starts a worker in its place,
  // and lets this thread end once the connection does. Returns false (and changes nothing)
  // on a thread that is not a worker of a ConnectionPool, or one already handed over, or
  // when no thread can be started in its place.
  static bool handOverCurrentThread();

  // Whether a task waits for a worker (every worker is busy and none can be added). Read
  // without the lock: a moment's answer, for a worker deciding whether to keep its thread.
  bool hasWaitingTasks() const { return waiting_.load(std::memory_order_relaxed) > 0; }

  // For tests and metrics.
  std::size_t workers() const;       // threads taking connections from the queue, busy or idle
  std::size_t heldThreads() const;   // threads handed over to held connections

 private:
  bool startWorker();  // REQUIRES: mutex_; false when no thread could be started
  void countWaiting();  // REQUIRES: mutex_; after tasks_ or idle_ changed
  void work();

  mutable std::mutex mutex_;
  std::condition_variable wake_;     // a task was queued, or shutdown
  std::condition_variable allDone_;  // a thread ended
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mutex_)
  std::atomic<std::size_t> waiting_{0};      // tasks_.size() beyond the idle workers; written under mutex_
  const ConnectionPoolOptions options_;
  std::size_t workers_ = 0;                  // GUARDED_BY(mutex_)
  std::size_t idle_ = 0;                     // GUARDED_BY(mutex_): workers waiting for a task
  std::size_t held_ = 0;                     // GUARDED_BY(mutex_)
  bool shuttingDown_ = false;                // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
