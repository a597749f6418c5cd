#include "server.h"

#include <httplib.h>

#include <cstdio>

#include "cache_clearing.h"
#include "compression.h"
#include "http_caching.h"
#include "http_server_support.h"

namespace livedata::mock {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

// The data routes, whose requests the request log keeps (tests count them to see
// de-duplication and cache busting); a path no route serves counts too.
bool isDataPath(const std::string& path) {
  if (path.rfind("/api/", 0) != 0) return false;
  return path.rfind("/api/sync", 0) != 0 && path.rfind("/api/cache/", 0) != 0;
}
bool isAdminPath(const std::string& path) { return path == "/admin" || path.rfind("/admin/", 0) == 0; }


// Every value of a header that may repeat, joined as one list (RFC 9110 section 5.3).
std::string combinedHeader(const Request& req, const char* name) {
  std::string value;
  for (std::size_t i = 0; i < req.get_header_value_count(name); ++i) {
    value += (i == 0 ? "" : ", ") + req.get_header_value(name, i);
  }
  return value;
}

// Adds to a list-valued header (Vary) instead of replacing what a handler set.
void appendHeader(Response& res, const std::string& name, const std::string& value) {
  if (!res.has_header(name.c_str())) return res.set_header(name, value);
  const std::string existing = res.get_header_value(name.c_str());
  res.headers.erase(name);
  res.set_header(name, existing + ", " + value);
}

std::string rawQueryOf(const Request& req) {
  const auto question = req.target.find('?');
  return question == std::string::npos ? std::string() : req.target.substr(question + 1);
}

}  // namespace

MockServer::MockServer(const ServerOptions& options, std::string adminToken, Backend& backend, const Log& log)
    : options_(options),
      backend_(backend),
      log_(log),
      cacheControl_(cacheControlFor(options.maxAgeSeconds, options.staleWhileRevalidateSeconds)),
      admin_(std::move(adminToken), faults_, requests_),
      backendRoutes_(backend),
      cors_(options.corsOrigins),
      http_(std::make_unique<httplib::Server>()) {
  configureServer();
  registerRoutes();
}

MockServer::~MockServer() = default;

void MockServer::route(const char* method, const char* path, Handler handler) {
  const std::string m = method;
  if (m == "GET") http_->Get(path, std::move(handler));
  else if (m == "POST") http_->Post(path, std::move(handler));
  else if (m == "PUT") http_->Put(path, std::move(handler));
  else if (m == "DELETE") http_->Delete(path, std::move(handler));
  routes_.push_back(m + " " + path);
}

void MockServer::protectedRoute(const char* method, const char* path,
                                std::function<AdminReply(const Request&)> action) {
  route(method, path, [this, action = std::move(action)](const Request& req, Response& res) {
    serveProtected(req, res, action);
  });
}

// The route table: every route the server answers. Anything else is a 404 not_found.
void MockServer::registerRoutes() {
  for (const ApiResource resource : {ApiResource::overview, ApiResource::campaigns, ApiResource::flows,
                                     ApiResource::forms, ApiResource::segments}) {
    const std::string path = std::string("/api/") + nameOf(resource);
    route("GET", path.c_str(), [this, resource](const Request& req, Response& res) { serveData(resource, req, res); });
  }

  auto& backend = backendRoutes_;
  protectedRoute("POST", "/api/sync", [&backend](const Request& req) { return backend.requestSync(req.body); });
  protectedRoute("GET", "/api/sync/status", [&backend](const Request&) { return backend.syncStatus(); });
  protectedRoute("POST", "/api/cache/invalidate",
                 [&backend](const Request& req) { return backend.invalidateCache(req.body); });
  protectedRoute("GET", "/api/cache/stats", [&backend](const Request&) { return backend.cacheStats(); });

  auto& admin = admin_;
  protectedRoute("POST", "/admin/faults", [&admin](const Request& req) { return admin.addFaults(req.body); });
  protectedRoute("DELETE", "/admin/faults", [&admin](const Request&) { return admin.clearFaults(); });
  protectedRoute("GET", "/admin/requests", [&admin](const Request&) { return admin.requests(); });
  protectedRoute("POST", "/admin/reset", [&admin](const Request&) { return admin.reset(); });
  protectedRoute("POST", "/admin/touch", [&backend](const Request& req) { return backend.touch(req.body); });
  protectedRoute("GET", "/admin/upstream/faults", [&backend](const Request&) { return backend.upstreamFaults(); });
  protectedRoute("PUT", "/admin/upstream/faults",
                 [&backend](const Request& req) { return backend.setUpstreamFaults(req.body); });
  protectedRoute("DELETE", "/admin/upstream/faults",
                 [&backend](const Request&) { return backend.clearUpstreamFaults(); });
  protectedRoute("POST", "/admin/upstream/changes",
                 [&backend](const Request& req) { return backend.upstreamChanges(req.body); });
}

void MockServer::configureServer() {
  const auto threads = static_cast<std::size_t>(options_.threads);
  // The pool size compiled into Debian's library is fixed; this is the run-time override.
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
  http_->set_tcp_nodelay(true);
  // httplib closes a connection after 5 requests by default.
  http_->set_keep_alive_max_count(100000);
  // A slow or stalled client holds a worker for at most these, per read or write.
  http_->set_read_timeout(options_.readTimeoutMs / 1000, (options_.readTimeoutMs % 1000) * 1000);
  http_->set_write_timeout(options_.writeTimeoutMs / 1000, (options_.writeTimeoutMs % 1000) * 1000);
  http_->set_payload_max_length(options_.maxBodyBytes);

  http_->set_pre_routing_handler([this](const Request& req, Response& res) {
    if (answerPreflight(req, res)) return HandlerResponse::Handled;
    return injectFault(req, res) ? HandlerResponse::Handled : HandlerResponse::Unhandled;
  });
  installErrorHandlers(*http_, options_.maxBodyBytes, [this](const Request& req, const std::string& what) {
    log_.error("handler failed", {{"method", req.method}, {"path", req.path}, {"what", what}});
  });
  http_->set_post_routing_handler([this](const Request& req, Response& res) { finishResponse(req, res); });
  if (options_.logRequests) {
    http_->set_logger([this](const Request& req, const Response& res) {
      log_.info("request", {{"method", req.method}, {"target", req.target}, {"status", res.status},
                            {"bytes", res.body.size()}, {"remote", req.remote_addr}});
    });
  }
}

int MockServer::bind() { return lifecycle_.bind(options_.host, options_.port); }

bool MockServer::listen() { return lifecycle_.listen(); }

void MockServer::stop() {
  faults_.shutdown();  // ends injected delays, so requests in flight can finish
  lifecycle_.stop();
}

void MockServer::serveData(ApiResource resource, const Request& req, Response& res) {
  const auto resolved = backend_.api().resolve(resource, req.params);
  if (const auto* error = std::get_if<ApiError>(&resolved)) return sendError(res, *error);
  const ResolvedRequest& request = std::get<ResolvedRequest>(resolved);
  const auto result = backend_.cache().getOrComputeAs<ApiError>(
      request.resourceKey, [&] { return backend_.api().render(request); });
  if (const auto* error = std::get_if<ApiError>(&result)) return sendError(res, *error);
  const Representation& representation = *std::get<std::shared_ptr<const Representation>>(result);

  const bool gzip = !representation.gzipBody.empty() && acceptsGzip(combinedHeader(req, "Accept-Encoding"));
  const std::string& etag = gzip ? representation.gzipEtag : representation.etag;
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", cacheControl_);
  res.set_header("Vary", "Accept-Encoding");
  if (req.has_header("If-None-Match") && ifNoneMatchMatches(combinedHeader(req, "If-None-Match"), etag)) {
    res.status = 304;  // Date is added and Content-Length dropped in finishResponse
    return;
  }
  // The status stays unset so httplib answers a Range request with 206 (and a plain one
  // with 200). The Content-Type carries a charset, which also keeps httplib 0.11 from
  // compressing the body a second time (it only compresses exactly "application/json").
  res.set_content(gzip ? representation.gzipBody : representation.body, kJsonContentType);
  if (gzip) res.set_header("Content-Encoding", "gzip");
}

void MockServer::serveProtected(const Request& req, Response& res,
                                const std::function<AdminReply(const Request&)>& action) {
  if (auto denied = admin_.authorize(req.get_header_value("Authorization"))) {
    sendError(res, *denied);
    res.set_header("WWW-Authenticate", "Bearer");
    return;
  }
  // The query string only: httplib also files a form-encoded body under params.
  if (const std::string query = rawQueryOf(req); !query.empty()) {
    return sendError(res, unknownParameter(query.substr(0, query.find_first_of("=&")), "none"));
  }
  // set_payload_max_length only bounds bodies with a Content-Length; this catches chunked ones.
  if (req.body.size() > options_.maxBodyBytes) return sendError(res, payloadTooLarge(options_.maxBodyBytes));
  const AdminReply reply = action(req);
  sendJson(res, reply.status, reply.body);
}

// Pre-routing: answers a CORS preflight (OPTIONS with Access-Control-Request-Method) for
// any path: 204 with the CORS headers for an allowed origin, 204 without them otherwise
// (the browser then refuses the actual request).
bool MockServer::answerPreflight(const Request& req, Response& res) {
  if (req.method != "OPTIONS" || !req.has_header("Access-Control-Request-Method")) return false;
  res.status = 204;
  for (const auto& [name, value] : cors_.preflightHeaders(req.get_header_value("Origin"))) res.set_header(name, value);
  return true;
}

// Pre-routing: answers the request from a fault rule when one applies. Returns whether
// the rule answered (otherwise routing goes on, possibly after the rule's delay).
bool MockServer::injectFault(const Request& req, Response& res) {
  if (isAdminPath(req.path)) return false;
  const auto rule = faults_.take(req.path);
  if (!rule) return false;
  if (rule->delayMs > 0) faults_.delay(rule->delayMs);
  if (rule->retryAfter) res.set_header("Retry-After", *rule->retryAfter);
  if (!rule->replacesAnswer()) return false;
  if (rule->malformed) {
    sendJson(res, rule->status, kMalformedBody);
  } else {
    sendError(res, injectedFault(rule->status, req.path));
  }
  return true;
}

// Post-routing: runs on every response after httplib's own processing and before the
// headers are written.
void MockServer::finishResponse(const Request& req, Response& res) {
  if (!res.has_header("Access-Control-Allow-Origin")) {  // a preflight answer has its own
    for (const auto& [name, value] : cors_.responseHeaders(req.get_header_value("Origin"))) {
      appendHeader(res, name, value);
    }
  }
  // RFC 9110 section 6.6.1: an origin server with a clock sends Date (httplib does not).
  if (!res.has_header("Date")) res.set_header("Date", currentHttpDate());
  // httplib adds "Content-Length: 0" to every empty response; on a 304 it would claim the
  // representation is empty (RFC 9110 section 8.6), so send none.
  if (res.status == 304) res.headers.erase("Content-Length");
  if (const auto changed = resourceChangedBy(req.method, req.path, res.status)) {
    backend_.cache().invalidateEndpoints({nameOf(*changed)});
  }
  if (isDataPath(req.path)) {
    requests_.record({req.method, req.path, rawQueryOf(req), combinedHeader(req, "If-None-Match"),
                      combinedHeader(req, "Cache-Control"), res.status});
  }
}

}  // namespace livedata::mock
