// GET /api/changes (docs/api.md, "Live changes"): the change feed as an event stream
// (Accept: text/event-stream) or as long-poll JSON (?since=V&wait=S). Each held request
// takes a subscriber slot. An event stream leaves the HTTP server once its head is written,
// for the streams' loop (app/change_streams.h); a long-poll steps out of the worker pool
// for its wait (http/connection_pool.h). Subscribers never hold up the data routes.
#pragma once

#include "app/change_streams.h"
#include "app/min_version.h"
#include "feed/change_feed.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace livedata::server {

class ChangeRoutes {
 public:
  // `feed` outlives this object and every stream it serves (stop the feed before the server);
  // `committedVersion` reads the store's, for a client resuming from ahead of this instance.
  ChangeRoutes(ChangeFeed& feed, const ChangeFeedOptions& options, CommittedVersion committedVersion)
      : feed_(feed), options_(options), committedVersion_(std::move(committedVersion)), streams_(feed, options) {}

  void serve(const httplib::Request& req, httplib::Response& res);

  std::size_t openStreams() const { return streams_.streams(); }

 private:
  ChangeFeed& feed_;
  const ChangeFeedOptions options_;
  const CommittedVersion committedVersion_;
  ChangeStreams streams_;
};

}  // namespace livedata::server
