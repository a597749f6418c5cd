#include "app/server.h"

#include <httplib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <string_view>
#include <utility>

#include "app/cache_clearing.h"
#include "app/min_version.h"
#include "http/bearer_auth.h"
#include "http/compression.h"
#include "http/http_caching.h"
#include "http/http_server_support.h"
#include "http/secret_redaction.h"
#include "livedata/cache.h"  // kCacheBustingParam
#include "livedata/live_feed.h"  // kMinVersionHeader
#include "livedata/types.h"  // equalsIgnoreCase

namespace livedata::server {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

// The data routes (not the live feed, whose requests are held for long), whose requests the request log keeps (tests count them to see
// de-duplication and cache busting) and whose requests make the service-level figures of
// monitoring (error rate, latency); a path no route serves counts too.
// The live feed, whose responses are held open for as long as the client listens.
bool isHeldPath(const std::string& path) { return path == "/api/changes"; }

bool isDataPath(const std::string& path) {
  if (path.rfind("/api/", 0) != 0) return false;
  return path.rfind("/api/sync", 0) != 0 && path.rfind("/api/cache/", 0) != 0 && !isHeldPath(path);
}
bool isAdminPath(const std::string& path) { return path == "/admin" || path.rfind("/admin/", 0) == 0; }

// The route template of requests no route matched (404s, probes of random paths): one
// series for all of them, so they cannot grow the metrics.
const std::string kUnmatchedRoute = "(unmatched)";
// The route template of files served from --web-root (the dashboard).
const std::string kStaticRoute = "(static)";

// The health probes answer 503 as their verdict on the server, not as a failure of their own.
bool isHealthVerdict(const std::string& route, int status) {
  return status == 503 && (route == "/monitoring/health" || route == "/readyz");
}

// What the monitoring middleware carries from a request's pre-routing to the moment its
// response is written. httplib serves a request on one worker thread from start to finish
// and one request at a time per thread, so a thread_local holds it. `open` is false for a
// request httplib answered before routing (a malformed request line: 400, 414).
struct RequestContext {
  bool open = false;
  std::chrono::steady_clock::time_point start;
  std::string requestId;
  std::string userAgent;                      // read with the request id, for the metrics
  std::optional<CaughtException> exception;  // set when a handler threw
  bool staticFile = false;                    // answered from --web-root
  // Set by the pre-routing handler, read and cleared as the response is finished: a
  // response without it answers a request httplib refused before routing.
  bool routed = false;
};
thread_local RequestContext currentRequest;

// The error of a 5xx for /monitoring/errors: the exception a handler threw, else the error
// body's code and message (every 5xx of this server has one), else the bare status.
monitoring::ErrorEvent serverErrorOf(const Request& req, const Response& res, const RequestContext& context,
                                     const std::string& detail) {
  monitoring::ErrorEvent event;
  if (context.exception) {
    event.type = context.exception->type;
    event.message = context.exception->what;
  } else {
    const auto body = nlohmann::json::parse(res.body, nullptr, /*allow_exceptions=*/false);
    const auto* error = body.is_object() && body.contains("error") && body["error"].is_object() ? &body["error"] : nullptr;
    event.type = error && (*error)["code"].is_string() ? (*error)["code"].get<std::string>()
                                                       : "http_" + std::to_string(res.status);
    event.message = error && (*error)["message"].is_string() ? (*error)["message"].get<std::string>()
                                                             : "HTTP " + std::to_string(res.status);
    if (!detail.empty()) event.message += " (" + detail + ")";
  }
  event.requestId = context.requestId;
  event.context = {{"method", req.method}, {"path", req.path}, {"status", res.status}};
  return event;
}

// The values of the named request headers, read in one pass over the request's headers; an
// absent header reads as empty. A pass compares a name's bytes only when its length
// matches. Each of httplib's own lookups walks its header map comparing names a character
// at a time through tolower: the dozen lookups a cached answer made were about a tenth of
// its instructions (callgrind), where a pass or two cost a fraction of that.
// A value views the request's own header, so reading copies nothing; the values of a
// repeated header are joined as one list (RFC 9110 section 5.3), which this object holds.
// Valid while the request is; neither copied nor moved, as its values may view itself.
template <std::size_t N>
class HeaderValues {
 public:
  HeaderValues(const Request& req, const std::array<std::string_view, N>& names) {
    for (const auto& [name, value] : req.headers) {
      for (std::size_t i = 0; i < N; ++i) {
        if (!equalsIgnoreCase(name, names[i])) continue;
        add(i, value);
        break;
      }
    }
  }
  HeaderValues(const HeaderValues&) = delete;
  HeaderValues& operator=(const HeaderValues&) = delete;

  std::string_view operator[](std::size_t i) const { return values_[i]; }

 private:
  void add(std::size_t i, const std::string& value) {
    if (!seen_[i]) {
      values_[i] = value;
      seen_[i] = true;
      return;
    }
    if (joined_[i].empty()) joined_[i] = values_[i];
    joined_[i].append(", ").append(value);
    values_[i] = joined_[i];
  }

  std::array<std::string_view, N> values_{};
  std::array<bool, N> seen_{};
  std::array<std::string, N> joined_;  // only for a header sent more than once
};

// A response's header by name, found by a walk. httplib's header map orders names through
// tolower, a libc call per character, so its own find or erase by name, which descends the
// tree twice, cost a 304 about 1,500 instructions (callgrind); a response has about ten
// headers, which a walk comparing lengths first reads for a few hundred.
httplib::Headers::iterator findHeader(Response& res, std::string_view name) {
  return std::find_if(res.headers.begin(), res.headers.end(),
                      [name](const auto& header) { return equalsIgnoreCase(header.first, name); });
}

void eraseHeader(Response& res, std::string_view name) {
  if (const auto found = findHeader(res, name); found != res.headers.end()) res.headers.erase(found);
}

// Adds to a list-valued header (Vary) instead of replacing what a handler set.
void appendHeader(Response& res, const std::string& name, const std::string& value) {
  const auto existing = findHeader(res, name);
  if (existing == res.headers.end()) return res.set_header(name, value);
  existing->second.append(", ").append(value);
}

// The query string of the request's target, without '?'; a view into req.target.
std::string_view rawQueryOf(const Request& req) {
  const auto question = req.target.find('?');
  return question == std::string::npos ? std::string_view() : std::string_view(req.target).substr(question + 1);
}

// The name of the query's first parameter other than `except` (as sent, not decoded), or
// nullopt when there is none.
std::optional<std::string_view> firstParameterBut(std::string_view query, std::string_view except) {
  std::optional<std::string_view> found;
  forEachRawParameter(query, [&](std::string_view name, std::string_view) {
    if (name != except) found = name;
    return !found;
  });
  return found;
}

}  // namespace

ApiServer::ApiServer(const ServerOptions& options, std::string adminToken, Backend& backend, const Log& log)
    : options_(options),
      backend_(backend),
      log_(log),
      cacheControl_(cacheControlFor(options.maxAgeSeconds, options.staleWhileRevalidateSeconds)),
      admin_(std::move(adminToken), faults_, requests_),
      backendRoutes_(backend),
      changeRoutes_(backend.changeFeed(), options.feed, [&backend] { return backend.committedVersion(); }),
      cors_(options.corsOrigins),
      monitoring_(options, backend, log),
      staticFiles_(options.webRoot.empty() ? nullptr : std::make_unique<StaticFiles>(options.webRoot)),
      http_(std::make_unique<RoutedServer>()),
      server_(*http_, options.http) {
  configureServer();
  registerRoutes();
}

ApiServer::~ApiServer() = default;

void ApiServer::route(const char* method, const char* path, Handler handler) {
  const std::string m = method;
  if (m == "GET") {
    getRoutes_.emplace(path, handler);
    http_->Get(path, std::move(handler));
  } else if (m == "POST") {
    http_->Post(path, std::move(handler));
  } else if (m == "PUT") {
    http_->Put(path, std::move(handler));
  } else if (m == "DELETE") {
    http_->Delete(path, std::move(handler));
  }
  routes_.push_back(m + " " + path);
  // The path's Allow header: its methods in the order registered, HEAD with GET, OPTIONS last.
  std::string& allowed = allowedMethods_[path];
  if (allowed.empty()) allowed = "OPTIONS";
  allowed.insert(allowed.size() - std::string_view("OPTIONS").size(), m + (m == "GET" ? ", HEAD, " : ", "));
}

const std::string& ApiServer::routeTemplateOf(const std::string& path) const {
  const auto found = allowedMethods_.find(path);
  return found == allowedMethods_.end() ? kUnmatchedRoute : found->first;
}

void ApiServer::protectedRoute(const char* method, const char* path,
                                std::function<AdminReply(const Request&)> action) {
  route(method, path, [this, action = std::move(action)](const Request& req, Response& res) {
    serveProtected(req, res, action);
  });
}

// The route table: every route the server answers. Another method on one of these paths is a
// 405 method_not_allowed (with Allow); any other path a 404 not_found.
void ApiServer::registerRoutes() {
  for (const ApiResource resource : {ApiResource::overview, ApiResource::campaigns, ApiResource::flows,
                                     ApiResource::forms, ApiResource::segments}) {
    const std::string path = std::string("/api/") + nameOf(resource);
    route("GET", path.c_str(), [this, resource](const Request& req, Response& res) { serveData(resource, req, res); });
  }

  route("GET", "/api/changes", [this](const Request& req, Response& res) { changeRoutes_.serve(req, res); });

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

  // Monitoring: behind the token, since it shows client IPs and user agents; the probes
  // orchestrators call are open.
  auto& monitoring = monitoring_;
  protectedRoute("GET", "/monitoring/health", [&monitoring](const Request&) { return monitoring.health(); });
  protectedRoute("GET", "/monitoring/metrics", [&monitoring](const Request&) { return monitoring.metrics(); });
  protectedRoute("GET", "/monitoring/api-metrics", [&monitoring](const Request&) { return monitoring.apiMetrics(); });
  protectedRoute("GET", "/monitoring/errors", [&monitoring](const Request&) { return monitoring.errors(); });
  protectedRoute("GET", "/monitoring/status", [&monitoring](const Request&) { return monitoring.status(); });
  protectedRoute("GET", "/metrics", [&monitoring](const Request&) { return monitoring.prometheus(); });
  const auto openRoute = [this](const char* path, AdminReply (ServerMonitoring::*answer)()) {
    route("GET", path, [this, answer](const Request&, Response& res) {
      const AdminReply reply = (monitoring_.*answer)();
      sendUncacheable(res, reply.status, reply.body, reply.contentType);
    });
  };
  openRoute("/livez", &ServerMonitoring::live);
  openRoute("/readyz", &ServerMonitoring::ready);
}

void ApiServer::configureServer() {

  http_->set_pre_routing_handler([this](const Request& req, Response& res) {
    currentRequest.routed = true;
    if (options_.requestMetrics) beginMonitoring(req);
    if (auto error = settleRequest(req)) {
      sendError(res, *error);
      closeAfterResponse(res);  // what follows cannot be told apart
      return HandlerResponse::Handled;
    }
    // httplib parses TRACE and CONNECT but routes neither (it would answer a bare 400): as
    // for any method a path is not served with, the error handler answers a 405 naming the
    // path's methods where the path is served, else a 404.
    if (req.method == "TRACE" || req.method == "CONNECT") {
      res.status = 404;
      return HandlerResponse::Handled;
    }
    if (answerPreflight(req, res)) return HandlerResponse::Handled;
    if (injectFault(req, res)) return HandlerResponse::Handled;
    if (serveStaticFile(req, res)) return HandlerResponse::Handled;
    return dispatchGet(req, res) ? HandlerResponse::Handled : HandlerResponse::Unhandled;
  });
  const auto allowedMethods = [this](const std::string& path) -> const std::string* {
    const auto found = allowedMethods_.find(path);
    return found == allowedMethods_.end() ? nullptr : &found->second;
  };
  const auto onException = [this](const Request& req, const CaughtException& caught) {
    currentRequest.exception = caught;
    log_.error("handler failed", {{"method", req.method}, {"path", req.path}, {"type", caught.type},
                                  {"what", caught.what}, {"requestId", currentRequest.requestId}});
  };
  installErrorHandlers(*http_, options_.http.maxBodyBytes, onException, allowedMethods);
  http_->set_post_routing_handler([this](const Request& req, Response& res) { finishResponse(req, res); });
  // httplib calls its logger once the response is written: the end of every request.
  if (options_.requestMetrics || options_.logRequests) {
    http_->set_logger([this](const Request& req, const Response& res) { endMonitoring(req, res); });
  }
}

// The dashboard's files at /, beside the API (same origin: no CORS for the browser), in the
// coding the build precompressed that the client accepts. The entry page is revalidated on
// every load, so a new build is picked up at once; Vite's assets carry a content hash in
// their names, so they may be kept for a year. Paths the route table serves never reach the
// folder (and cost no file lookup).
bool ApiServer::serveStaticFile(const Request& req, Response& res) {
  if (!staticFiles_ || (req.method != "GET" && req.method != "HEAD") || allowedMethods_.count(req.path) > 0) return false;
  auto file = staticFiles_->find(req.path);
  if (!file) return false;
  currentRequest.staticFile = true;
  const HeaderValues<2> headers(req, {"Accept-Encoding", "If-None-Match"});
  const std::string_view acceptEncoding = headers[0], ifNoneMatch = headers[1];
  const StaticRepresentation& representation = file->representationFor(acceptEncoding);
  res.set_header("Cache-Control", file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set_header("Vary", "Accept-Encoding");
  res.set_header("ETag", representation.etag);
  if (ifNoneMatchMatches(ifNoneMatch, representation.etag)) {
    res.status = 304;
    return true;
  }
  res.status = 200;
  if (!representation.coding.empty()) res.set_header("Content-Encoding", representation.coding);
  // Served from the shared bytes, never copied into the response; a provider of known
  // length is also never compressed again by httplib.
  res.set_content_provider(representation.bytes.size(), file->contentType,
                           [file, &representation](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             return sink.write(representation.bytes.data() + offset, length);
                           });
  return true;
}

// Pre-routing: a GET or HEAD goes to its route by one hash lookup. httplib's own dispatch
// tries the route table's regular expressions in turn (std::regex, a few percent of a
// cached answer's time), though every route is a literal path. Nothing is skipped by
// answering here: httplib reads a body only for POST, PUT, PATCH and DELETE, which take its
// way, as does a path no route serves (for its 404).
bool ApiServer::dispatchGet(const Request& req, Response& res) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  const auto found = getRoutes_.find(req.path);
  if (found == getRoutes_.end()) return false;
  found->second(req, res);
  return true;
}

void ApiServer::beginMonitoring(const Request& req) {
  RequestContext& context = currentRequest;
  if (context.open) monitoring_.service().requests().endRequest();  // never left open; kept exact regardless
  context.open = true;
  context.start = std::chrono::steady_clock::now();
  const HeaderValues<2> headers(req, {"X-Request-Id", "User-Agent"});
  context.requestId = requestIds_.forRequest(headers[0]);
  context.userAgent = headers[1];
  context.exception.reset();
  monitoring_.service().requests().beginRequest();
}

void ApiServer::endMonitoring(const Request& req, const Response& res) {
  RequestContext& context = currentRequest;
  const auto elapsed = context.open ? std::chrono::steady_clock::now() - context.start
                                    : std::chrono::steady_clock::duration::zero();
  monitoring::MonitoringService& service = monitoring_.service();
  // Taken whatever else is recorded, so no detail is left for the thread's next request.
  const std::string detail = takeErrorDetail();
  if (!detail.empty()) logServerError(req, res, detail, context.requestId);
  if (options_.requestMetrics) {
    const std::string& route = context.staticFile ? kStaticRoute : routeTemplateOf(req.path);
    std::optional<HeaderValues<1>> unopened;  // a request never opened has its User-Agent read here
    if (!context.open) unopened.emplace(req, std::array<std::string_view, 1>{"User-Agent"});
    const std::string_view userAgent = unopened ? (*unopened)[0] : std::string_view(context.userAgent);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    service.recordRequest({route, req.method, res.status, static_cast<std::uint64_t>(micros), userAgent,
                           req.remote_addr, /*serviceLevel=*/isDataPath(req.path), /*held=*/isHeldPath(req.path)});
    if (res.status >= 500 && !isHealthVerdict(route, res.status)) {
      monitoring::ErrorEvent error = serverErrorOf(req, res, context, detail);
      error.route = route;
      service.recordError(error);
    }
  }
  if (options_.logRequests) {
    log_.info("request", {{"method", req.method}, {"target", redactSecretParameters(req.target)}, {"status", res.status},
                          {"bytes", res.body.size()}, {"remote", req.remote_addr}, {"requestId", context.requestId},
                          {"durationMs", std::chrono::duration<double, std::milli>(elapsed).count()}});
  }
  if (context.open) service.requests().endRequest();
  context.open = false;
  context.exception.reset();
  context.staticFile = false;
}

void ApiServer::logServerError(const Request& req, const Response& res, const std::string& detail,
                               const std::string& requestId) {
  std::uint64_t notLogged = 0;
  {
    std::lock_guard lock(serverErrorLogMutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - lastServerErrorLog_ < std::chrono::seconds(1)) {
      ++serverErrorsNotLogged_;
      return;
    }
    lastServerErrorLog_ = now;
    notLogged = std::exchange(serverErrorsNotLogged_, 0);
  }
  log_.warn("server error", {{"status", res.status}, {"path", req.path}, {"detail", detail}, {"requestId", requestId},
                             {"notLoggedSinceLast", notLogged}});
}

int ApiServer::bind() { return server_.bind(options_.host, options_.port); }

const std::string& ApiServer::bindError() const { return server_.bindError(); }

bool ApiServer::listen() { return server_.listen(); }

void ApiServer::stop() {
  faults_.shutdown();  // ends injected delays, so requests in flight can finish
  // The listening socket closes first: a connection whose response ends after that leaves
  // at once, where one that ends before waits out httplib's keep-alive timeout (5 s).
  server_.stop();
  backend_.changeFeed().stop();  // ends held streams and long-polls, which the pool waits for
  monitoring_.stop();
}

void ApiServer::serveData(ApiResource resource, const Request& req, Response& res) {
  const HeaderValues<3> headers(req, {"Accept-Encoding", "If-None-Match", kMinVersionHeader});
  const std::string_view acceptEncoding = headers[0], ifNoneMatch = headers[1];
  // Before resolve, which reads the data's version: the answer must be at least this new.
  if (const std::string_view minVersion = headers[2]; !minVersion.empty()) {
    const auto committedVersion = [this] { return backend_.committedVersion(); };
    if (auto behind = awaitMinVersion(backend_.changeFeed(), minVersion, committedVersion, kCatchUpWait)) {
      return sendError(res, *behind);
    }
  }
  const auto resolved = backend_.api().resolve(resource, req.params);
  if (!resolved) return sendError(res, resolved.error());
  const ResolvedRequest& request = resolved.value();
  const auto result = backend_.cache().getOrCompute(
      request.cacheKey(), [&] { return backend_.api().render(request); });
  if (!result) return sendError(res, result.error());
  const Representation& representation = *result.value();
  const bool gzip = !representation.gzipBody.empty() && acceptsCoding(acceptEncoding, "gzip");
  const std::string& etag = gzip ? representation.gzipEtag : representation.etag;
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", cacheControl_);
  res.set_header("Vary", "Accept-Encoding");
  if (ifNoneMatchMatches(ifNoneMatch, etag)) {
    res.status = 304;  // Date is added and Content-Length dropped in finishResponse
    return;
  }
  // The status stays unset: httplib sets 200 (a Range header was dropped by settleRequest).
  // The Content-Type carries a charset, which also keeps httplib 0.11 from compressing the
  // body a second time (it only compresses exactly "application/json").
  res.set_content(gzip ? representation.gzipBody : representation.body, kJsonContentType);
  if (gzip) res.set_header("Content-Encoding", "gzip");
}

void ApiServer::serveProtected(const Request& req, Response& res,
                                const std::function<AdminReply(const Request&)>& action) {
  const std::string authorization = req.get_header_value("Authorization");
  if (auto denied = admin_.authorize(authorization)) {
    sendError(res, *denied);
    // RFC 6750 section 3: no bearer credentials get the bare challenge, a blank token is a
    // malformed request, and a token refused is invalid.
    // (A token of spaces reaches us as "Bearer" alone: httplib trims header values.)
    const auto credentials = bearerCredentials(authorization);
    const bool blank = credentials ? credentials->empty() : equalsIgnoreCase(authorization, "Bearer");
    res.set_header("WWW-Authenticate", blank         ? "Bearer error=\"invalid_request\""
                                       : credentials ? "Bearer error=\"invalid_token\""
                                                     : "Bearer");
    return;
  }
  // The query string only: httplib also files a form-encoded body under params. These
  // routes take no parameter but `_t`, which every route accepts and ignores.
  if (const auto unknown = firstParameterBut(rawQueryOf(req), kCacheBustingParam)) {
    return sendError(res, unknownParameter(std::string(*unknown), "_t"));
  }
  // set_payload_max_length only bounds bodies with a Content-Length; this catches chunked ones.
  if (req.body.size() > options_.http.maxBodyBytes) return sendError(res, payloadTooLarge(options_.http.maxBodyBytes));
  const AdminReply reply = action(req);
  sendUncacheable(res, reply.status, reply.body, reply.contentType);
}

// Pre-routing: answers a CORS preflight (OPTIONS with Access-Control-Request-Method) for
// any path: 204 with the CORS headers for an allowed origin, 204 without them otherwise
// (the browser then refuses the actual request).
bool ApiServer::answerPreflight(const Request& req, Response& res) {
  if (req.method != "OPTIONS" || !req.has_header("Access-Control-Request-Method")) return false;
  res.status = 204;
  for (const auto& [name, value] : cors_.preflightHeaders(req.get_header_value("Origin"))) res.set_header(name, value);
  return true;
}

// Pre-routing: answers the request from a fault rule when one applies. Returns whether
// the rule answered (otherwise routing goes on, possibly after the rule's delay).
bool ApiServer::injectFault(const Request& req, Response& res) {
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
void ApiServer::finishResponse(const Request& req, Response& res) {
  const HeaderValues<3> headers(req, {"Origin", "If-None-Match", "Cache-Control"});
  const std::string_view origin = headers[0], ifNoneMatch = headers[1], cacheControl = headers[2];
  // Only Vary: Origin without an allowed Origin; a preflight answer has its own.
  const HeaderList corsHeaders = cors_.responseHeaders(origin);
  if (!corsHeaders.empty() && findHeader(res, "Access-Control-Allow-Origin") == res.headers.end()) {
    for (const auto& [name, value] : corsHeaders) appendHeader(res, name, value);
  }
  // RFC 9110 section 6.6.1: an origin server with a clock sends Date (httplib does not, nor
  // does any handler here).
  res.set_header("Date", currentHttpDate());
  // httplib adds "Content-Length: 0" to every empty response; on a 304 it would claim the
  // representation is empty, and a 204 must send none (RFC 9110 section 8.6).
  if (res.status == 304 || res.status == 204) eraseHeader(res, "Content-Length");
  // httplib announces byte ranges on every HEAD, which this server ignores everywhere (RFC
  // 9110 section 14.2; a GET carries no such header, and a HEAD answers with a GET's).
  if (req.method == "HEAD") eraseHeader(res, "Accept-Ranges");
  if (currentRequest.open) {
    res.set_header("X-Request-Id", currentRequest.requestId);
  } else if (options_.requestMetrics) {
    // Refused by httplib before routing (414, a request line it could not parse): never
    // opened, so it gets an id of its own here.
    res.set_header("X-Request-Id", requestIds_.next());
  }
  if (!std::exchange(currentRequest.routed, false)) {
    // Refused by httplib (a request line or head it could not parse, 414): where such a
    // request ends is unknown, so nothing after it on the connection is read.
    closeAfterResponse(res);
  }
  if (const auto changed = resourceChangedBy(req.method, req.path, res.status)) {
    backend_.cache().invalidateEndpoints({nameOf(*changed)});
  }
  if (isDataPath(req.path)) {
    requests_.record({req.method, req.path, routeTemplateOf(req.path), rawQueryOf(req), ifNoneMatch, cacheControl,
                      res.status});
  }
}

}  // namespace livedata::server
