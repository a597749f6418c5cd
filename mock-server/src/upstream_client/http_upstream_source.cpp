#include "livedata/expected.h"
#include "upstream_client/http_upstream_source.h"

#include <httplib.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "livedata/cache.h"  // percentEncode, the one the client's URLs use
#include "livedata/config.h"
#include "http/http_server_support.h"  // applyTimeout
#include "livedata/retry.h"
#include "upstream_client/page_json.h"

namespace livedata::server {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Kind = UpstreamFailure::Kind;

Millis nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

UpstreamFailure failure(Kind kind, std::string message, int status = 0) {
  UpstreamFailure f;
  f.kind = kind;
  f.status = status;
  f.message = std::move(message);
  return f;
}

// The API's error body names what went wrong; anything else is quoted as it is, briefly.
std::string describeErrorBody(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    const auto error = json.find("error");
    if (error != json.end() && error->is_object()) {
      const auto code = error->find("code");
      const auto message = error->find("message");
      if (code != error->end() && code->is_string() && message != error->end() && message->is_string()) {
        return code->get<std::string>() + ": " + message->get<std::string>();
      }
    }
  }
  return body.size() > 200 ? body.substr(0, 200) + "..." : body;
}

}  // namespace

Expected<std::unique_ptr<HttpUpstreamSource>, std::string> HttpUpstreamSource::create(HttpUpstreamOptions options) {
  // The client's parser, so the sync and the dashboard's data layer read URLs alike.
  const auto url = parseBaseUrl(options.baseUrl);
  if (!url.ok()) return url.error().detail;
  if (options.connectTimeoutMs < 1) return std::string("connectTimeoutMs must be 1 or more");
  if (options.readTimeoutMs < 1) return std::string("readTimeoutMs must be 1 or more");
  return std::unique_ptr<HttpUpstreamSource>(
      new HttpUpstreamSource(std::move(options), url.value().origin(), url.value().prefix));
}

HttpUpstreamSource::HttpUpstreamSource(HttpUpstreamOptions options, std::string origin, std::string pathPrefix)
    : options_(std::move(options)), origin_(std::move(origin)), pathPrefix_(std::move(pathPrefix)) {}

HttpUpstreamSource::~HttpUpstreamSource() = default;

UpstreamResult HttpUpstreamSource::fetchPage(Entity entity, UnixSeconds updatedSince,
                                             const std::optional<std::string>& cursor, int pageSize) {
  std::string target = pathPrefix_ + "/v1/" + nameOf(entity) + "?updated_since=" + std::to_string(updatedSince) +
                       "&page_size=" + std::to_string(pageSize);
  if (cursor) target += "&cursor=" + percentEncode(*cursor);
  try {
    auto client = takeClient();
    if (!client->is_valid()) return failure(Kind::network, "cannot create an HTTP client for " + origin_);
    UpstreamResult result = fetchWith(*client, target, entity);
    // After a transport failure the connection's state is unknown: the next fetch starts afresh.
    if (result || (result.error().kind != Kind::network && result.error().kind != Kind::timeout)) {
      returnClient(std::move(client));
    }
    return result;
  } catch (const std::exception& e) {
    return failure(Kind::network, "GET " + origin_ + target + " failed: " + e.what());
  }
}

std::unique_ptr<httplib::Client> HttpUpstreamSource::takeClient() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  auto client = std::make_unique<httplib::Client>(origin_);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // avoids the 40 ms Nagle/delayed-ACK stall per request
  client->set_url_encode(false);  // the target is encoded already
  client->set_follow_location(false);
  client->set_default_headers({{"User-Agent", options_.userAgent}, {"Accept", "application/json"}});
  applyTimeout(options_.connectTimeoutMs, [&](time_t s, time_t us) { client->set_connection_timeout(s, us); });
  applyTimeout(options_.readTimeoutMs, [&](time_t s, time_t us) { client->set_read_timeout(s, us); });
  applyTimeout(options_.readTimeoutMs, [&](time_t s, time_t us) { client->set_write_timeout(s, us); });
  return client;
}

void HttpUpstreamSource::returnClient(std::unique_ptr<httplib::Client> client) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(client));
}

UpstreamResult HttpUpstreamSource::fetchWith(httplib::Client& client, const std::string& target, Entity entity) {
  const std::string what = "GET " + origin_ + target;
  httplib::Request req;
  req.method = "GET";
  req.path = target;
  const auto start = SteadyClock::now();
  // httplib's read timeout is per read; this bounds the whole answer while it trickles in.
  const auto deadline = start + std::chrono::milliseconds(options_.connectTimeoutMs + options_.readTimeoutMs);
  req.progress = [deadline](std::uint64_t, std::uint64_t) { return SteadyClock::now() < deadline; };

  httplib::Response res;
  auto error = httplib::Error::Success;
  const bool sent = client.send(req, res, error);
  const auto elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();

  if (!sent || error != httplib::Error::Success) {
    const std::string cause = " (httplib: " + httplib::to_string(error) + ")";
    // httplib 0.11 reports a read timeout as Error::Read, as it does a reset: the time spent
    // tells them apart (a timeout fires only after the full timeout of silence).
    const bool outOfTime = elapsedMs >= options_.readTimeoutMs - options_.readTimeoutMs / 20;
    switch (error) {
      case httplib::Error::Canceled:  // only the deadline above cancels
        return failure(Kind::timeout, what + ": no complete answer within the deadline" + cause);
      case httplib::Error::Read:
      case httplib::Error::Write:
        if (outOfTime) {
          return failure(Kind::timeout, what + ": no answer within " + std::to_string(options_.readTimeoutMs) + " ms" + cause);
        }
        return failure(Kind::network, what + ": connection lost" + cause);
      default:
        return failure(Kind::network, what + ": cannot connect" + cause);
    }
  }

  if (res.status == 200) {
    auto page = parsePage(entity, res.body);
    if (!page) {
      return failure(Kind::malformed, what + ": not a valid page: " + page.error(), res.status);
    }
    return std::move(page).value();
  }
  if (res.status == 429) {
    UpstreamFailure limited = failure(Kind::rate_limited, what + ": 429 " + describeErrorBody(res.body), 429);
    if (res.has_header("Retry-After")) limited.retryAfterMs = parseRetryAfter(res.get_header_value("Retry-After"), nowMs());
    return limited;
  }
  return failure(Kind::http, what + ": " + std::to_string(res.status) + " " + describeErrorBody(res.body), res.status);
}

}  // namespace livedata::server
