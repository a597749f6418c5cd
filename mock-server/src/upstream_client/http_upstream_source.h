// UpstreamSource over the upstream HTTP API (docs/upstream.md), with cpp-httplib.
//
// Each fetch sends GET <baseUrl>/v1/<entity>?updated_since=..&page_size=..[&cursor=..] on a
// kept-alive connection and maps the outcome as upstream_source.h documents:
//   200 with a valid page            -> UpstreamPage
//   200 with anything else           -> malformed (the message names the fault)
//   429                              -> rate_limited, retryAfterMs from Retry-After
//   any other status                 -> http, with the status and the body's error message
//   no complete answer in time       -> timeout
//   refused, reset, unreachable      -> network
// No exception leaves fetchPage.
//
// Threading: fetchPage is safe from any number of threads. Idle clients wait in a pool, so
// concurrent fetches each get a connection of their own and keep it alive for the next.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "livedata/expected.h"
#include "upstream_client/upstream_source.h"

namespace httplib {
class Client;
}

namespace livedata::server {

struct HttpUpstreamOptions {
  // "http://host:port", optionally with a path prefix ("http://host:port/upstream").
  std::string baseUrl;
  // Upper bound on establishing a connection. >= 1. Default 3000 ms.
  int connectTimeoutMs = 3000;
  // Upper bound on a whole answer once the request is sent, and on each read. >= 1.
  // Default 10000 ms.
  int readTimeoutMs = 10000;
  // Sent as User-Agent.
  std::string userAgent = "livedata-sync/0.1";
};

class HttpUpstreamSource final : public UpstreamSource {
 public:
  // Checks the options; the error names the bad one.
  static Expected<std::unique_ptr<HttpUpstreamSource>, std::string> create(HttpUpstreamOptions options);
  ~HttpUpstreamSource() override;
  HttpUpstreamSource(const HttpUpstreamSource&) = delete;
  HttpUpstreamSource& operator=(const HttpUpstreamSource&) = delete;

  UpstreamResult fetchPage(Entity entity, UnixSeconds updatedSince, const std::optional<std::string>& cursor,
                           int pageSize) override;

 private:
  HttpUpstreamSource(HttpUpstreamOptions options, std::string origin, std::string pathPrefix);
  std::unique_ptr<httplib::Client> takeClient();
  void returnClient(std::unique_ptr<httplib::Client> client);
  UpstreamResult fetchWith(httplib::Client& client, const std::string& target, Entity entity);

  const HttpUpstreamOptions options_;
  const std::string origin_;      // scheme://host:port
  const std::string pathPrefix_;  // "" or "/prefix"
  std::mutex mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;  // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
