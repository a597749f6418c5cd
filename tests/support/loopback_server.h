// An httplib server on a free loopback port, serving from a thread of its own for as long as
// the object lives: a test gives it the routes it needs.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

namespace livedata::testing {

class LoopbackServer {
 public:
  explicit LoopbackServer(const std::function<void(httplib::Server&)>& routes) {
    routes(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");  // listening from here: connections wait
    if (port_ < 0) throw std::runtime_error("LoopbackServer: cannot bind a loopback port");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // httplib 0.11's stop() does nothing until the loop runs: a server destroyed before
    // then would wait on its thread for good.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // A chunked body that never ends, 10 bytes every 50 ms: no single read waits long enough
  // to time out, so only a bound on the whole answer ends it.
  static void trickleForever(httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [](std::size_t, httplib::DataSink& sink) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return sink.write("xxxxxxxxxx", 10);
    });
  }

  // "http://127.0.0.1:<port>" followed by `path`.
  std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace livedata::testing
