// The event loop that serves httplib's routes: idle kept-alive connections wait in the loop,
// not on worker threads; they are closed after the keep-alive timeout; pipelined requests
// are all answered; a handler can take its connection out of the server; stop refuses new
// clients and lets requests in flight finish. Real sockets over loopback.
#include "http/event_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "raw_client.h"

namespace livedata::server {
namespace {

using testing::RawClient;

using namespace std::chrono_literals;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n"; }

class EventServerTest : public ::testing::Test {
 protected:
  void start(ServerTuning tuning = {}) {
    server_ = std::make_unique<EventServer>(http_, tuning);
    port_ = server_->bind("127.0.0.1", 0);
    ASSERT_GT(port_, 0);
    listening_ = std::async(std::launch::async, [this] { return server_->listen(); });
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      EXPECT_EQ(listening_.wait_for(10s), std::future_status::ready);
    }
  }
  RoutedServer http_;
  std::unique_ptr<EventServer> server_;
  int port_ = 0;
  std::future<bool> listening_;
};

TEST_F(EventServerTest, IdleKeptAliveConnectionsWaitInTheLoopNotOnWorkers) {
  std::atomic<int> served{0};
  http_.Get("/ping", [&](const httplib::Request&, httplib::Response& res) {
    ++served;
    res.set_content("pong", "text/plain");
  });
  ServerTuning tuning;
  tuning.threads = 2;
  tuning.maxThreads = 2;  // a thread per idle connection would leave none for a new client
  start(tuning);
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 20; ++i) {
    idle.push_back(std::make_unique<RawClient>(port_));
    idle.back()->send(get("/ping"));
    ASSERT_NE(idle.back()->readUntil("pong").find("HTTP/1.1 200"), std::string::npos) << i;
  }
  ASSERT_TRUE(eventually([&] { return server_->idleConnections() == 20; })) << server_->idleConnections();
  RawClient fresh(port_);
  const auto start = std::chrono::steady_clock::now();
  fresh.send(get("/ping"));
  EXPECT_NE(fresh.readUntil("pong").find("pong"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s) << "a new client waited for a worker";
  for (auto& client : idle) {  // each kept-alive connection still serves
    client->send(get("/ping"));
    EXPECT_NE(client->readUntil("pong").find("pong"), std::string::npos);
  }
  EXPECT_EQ(served.load(), 41);
}

TEST_F(EventServerTest, AnIdleConnectionIsClosedAfterTheKeepAliveTimeout) {
  http_.Get("/ping", [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  ServerTuning tuning;
  tuning.keepAliveTimeoutSeconds = 1;
  start(tuning);
  RawClient client(port_);
  client.send(get("/ping"));
  const std::string answer = client.readUntil("pong");
  EXPECT_NE(answer.find("Keep-Alive: timeout=1"), std::string::npos) << "the header says what the loop does";
  EXPECT_FALSE(client.closedWithin(500ms));
  EXPECT_TRUE(client.closedWithin(3s));
  EXPECT_TRUE(eventually([&] { return server_->openConnections() == 0; }));
}

// The read timeout bounds a whole request: a client that sends one header line now and then
// (each within the timeout) is cut off once the request has taken the timeout, and does not
// hold the only worker from another client past it.
TEST_F(EventServerTest, AClientTricklingItsRequestIsCutOffAtTheReadTimeout) {
  http_.Get("/ping", [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  ServerTuning tuning;
  tuning.threads = 1;
  tuning.maxThreads = 1;
  tuning.readTimeoutMs = 1000;
  start(tuning);
  RawClient slow(port_);
  slow.send("GET /ping HTTP/1.1\r\nHost: t\r\n");
  // The request never ends, so anything the server sends, or its closing, is the cut.
  bool cutOff = false;
  for (int line = 0; line < 40 && !cutOff; ++line) {  // 40 lines, 250 ms apart: 10 s if never cut
    cutOff = slow.hearsWithin(250ms) || !slow.trySend("X-Trickle-" + std::to_string(line) + ": 1\r\n");
  }
  EXPECT_TRUE(cutOff) << "the trickling request was never cut off";
  RawClient other(port_);
  other.send(get("/ping"));
  EXPECT_NE(other.readUntil("pong", 1, 2s).find("pong"), std::string::npos);
}

TEST_F(EventServerTest, AClientSendingWithoutPauseDoesNotKeepItsWorkerFromAnotherClient) {
  // A worker keeps a connection that answered a request for its next one (a hold), but not
  // while another connection waits for a worker: with one worker, a client that sends its
  // next request as soon as each answer arrives must not keep a second client waiting.
  http_.Get("/ping", [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
  ServerTuning tuning;
  tuning.threads = 1;
  tuning.maxThreads = 1;
  start(tuning);
  std::atomic<bool> otherAnswered{false};
  std::atomic<int> busyAnswers{0};
  std::thread busy([&] {
    RawClient client(port_);
    const auto deadline = std::chrono::steady_clock::now() + 30s;  // far beyond the other's wait
    while (!otherAnswered && std::chrono::steady_clock::now() < deadline) {
      client.send(get("/ping"));
      if (client.readUntil("pong").find("pong") == std::string::npos) return;
      ++busyAnswers;
    }
  });
  ASSERT_TRUE(eventually([&] { return busyAnswers > 10; }));
  RawClient other(port_);
  other.send(get("/ping"));
  // (Not longer: past 100,000 requests the server closes the busy connection, freeing the worker.)
  EXPECT_NE(other.readUntil("pong", 1, 1s).find("pong"), std::string::npos) << "the busy client kept the only worker";
  otherAnswered = true;  // the busy client stops
  busy.join();
}

TEST_F(EventServerTest, PipelinedRequestsAreAnsweredInOrder) {
  http_.Get(R"(/echo/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("n=" + req.matches[1].str() + ";", "text/plain");
  });
  start();
  RawClient client(port_);
  client.send(get("/echo/1") + get("/echo/2") + get("/echo/3"));
  const std::string answers = client.readUntil(";", 3);
  const auto first = answers.find("n=1;");
  const auto second = answers.find("n=2;");
  const auto third = answers.find("n=3;");
  ASSERT_NE(third, std::string::npos) << answers;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST_F(EventServerTest, AHandlerCanTakeItsConnectionOutOfTheServer) {
  std::promise<int> taken;
  http_.Get("/take", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [&](std::size_t, httplib::DataSink& sink) {
      sink.write("head", 4);
      taken.set_value(EventServer::takeCurrentConnection());
      EXPECT_EQ(EventServer::takeCurrentConnection(), -1) << "taken once";
      return false;
    });
  });
  start();
  EXPECT_EQ(EventServer::takeCurrentConnection(), -1) << "not a thread serving a request";
  RawClient client(port_);
  client.send(get("/take"));
  EXPECT_NE(client.readUntil("head").find("Transfer-Encoding: chunked"), std::string::npos);
  const int socket = taken.get_future().get();
  ASSERT_GE(socket, 0);
  ASSERT_TRUE(eventually([&] { return server_->openConnections() == 0; })) << "the server let it go";
  EXPECT_FALSE(client.closedWithin(300ms)) << "and did not close it";
  const std::string more = "5\r\nlater\r\n0\r\n\r\n";
  ASSERT_EQ(::send(socket, more.data(), more.size(), MSG_NOSIGNAL), static_cast<ssize_t>(more.size()));
  EXPECT_NE(client.readUntil("0\r\n\r\n").find("later"), std::string::npos) << "the taker writes to it";
  ::close(socket);
  EXPECT_TRUE(client.closedWithin(2s));
}

TEST_F(EventServerTest, StopRefusesNewClientsAndLetsRequestsInFlightFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  http_.Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    entered.set_value();
    released.wait();
    res.set_content("done", "text/plain");
  });
  start();
  RawClient inFlight(port_);
  inFlight.send(get("/slow"));
  entered.get_future().wait();
  server_->stop();
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(RawClient(port_).connected()) << "the listening socket is closed";
  release.set_value();
  const std::string answer = inFlight.readUntil("done");
  EXPECT_NE(answer.find("done"), std::string::npos);
  EXPECT_TRUE(inFlight.closedWithin(2s)) << "a stopping server keeps no connection";
  ASSERT_EQ(listening_.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(listening_.get());
  server_.reset();
}

TEST(EventServer, StopBeforeListenMakesListenReturnAtOnce) {
  RoutedServer http;
  EventServer server(http, {});
  ASSERT_GT(server.bind("127.0.0.1", 0), 0);
  server.stop();
  auto listening = std::async(std::launch::async, [&] { return server.listen(); });
  EXPECT_EQ(listening.wait_for(2s), std::future_status::ready);
}

}  // namespace
}  // namespace livedata::server
