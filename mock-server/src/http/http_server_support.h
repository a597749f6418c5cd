// What every httplib server of mock-server needs (the API server and the upstream): its
// tuning, JSON answers in the one error shape, and error and exception handlers that use it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

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
  int readTimeoutMs = 5000;   // a slow or stalled client holds a worker at most this per request
  int writeTimeoutMs = 5000;  // and this per write
  std::size_t maxBodyBytes = 65536;  // larger request bodies get 413
  std::optional<int> keepAliveTimeoutSeconds;  // an idle connection is closed after it; nullopt: 5 s
};

// Settles what httplib 0.11 parsed of a request where it differs from the HTTP RFCs or
// from what the API reads, before any route sees it. Called from the pre-routing handler,
// which runs before a body is read; httplib passes its own mutable request there, as const.
// - Framing (RFC 9112 6.1 to 6.3): a request with Transfer-Encoding and Content-Length, with
//   differing Content-Lengths, or one that is not a number, or a GET or HEAD that sends a
//   body (httplib reads none, so its bytes would be read as the next request: request
//   smuggling behind a proxy), gets this error; the caller answers it and closes the
//   connection. A POST, PUT or PATCH with neither header has a body of length zero (httplib
//   would read until the peer closes, and answer 400 before authentication).
// - Range: ignored (RFC 9110 14.2 lets a server): every answer is the whole representation.
//   httplib 0.11 would cut a body whose status the route set to 200 and still say 200, and
//   answer an unsatisfiable range with a negative length.
// - Query: a parameter's value runs from its first '=' to the next '&' (the URL standard's
//   application/x-www-form-urlencoded parsing); httplib takes the text after its last '='
//   ("limit=9=3" would read 3), so such a query is split again.
std::optional<ApiError> settleRequest(const httplib::Request& req);

// Calls visit(name, value) for each parameter of a raw query (the text after '?'), as sent
// (not percent-decoded): the '&'-separated pieces, empty ones skipped, each split at its
// first '=' (the value empty without one). Stops early when visit returns false.
template <typename Visit>
void forEachRawParameter(std::string_view query, Visit&& visit) {
  std::size_t start = 0;
  while (start < query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string_view piece = query.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    const std::size_t equals = std::min(piece.find('='), piece.size());
    const std::string_view value = equals < piece.size() ? piece.substr(equals + 1) : std::string_view();
    if (!visit(piece.substr(0, equals), value)) return;
  }
}

// A JSON answer no cache may reuse (errors, admin replies, feed pages): Cache-Control
// no-store. The charset in the Content-Type also keeps httplib 0.11 from gzipping the body
// on its own (it compresses only an exact "application/json").
void sendJson(httplib::Response& res, int status, const std::string& body);
// The same for a body of another type (Prometheus text, health+json).
void sendUncacheable(httplib::Response& res, int status, const std::string& body, const char* contentType);
// Sends `error` as the API's JSON error. Its detail (ApiError::detail) is never sent: it is
// kept for this thread's request, for the server's monitoring to take (takeErrorDetail).
void sendError(httplib::Response& res, const ApiError& error);
// The detail of the last error sent on this thread, once; empty when none. The server takes
// it as each request ends, so none is left over for the next.
std::string takeErrorDetail();

// Says so to the client (Connection: close) and closes the connection once `res` is written:
// for a request whose end could not be read for sure, so nothing after it on the connection
// can be read as a request (EventServer::closeCurrentConnectionAfterResponse).
void closeAfterResponse(httplib::Response& res);

// An exception that escaped a handler: its dynamic type, demangled ("std::out_of_range";
// "unknown" for a non-std::exception), and its what().
struct CaughtException {
  std::string type;
  std::string what;
};

// The Allow header of the route at a path (its methods, HEAD with GET, and OPTIONS), or
// null when no route serves the path.
using AllowedMethods = std::function<const std::string*(const std::string& path)>;

// httplib's own errors (unknown route 404, body too large 413, unparsable request 400...)
// answered in the error shape, leaving bodies handlers wrote alone; an exception escaping a
// handler becomes a 500 with the handler's headers dropped, reported to `onException`. A
// path some route serves, asked with another method, is a 405 with `Allow` (RFC 9110
// section 15.5.6), and a plain OPTIONS of it a 204 with `Allow` (without `allowedMethods`,
// every such request is a 404).
void installErrorHandlers(httplib::Server& http, std::size_t maxBodyBytes,
                          std::function<void(const httplib::Request&, const CaughtException&)> onException,
                          AllowedMethods allowedMethods = {});

}  // namespace livedata::server
