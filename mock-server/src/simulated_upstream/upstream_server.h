// The simulated upstream marketing API over HTTP (docs/upstream.md): an UpstreamAccount served
// as Klaviyo serves an account (GET /api/<collection>, POST reports, revision 2026-07-15),
// behind Klaviyo's rate limits and injected faults, with admin routes to change the faults and
// the account at run time.
//
// Route table (upstream_server.cpp, registerRoutes):
//   GET    /api/{campaigns,flows,forms,segments,metrics}  a page of a Klaviyo collection
//                             (Authorization: Klaviyo-API-Key <key>; revision: 2026-07-15)
//   POST   /api/{campaign,flow,form,segment}-values-reports, /api/metric-aggregates  a report
//   GET    /admin/faults      the faults in force           (Authorization: Bearer <token>)
//   PUT    /admin/faults      replace them
//   DELETE /admin/faults      no faults
//   POST   /admin/changes     {"count": N}: N account changes now
//   GET    /admin/stats       the counters below
//
// Threading: bind() then listen() on one thread, or start(); stop() from any thread, once
// or more; every other member from any thread. The account must outlive the server.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "livedata/expected.h"
#include "simulated_upstream/account.h"
#include "klaviyo/rate_windows.h"
#include "simulated_upstream/upstream_faults.h"
#include "http/event_server.h"
#include "klaviyo/error_document.h"
#include "http/http_server_support.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace livedata::server {

struct UpstreamServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port. 0..65535
  // Worker threads; each serves one connection at a time (httplib's model). 1..1024. Default 8.
  int threads = 8;
  // A slow or stalled client holds a worker at most this long per read or write. >= 1.
  int readTimeoutMs = 5000;
  int writeTimeoutMs = 5000;
  // An idle kept-alive connection is closed after this long; stop() may wait for it. 1..3600.
  int keepAliveTimeoutSeconds = 5;
  // Bearer token of the /admin routes; empty: they answer 401 to everyone.
  std::string adminToken;
  // The private API key the Klaviyo routes take; empty: they answer 401 to everyone.
  std::string apiKey;
  // Whether the Klaviyo routes enforce Klaviyo's documented rate limits (klaviyo/operations.h);
  // off for benchmarks and large tests, which would otherwise measure the limiter.
  bool documentedRateLimits = true;
  // Unix ms of the rate limits' windows. Empty: the system clock.
  std::function<std::int64_t()> nowMs;
  // Larger admin request bodies get 413. >= 1. Default 64 KiB.
  std::size_t maxBodyBytes = 65536;
  // The faults in force from the start (validateFaults).
  UpstreamFaults faults;
};

// What the server has done since it was created.
struct UpstreamCounters {
  std::uint64_t requests = 0;     // /api requests received, whatever their answer
  std::uint64_t rateLimited = 0;  // 429s: the rate windows' and injected bursts'
  std::uint64_t faults = 0;       // injected faults of every kind (bursts included)
};

class UpstreamServer {
 public:
  // Checks the options; the error names the bad one.
  static Expected<std::unique_ptr<UpstreamServer>, std::string> create(UpstreamAccount& account,
                                                                           UpstreamServerOptions options);
  ~UpstreamServer();  // stop()s
  UpstreamServer(const UpstreamServer&) = delete;
  UpstreamServer& operator=(const UpstreamServer&) = delete;

  // Binds options.host:options.port. Returns the bound port, or -1.
  int bind();
  // Why bind() failed ("Address already in use").
  const std::string& bindError() const;
  // Serves until stop(); at once returns false when not bound, or when serving failed.
  // Once per server.
  bool listen();
  // bind() and listen() on a thread of the server's own. Returns false when bind fails.
  bool start();
  // Ends held and delayed requests at once, makes listen() return (also when called
  // before listen() started) and joins start()'s thread.
  void stop();

  int port() const { return port_.load(); }  // 0 before bind()
  std::string baseUrl() const;               // "http://host:port"

  // The in-process face of /admin/faults and /admin/changes.
  std::optional<std::string> setFaults(UpstreamFaults faults);  // the validation error, if any
  void clearFaults();
  UpstreamFaults faults() const;
  UpstreamAccount& account() { return account_; }

  UpstreamCounters counters() const;

 private:
  UpstreamServer(UpstreamAccount& account, UpstreamServerOptions options);
  void configureServer();
  void registerRoutes();
  // Long keep-alive: a sync walks many pages on one connection.
  static ServerTuning tuningOf(const UpstreamServerOptions& options);

  // An admin route's answer: a status and a JSON body.
  struct JsonReply {
    int status = 200;
    std::string body;
  };

  // GET /api/<collection> and POST /api/<report>: the checks of admitKlaviyoRequest, then the
  // page or the report.
  void serveCollection(const httplib::Request& req, httplib::Response& res);
  void serveReport(const httplib::Request& req, httplib::Response& res);
  std::optional<FaultDecision> admitKlaviyoRequest(const httplib::Request& req, httplib::Response& res,
                                                   const std::string& operation, const klaviyo::RateLimit& limit);
  std::string originOf(const httplib::Request& req) const;
  void sendKlaviyoBody(httplib::Response& res, std::string body, const FaultDecision& fault);
  // Klaviyo's error document for `error`, with an id of its own.
  void sendKlaviyoError(httplib::Response& res, const klaviyo::ErrorObject& error);
  // Answers `res` with `action`'s reply when the request carries the admin token.
  void serveAdmin(const httplib::Request& req, httplib::Response& res, JsonReply (UpstreamServer::*action)(const std::string& body));
  JsonReply getFaults(const std::string& body);
  JsonReply putFaults(const std::string& body);
  JsonReply deleteFaults(const std::string& body);
  JsonReply postChanges(const std::string& body);
  JsonReply getStats(const std::string& body);
  // Sleeps up to `ms`, less when the server stops.
  void pause(int ms);

  UpstreamAccount& account_;
  const UpstreamServerOptions options_;
  FaultPlan faults_;
  RateWindows rateWindows_;
  std::atomic<std::uint64_t> errorIds_{0};
  std::unique_ptr<RoutedServer> http_;
  EventServer server_;  // after http_: destroyed before it
  std::thread listener_;  // start()'s
  std::atomic<int> port_{0};

  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> rateLimited_{0};
  std::atomic<std::uint64_t> injected_{0};

  std::mutex stopMutex_;
  std::condition_variable stopWake_;  // wakes pause()s
  std::atomic<bool> stopRequested_{false};  // GUARDED_BY(stopMutex_) for stopWake_
};

}  // namespace livedata::server
