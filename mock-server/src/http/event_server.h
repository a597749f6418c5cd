// Serves an httplib server's routes from an event loop (epoll) instead of httplib's thread
// per connection. httplib 0.11 gives every connection a thread for its whole life and polls
// an idle kept-alive one every 10 ms until its keep-alive timeout; here an idle connection
// waits in the loop at no cost, and a worker thread (http/connection_pool.h) serves it only
// while it has requests: after an answer it waits a moment (50 ms) for the next one, then
// hands the connection back to the loop. A connection that will stay open for long (an
// event stream) can be taken out of the server altogether (takeCurrentConnection), to be
// written to by the one thread that serves all such streams (app/change_streams.h).
//
// httplib still parses every request, routes it and writes every response (through
// RoutedServer, which exposes the request step httplib keeps for subclasses): only how
// connections are accepted, kept and read differs.
//
// Threading: bind() then listen() on one thread; stop() from any thread, at any time, once
// or more: before listen() it makes listen() return at once, during it it makes it return
// once requests in flight are done. takeCurrentConnection() from a handler.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <httplib.h>

#include "http/connection_pool.h"
#include "http/http_server_support.h"

namespace livedata::server {

// httplib's server, with the step that reads one request from a stream and answers it
// opened to the event loop (httplib keeps it protected, for subclasses).
class RoutedServer : public httplib::Server {
 public:
  // Reads one request from `stream`, routes it and writes the response. Returns false when
  // the connection cannot serve another request (closed, or a write failed);
  // `connectionClosed` is set when the request or response asked to close it.
  bool serveRequest(httplib::Stream& stream, bool closeConnection, bool& connectionClosed) {
    return process_request(stream, closeConnection, connectionClosed, nullptr);
  }
  // httplib's content providers keep writing while its listening socket is valid, and
  // stop once it is not: the loop's listening socket while it serves, else -1.
  void setListeningSocket(int fd) { svr_sock_ = fd; }
};

class EventServer {
 public:
  // REQUIRES: `http` outlives this object. Applies `tuning` to it (httplib's own limits and
  // the Keep-Alive header it writes) and keeps the rest (threads, timeouts) for the loop.
  EventServer(RoutedServer& http, const ServerTuning& tuning);
  ~EventServer();  // stop(), and waits for listen() to return if it runs
  EventServer(const EventServer&) = delete;
  EventServer& operator=(const EventServer&) = delete;

  // `port` 0 picks a free one. Returns the bound port, or -1 and then bindError() says why.
  int bind(const std::string& host, int port);
  // Why the last bind() failed ("Address already in use"); empty before a failure.
  const std::string& bindError() const { return bindError_; }
  // Serves until stop(). Returns false if it was not bound or the loop failed.
  bool listen();
  void stop();

  // Takes the connection whose request the calling handler serves out of the server: its
  // socket (non-blocking, Nagle off) becomes the caller's to write to and close, and the
  // server neither reads, writes nor closes it again once the handler returns. The caller
  // must make the response's writing fail right away (a content provider that returns
  // false), so that httplib writes nothing more. Returns -1 on a thread that is not serving
  // a request of an EventServer, or when this connection was already taken.
  static int takeCurrentConnection();
  // Closes the connection whose request the calling handler serves once its response is
  // written, however its client asked to keep it: the request's framing could not be read
  // for sure, so neither can what follows it. Nothing on a thread that serves no request.
  static void closeCurrentConnectionAfterResponse();

  // For tests and metrics.
  std::size_t openConnections() const;  // accepted and not closed or taken; idle ones too
  std::size_t idleConnections() const;  // waiting in the loop for their next request

 private:
  struct Connection;
  static thread_local Connection* serving_;  // the connection this thread serves, if any
  void acceptAll();
  void dispatch(Connection* connection);
  void serve(Connection* connection);
  void rearm(Connection* connection);
  // Idle from now, in the loop (epoll ADD for a new connection, MOD for a served one).
  void waitForRequest(Connection* connection, int epollOperation);  // REQUIRES: mutex_
  void close(Connection* connection);   // REQUIRES: mutex_
  void closeIdleOlderThan(std::chrono::steady_clock::time_point cutoff);
  void wakeLoop() const;

  RoutedServer& http_;
  const ServerTuning tuning_;
  const std::chrono::seconds keepAlive_;
  int listener_ = -1;
  int epoll_ = -1;
  int wake_ = -1;  // an eventfd: stop() rouses the loop
  std::atomic<bool> bound_{false};
  std::string bindError_;  // set by a failed bind(), read after it on the same thread
  std::atomic<bool> stopRequested_{false};
  std::atomic<bool> listening_{false};
  std::unique_ptr<ConnectionPool> workers_;

  mutable std::mutex mutex_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;  // GUARDED_BY(mutex_); by fd
  std::list<Connection*> idle_;  // GUARDED_BY(mutex_); oldest first
  std::mutex listenMutex_;       // held while listen() runs, so the destructor can wait for it
};

}  // namespace livedata::server
