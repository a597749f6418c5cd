#include "livedata_native/thread_scheduler.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace livedata::native {
namespace {
using SteadyClock = std::chrono::steady_clock;
}  // namespace

struct ThreadScheduler::Shared {
  std::mutex mutex;
  std::condition_variable changed;
  // Ordered by due time, then by id (scheduling order). Keyed by both so cancel() can find
  // an entry through `dueOf` and the loop can take the earliest with begin().
  std::map<std::pair<SteadyClock::time_point, TimerId>, Callback<void()>> pending;
  std::map<TimerId, SteadyClock::time_point> dueOf;
  TimerId nextId = 1;
  bool stopping = false;
  std::thread thread;
};

namespace {

void timerLoop(std::shared_ptr<ThreadScheduler::Shared> shared) {
  std::unique_lock<std::mutex> lock(shared->mutex);
  while (!shared->stopping) {
    if (shared->pending.empty()) {
      shared->changed.wait(lock);
      continue;
    }
    auto first = shared->pending.begin();
    const auto due = first->first.first;
    if (SteadyClock::now() < due) {
      shared->changed.wait_until(lock, due);
      continue;
    }
    auto task = std::move(first->second);
    shared->dueOf.erase(first->first.second);
    shared->pending.erase(first);
    lock.unlock();
    task();
    task = nullptr;  // release captures outside the lock, too
    lock.lock();
  }
}

}  // namespace

ThreadScheduler::ThreadScheduler() : shared_(std::make_shared<Shared>()) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->thread = std::thread(timerLoop, shared_);
}

ThreadScheduler::~ThreadScheduler() {
  std::thread thread;
  decltype(shared_->pending) dropped;  // destroyed after the lock is released
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->stopping = true;
    dropped.swap(shared_->pending);
    shared_->dueOf.clear();
    thread = std::move(shared_->thread);
  }
  shared_->changed.notify_all();
  if (thread.get_id() == std::this_thread::get_id()) {
    thread.detach();
  } else if (thread.joinable()) {
    thread.join();
  }
}

TimerId ThreadScheduler::runAfter(Millis delayMs, Callback<void()> task) {
  const auto due = SteadyClock::now() + std::chrono::milliseconds(std::max<Millis>(delayMs, 0));
  std::lock_guard<std::mutex> lock(shared_->mutex);
  const TimerId id = shared_->nextId++;
  if (shared_->stopping) return id;  // never runs
  shared_->pending.emplace(std::make_pair(due, id), std::move(task));
  shared_->dueOf.emplace(id, due);
  shared_->changed.notify_all();
  return id;
}

void ThreadScheduler::cancel(TimerId id) {
  Callback<void()> dropped;  // destroyed after the lock is released
  std::lock_guard<std::mutex> lock(shared_->mutex);
  auto due = shared_->dueOf.find(id);
  if (due == shared_->dueOf.end()) return;
  auto entry = shared_->pending.find(std::make_pair(due->second, id));
  dropped = std::move(entry->second);
  shared_->pending.erase(entry);
  shared_->dueOf.erase(due);
}

}  // namespace livedata::native
