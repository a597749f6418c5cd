// The HTTP face of mock-server: one route table (server.cpp) over the backend's services
// (data queries behind the response cache, sync, cache control, the in-process upstream),
// the server's own fault rules and request log, CORS, the monitoring middleware and routes,
// and the HTTP caching fixes httplib 0.11 needs (Vary and a distinct ETag per content coding,
// Date on 304s: RFC 9110 sections 6.6.1 and 8.8.3.3; see finishResponse).
//
// Threading: bind() then listen() on one thread; stop() from any thread, once or more.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "http/admin_routes.h"
#include "http/cors.h"
#include "app/backend.h"
#include "app/backend_routes.h"
#include "app/change_routes.h"
#include "app/log.h"
#include "http/fault_injector.h"
#include "http/event_server.h"
#include "http/http_server_support.h"
#include "app/options.h"
#include "http/request_id.h"
#include "http/request_log.h"
#include "http/static_files.h"
#include "app/server_monitoring.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace livedata::server {

class ApiServer {
 public:
  // REQUIRES: `adminToken` is not empty; `backend` and `log` outlive this object.
  ApiServer(const ServerOptions& options, std::string adminToken, Backend& backend, const Log& log);
  ~ApiServer();

  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds options.host:options.port (port 0: a free port). Returns the bound port, or -1.
  int bind();
  // Why bind() failed ("Address already in use").
  const std::string& bindError() const;
  // Serves until stop(). REQUIRES: bind() succeeded. Returns false if serving failed.
  bool listen();
  // Makes listen() return, also when called before listen() has started. Requests in
  // flight are finished; idle kept-alive connections are closed within their keep-alive
  // timeout.
  void stop();

  // Every route the server answers, as "METHOD /path" (docs/openapi.yaml must list each).
  const std::vector<std::string>& routes() const { return routes_; }

 private:
  void configureServer();
  void registerRoutes();

  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  void route(const char* method, const char* path, Handler handler);
  // A route behind the bearer token whose answer is `action`'s JSON.
  void protectedRoute(const char* method, const char* path, std::function<AdminReply(const httplib::Request&)> action);

  void serveData(ApiResource resource, const httplib::Request& req, httplib::Response& res);
  void serveProtected(const httplib::Request& req, httplib::Response& res,
                      const std::function<AdminReply(const httplib::Request&)>& action);
  bool answerPreflight(const httplib::Request& req, httplib::Response& res);
  bool injectFault(const httplib::Request& req, httplib::Response& res);
  void finishResponse(const httplib::Request& req, httplib::Response& res);
  bool serveStaticFile(const httplib::Request& req, httplib::Response& res);
  bool dispatchGet(const httplib::Request& req, httplib::Response& res);
  // The monitoring middleware: opened in pre-routing, closed once the response is written.
  void beginMonitoring(const httplib::Request& req);
  void endMonitoring(const httplib::Request& req, const httplib::Response& res);
  // The route template a request matched, for metrics: the route table's path, or
  // kUnmatchedRoute. (Every route is a literal path, so matching is a lookup.)
  const std::string& routeTemplateOf(const std::string& path) const;

  ServerOptions options_;
  Backend& backend_;
  const Log& log_;
  // "server error" lines: at most one a second, the next one counting those left out, so an
  // outage failing a thousand requests a second does not flood the log (/monitoring/errors
  // counts every one).
  std::mutex serverErrorLogMutex_;
  std::chrono::steady_clock::time_point lastServerErrorLog_;  // GUARDED_BY(serverErrorLogMutex_)
  std::uint64_t serverErrorsNotLogged_ = 0;                    // GUARDED_BY(serverErrorLogMutex_)
  void logServerError(const httplib::Request& req, const httplib::Response& res, const std::string& detail,
                      const std::string& requestId);
  std::string cacheControl_;
  FaultInjector faults_;
  RequestLog requests_;
  AdminRoutes admin_;
  BackendRoutes backendRoutes_;
  ChangeRoutes changeRoutes_;
  std::vector<std::string> routes_;
  // By path, the Allow header of its routes (every route's path is a key: its metrics' template).
  std::unordered_map<std::string, std::string> allowedMethods_;
  // The GET routes again, by path, for dispatchGet; httplib holds the same handlers.
  std::unordered_map<std::string, Handler> getRoutes_;
  RequestIds requestIds_;
  CorsPolicy cors_;
  ServerMonitoring monitoring_;  // before http_: outlives the requests that record into it
  std::unique_ptr<StaticFiles> staticFiles_;  // --web-root; null without one
  std::unique_ptr<RoutedServer> http_;
  EventServer server_;  // after http_: destroyed before it
};

}  // namespace livedata::server
