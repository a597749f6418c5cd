// The HTTP face of mock-server: one route table (server.cpp) over ApiRoutes, AdminRoutes,
// the FaultInjector and the RequestLog, plus the HTTP caching fixes httplib 0.11 needs
// (/work/shared/notes/cpp-httplib-debian12.md).
//
// Threading: bind() then listen() on one thread; stop() from any thread, once or more.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "admin_routes.h"
#include "cors.h"
#include "api_routes.h"
#include "fault_injector.h"
#include "options.h"
#include "request_log.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace livedata::mock {

class MockServer {
 public:
  // REQUIRES: `adminToken` is not empty.
  MockServer(const ServerOptions& options, std::string adminToken);
  ~MockServer();

  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds options.host:options.port (port 0: a free port). Returns the bound port, or -1.
  int bind();
  // Serves until stop(). REQUIRES: bind() succeeded. Returns false if serving failed.
  bool listen();
  // Makes listen() return, also when called before listen() has started.
  void stop();

 private:
  void configureServer();
  void registerRoutes();

  void serveApi(Endpoint endpoint, const httplib::Request& req, httplib::Response& res);
  void serveAdmin(const httplib::Request& req, httplib::Response& res, const std::function<AdminReply()>& action);
  bool answerPreflight(const httplib::Request& req, httplib::Response& res);
  bool injectFault(const httplib::Request& req, httplib::Response& res);
  void finishResponse(const httplib::Request& req, httplib::Response& res);
  bool renderErrorIfEmpty(const httplib::Request& req, httplib::Response& res);

  ServerOptions options_;
  std::string cacheControl_;
  FaultInjector faults_;
  RequestLog requests_;
  ApiRoutes api_;
  AdminRoutes admin_;
  CorsPolicy cors_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> listenEntered_{false};
  std::atomic<bool> listenReturned_{false};
  std::atomic<bool> stopRequested_{false};
};

}  // namespace livedata::mock
