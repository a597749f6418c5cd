// A plain client socket for tests: what it sends and reads is exactly what a test says
// (framing a library would not send, pipelining, watching for the server's close).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace livedata::testing {

class RawClient {
 public:
  explicit RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  bool connected() const { return connected_; }
  void send(const std::string& bytes) { ASSERT_TRUE(trySend(bytes)); }
  // Whether all of `bytes` went out (false once the server has closed the connection).
  bool trySend(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Reads until `count` responses ending in `marker` arrived, the peer closed, or `limit`.
  std::string readUntil(const std::string& marker, int count = 1, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (occurrences(got, marker) < count && std::chrono::steady_clock::now() < deadline) {
      pollfd entry{fd_, POLLIN, 0};
      if (::poll(&entry, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
  }
  // Whether the server sent something or closed the connection within `limit`.
  bool hearsWithin(std::chrono::milliseconds limit) {
    pollfd entry{fd_, POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(limit.count())) > 0;
  }
  // Whether the server closed the connection within `limit`.
  bool closedWithin(std::chrono::milliseconds limit) {
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(limit.count())) <= 0) return false;
    char byte;
    return ::recv(fd_, &byte, 1, MSG_PEEK) == 0;
  }

  // How many times `marker` occurs in `text` (responses read, by their status line).
  static int occurrences(const std::string& text, const std::string& marker) {
    int n = 0;
    for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) ++n;
    return n;
  }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace livedata::testing
