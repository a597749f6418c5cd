#include "livedata/expected.h"
#include "simulated_upstream/upstream_server.h"

#include <httplib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/api_error.h"
#include "http/bearer_auth.h"
#include "http/http_server_support.h"
#include "simulated_upstream/klaviyo_collections.h"
#include "simulated_upstream/klaviyo_reports.h"
#include "klaviyo/operations.h"
#include "model/strict_json.h"

namespace livedata::server {
namespace {

using httplib::Request;
using httplib::Response;
using Json = nlohmann::ordered_json;

constexpr int kMaxChangesPerRequest = 1'000'000;

std::string dump(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::optional<std::string> validate(const UpstreamServerOptions& o) {
  if (o.port < 0 || o.port > 65535) return std::string("port must be from 0 to 65535");
  if (o.threads < 1 || o.threads > 1024) return std::string("threads must be from 1 to 1024");
  if (o.readTimeoutMs < 1) return std::string("readTimeoutMs must be 1 or more");
  if (o.writeTimeoutMs < 1) return std::string("writeTimeoutMs must be 1 or more");
  if (o.keepAliveTimeoutSeconds < 1 || o.keepAliveTimeoutSeconds > 3600) {
    return std::string("keepAliveTimeoutSeconds must be from 1 to 3600");
  }
  if (o.maxBodyBytes < 1) return std::string("maxBodyBytes must be 1 or more");
  if (auto fault = validateFaults(o.faults)) return "faults." + *fault;
  return std::nullopt;
}

}  // namespace

Expected<std::unique_ptr<UpstreamServer>, std::string> UpstreamServer::create(UpstreamAccount& account,
                                                                                  UpstreamServerOptions options) {
  if (auto error = validate(options)) return *error;
  return std::unique_ptr<UpstreamServer>(new UpstreamServer(account, std::move(options)));
}

UpstreamServer::UpstreamServer(UpstreamAccount& account, UpstreamServerOptions options)
    : account_(account),
      options_(std::move(options)),
      faults_(options_.faults),
      http_(std::make_unique<RoutedServer>()),
      server_(*http_, tuningOf(options_)) {
  configureServer();
  registerRoutes();
}

UpstreamServer::~UpstreamServer() { stop(); }

// The route table: every route the upstream answers. Anything else is a 404 not_found.
void UpstreamServer::registerRoutes() {
  http_->Get(R"(/api/[^/]+/?)", [this](const Request& req, Response& res) { serveCollection(req, res); });
  http_->Post(R"(/api/[^/]+/?)", [this](const Request& req, Response& res) { serveReport(req, res); });

  auto admin = [this](JsonReply (UpstreamServer::*action)(const std::string&)) {
    return [this, action](const Request& req, Response& res) { serveAdmin(req, res, action); };
  };
  http_->Get("/admin/faults", admin(&UpstreamServer::getFaults));
  http_->Put("/admin/faults", admin(&UpstreamServer::putFaults));
  http_->Delete("/admin/faults", admin(&UpstreamServer::deleteFaults));
  http_->Post("/admin/changes", admin(&UpstreamServer::postChanges));
  http_->Get("/admin/stats", admin(&UpstreamServer::getStats));
}

ServerTuning UpstreamServer::tuningOf(const UpstreamServerOptions& options) {
  ServerTuning tuning;
  tuning.threads = options.threads;
  tuning.readTimeoutMs = options.readTimeoutMs;
  tuning.writeTimeoutMs = options.writeTimeoutMs;
  tuning.maxBodyBytes = options.maxBodyBytes;
  tuning.keepAliveTimeoutSeconds = options.keepAliveTimeoutSeconds;
  return tuning;
}

void UpstreamServer::configureServer() {
  installErrorHandlers(*http_, options_.maxBodyBytes, [](const Request& req, const CaughtException& caught) {
    std::fprintf(stderr, "upstream: %s %s failed: %s: %s\n", req.method.c_str(), req.path.c_str(),
                 caught.type.c_str(), caught.what.c_str());
  });
}

int UpstreamServer::bind() {
  const int port = server_.bind(options_.host, options_.port);
  if (port > 0) port_ = port;
  return port;
}

const std::string& UpstreamServer::bindError() const { return server_.bindError(); }

bool UpstreamServer::listen() { return server_.listen(); }

bool UpstreamServer::start() {
  if (bind() < 0) return false;
  listener_ = std::thread([this] { listen(); });
  return true;
}

void UpstreamServer::stop() {
  {
    std::lock_guard lock(stopMutex_);
    stopRequested_ = true;
  }
  stopWake_.notify_all();  // held requests end first, so the listen can finish
  server_.stop();
  if (listener_.joinable() && listener_.get_id() != std::this_thread::get_id()) listener_.join();
}

std::string UpstreamServer::baseUrl() const { return "http://" + options_.host + ":" + std::to_string(port()); }

std::optional<std::string> UpstreamServer::setFaults(UpstreamFaults faults) {
  if (auto error = validateFaults(faults)) return error;
  faults_.set(std::move(faults));
  return std::nullopt;
}

void UpstreamServer::clearFaults() { faults_.set(UpstreamFaults{}); }

UpstreamFaults UpstreamServer::faults() const { return faults_.current(); }

UpstreamCounters UpstreamServer::counters() const { return {requests_.load(), rateLimited_.load(), injected_.load()}; }

void UpstreamServer::pause(int ms) {
  if (ms <= 0) return;
  std::unique_lock lock(stopMutex_);
  stopWake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopRequested_.load(); });
}

void UpstreamServer::sendKlaviyoError(Response& res, const klaviyo::ErrorObject& error) {
  // Klaviyo's ids are UUIDs; a counter in UUID form keeps them unique and tests repeatable.
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>(++errorIds_));
  res.status = error.status;
  res.set_content(klaviyo::renderErrorDocument(error, id), std::string(klaviyo::kJsonApiContentType));
}

// What every Klaviyo route checks first, in Klaviyo's order: the key, the revision, the
// operation's rate limits; then the injected faults. Answers `res` and returns nullopt when the
// request goes no further; else the fault still to apply to the answer (malformed or none).
std::optional<FaultDecision> UpstreamServer::admitKlaviyoRequest(const Request& req, Response& res, const std::string& operation,
                                                                 const klaviyo::RateLimit& limit) {
  ++requests_;
  const auto credentials = req.get_header_value("Authorization");
  constexpr std::string_view kScheme = "Klaviyo-API-Key ";
  const std::string_view given = std::string_view(credentials).substr(0, kScheme.size()) == kScheme
                                     ? std::string_view(credentials).substr(kScheme.size())
                                     : std::string_view();
  if (options_.apiKey.empty() || !constantTimeEquals(given, options_.apiKey)) {
    sendKlaviyoError(res, klaviyo::notAuthenticated());
    return std::nullopt;
  }
  const std::string revision = req.get_header_value("revision");
  if (revision != klaviyo::kRevision) {
    sendKlaviyoError(res, klaviyo::invalidParameter(
                              "revision", revision.empty() ? "The revision header is required: revision: " + std::string(klaviyo::kRevision)
                                                           : "revision " + revision + " is not served here; this API speaks " +
                                                                 std::string(klaviyo::kRevision)));
    return std::nullopt;
  }
  if (options_.documentedRateLimits) {
    const auto nowMs = options_.nowMs ? options_.nowMs()
                                      : std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (const auto wait = rateWindows_.admit(operation, limit, nowMs)) {
      ++rateLimited_;
      sendKlaviyoError(res, klaviyo::throttled(static_cast<long>(*wait)));
      res.set_header("Retry-After", std::to_string(*wait));
      return std::nullopt;
    }
  }
  const FaultDecision fault = faults_.next();
  pause(fault.latencyMs);
  using Kind = FaultDecision::Kind;
  klaviyo::ErrorObject failure = klaviyo::serverError();
  switch (fault.kind) {
    case Kind::rateLimited:
      ++injected_;
      ++rateLimited_;
      sendKlaviyoError(res, klaviyo::throttled(fault.retryAfterSeconds));
      res.set_header("Retry-After", std::to_string(fault.retryAfterSeconds));
      return std::nullopt;
    case Kind::error:
      ++injected_;
      failure.status = fault.status;
      sendKlaviyoError(res, failure);
      return std::nullopt;
    case Kind::timeout:
      ++injected_;
      pause(fault.holdMs);
      failure.status = 504;
      sendKlaviyoError(res, failure);
      return std::nullopt;
    case Kind::malformed:
    case Kind::none: break;
  }
  return fault;
}

// Links name the host the client asked for, as Klaviyo's name a.klaviyo.com.
std::string UpstreamServer::originOf(const Request& req) const {
  const std::string host = req.get_header_value("Host");
  return host.empty() ? baseUrl() : "http://" + host;
}

void UpstreamServer::sendKlaviyoBody(Response& res, std::string body, const FaultDecision& fault) {
  if (fault.kind == FaultDecision::Kind::malformed) {
    ++injected_;
    body.resize(body.size() / 2);  // no proper prefix of a JSON object is JSON
  }
  res.status = 200;
  res.set_content(std::move(body), std::string(klaviyo::kJsonApiContentType));
}

void UpstreamServer::serveCollection(const Request& req, Response& res) {
  std::string path = req.path;
  if (path.size() > 1 && path.back() == '/') path.pop_back();  // Klaviyo's own links end in '/'
  const auto collection = collectionAt(path);
  if (!collection) {
    ++requests_;
    return sendKlaviyoError(res, klaviyo::notFound("Not found: no collection at " + req.path));
  }
  const auto fault = admitKlaviyoRequest(req, res, path, klaviyo::operationOf(*collection).rateLimit);
  if (!fault) return;
  const auto request = parseCollectionRequest(*collection, req.params);
  if (!request) return sendKlaviyoError(res, request.error());
  sendKlaviyoBody(res, answerCollection(account_, request.value(), originOf(req), req.params), *fault);
}

void UpstreamServer::serveReport(const Request& req, Response& res) {
  std::string path = req.path;
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  const auto report = reportAt(path);
  if (!report) {
    ++requests_;
    return sendKlaviyoError(res, klaviyo::notFound("Not found: no report at " + req.path));
  }
  const auto fault = admitKlaviyoRequest(req, res, path, klaviyo::operationOf(*report).rateLimit);
  if (!fault) return;
  const std::string type = req.get_header_value("Content-Type");
  const std::string mediaType = type.substr(0, type.find(';'));
  if (mediaType != klaviyo::kJsonApiContentType && mediaType != "application/json") {
    return sendKlaviyoError(res, klaviyo::unsupportedMediaType("the body must be application/vnd.api+json"));
  }
  auto answer = answerReport(account_, *report, req.body, account_.options().clock(), originOf(req));
  if (!answer) return sendKlaviyoError(res, answer.error());
  sendKlaviyoBody(res, std::move(answer).value(), *fault);
}

void UpstreamServer::serveAdmin(const Request& req, Response& res, JsonReply (UpstreamServer::*action)(const std::string&)) {
  if (!bearerTokenMatches(req.get_header_value("Authorization"), options_.adminToken)) {
    sendError(res, unauthorized(options_.adminToken.empty() ? "admin routes are off: the upstream has no admin token"
                                                            : "admin routes need Authorization: Bearer <token>"));
    res.set_header("WWW-Authenticate", "Bearer");
    return;
  }
  // set_payload_max_length only bounds bodies with a Content-Length; this catches chunked ones.
  if (req.body.size() > options_.maxBodyBytes) return sendError(res, payloadTooLarge(options_.maxBodyBytes));
  const JsonReply reply = (this->*action)(req.body);
  sendJson(res, reply.status, reply.body);
}

UpstreamServer::JsonReply UpstreamServer::getFaults(const std::string&) { return {200, dump(Json(faults_.current()))}; }

UpstreamServer::JsonReply UpstreamServer::putFaults(const std::string& body) {
  auto parsed = parseFaults(body);
  if (!parsed) return {parsed.error().status, renderErrorBody(parsed.error())};
  faults_.set(std::move(parsed).value());
  return getFaults(body);
}

UpstreamServer::JsonReply UpstreamServer::deleteFaults(const std::string& body) {
  clearFaults();
  return getFaults(body);
}

UpstreamServer::JsonReply UpstreamServer::postChanges(const std::string& body) {
  const auto parsed = parseJsonStrictly(body);
  const auto fail = [](const std::string& message) -> JsonReply {
    const ApiError error = invalidParameter(message);
    return {error.status, renderErrorBody(error)};
  };
  const std::string expected = "count must be an integer from 1 to " + std::to_string(kMaxChangesPerRequest);
  if (!parsed) return fail("the request body " + parsed.error() + "; it must be a JSON object: {\"count\": N}");
  const nlohmann::json& json = parsed.value();
  if (!json.is_object()) return fail("the request body must be a JSON object: {\"count\": N}");
  for (const auto& [name, value] : json.items()) {
    if (name != "count") return fail("'" + name + "' is not a field of /admin/changes (accepted: count)");
  }
  const auto count = json.find("count");
  if (count == json.end()) return fail("count is required: {\"count\": N}");
  if (!count->is_number_unsigned() || count->get<std::uint64_t>() < 1 || count->get<std::uint64_t>() > kMaxChangesPerRequest) {
    return fail(expected);
  }
  const int changes = count->get<int>();
  const UnixSeconds stamp = account_.changesNow(changes);
  return {200, dump(Json{{"count", changes}, {"updatedAt", formatIsoTimestamp(stamp)}, {"changes", account_.changeCount()}})};
}

UpstreamServer::JsonReply UpstreamServer::getStats(const std::string&) {
  const UpstreamCounters c = counters();
  return {200, dump(Json{{"requests", c.requests},
                         {"rateLimited", c.rateLimited},
                         {"faults", c.faults},
                         {"changes", account_.changeCount()}})};
}

}  // namespace livedata::server
