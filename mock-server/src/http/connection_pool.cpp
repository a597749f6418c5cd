#include "http/connection_pool.h"

#include <algorithm>
#include <system_error>
#include <thread>
#include <utility>

namespace livedata::server {
namespace {

// The pool whose worker runs on this thread, and whether the thread was handed over.
struct CurrentThread {
  ConnectionPool* pool = nullptr;
  bool handedOver = false;
};
thread_local CurrentThread currentThread;

}  // namespace

ConnectionPool::ConnectionPool(const ConnectionPoolOptions& options) : options_(options) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < options_.minWorkers; ++i) startWorker();
}

ConnectionPool::~ConnectionPool() { shutdown(); }

// Threads are detached: the pool tracks them by count and shutdown() waits for the count
// to reach zero, which also covers handed-over threads that end at any time.
bool ConnectionPool::startWorker() {
  try {
    // The thread waits for mutex_, held by the caller, so the counts are right before it runs.
    std::thread([this] { work(); }).detach();
  } catch (const std::system_error&) {
    return false;  // no thread to be had (a limit of the system): the busy workers serve the queue
  }
  ++workers_;
  ++idle_;  // counted idle from now, so a task queued before it runs starts no other
  countWaiting();
  return true;
}

void ConnectionPool::enqueue(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    // Each idle worker takes one queued task (idle_ and tasks_ shrink together when it
    // does): more tasks than idle workers means this one would wait for a busy worker,
    // perhaps for a kept-alive connection's whole timeout.
    if (tasks_.size() > idle_ && workers_ < std::max(options_.maxWorkers, options_.minWorkers) && startWorker()) {
      return;
    }
    countWaiting();
  }
  wake_.notify_one();
}

void ConnectionPool::work() {
  currentThread.pool = this;
  std::unique_lock lock(mutex_);
  for (bool started = true;; started = false) {
    if (!started) {
      ++idle_;  // startWorker counted it idle already
      countWaiting();
    }
    const auto ready = [&] { return !tasks_.empty() || shuttingDown_; };
    bool woken = true;
    if (workers_ > options_.minWorkers) {
      woken = wake_.wait_for(lock, options_.linger, ready);
    } else {
      wake_.wait(lock, ready);
    }
    --idle_;
    if (!woken) {
      if (workers_ > options_.minWorkers) break;  // an extra worker no one needed
      continue;  // others ended meanwhile: this one is among the minimum now
    }
    if (tasks_.empty()) break;  // shutting down with nothing left to serve
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    countWaiting();
    lock.unlock();
    task();
    task = nullptr;  // the connection's state goes before the thread is counted out
    lock.lock();
    if (currentThread.handedOver) {
      --held_;
      break;
    }
  }
  if (!currentThread.handedOver) --workers_;
  currentThread = {};
  // Notified under the lock: once shutdown() sees the count reach zero, no thread of the
  // pool touches it again.
  allDone_.notify_all();
}

void ConnectionPool::countWaiting() {
  waiting_.store(tasks_.size() > idle_ ? tasks_.size() - idle_ : 0, std::memory_order_relaxed);
}

bool ConnectionPool::handOverCurrentThread() {
  ConnectionPool* pool = currentThread.pool;
  if (!pool || currentThread.handedOver) return false;
  std::lock_guard lock(pool->mutex_);
  // While shutting down, a replacement is still needed for connections already queued.
  const bool replace = !pool->shuttingDown_ || !pool->tasks_.empty();
  if (replace && !pool->startWorker()) return false;  // no replacement to be had: this thread stays a worker
  currentThread.handedOver = true;
  --pool->workers_;
  ++pool->held_;
  return true;
}

void ConnectionPool::shutdown() {
  std::unique_lock lock(mutex_);
  shuttingDown_ = true;
  wake_.notify_all();
  allDone_.wait(lock, [&] { return workers_ == 0 && held_ == 0; });
}

std::size_t ConnectionPool::workers() const {
  std::lock_guard lock(mutex_);
  return workers_;
}

std::size_t ConnectionPool::heldThreads() const {
  std::lock_guard lock(mutex_);
  return held_;
}

}  // namespace livedata::server
