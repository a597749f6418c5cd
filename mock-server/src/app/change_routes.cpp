#include "app/change_routes.h"

#include <httplib.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "feed/change_notice.h"
#include "livedata/expected.h"
#include "http/api_error.h"
#include "http/connection_pool.h"
#include "http/http_server_support.h"

namespace livedata::server {
namespace {

using Clock = std::chrono::steady_clock;

// Changes written per wake-up of a stream or per long-poll answer; a client further behind
// gets the rest on the next round.
constexpr std::size_t kChangesPerRound = 500;

// How long a client told 503 too_many_subscribers should wait, in seconds.
constexpr const char* kSubscriberRetryAfter = "5";

struct ChangesRequest {
  std::optional<std::int64_t> since;  // the version the client is at; nullopt: a new client
  int waitSeconds = 0;                // long-poll only
  bool stream = false;                // Accept: text/event-stream
};

std::optional<std::int64_t> parseVersion(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || value < 0) return std::nullopt;
  return value;
}

Expected<ChangesRequest, ApiError> parseRequest(const httplib::Request& req) {
  ChangesRequest parsed;
  for (const auto& [name, value] : req.params) {
    if (name != "since" && name != "wait") return unknownParameter(name, "since, wait");
  }
  if (req.has_param("since")) {
    parsed.since = parseVersion(req.get_param_value("since"));
    if (!parsed.since) return invalidParameter("since must be a change version: an integer of at least 0");
  }
  if (req.has_param("wait")) {
    const auto wait = parseVersion(req.get_param_value("wait"));
    if (!wait || *wait > ChangeFeedOptions::kMaxWaitSeconds) {
      return invalidParameter("wait must be an integer of seconds from 0 to " +
                              std::to_string(ChangeFeedOptions::kMaxWaitSeconds));
    }
    parsed.waitSeconds = static_cast<int>(*wait);
  }
  // What the browser sends back on reconnecting is newer than the URL it first opened.
  if (req.has_header("Last-Event-ID")) {
    parsed.since = parseVersion(req.get_header_value("Last-Event-ID"));
    if (!parsed.since) return invalidParameter("Last-Event-ID must be a change version: an integer of at least 0");
  }
  parsed.stream = req.get_header_value("Accept").find("text/event-stream") != std::string::npos;
  return parsed;
}

// One event stream's progress, shared by the calls of its content provider.
struct Stream {
  Stream(ChangeFeed::Subscription slot, std::int64_t version) : slot(std::move(slot)), version(version) {}
  ChangeFeed::Subscription slot;
  std::int64_t version;  // the version the client is at once it has read what was written
  std::string pendingHead;
  Clock::time_point nextHeartbeat;
};

void serveStream(ChangeFeed& feed, const ChangeFeedOptions& options, ChangeFeed::Subscription slot,
                 const ChangesRequest& request, httplib::Response& res) {
  const std::int64_t current = feed.currentVersion();
  auto stream = std::make_shared<Stream>(std::move(slot), request.since.value_or(current));
  // The client is subscribed before it reads what follows: a change after `current` will
  // reach it, so it may fetch now without a gap between its fetch and its subscription.
  stream->pendingHead = subscribedEvent(stream->version, current, options.retryMs);
  const auto heartbeat = std::chrono::seconds(options.heartbeatSeconds);
  stream->nextHeartbeat = Clock::now() + heartbeat;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");  // nginx: pass each event on at once
  res.set_chunked_content_provider(
      "text/event-stream", [&feed, stream, heartbeat](std::size_t, httplib::DataSink& sink) {
        std::string out = std::move(stream->pendingHead);
        stream->pendingHead.clear();
        // Waits only when there is nothing to write yet (the head goes out at once).
        const Clock::time_point until = out.empty() ? stream->nextHeartbeat : Clock::now();
        const Catchup catchup = feed.waitAfter(stream->version, until, kChangesPerRound);
        switch (catchup.kind) {
          case Catchup::Kind::changes:
            for (const PublishedChangePtr& published : catchup.changes) out += published->event;
            stream->version = catchup.changes.back()->change.version;
            break;
          case Catchup::Kind::reset:
            out += resetEvent(catchup.version);
            stream->version = catchup.version;
            break;
          case Catchup::Kind::timedOut:
            if (out.empty() && Clock::now() >= stream->nextHeartbeat) {
              out = heartbeatComment();
              stream->nextHeartbeat = Clock::now() + heartbeat;
            }
            break;
          case Catchup::Kind::stopped:
            // Ends the stream cleanly; the client reconnects (to this server once it is
            // back, or to another) from its last version.
            if (!out.empty() && !sink.write(out.data(), out.size())) return false;
            sink.done();
            return true;
        }
        // A write that fails (the client went away) ends the stream and frees its slot.
        return out.empty() || sink.write(out.data(), out.size());
      });
}

void serveLongPoll(ChangeFeed& feed, const ChangesRequest& request, httplib::Response& res) {
  Catchup catchup;
  if (request.since) {
    catchup = feed.waitAfter(*request.since, Clock::now() + std::chrono::seconds(request.waitSeconds), kChangesPerRound);
  } else {
    catchup.version = feed.currentVersion();  // a new client learns where to start from
  }
  if (catchup.kind == Catchup::Kind::stopped) return sendError(res, shuttingDown());
  sendJson(res, 200, longPollJson(catchup));
  // Changes after a version never change, and an answer holding some is a prefix of them
  // that leads on to the next version: a cache (nginx with proxy_cache_lock) may hand one
  // answer to every client waiting at that version. An answer without changes is "nothing
  // yet" and must not be reused.
  if (!catchup.changes.empty()) {
    res.headers.erase("Cache-Control");
    res.set_header("Cache-Control", "public, max-age=60");
  }
}

}  // namespace

void ChangeRoutes::serve(const httplib::Request& req, httplib::Response& res) const {
  auto parsed = parseRequest(req);
  if (!parsed) return sendError(res, parsed.error());
  const ChangesRequest& request = parsed.value();
  auto slot = feed_.subscribe();
  if (!slot) {
    if (feed_.stopped()) return sendError(res, shuttingDown());
    sendError(res, tooManySubscribers(feed_.maxSubscribers()));
    res.set_header("Retry-After", kSubscriberRetryAfter);
    return;
  }
  const bool held = request.stream || (request.since && request.waitSeconds > 0);
  if (held) ConnectionPool::handOverCurrentThread();
  if (request.stream) return serveStream(feed_, options_, std::move(*slot), request, res);
  serveLongPoll(feed_, request, res);
}

}  // namespace livedata::server
