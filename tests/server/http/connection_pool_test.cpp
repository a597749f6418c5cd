// The connection threads: a connection queued while every worker is busy gets a new worker
// (up to the most allowed), extra workers end once idle; a connection that hands its
// thread over no longer counts among the workers, a new worker takes its place, and
// shutdown waits for held threads too.
#include "http/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace livedata::server {
namespace {

using namespace std::chrono_literals;

// A latch a test opens once.
class Gate {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

// Opens the gate when a test leaves, by a failed ASSERT too, so the pool's destructor (which
// waits for its tasks) never waits on a closed gate. Declared after the pool, and the gate
// and counters before it, so tasks finish before what they touch goes.
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.open(); }
};

// A pool that never grows: what handing over does, apart from growth.
ConnectionPoolOptions fixedPool(std::size_t workers) {
  ConnectionPoolOptions options;
  options.minWorkers = workers;
  options.maxWorkers = workers;
  return options;
}

TEST(ConnectionPool, AConnectionQueuedWhileEveryWorkerIsBusyGetsANewWorker) {
  ConnectionPoolOptions options;
  options.minWorkers = 2;
  options.maxWorkers = 10;
  options.linger = 200ms;
  Gate release;
  std::atomic<int> running{0};
  std::promise<void> served;
  ConnectionPool pool(options);
  const OpenOnExit openOnExit{release};
  // Eight connections that keep their thread (as an idle kept-alive one does).
  for (int i = 0; i < 8; ++i) {
    pool.enqueue([&] {
      ++running;
      release.wait();
    });
  }
  ASSERT_TRUE(eventually([&] { return running.load() == 8; })) << "each got a thread at once: " << running.load();
  EXPECT_EQ(pool.workers(), 8u);
  release.open();
  // Idle for longer than the linger: back to the two kept ready.
  EXPECT_TRUE(eventually([&] { return pool.workers() == 2; })) << pool.workers();
  pool.enqueue([&] { served.set_value(); });
  EXPECT_EQ(served.get_future().wait_for(5s), std::future_status::ready) << "the remaining workers serve";
}

TEST(ConnectionPool, PastTheMostWorkersConnectionsWaitForOne) {
  ConnectionPoolOptions options;
  options.minWorkers = 1;
  options.maxWorkers = 3;
  Gate release;
  std::atomic<int> running{0};
  ConnectionPool pool(options);
  const OpenOnExit openOnExit{release};
  for (int i = 0; i < 5; ++i) {
    pool.enqueue([&] {
      ++running;
      release.wait();
    });
  }
  ASSERT_TRUE(eventually([&] { return running.load() == 3; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(running.load(), 3) << "no more than maxWorkers connections at once";
  EXPECT_EQ(pool.workers(), 3u);
  release.open();
  EXPECT_TRUE(eventually([&] { return running.load() == 5; })) << "the waiting ones are served after";
}

TEST(ConnectionPool, HeldConnectionsLeaveEveryWorkerToTheOthers) {
  ConnectionPool pool(fixedPool(2));
  Gate release;
  std::atomic<int> handedOver{0};
  for (int i = 0; i < 5; ++i) {
    pool.enqueue([&] {
      if (ConnectionPool::handOverCurrentThread()) ++handedOver;
      release.wait();
    });
  }
  ASSERT_TRUE(eventually([&] { return pool.heldThreads() == 5; })) << pool.heldThreads();
  EXPECT_EQ(handedOver.load(), 5);
  EXPECT_EQ(pool.workers(), 2u) << "each held thread was replaced";

  // The workers still serve short tasks while five connections are held.
  std::promise<void> served;
  pool.enqueue([&] { served.set_value(); });
  EXPECT_EQ(served.get_future().wait_for(5s), std::future_status::ready);

  release.open();
  ASSERT_TRUE(eventually([&] { return pool.heldThreads() == 0; }));
  EXPECT_EQ(pool.workers(), 2u) << "held threads end with their connection";
}

TEST(ConnectionPool, HandingOverTwiceOrOffThePoolChangesNothing) {
  EXPECT_FALSE(ConnectionPool::handOverCurrentThread()) << "the test's own thread is no worker";
  ConnectionPool pool(fixedPool(1));
  std::promise<std::pair<bool, bool>> answers;
  pool.enqueue([&] {
    const bool first = ConnectionPool::handOverCurrentThread();
    answers.set_value({first, ConnectionPool::handOverCurrentThread()});
  });
  const auto [first, second] = answers.get_future().get();
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  ASSERT_TRUE(eventually([&] { return pool.heldThreads() == 0; }));
  EXPECT_EQ(pool.workers(), 1u);
}

TEST(ConnectionPool, ShutdownServesWhatIsQueuedAndWaitsForHeldConnections) {
  std::atomic<int> done{0};
  Gate release;
  auto pool = std::make_unique<ConnectionPool>(fixedPool(1));
  pool->enqueue([&] {
    ConnectionPool::handOverCurrentThread();
    release.wait();
    ++done;
  });
  for (int i = 0; i < 3; ++i) pool->enqueue([&] { ++done; });
  auto shutdown = std::async(std::launch::async, [&] { pool->shutdown(); });
  EXPECT_EQ(shutdown.wait_for(100ms), std::future_status::timeout) << "a held connection is still open";
  release.open();
  ASSERT_EQ(shutdown.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(done.load(), 4);
}

}  // namespace
}  // namespace livedata::server
