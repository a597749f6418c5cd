#include "upstream_client/upstream_transport.h"

#include <httplib.h>

#include <chrono>

#include "http/http_server_support.h"  // applyTimeout
#include "livedata/config.h"
#include "livedata/retry.h"

namespace livedata::server {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Kind = UpstreamFailure::Kind;

Millis nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One request's round trip as httplib saw it, before it is given a meaning.
struct Exchange {
  httplib::Error error = httplib::Error::Success;
  httplib::Response response;
  std::int64_t elapsedMs = 0;
  bool cutAtBound = false;  // the body grew past maxAnswerBytes: reading stopped (httplib: Canceled)
  std::size_t maxAnswerBytes = 0;  // the bound this request's body was read to
};

bool isIdempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

// httplib 0.11 reports a read timeout as Error::Read, as it does a reset: the time spent
// tells them apart (a timeout fires only after the full timeout of silence).
bool outOfTime(const Exchange& exchange, int readTimeoutMs) {
  return exchange.elapsedMs >= readTimeoutMs - readTimeoutMs / 20;
}

// The connection failed at once, as one the server had closed does: within a round trip of
// the request going out (bounded by the time a connection may take to open), and not by a
// timeout. httplib reports an answer it cannot read (a bad status line, a body cut short) the
// same way; a GET repeated for that costs a request, no more.
bool lostAtOnce(const Exchange& exchange, const HttpUpstreamOptions& options) {
  const bool readOrWrite = exchange.error == httplib::Error::Read || exchange.error == httplib::Error::Write;
  return readOrWrite && exchange.elapsedMs < options.connectTimeoutMs && !outOfTime(exchange, options.readTimeoutMs);
}

Exchange exchangeOn(httplib::Client& client, const UpstreamRequest& request, const std::string& pathPrefix, int timeoutMs,
                    std::size_t maxAnswerBytes) {
  httplib::Request req;
  req.method = request.method;
  req.path = pathPrefix + request.target;
  for (const auto& [name, value] : request.headers) req.set_header(name, value);
  if (!request.body.empty() || request.method == "POST") {
    req.body = request.body;
    req.set_header("Content-Type", request.contentType);
  }
  const auto start = SteadyClock::now();
  // httplib's read timeout is per read; this bounds the whole answer while it trickles in.
  const auto deadline = start + std::chrono::milliseconds(timeoutMs);

  Exchange exchange;
  exchange.maxAnswerBytes = maxAnswerBytes;
  // The body is gathered here, as its pieces arrive whatever the framing (httplib's progress
  // callback sees only a body with a Content-Length): the deadline and the bound hold mid-body.
  std::string body;
  req.content_receiver = [&body, &exchange, deadline, maxAnswerBytes](const char* data, std::size_t length,
                                                                      std::uint64_t, std::uint64_t) {
    if (SteadyClock::now() >= deadline) return false;
    exchange.cutAtBound = length > maxAnswerBytes - body.size();
    body.append(data, exchange.cutAtBound ? maxAnswerBytes - body.size() : length);
    return !exchange.cutAtBound;
  };
  const bool sent = client.send(req, exchange.response, exchange.error);
  if (!sent && exchange.error == httplib::Error::Success) exchange.error = httplib::Error::Unknown;
  exchange.response.body = std::move(body);
  exchange.elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
  return exchange;
}

Expected<UpstreamAnswer, UpstreamFailure> outcomeOf(Exchange exchange, const std::string& what,
                                                    const HttpUpstreamOptions& options) {
  const int readTimeoutMs = options.readTimeoutMs;
  const int status = exchange.response.status;
  // A page past the bound is refused; an error's body only explains it, so its status (and
  // a 429's Retry-After) stands, with the body cut at the bound.
  if (exchange.cutAtBound && status >= 200 && status < 300) {
    return upstreamFailure(Kind::malformed,
                           what + ": answer body over " + std::to_string(exchange.maxAnswerBytes) +
                               " bytes; the rest was not read",
                           status);
  }
  if (exchange.error != httplib::Error::Success && !exchange.cutAtBound) {
    const std::string cause = " (httplib: " + httplib::to_string(exchange.error) + ")";
    switch (exchange.error) {
      case httplib::Error::Canceled:  // past the bound is handled above: only the deadline cancels
        return upstreamFailure(Kind::timeout, what + ": no complete answer within the deadline" + cause);
      case httplib::Error::Read:
      case httplib::Error::Write:
        if (outOfTime(exchange, readTimeoutMs)) {
          return upstreamFailure(Kind::timeout, what + ": no answer within " + std::to_string(readTimeoutMs) + " ms" + cause);
        }
        return upstreamFailure(Kind::network, what + ": connection lost" + cause);
      default:
        return upstreamFailure(Kind::network, what + ": cannot connect" + cause);
    }
  }
  UpstreamAnswer answer;
  answer.status = exchange.response.status;
  answer.body = std::move(exchange.response.body);
  if (exchange.response.has_header("Retry-After")) {
    answer.retryAfterMs = parseRetryAfter(exchange.response.get_header_value("Retry-After"), nowMs());
  }
  answer.what = what;
  return answer;
}

}  // namespace

UpstreamFailure upstreamFailure(Kind kind, std::string message, int status) {
  UpstreamFailure f;
  f.kind = kind;
  f.status = status;
  f.message = std::move(message);
  return f;
}

Expected<std::unique_ptr<UpstreamTransport>, std::string> UpstreamTransport::create(HttpUpstreamOptions options) {
  // The client's parser, so the sync and the dashboard's data layer read URLs alike.
  const auto url = parseBaseUrl(options.baseUrl);
  if (!url.ok()) return url.error().detail;
  if (options.connectTimeoutMs < 1) return std::string("connectTimeoutMs must be 1 or more");
  if (options.readTimeoutMs < 1) return std::string("readTimeoutMs must be 1 or more");
  if (options.maxAnswerBytes < 1) return std::string("maxAnswerBytes must be 1 or more");
  return std::unique_ptr<UpstreamTransport>(new UpstreamTransport(std::move(options), url.value().origin(), url.value().prefix));
}

UpstreamTransport::UpstreamTransport(HttpUpstreamOptions options, std::string origin, std::string pathPrefix)
    : options_(std::move(options)), origin_(std::move(origin)), pathPrefix_(std::move(pathPrefix)) {}

UpstreamTransport::~UpstreamTransport() = default;

Expected<UpstreamAnswer, UpstreamFailure> UpstreamTransport::send(const UpstreamRequest& request) {
  const std::string what = request.method + " " + origin_ + pathPrefix_ + request.target;
  try {
    std::unique_ptr<httplib::Client> client = takeIdleClient();
    const bool reused = client != nullptr;
    if (!reused) client = newClient();
    if (!client->is_valid()) return upstreamFailure(Kind::network, "cannot create an HTTP client for " + origin_);
    const int deadlineMs = options_.connectTimeoutMs + options_.readTimeoutMs;
    const std::size_t maxAnswerBytes =
        request.maxAnswerBytes > 0 ? std::min(request.maxAnswerBytes, options_.maxAnswerBytes) : options_.maxAnswerBytes;
    Exchange exchange = exchangeOn(*client, request, pathPrefix_, deadlineMs, maxAnswerBytes);
    // A server may close a kept-alive connection just as a request goes out on it (between
    // httplib's liveness check and the write): RFC 9112 section 9.3.1 lets a client send an
    // idempotent request again on a new connection. Once: a fresh connection that fails too
    // is the server's answer.
    if (reused && lostAtOnce(exchange, options_) && isIdempotent(request.method)) {
      client = newClient();
      exchange = exchangeOn(*client, request, pathPrefix_, deadlineMs, maxAnswerBytes);
    }
    auto result = outcomeOf(std::move(exchange), what, options_);
    // After a transport failure the connection's state is unknown: the next request starts afresh.
    if (result) returnClient(std::move(client));
    return result;
  } catch (const std::exception& e) {
    return upstreamFailure(Kind::network, what + " failed: " + e.what());
  }
}

std::unique_ptr<httplib::Client> UpstreamTransport::takeIdleClient() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return nullptr;
  auto client = std::move(idle_.back());
  idle_.pop_back();
  return client;
}

std::unique_ptr<httplib::Client> UpstreamTransport::newClient() const {
  auto client = std::make_unique<httplib::Client>(origin_);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // avoids the 40 ms Nagle/delayed-ACK stall per request
  client->set_url_encode(false);  // the target is encoded already
  client->set_follow_location(false);
  client->set_default_headers({{"User-Agent", options_.userAgent}});
  applyTimeout(options_.connectTimeoutMs, [&](time_t s, time_t us) { client->set_connection_timeout(s, us); });
  applyTimeout(options_.readTimeoutMs, [&](time_t s, time_t us) { client->set_read_timeout(s, us); });
  applyTimeout(options_.readTimeoutMs, [&](time_t s, time_t us) { client->set_write_timeout(s, us); });
  return client;
}

void UpstreamTransport::returnClient(std::unique_ptr<httplib::Client> client) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(client));
}

}  // namespace livedata::server
