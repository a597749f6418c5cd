// Connections to one database, shared by reader threads: at most a fixed number open, each
// leased to one thread at a time. Generic over the engine's Connection (sqlite.h, postgres.h).
//
// A connection that broke while leased (PostgreSQL restarted, the network failed: the
// engine's usable() says no) is closed on release instead of going back, so the next lease
// opens a fresh one and the pool heals by itself.
//
// Threading: acquire() is safe from any thread; a Lease and its connection belong to the
// thread that acquired it. A thread must not hold two leases at once (with every connection
// leased, the second acquire would wait for itself).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace livedata::server {

template <typename Connection>
class ConnectionPool {
 public:
  using Open = std::function<std::unique_ptr<Connection>()>;
  using Usable = std::function<bool(const Connection&)>;

  // Opens connections lazily with `open` (which throws when it cannot), at most
  // `maxConnections` (at least 1).
  ConnectionPool(Open open, Usable usable, std::size_t maxConnections)
      : open_(std::move(open)), usable_(std::move(usable)), maxConnections_(std::max<std::size_t>(1, maxConnections)) {}

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    ~Lease() { pool_->release(std::move(connection_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // An idle connection, a new one while fewer than the maximum are open, or else the next
  // one released. Throws what `open` throws.
  Lease acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    released_.wait(lock, [this] { return !idle_.empty() || opened_ < maxConnections_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(connection));
    }
    ++opened_;  // reserve the slot, then open outside the lock
    lock.unlock();
    try {
      return Lease(*this, open_());
    } catch (...) {
      closed();
      throw;
    }
  }

  // Closes every idle connection: after one was found broken (the server restarted), the
  // others, opened before the same event, are as dead.
  void closeIdle() {
    std::vector<std::unique_ptr<Connection>> closing;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing.swap(idle_);
      opened_ -= closing.size();
    }
    released_.notify_all();
  }

 private:
  void release(std::unique_ptr<Connection> connection) {
    if (!usable_(*connection)) {
      connection.reset();
      closed();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      idle_.push_back(std::move(connection));
    }
    released_.notify_one();
  }

  void closed() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --opened_;
    }
    released_.notify_one();
  }

  const Open open_;
  const Usable usable_;
  const std::size_t maxConnections_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mutex_)
  std::size_t opened_ = 0;                         // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
