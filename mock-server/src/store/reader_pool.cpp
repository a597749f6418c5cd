#include "store/reader_pool.h"

#include <algorithm>

namespace livedata::server {

ReaderPool::ReaderPool(std::string path, std::size_t maxConnections)
    : path_(std::move(path)), maxConnections_(std::max<std::size_t>(1, maxConnections)) {}

ReaderPool::Lease ReaderPool::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  released_.wait(lock, [this] { return !idle_.empty() || open_ < maxConnections_; });
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;  // reserve the slot, then open outside the lock
  lock.unlock();
  try {
    auto connection = std::make_unique<sqlite::Connection>(path_, sqlite::Connection::Mode::readOnly);
    return Lease(*this, std::move(connection));
  } catch (...) {
    lock.lock();
    --open_;
    lock.unlock();
    released_.notify_one();
    throw;
  }
}

void ReaderPool::release(std::unique_ptr<sqlite::Connection> connection) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  released_.notify_one();
}

}  // namespace livedata::server
