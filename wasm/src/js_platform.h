// The browser adapter of the core: a Transport, a Scheduler and a Clock that delegate to a
// JavaScript "host" object (wasm/js/host.js), which runs fetch with an AbortController and
// setTimeout; the clock reads Date.now directly. The core's logic stays in C++; the host
// only moves bytes.
//
// Host contract (every method is called from C++):
//   host.send(id, method, url, headers, body, timeoutMs, maxResponseBytes)
//       headers: [name, value, ...]; later completes with client.bodyBuffer(size) (to copy
//       the body's bytes into) and client.completeRequest(id, status, headers, verdict), or
//       with client.failRequest(id, kind, message), kind one of "network", "timeout",
//       "cancelled", "offline", "tooLarge" (a 2xx body past maxResponseBytes; another
//       status completes with its body cut there); never both, never twice.
//   host.abort(id)               a request the core cancelled (completes as "cancelled")
//   host.setTimer(id, delayMs)   later calls client.runTimer(id) once
//   host.clearTimer(id)
//   host.log(level, message)
//   host.acceptsJson(text)       whether JSON.parse accepts it (texts the host did not parse)
//   host.deliver(token)          a request's result is in the record (bindings.cpp)
//   host.openStream(id, url, headers, timeoutMs)  the live feed's stream: fetch with a
//       readable body; calls client.streamResponse(id, status, headers), then
//       client.streamData(id, text) per piece (decoded as UTF-8 across pieces), then
//       client.streamEnd(id, kind, message) once, kind "" when the server ended it
//   host.closeStream(id)         aborts it; nothing more is reported for it
//
// Threading: the browser's one thread; every callback arrives from the event loop.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "livedata/types.h"

namespace livedata::wasm {

class JsTransport final : public Transport {
 public:
  explicit JsTransport(emscripten::val host) : host_(std::move(host)) {}

  RequestId send(HttpRequest request, TransportCallback done) override;
  void cancel(RequestId id) override;

  // From the host. An id that is not pending (already completed or cancelled) is ignored.
  void complete(RequestId id, TransportResult result);

 private:
  emscripten::val host_;
  RequestId nextId_ = 1;
  std::map<RequestId, TransportCallback> pending_;
};

class JsScheduler final : public Scheduler {
 public:
  explicit JsScheduler(emscripten::val host) : host_(std::move(host)) {}

  TimerId runAfter(Millis delayMs, Callback<void()> task) override;
  void cancel(TimerId id) override;

  // From the host: runs the task once; an id already run or cancelled is ignored.
  void run(TimerId id);

 private:
  emscripten::val host_;
  TimerId nextId_ = 1;
  std::map<TimerId, Callback<void()>> tasks_;
};

class JsStreamTransport final : public StreamTransport {
 public:
  explicit JsStreamTransport(emscripten::val host) : host_(std::move(host)) {}

  RequestId open(HttpRequest request, StreamHandlers handlers) override;
  void close(RequestId id) override;

  // From the host. A stream that is not open (closed, ended) is ignored.
  void response(RequestId id, int status, const Headers& headers);
  void data(RequestId id, std::string_view text);
  void end(RequestId id, std::optional<TransportFailure> failure);

 private:
  emscripten::val host_;
  RequestId nextId_ = 1;
  // Shared so a handler that closes its own stream does not destroy itself mid-call.
  std::map<RequestId, std::shared_ptr<StreamHandlers>> streams_;
};

// Date.now() through emscripten_date_now(): no emval call on the hot path.
class JsClock final : public Clock {
 public:
  Millis nowMs() const override;
};

// Routes the core's log lines to host.log(level, message).
Logger jsLogger(emscripten::val host);

// host.acceptsJson(text): the browser's JSON.parse decides, so the module carries no parser.
JsonSyntaxCheck jsJsonCheck(emscripten::val host);

}  // namespace livedata::wasm
