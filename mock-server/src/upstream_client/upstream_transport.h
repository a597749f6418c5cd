// The HTTP exchange every upstream reader makes, with cpp-httplib: one request on a kept-alive
// connection from a pool, bounded in time, its outcome mapped as upstream_source.h documents:
//   an answer of any status          -> UpstreamAnswer (the reader decides what it means)
//   no complete answer in time       -> timeout
//   refused, reset, unreachable      -> network
//   a 2xx body past maxAnswerBytes   -> malformed (the rest is not read; another status is an
//                                     answer with its body cut there)
// Messages name the method, origin and target, never a request header (credentials travel in
// headers only). No exception leaves send.
//
// A kept-alive connection the server closed just as a request went out on it fails at once
// (within connectTimeoutMs, before the read timeout): it is replaced, and an idempotent
// request sent again on the new one, once, with bounds of its own (RFC 9112 section 9.3.1).
// A POST is never sent twice.
//
// Threading: send is safe from any number of threads; concurrent requests each get a
// connection of their own and keep it alive for the next.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
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
  // The largest answer body read, in bytes. >= 1. A page past it is not read to its end (the
  // connection is dropped) and is `malformed`, so what a broken upstream or proxy can make
  // the server hold is bounded; another status stands, its body cut there. The largest answers are the
  // statistics reports, which cover every campaign at once: about 184 bytes a campaign (18.4 MB
  // for 100,000, measured with the simulated upstream), so this leaves room for about 2.9
  // million. Default 512 MiB.
  std::size_t maxAnswerBytes = 512u * 1024u * 1024u;
  // Sent as User-Agent.
  std::string userAgent = "livedata-sync/0.1";
};

struct UpstreamRequest {
  std::string method = "GET";
  std::string target;  // path (after the base URL's prefix) and query, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string contentType;  // with a body
  // A tighter bound on this answer's body than HttpUpstreamOptions::maxAnswerBytes (0: that one).
  std::size_t maxAnswerBytes = 0;
};

struct UpstreamAnswer {
  int status = 0;
  std::string body;
  std::optional<std::int64_t> retryAfterMs;  // from Retry-After, when present
  std::string what;                          // "GET http://host:port/target", for messages
};

class UpstreamTransport {
 public:
  // Checks the options; the error names the bad one.
  static Expected<std::unique_ptr<UpstreamTransport>, std::string> create(HttpUpstreamOptions options);
  ~UpstreamTransport();
  UpstreamTransport(const UpstreamTransport&) = delete;
  UpstreamTransport& operator=(const UpstreamTransport&) = delete;

  Expected<UpstreamAnswer, UpstreamFailure> send(const UpstreamRequest& request);

  const std::string& origin() const { return origin_; }          // scheme://host:port
  const std::string& pathPrefix() const { return pathPrefix_; }  // "" or "/prefix"

 private:
  UpstreamTransport(HttpUpstreamOptions options, std::string origin, std::string pathPrefix);
  std::unique_ptr<httplib::Client> takeIdleClient();  // nullptr when none is idle
  std::unique_ptr<httplib::Client> newClient() const;
  void returnClient(std::unique_ptr<httplib::Client> client);

  const HttpUpstreamOptions options_;
  const std::string origin_;
  const std::string pathPrefix_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;  // GUARDED_BY(mutex_)
};

// An UpstreamFailure of `kind` with `message` (and the HTTP status, when there was one).
UpstreamFailure upstreamFailure(UpstreamFailure::Kind kind, std::string message, int status = 0);

}  // namespace livedata::server
