// One client connection's bytes, as httplib reads and writes a request through it: a
// non-blocking socket with a read buffer that lasts as long as the connection (httplib's
// own stream keeps one per request and reads the request line byte by byte through it), and
// read and write timeouts kept with poll(2). The read timeout bounds a whole request, not
// each wait: a client that sends a byte now and then cannot hold a worker past it.
//
// Threading: used by one thread at a time (the worker serving the connection's request).
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace livedata::server {

class ConnectionStream : public httplib::Stream {
 public:
  // REQUIRES: `fd` is a connected, non-blocking TCP socket; it stays owned by the caller.
  ConnectionStream(int fd, int readTimeoutMs, int writeTimeoutMs);

  // A request begins: its reads (head and body) must all be done within the read timeout
  // from now.
  void startRequest();

  bool is_readable() const override;  // buffered bytes, or bytes arrive before the request's deadline
  bool is_writable() const override;  // the socket takes bytes within the write timeout
  ssize_t read(char* ptr, std::size_t size) override;
  // Writes all of `size` (waiting up to the write timeout whenever the socket is full), or
  // returns -1.
  ssize_t write(const char* ptr, std::size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

  // Bytes already read that no request has consumed (a pipelined next request).
  bool hasBufferedInput() const { return begin_ < end_; }

 private:
  bool waitFor(short events, int timeoutMs) const;
  int msToReadDeadline() const;  // 0 once it has passed
  using Address = std::pair<std::string, int>;
  // `cached`, asked of the socket with getpeername or getsockname the first time.
  const Address& addressOnce(std::optional<Address>& cached, int (*lookup)(int, sockaddr*, socklen_t*)) const;

  int fd_;
  // A connection's ends do not change: asked once, not per request.
  mutable std::optional<Address> remote_;
  mutable std::optional<Address> local_;
  int readTimeoutMs_;
  int writeTimeoutMs_;
  std::chrono::steady_clock::time_point readDeadline_;
  std::array<char, 4096> buffer_{};  // a request head usually fits; httplib reads more as needed
  std::size_t begin_ = 0;  // buffer_[begin_, end_) is read but not consumed
  std::size_t end_ = 0;
};

}  // namespace livedata::server
