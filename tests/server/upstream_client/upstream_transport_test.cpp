// The upstream transport against a server that closes a kept-alive connection the moment a
// request arrives on it: the race a pooled connection meets when the server's keep-alive
// timeout fires just as the request goes out. A raw socket server plays it exactly, since
// an HTTP server library cannot be told to drop a connection instead of answering.
#include "upstream_client/upstream_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "loopback_server.h"

namespace livedata::server {
namespace {

using Kind = UpstreamFailure::Kind;

// What the server does with a request it does not answer.
enum class Unanswered {
  close,  // closes the connection as soon as the request's head has arrived
  stall,  // keeps the connection open, silent, until the client gives up
};

// Accepts connections one after another. On each, it answers the first `answers` requests
// (1 or 0) with a kept-alive 200; the next request is `unanswered`. It reads each request
// whole before closing, so the client never writes to a closed socket (httplib 0.11 sends
// without MSG_NOSIGNAL: a SIGPIPE would end the test process).
class ClosesKeptAliveConnections {
 public:
  explicit ClosesKeptAliveConnections(int answers = 1, Unanswered unanswered = Unanswered::close)
      : answers_(answers), unanswered_(unanswered) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(listener_, 8) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ClosesKeptAliveConnections() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept; a connection in use ends by its read timeout
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }

  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }

 private:
  void serve() {
    for (;;) {
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0 && (errno == EINTR || errno == ECONNABORTED)) continue;
      if (connection < 0) return;  // the listener was shut down
      ++connections_;
      // A client that neither sends nor closes cannot hold the server (and the test) for good.
      const timeval readTimeout{10, 0};
      ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &readTimeout, sizeof readTimeout);
      if (answers_ > 0 && readHead(connection)) {
        const std::string body = "{}";
        const std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
                                   "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        ::send(connection, answer.data(), answer.size(), MSG_NOSIGNAL);
      }
      if (readHead(connection) && unanswered_ == Unanswered::stall) {
        readHead(connection);  // returns when the client closes the connection
      }
      ::close(connection);
    }
  }

  // Reads up to the end of a request's head (the requests here have no body).
  static bool readHead(int connection) {
    std::string received;
    char buffer[1024];
    while (received.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(connection, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      received.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
  }

  const int answers_;
  const Unanswered unanswered_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

std::unique_ptr<UpstreamTransport> transportTo(const std::string& baseUrl, int readTimeoutMs = 5000) {
  HttpUpstreamOptions options;
  options.baseUrl = baseUrl;
  options.readTimeoutMs = readTimeoutMs;
  auto transport = UpstreamTransport::create(options);
  EXPECT_TRUE(transport.ok());
  return transport.ok() ? std::move(transport.value()) : nullptr;
}

UpstreamRequest requestOf(std::string method) {
  UpstreamRequest request;
  request.method = std::move(method);
  request.target = "/api/campaigns";
  return request;
}

// A transport that has sent one request to `server`, and keeps that connection for the next.
std::unique_ptr<UpstreamTransport> transportKeepingAConnectionTo(const ClosesKeptAliveConnections& server,
                                                                 int readTimeoutMs = 5000) {
  auto transport = transportTo(server.baseUrl(), readTimeoutMs);
  if (transport) {
    EXPECT_TRUE(transport->send(requestOf("GET")).ok());
  }
  return transport;
}

TEST(UpstreamTransport, AGetLostOnAConnectionTheServerClosedIsSentAgainOnANewOne) {
  ClosesKeptAliveConnections server;
  auto transport = transportKeepingAConnectionTo(server);
  ASSERT_TRUE(transport);

  const auto again = transport->send(requestOf("GET"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again.value().status, 200);
  EXPECT_EQ(server.connections(), 2);
}

TEST(UpstreamTransport, APostLostThatWayIsAFailureNotSentTwice) {
  // A POST may have done its work before the connection broke (a report call spends its daily
  // budget): the caller decides whether to send it again.
  ClosesKeptAliveConnections server;
  auto transport = transportKeepingAConnectionTo(server);
  ASSERT_TRUE(transport);

  const auto lost = transport->send(requestOf("POST"));
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().kind, Kind::network) << lost.error().message;
  EXPECT_NE(lost.error().message.find("connection lost"), std::string::npos) << lost.error().message;
  EXPECT_EQ(server.connections(), 1);
}

TEST(UpstreamTransport, AGetLostOnANewConnectionIsAFailureNotSentAgain) {
  // Only a reused connection can have been closed while idle; a new one lost is the answer.
  ClosesKeptAliveConnections server(/*answers=*/0);
  auto transport = transportTo(server.baseUrl());
  ASSERT_TRUE(transport);
  const auto lost = transport->send(requestOf("GET"));
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().kind, Kind::network) << lost.error().message;
  EXPECT_EQ(server.connections(), 1);
}

TEST(UpstreamTransport, AGetThatTimedOutOnAKeptConnectionIsNotSentAgain) {
  // A server that took the request and went silent did not close an idle connection: sending
  // it again would only double the wait.
  ClosesKeptAliveConnections server(/*answers=*/1, Unanswered::stall);
  auto transport = transportKeepingAConnectionTo(server, /*readTimeoutMs=*/300);
  ASSERT_TRUE(transport);

  const auto late = transport->send(requestOf("GET"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().kind, Kind::timeout) << late.error().message;
  EXPECT_EQ(server.connections(), 1);
}

// Answers of 2000 bytes: a page at /api/campaigns, a 429 with Retry-After at /throttled;
// and at /trickle a chunked body that never ends, a little at a time.
void longAnswers(httplib::Server& server) {
  server.Get("/api/campaigns", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(2000, 'x'), "application/vnd.api+json");
  });
  server.Get("/throttled", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "7");
    res.set_content(std::string(2000, 'x'), "application/vnd.api+json");
  });
  server.Get("/trickle", [](const httplib::Request&, httplib::Response& res) {
    livedata::testing::LoopbackServer::trickleForever(res);
  });
}

HttpUpstreamOptions boundedTo(const livedata::testing::LoopbackServer& server, std::size_t maxAnswerBytes) {
  HttpUpstreamOptions options;
  options.baseUrl = server.url();
  options.maxAnswerBytes = maxAnswerBytes;
  return options;
}

Expected<UpstreamAnswer, UpstreamFailure> sendTo(const HttpUpstreamOptions& options, const std::string& target) {
  auto transport = UpstreamTransport::create(options);
  if (!transport.ok()) return upstreamFailure(UpstreamFailure::Kind::network, transport.error());
  UpstreamRequest request;
  request.target = target;
  return transport.value()->send(request);
}

// A page is gathered up to maxAnswerBytes: one past it is not read on, and is no page.
TEST(UpstreamTransport, APagePastMaxAnswerBytesIsMalformedAndOneAtItIsRead) {
  livedata::testing::LoopbackServer server(longAnswers);
  const auto refused = sendTo(boundedTo(server, 1999), "/api/campaigns");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, UpstreamFailure::Kind::malformed);
  EXPECT_NE(refused.error().message.find("answer body over 1999 bytes"), std::string::npos) << refused.error().message;

  const auto answered = sendTo(boundedTo(server, 2000), "/api/campaigns");
  ASSERT_TRUE(answered.ok()) << answered.error().message;
  EXPECT_EQ(answered.value().body, std::string(2000, 'x'));

  EXPECT_FALSE(UpstreamTransport::create(boundedTo(server, 0)).ok());
}

// An error's body only explains it: a 429 past the bound keeps its status and Retry-After,
// which the sync's backoff needs.
TEST(UpstreamTransport, AnErrorPastMaxAnswerBytesKeepsItsStatusWithItsBodyCut) {
  livedata::testing::LoopbackServer server(longAnswers);
  const auto answered = sendTo(boundedTo(server, 100), "/throttled");
  ASSERT_TRUE(answered.ok()) << answered.error().message;
  EXPECT_EQ(answered.value().status, 429);
  EXPECT_EQ(answered.value().retryAfterMs, 7000);
  EXPECT_EQ(answered.value().body, std::string(100, 'x'));
}

// A body that keeps coming, a little at a time, never lets a single read time out: the
// deadline still bounds the answer as a whole, whatever the framing.
TEST(UpstreamTransport, AChunkedAnswerThatTricklesPastTheDeadlineIsATimeout) {
  livedata::testing::LoopbackServer server(longAnswers);
  HttpUpstreamOptions options = boundedTo(server, 1000);
  options.connectTimeoutMs = 200;
  options.readTimeoutMs = 300;
  const auto refused = sendTo(options, "/trickle");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, UpstreamFailure::Kind::timeout) << refused.error().message;
}

}  // namespace
}  // namespace livedata::server
