// Wakes every thread waiting for the next change at once, without a mutex: a sequence
// number that a change bumps, waited on with a Linux futex (what C++20's atomic wait and
// notify_all do). A condition variable wakes its waiters into a queue for its mutex, and
// with thousands of held streams that queue cost more than writing the change to them.
//
// Threading: every member is safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace livedata::server {

class ChangeSignal {
 public:
  // Read before checking the state a waiter waits on; a change after that read makes
  // waitWhile return at once, so no wake-up falls between the check and the wait.
  std::uint32_t sequence() const { return sequence_.load(std::memory_order_acquire); }

  // Blocks while sequence() == seen, until `deadline` at the latest. May return early
  // (a signal, a spurious wake-up): callers check their state again.
  void waitWhile(std::uint32_t seen, std::chrono::steady_clock::time_point deadline) const;

  // Bumps the sequence and wakes every waiter. Call after the change is visible to them.
  void wakeAll();

 private:
  mutable std::atomic<std::uint32_t> sequence_{0};
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t), "a futex is 32 bits");
};

}  // namespace livedata::server
