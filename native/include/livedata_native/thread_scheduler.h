// livedata::Scheduler on one timer thread.
#pragma once

#include <memory>

#include "livedata/types.h"

namespace livedata::native {

// Runs each task once, on the timer thread, no earlier than its delay (measured on the
// steady clock, so wall-clock jumps do not move timers). Tasks due at the same time run in
// the order they were scheduled; one slow task delays the ones after it.
//
// Thread-safe; tasks may call runAfter and cancel. cancel() of a task that has started is
// a no-op (it does not wait for it). Destruction drops pending tasks and joins the thread
// after the running task, if any, returns; it may run inside a task (the thread is then
// detached and exits after that task).
class ThreadScheduler final : public Scheduler {
 public:
  ThreadScheduler();
  ~ThreadScheduler() override;
  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  TimerId runAfter(Millis delayMs, Callback<void()> task) override;
  void cancel(TimerId id) override;

  struct Shared;  // defined in thread_scheduler.cpp

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace livedata::native
