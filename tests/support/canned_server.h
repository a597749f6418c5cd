// A server on loopback answering every GET and POST with one body, for answers the simulated
// upstream never gives: "ORIGIN" in the body becomes the server's own origin, "PATH" the
// request's path (so a links.next can point back at the page just read).
#pragma once

#include <httplib.h>

#include <string>
#include <thread>

namespace livedata::server::testing {

class CannedServer {
 public:
  explicit CannedServer(std::string body) {
    const auto answer = [body](const httplib::Request& req, httplib::Response& res) {
      std::string text = body;
      for (const auto& [marker, value] : {std::pair<std::string, std::string>{"ORIGIN", "http://" + req.get_header_value("Host")},
                                          std::pair<std::string, std::string>{"PATH", req.path}}) {
        for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + value.size())) {
          text.replace(at, marker.size(), value);
        }
      }
      res.set_content(text, "application/vnd.api+json");
    };
    server_.Get(".*", answer);
    server_.Post(".*", answer);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~CannedServer() {
    server_.stop();
    thread_.join();
  }
  CannedServer(const CannedServer&) = delete;
  CannedServer& operator=(const CannedServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace livedata::server::testing
