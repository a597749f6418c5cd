#include "http/connection_pool.h"

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

ConnectionPool::ConnectionPool(std::size_t workers) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < workers; ++i) startWorker();
}

ConnectionPool::~ConnectionPool() { shutdown(); }

// Threads are detached: the pool tracks them by count and shutdown() waits for the count
// to reach zero, which also covers handed-over threads that end at any time.
void ConnectionPool::startWorker() {
  ++workers_;
  std::thread([this] { work(); }).detach();
}

void ConnectionPool::enqueue(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void ConnectionPool::work() {
  currentThread.pool = this;
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return !tasks_.empty() || shuttingDown_; });
    if (tasks_.empty()) break;  // shutting down with nothing left to serve
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
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

bool ConnectionPool::handOverCurrentThread() {
  ConnectionPool* pool = currentThread.pool;
  if (!pool || currentThread.handedOver) return false;
  std::lock_guard lock(pool->mutex_);
  currentThread.handedOver = true;
  --pool->workers_;
  ++pool->held_;
  // While shutting down, a replacement is still needed for connections already queued.
  if (!pool->shuttingDown_ || !pool->tasks_.empty()) pool->startWorker();
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
