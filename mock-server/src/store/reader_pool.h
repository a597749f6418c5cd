// Read-only connections to one database, shared by reader threads. Under WAL each reader
// sees the last commit made before its read transaction began, while the writer goes on.
//
// Threading: acquire() is safe from any thread; a Lease and its connection belong to the
// thread that acquired it. A thread must not hold two leases at once (with every connection
// leased, the second acquire would wait for itself).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace livedata::server {

class ReaderPool {
 public:
  // Opens connections lazily, at most `maxConnections` (at least 1).
  ReaderPool(std::string path, std::size_t maxConnections);

  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<sqlite::Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    ~Lease() { pool_->release(std::move(connection_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    sqlite::Connection& operator*() const { return *connection_; }
    sqlite::Connection* operator->() const { return connection_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<sqlite::Connection> connection_;
  };

  // An idle connection, a new one while fewer than the maximum are open, or else the next
  // one released. Throws sqlite::Error when a new connection cannot be opened.
  Lease acquire();

 private:
  void release(std::unique_ptr<sqlite::Connection> connection);

  const std::string path_;
  const std::size_t maxConnections_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<sqlite::Connection>> idle_;  // GUARDED_BY(mutex_)
  std::size_t open_ = 0;                                   // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
