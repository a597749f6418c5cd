// GET /api/changes (docs/api.md, "Live changes"): the change feed as an event stream
// (Accept: text/event-stream) or as long-poll JSON (?since=V&wait=S). Each held request
// takes a subscriber slot and steps out of the worker pool (http/connection_pool.h), so
// subscribers never hold up the data routes.
#pragma once

#include "feed/change_feed.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace livedata::server {

class ChangeRoutes {
 public:
  // `feed` outlives this object and every stream it serves (stop the feed before the server).
  ChangeRoutes(ChangeFeed& feed, const ChangeFeedOptions& options) : feed_(feed), options_(options) {}

  void serve(const httplib::Request& req, httplib::Response& res) const;

 private:
  ChangeFeed& feed_;
  const ChangeFeedOptions options_;
};

}  // namespace livedata::server
