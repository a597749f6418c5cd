// What every httplib server of mock-server needs (the API server and the upstream): its
// tuning, JSON answers in the one error shape, and error and exception handlers that use it.
#pragma once

#include <cstddef>
#include <ctime>
#include <functional>
#include <optional>
#include <string>

#include "http/api_error.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace livedata::server {

// httplib takes a timeout as (seconds, microseconds): calls `set` with `ms` split so, e.g.
// applyTimeout(ms, [&](time_t s, time_t us) { client.set_read_timeout(s, us); }).
template <typename SetTimeout>
void applyTimeout(int ms, SetTimeout&& set) {
  set(static_cast<time_t>(ms / 1000), static_cast<time_t>((ms % 1000) * 1000));
}

// How every server of mock-server serves connections (the API server and the upstream;
// http/event_server.h).
struct ServerTuning {
  int threads = 8;            // worker threads kept ready; each serves one request at a time
  int maxThreads = 1024;      // requests served at once (threads start as they come); >= threads
  int readTimeoutMs = 5000;   // a slow or stalled client holds a worker at most this per read
  int writeTimeoutMs = 5000;  // and this per write
  std::size_t maxBodyBytes = 65536;  // larger request bodies get 413
  std::optional<int> keepAliveTimeoutSeconds;  // an idle connection is closed after it; nullopt: 5 s
};

// RFC 9112 6.3: a request with neither Content-Length nor Transfer-Encoding has a body of
// length zero. httplib 0.11 instead reads a POST, PUT or PATCH without them until the peer
// closes, and answers 400 once its read times out, before any handler (or authentication)
// sees the request. Called from the pre-routing handler, which runs before the body is read:
// it states the zero length the RFC implies, so such a request is answered on its merits.
void frameBodilessRequest(const httplib::Request& req);

// A JSON answer no cache may reuse (errors, admin replies, feed pages): Cache-Control
// no-store. The charset in the Content-Type also keeps httplib 0.11 from gzipping the body
// on its own (it compresses only an exact "application/json").
void sendJson(httplib::Response& res, int status, const std::string& body);
// The same for a body of another type (Prometheus text, health+json).
void sendUncacheable(httplib::Response& res, int status, const std::string& body, const char* contentType);
void sendError(httplib::Response& res, const ApiError& error);

// An exception that escaped a handler: its dynamic type, demangled ("std::out_of_range";
// "unknown" for a non-std::exception), and its what().
struct CaughtException {
  std::string type;
  std::string what;
};

// httplib's own errors (unknown route 404, body too large 413, unparsable request 400...)
// answered in the error shape, leaving bodies handlers wrote alone; an exception escaping a
// handler becomes a 500 with the handler's headers dropped, reported to `onException`.
void installErrorHandlers(httplib::Server& http, std::size_t maxBodyBytes,
                          std::function<void(const httplib::Request&, const CaughtException&)> onException);

}  // namespace livedata::server
