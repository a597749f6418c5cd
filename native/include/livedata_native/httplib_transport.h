// livedata::Transport over cpp-httplib: a small pool of worker threads, each sending one
// request at a time over its own keep-alive connections.
#pragma once

#include <cstddef>
#include <memory>

#include "livedata/types.h"

namespace livedata::native {

struct HttplibTransportOptions {
  // Worker threads, i.e. requests in flight at once; 0 is taken as 1. Default 4.
  std::size_t workerThreads = 4;
  // Upper bound on establishing a TCP connection; a request's own timeoutMs bounds it too.
  // Default 3000 ms.
  Millis connectTimeoutMs = 3000;
  // Sent as User-Agent. Default "livedata-native/0.1".
  const char* userAgent = "livedata-native/0.1";
};

// Sends HttpRequest::url ("http://host[:port]/path?query", or https) and completes `done`
// on a worker thread, exactly once per request:
//   - a response of any status       -> TransportResult::ok
//   - no complete response within timeoutMs (overall, not per read) -> timeout
//   - refused, reset, DNS, TLS, bad URL -> network
//   - a 2xx body growing past maxResponseBytes -> tooLarge (the rest is not read; the
//     connection closes); another status is answered with its body cut there
//   - cancel(id) before completion   -> cancelled (a queued request is never sent)
// Each worker keeps one httplib::Client per origin, so keep-alive connections are reused
// and never shared between concurrent requests. No Accept-Encoding is sent, so bodies
// arrive as the server's identity representation and ETags name exactly those bytes.
//
// Thread-safe. Destruction stops accepting requests, aborts those in flight, completes
// every unfinished request with `cancelled`, and joins the workers; it may run on a worker
// thread (a callback dropping the last reference), in which case that worker is detached.
class HttplibTransport final : public Transport {
 public:
  explicit HttplibTransport(HttplibTransportOptions options = {});
  ~HttplibTransport() override;
  HttplibTransport(const HttplibTransport&) = delete;
  HttplibTransport& operator=(const HttplibTransport&) = delete;

  RequestId send(HttpRequest request, TransportCallback done) override;
  // Completion happens on a worker thread, never inside cancel().
  void cancel(RequestId id) override;

  struct Shared;  // defined in httplib_transport.cpp

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace livedata::native
