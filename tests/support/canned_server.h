// A server on loopback answering every GET and POST with one body, for answers the simulated
// upstream never gives: "ORIGIN" in the body becomes the server's own origin, "PATH" the
// request's path (so a links.next can point back at the page just read).
#pragma once

#include <httplib.h>

#include <functional>
#include <string>
#include <utility>

#include "loopback_server.h"

namespace livedata::server::testing {

class CannedServer {
 public:
  explicit CannedServer(std::string body) : server_(routesAnswering(std::move(body))) {}

  std::string url() const { return server_.url(); }

 private:
  static std::function<void(httplib::Server&)> routesAnswering(std::string body) {
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
    return [answer](httplib::Server& server) {
      server.Get(".*", answer);
      server.Post(".*", answer);
    };
  }

  livedata::testing::LoopbackServer server_;
};

}  // namespace livedata::server::testing
