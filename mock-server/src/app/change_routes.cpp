#include "app/change_routes.h"

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "feed/change_notice.h"
#include "http/weighted_list.h"
#include "livedata/cache.h"  // kCacheBustingParam
#include "livedata/expected.h"
#include "livedata/types.h"  // parseNonNegativeDecimal
#include "http/api_error.h"
#include "http/connection_pool.h"
#include "http/event_server.h"
#include "http/http_server_support.h"

namespace livedata::server {
namespace {

using Clock = std::chrono::steady_clock;

// Changes written per wake-up of a stream or per long-poll answer; a client further behind
// gets the rest on the next round.
constexpr std::size_t kChangesPerRound = 500;

struct ChangesRequest {
  std::optional<std::int64_t> since;  // the version the client is at; nullopt: a new client
  int waitSeconds = 0;                // long-poll only
  bool stream = false;                // Accept: text/event-stream
};

Expected<ChangesRequest, ApiError> parseRequest(const httplib::Request& req) {
  ChangesRequest parsed;
  for (const auto& [name, value] : req.params) {
    if (name == kCacheBustingParam) continue;  // accepted everywhere, and ignored
    if (name != "since" && name != "wait") return unknownParameter(name, "since, wait");
    if (req.get_param_value_count(name) > 1) return invalidParameter(name + " must be given at most once");
  }
  if (req.has_param("since")) {
    parsed.since = parseNonNegativeDecimal(req.get_param_value("since"));
    if (!parsed.since) return invalidParameter("since must be a change version: an integer of at least 0");
  }
  if (req.has_param("wait")) {
    const auto wait = parseNonNegativeDecimal(req.get_param_value("wait"));
    if (!wait || *wait > ChangeFeedOptions::kMaxWaitSeconds) {
      return invalidParameter("wait must be an integer of seconds from 0 to " +
                              std::to_string(ChangeFeedOptions::kMaxWaitSeconds));
    }
    parsed.waitSeconds = static_cast<int>(*wait);
  }
  // What the browser sends back on reconnecting is newer than the URL it first opened.
  if (req.has_header("Last-Event-ID")) {
    parsed.since = parseNonNegativeDecimal(req.get_header_value("Last-Event-ID"));
    if (!parsed.since) return invalidParameter("Last-Event-ID must be a change version: an integer of at least 0");
  }
  // The stream only for a client that names it (an EventSource does), with a weight above 0.
  parsed.stream = listedWeight(req.get_header_value("Accept"), "text/event-stream").value_or(0) > 0;
  return parsed;
}

// The stream's head (status, headers, the subscribed event) is written by httplib, on this
// worker; then the connection is taken out of the HTTP server and handed to the streams'
// loop, which writes everything after. The provider returns false once it has, so that
// httplib writes nothing more.
void serveStream(ChangeFeed& feed, ChangeStreams& streams, const ChangeFeedOptions& options,
                 ChangeFeed::Subscription slot, const ChangesRequest& request, httplib::Response& res) {
  const std::int64_t current = feed.currentVersion();
  const std::int64_t version = request.since.value_or(current);
  // The client is subscribed before it reads what follows: a change after `current` will
  // reach it, so it may fetch now without a gap between its fetch and its subscription.
  auto head = std::make_shared<std::string>(subscribedEvent(version, current, options.retryMs));
  auto held = std::make_shared<std::optional<ChangeFeed::Subscription>>(std::move(slot));
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");  // nginx: pass each event on at once
  res.set_chunked_content_provider(
      "text/event-stream", [&streams, head, held, version](std::size_t, httplib::DataSink& sink) {
        if (!held->has_value() || !sink.write(head->data(), head->size())) return false;
        const int socket = EventServer::takeCurrentConnection();
        if (socket >= 0) streams.adopt(socket, std::move(**held), version);
        held->reset();
        return false;
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
    res.set_header("Vary", "Accept");  // the same URL is the event stream with Accept: text/event-stream
  }
}

}  // namespace

void ChangeRoutes::serve(const httplib::Request& req, httplib::Response& res) {
  auto parsed = parseRequest(req);
  if (!parsed) return sendError(res, parsed.error());
  const ChangesRequest& request = parsed.value();
  // A client from ahead of this instance (told of a change by another one) is brought up to
  // it when the store has it (min_version.h): only a version of another database is reset.
  if (request.since) catchUpTo(feed_, *request.since, committedVersion_, kCatchUpWait);
  // A poll that does not wait holds nothing, so it takes no subscriber's place: one without
  // `since` or `wait`, or one whose changes are there already (answered at once).
  // One from ahead of the store (another store, a restored backup) is told to reset, at once.
  const bool waits = request.since && request.waitSeconds > 0 && feed_.currentVersion() == *request.since;
  if (!request.stream && !waits) return serveLongPoll(feed_, request, res);
  auto slot = feed_.subscribe();
  if (!slot) {
    if (feed_.stopped()) return sendError(res, shuttingDown());
    return sendError(res, tooManySubscribers(feed_.maxSubscribers()));
  }
  if (request.stream) return serveStream(feed_, streams_, options_, std::move(*slot), request, res);
  // A long-poll waits on this thread: it steps out of the worker pool for the wait.
  ConnectionPool::handOverCurrentThread();
  serveLongPoll(feed_, request, res);
}

}  // namespace livedata::server
