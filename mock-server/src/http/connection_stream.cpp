#include "http/connection_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

namespace livedata::server {
namespace {

void addressOf(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

}  // namespace

ConnectionStream::ConnectionStream(int fd, int readTimeoutMs, int writeTimeoutMs)
    : fd_(fd), readTimeoutMs_(readTimeoutMs), writeTimeoutMs_(writeTimeoutMs) {
  startRequest();
}

void ConnectionStream::startRequest() {
  readDeadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(readTimeoutMs_);
}

int ConnectionStream::msToReadDeadline() const {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(readDeadline_ - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

bool ConnectionStream::waitFor(short events, int timeoutMs) const {
  pollfd entry{fd_, events, 0};
  for (;;) {
    const int ready = ::poll(&entry, 1, timeoutMs);
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

bool ConnectionStream::is_readable() const { return hasBufferedInput() || waitFor(POLLIN, msToReadDeadline()); }

bool ConnectionStream::is_writable() const { return waitFor(POLLOUT, writeTimeoutMs_); }

ssize_t ConnectionStream::read(char* ptr, std::size_t size) {
  if (!hasBufferedInput()) {
    begin_ = end_ = 0;
    for (;;) {
      const ssize_t got = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
      if (got >= 0) {
        end_ = static_cast<std::size_t>(got);
        break;
      }
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !waitFor(POLLIN, msToReadDeadline())) return -1;
    }
    if (end_ == 0) return 0;  // the client closed its side
  }
  const std::size_t taken = std::min(size, end_ - begin_);
  std::memcpy(ptr, buffer_.data() + begin_, taken);
  begin_ += taken;
  return static_cast<ssize_t>(taken);
}

ssize_t ConnectionStream::write(const char* ptr, std::size_t size) {
  std::size_t written = 0;
  while (written < size) {
    // MSG_NOSIGNAL: a client gone away is an error here, not a SIGPIPE for the process.
    const ssize_t sent = ::send(fd_, ptr + written, size - written, MSG_NOSIGNAL);
    if (sent > 0) {
      written += static_cast<std::size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waitFor(POLLOUT, writeTimeoutMs_)) continue;
    return -1;
  }
  return static_cast<ssize_t>(written);
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  std::tie(ip, port) = addressOnce(remote_, ::getpeername);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  std::tie(ip, port) = addressOnce(local_, ::getsockname);
}

const ConnectionStream::Address& ConnectionStream::addressOnce(std::optional<Address>& cached,
                                                               int (*lookup)(int, sockaddr*, socklen_t*)) const {
  if (!cached) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    cached.emplace();
    if (lookup(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) addressOf(address, cached->first, cached->second);
  }
  return *cached;
}

}  // namespace livedata::server
