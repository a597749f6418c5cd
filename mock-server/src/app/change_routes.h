// GET /api/changes (docs/api.md, "Live changes"): the change feed as an event stream
// (Accept: text/event-stream) or as long-poll JSON (?since=V&wait=S). Each held request
// takes a subscriber slot. An event stream leaves the HTTP server once its head is written,
// for the streams' loop (app/change_streams.h); a long-poll steps out of the worker pool
// for its wait (http/connection_pool.h). Subscribers never hold up the data routes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "app/change_streams.h"
#include "feed/change_feed.h"
#include "model/api_error.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace livedata::server {

// "12": a change version (a whole number of at least 0); nullopt for anything else.
std::optional<std::int64_t> parseChangeVersion(std::string_view text);

// A data request's Livedata-Min-Version header (docs/api.md, "Live changes"; empty: none):
// the newest change version the client has been told of, by this instance or another one.
// Waits (about a second at most, and only while this instance is behind) until the feed
// has published it, so that no answer is rendered from data older than what the client
// knows exists: once published, a change's cached answers are gone (backend.h). nullopt
// when the request may go on; else its error: 400 for a value that is no version, 503
// not_caught_up (retry) when the wait ran out, shutting_down when the feed stopped.
std::optional<ApiError> awaitMinVersion(const ChangeFeed& feed, std::string_view header);

class ChangeRoutes {
 public:
  // `feed` outlives this object and every stream it serves (stop the feed before the server).
  ChangeRoutes(ChangeFeed& feed, const ChangeFeedOptions& options)
      : feed_(feed), options_(options), streams_(feed, options) {}

  void serve(const httplib::Request& req, httplib::Response& res);

  std::size_t openStreams() const { return streams_.streams(); }

 private:
  ChangeFeed& feed_;
  const ChangeFeedOptions options_;
  ChangeStreams streams_;
};

}  // namespace livedata::server
