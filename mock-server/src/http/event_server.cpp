#include "http/event_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <thread>

#include "http/connection_stream.h"

namespace livedata::server {
namespace {

using Clock = std::chrono::steady_clock;

// What a connection waits for in the loop: a request (or its client closing).
constexpr std::uint32_t kIdleEvents = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
// How often the loop looks for idle connections past their keep-alive timeout.
constexpr int kSweepIntervalMs = 500;
// Requests one connection may carry (the Keep-Alive header's max); effectively unbounded.
constexpr std::size_t kMaxRequestsPerConnection = 100000;
// How long a worker that answered a request keeps its connection, waiting for the next
// request, before handing it back to the loop. Handing over costs two thread wake-ups per
// request (the loop's, then a worker's), which on two cores was a quarter of the server's
// time on the 304 path; a client that sends requests back to back (a dashboard loading, a
// client refetching on a change, a load test) now pays them once, not per request. Measured
// with wrk -c32 against the bare httplib server in turns (BENCHMARKS.md, analysis): the
// cached 200 went from 0.80-0.86 to 0.92-1.0 of it, the 304 from 0.6-0.7 to 0.8-0.98; 10
// and 200 ms alike (holds of 1 and 2 ms had been measured worse on an earlier host). An idle
// connection still returns to the loop within this time, so it holds a thread only briefly,
// and a worker holds none while another connection waits for a worker (every worker, up to
// --max-threads, busy): then connections take turns through the loop, as before.
constexpr int kHoldAfterResponseMs = 50;

// Whether the connection's next request (or its close) arrives within the hold.
bool nextRequestArrivesSoon(int fd) {
  pollfd entry{fd, POLLIN, 0};
  for (;;) {
    const int ready = ::poll(&entry, 1, kHoldAfterResponseMs);
    if (ready >= 0 || errno != EINTR) return ready > 0;
  }
}

}  // namespace

struct EventServer::Connection {
  Connection(int socket, const ServerTuning& tuning)
      : fd(socket), stream(socket, tuning.readTimeoutMs, tuning.writeTimeoutMs) {}
  const int fd;
  ConnectionStream stream;               // its read buffer lasts as long as the connection
  std::size_t requestsLeft = kMaxRequestsPerConnection;
  bool idle = false;                     // GUARDED_BY(mutex_): in the loop, in idle_
  std::list<Connection*>::iterator idlePosition;
  Clock::time_point idleSince;
  bool taken = false;                    // by takeCurrentConnection, on its serving thread
  bool closeAfterResponse = false;       // by closeCurrentConnectionAfterResponse, likewise
};

thread_local EventServer::Connection* EventServer::serving_ = nullptr;

EventServer::EventServer(RoutedServer& http, const ServerTuning& tuning)
    : http_(http),
      tuning_(tuning),
      keepAlive_(tuning.keepAliveTimeoutSeconds.value_or(5)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  // httplib still writes the Keep-Alive header and bounds bodies: it must say what the
  // loop does.
  http_.set_keep_alive_max_count(kMaxRequestsPerConnection);
  http_.set_keep_alive_timeout(keepAlive_.count());
  http_.set_payload_max_length(tuning.maxBodyBytes);
  if (epoll_ >= 0 && wake_ >= 0) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = &wake_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event);
  }
}

EventServer::~EventServer() {
  stop();
  { std::lock_guard running(listenMutex_); }  // a listen() in progress has returned
  if (listener_ >= 0) ::close(listener_);
  {
    std::lock_guard lock(mutex_);
    while (!connections_.empty()) close(connections_.begin()->second.get());
  }
  if (wake_ >= 0) ::close(wake_);
  if (epoll_ >= 0) ::close(epoll_);
}

int EventServer::bind(const std::string& host, int port) {
  if (bound_ || epoll_ < 0 || wake_ < 0) return -1;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int failed = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); failed != 0) {
    bindError_ = ::gai_strerror(failed);
    return -1;
  }
  for (addrinfo* candidate = found; candidate && listener_ < 0; candidate = candidate->ai_next) {
    const int fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            candidate->ai_protocol);
    if (fd < 0) {
      bindError_ = std::strerror(errno);
      continue;
    }
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // A deep backlog: a burst of connections (a dashboard opening, a load test) would
    // otherwise cost each dropped SYN a 1 s, 3 s, 7 s... retransmission.
    if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
      listener_ = fd;
    } else {
      bindError_ = std::strerror(errno);  // before close() may set errno
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  if (listener_ < 0) return -1;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  bound_ = true;
  return address.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6&>(address).sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in&>(address).sin_port);
}

bool EventServer::listen() {
  if (!bound_) return false;
  std::lock_guard running(listenMutex_);
  ConnectionPoolOptions pool;
  pool.minWorkers = static_cast<std::size_t>(std::max(1, tuning_.threads));
  pool.maxWorkers = static_cast<std::size_t>(std::max(tuning_.threads, tuning_.maxThreads));
  workers_ = std::make_unique<ConnectionPool>(pool);
  listening_ = true;
  http_.setListeningSocket(listener_);

  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &listener_;
  bool ok = ::epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_, &event) == 0;
  epoll_event events[256];
  while (ok && !stopRequested_) {
    const int ready = ::epoll_wait(epoll_, events, 256, kSweepIntervalMs);
    if (ready < 0 && errno != EINTR) ok = false;
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.ptr == &listener_) {
        acceptAll();
      } else if (events[i].data.ptr == &wake_) {
        std::uint64_t count = 0;
        while (::read(wake_, &count, sizeof count) > 0) {
        }
      } else {
        auto* connection = static_cast<Connection*>(events[i].data.ptr);
        if (events[i].events & (EPOLLERR | EPOLLHUP)) {
          std::lock_guard lock(mutex_);
          close(connection);  // reset or gone: nothing to read
        } else {
          dispatch(connection);
        }
      }
    }
    closeIdleOlderThan(Clock::now() - keepAlive_);
  }

  // New clients are refused at once; idle ones are closed; requests in flight finish (their
  // workers close the connections, seeing stopRequested_), then the workers end.
  http_.setListeningSocket(-1);  // content providers in flight end
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_, nullptr);
  ::close(listener_);
  listener_ = -1;
  closeIdleOlderThan(Clock::time_point::max());
  workers_->shutdown();
  {
    std::lock_guard lock(mutex_);
    while (!connections_.empty()) close(connections_.begin()->second.get());
  }
  listening_ = false;
  return ok;
}

void EventServer::stop() {
  stopRequested_ = true;
  wakeLoop();
}

void EventServer::wakeLoop() const {
  if (wake_ < 0) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_, &one, sizeof one);
}

void EventServer::acceptAll() {
  for (;;) {
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // Out of descriptors: the client waits in the backlog while connections close.
      if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return;
    }
    // Nagle off: otherwise a response split over two writes waits ~40 ms for the client's
    // delayed ACK.
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    std::lock_guard lock(mutex_);
    auto owned = std::make_unique<Connection>(fd, tuning_);
    Connection* connection = owned.get();
    connections_.emplace(fd, std::move(owned));
    waitForRequest(connection, EPOLL_CTL_ADD);
  }
}

// On the loop's thread: a waiting connection has a request (or closed), so a worker reads it.
void EventServer::dispatch(Connection* connection) {
  {
    std::lock_guard lock(mutex_);
    if (!connection->idle) return;
    idle_.erase(connection->idlePosition);
    connection->idle = false;
  }
  workers_->enqueue([this, connection] { serve(connection); });
}

// On a worker: the connection is this thread's alone until rearm() or close().
void EventServer::serve(Connection* connection) {
  serving_ = connection;
  bool keep = true;
  for (;;) {
    const bool last = connection->requestsLeft <= 1 || stopRequested_;
    bool closed = false;
    connection->stream.startRequest();
    const bool ok = http_.serveRequest(connection->stream, last, closed);
    if (connection->taken) break;
    --connection->requestsLeft;
    if (!ok || closed || last || connection->closeAfterResponse) {
      keep = false;
      break;
    }
    // Else a pipelined request is waiting; or, when its client sends the next one soon and
    // no other connection waits for a worker, serve that on this thread too.
    if (!connection->stream.hasBufferedInput() &&
        (workers_->hasWaitingTasks() || !nextRequestArrivesSoon(connection->fd))) {
      break;
    }
  }
  serving_ = nullptr;
  if (connection->taken) {
    std::lock_guard lock(mutex_);
    connections_.erase(connection->fd);  // the socket is the taker's now: not closed here
    return;
  }
  if (!keep) {
    std::lock_guard lock(mutex_);
    close(connection);
    return;
  }
  rearm(connection);
}

void EventServer::rearm(Connection* connection) {
  std::lock_guard lock(mutex_);
  if (stopRequested_) return close(connection);
  waitForRequest(connection, EPOLL_CTL_MOD);
}

void EventServer::waitForRequest(Connection* connection, int epollOperation) {
  connection->idle = true;
  connection->idleSince = Clock::now();
  connection->idlePosition = idle_.insert(idle_.end(), connection);
  epoll_event event{};
  event.events = kIdleEvents;
  event.data.ptr = connection;
  if (::epoll_ctl(epoll_, epollOperation, connection->fd, &event) != 0) close(connection);
}

void EventServer::close(Connection* connection) {
  if (connection->idle) idle_.erase(connection->idlePosition);
  ::shutdown(connection->fd, SHUT_RDWR);
  ::close(connection->fd);  // also leaves the epoll set
  connections_.erase(connection->fd);
}

void EventServer::closeIdleOlderThan(Clock::time_point cutoff) {
  std::lock_guard lock(mutex_);
  // idle_ is in the order connections went idle, so the old ones lead.
  while (!idle_.empty() && idle_.front()->idleSince < cutoff) close(idle_.front());
}

int EventServer::takeCurrentConnection() {
  Connection* connection = serving_;
  if (!connection || connection->taken) return -1;
  connection->taken = true;
  return connection->fd;
}

void EventServer::closeCurrentConnectionAfterResponse() {
  if (Connection* connection = serving_) connection->closeAfterResponse = true;
}

std::size_t EventServer::openConnections() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::size_t EventServer::idleConnections() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace livedata::server
