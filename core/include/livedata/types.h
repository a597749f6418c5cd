// Value types shared by every core module, and the interfaces through which the core
// reaches the outside world. The core does no I/O of its own: an adapter (native/ or
// wasm/) supplies a Transport, a Clock, a Scheduler and optionally a Logger.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "livedata/callback.h"

namespace livedata {

// Milliseconds since the Unix epoch (wall clock) or a duration in milliseconds.
using Millis = std::int64_t;

// One query parameter. Order is preserved as given; cache keys normalize it.
using QueryParam = std::pair<std::string, std::string>;
using Query = std::vector<QueryParam>;

// HTTP header fields. Names compare case-insensitively (RFC 9110 section 5.1).
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string, std::string>> fields);

  // Adds a field; an existing field of the same name is kept (fields may repeat).
  void add(std::string name, std::string value);
  // Replaces every field of this name with one value.
  void set(const std::string& name, std::string value);
  // The first value of the named field, if present.
  std::optional<std::string> get(std::string_view name) const;
  // Every value of a list-valued field, joined with ", " as one (RFC 9110 section 5.3: a
  // proxy's added Cache-Control line counts as much as the first), if present.
  std::optional<std::string> joined(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Equal but for the case of ASCII letters, as HTTP compares its tokens (header names, codings).
// ASCII folding, as HTTP's case-insensitive tokens need (RFC 9110 section 5.1), with no call
// per character; defined here so that the server's header walks, which compare every name
// of every request, pay no call for the names whose lengths differ.
constexpr char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  }
  return true;
}

// Plain decimal digits only (no sign, spaces or exponent) whose value fits an int64;
// nullopt otherwise. Leading zeros are allowed ("007" is 7). Never throws, unlike std::stoi.
std::optional<std::int64_t> parseNonNegativeDecimal(std::string_view text);

// What the core asks a transport to send. `url` is absolute and already carries the
// query string; `path` and `query` are kept for logging and tests.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string path;
  Query query;
  Headers headers;
  std::string body;
  Millis timeoutMs = 10000;
  // A transport stops reading a response's body (as decoded, after any Content-Encoding)
  // once it grows past this: a 2xx then fails with TransportFailureKind::tooLarge; another
  // status is answered with its body cut there (it only explains the status).
  std::size_t maxResponseBytes = std::numeric_limits<std::size_t>::max();
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// Why a transport produced no HTTP response at all.
enum class TransportFailureKind {
  network,    // connection refused, reset, DNS failure...
  timeout,    // no complete response within HttpRequest::timeoutMs
  cancelled,  // Transport::cancel was called for this request
  offline,    // the platform reports no network (navigator.onLine == false)
  tooLarge,   // a 2xx body grew past HttpRequest::maxResponseBytes: the rest was not read
};

struct TransportFailure {
  TransportFailureKind kind = TransportFailureKind::network;
  std::string message;
};

// Exactly one of `response` and `failure` is set.
struct TransportResult {
  std::optional<HttpResponse> response;
  std::optional<TransportFailure> failure;

  static TransportResult ok(HttpResponse r) { return {std::move(r), std::nullopt}; }
  static TransportResult failed(TransportFailureKind kind, std::string message) {
    return {std::nullopt, TransportFailure{kind, std::move(message)}};
  }
};

using RequestId = std::uint64_t;
using TransportCallback = Callback<void(TransportResult)>;

// Sends HTTP requests asynchronously.
// Contract: `send` returns at once with an id that is never 0; `done` is called exactly
// once per request, on any thread, possibly before `send` returns. After `cancel(id)` the request completes with
// TransportFailureKind::cancelled unless it had already completed. Implementations must be
// safe to call from several threads.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual RequestId send(HttpRequest request, TransportCallback done) = 0;
  virtual void cancel(RequestId id) = 0;
};

// What a held response delivers, in this order: onResponse once (status and headers),
// onData any number of times (the body as it arrives, in pieces of any size), onEnd once
// (nullopt: the server ended the body; else why the stream broke).
struct StreamHandlers {
  Callback<void(int status, const Headers& headers)> onResponse;
  Callback<void(std::string_view bytes)> onData;
  Callback<void(std::optional<TransportFailure> failure)> onEnd;
};

// Opens responses that stay open (the live feed's event stream): httplib's streaming
// natively, fetch with a readable body in the browser and node.
// Contract: `open` returns at once with an id that is never 0; the handlers are called from
// any thread, one at a time per stream, possibly before `open` returns. `request.timeoutMs`
// bounds the wait for the response's headers only; a stream may then last for ever. After
// `close(id)` the stream's handlers may still be called (its onEnd with cancelled), so
// callers ignore what a closed stream says. Implementations must be safe from several threads.
class StreamTransport {
 public:
  virtual ~StreamTransport() = default;
  virtual RequestId open(HttpRequest request, StreamHandlers handlers) = 0;
  virtual void close(RequestId id) = 0;
};

// Wall-clock time. Injected so that every time-dependent path is testable.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis nowMs() const = 0;
};

using TimerId = std::uint64_t;

// Runs a task once after a delay (setTimeout in the browser, a timer thread natively).
// Tasks may run on any thread. Ids are never 0. `cancel` of a task that already ran is a
// no-op.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual TimerId runAfter(Millis delayMs, Callback<void()> task) = 0;
  virtual void cancel(TimerId id) = 0;
};

enum class LogLevel { debug, info, warn, error };
const char* toString(LogLevel level);

// Receives the core's log lines (retries, evictions, fallbacks). May be empty.
using Logger = Callback<void(LogLevel, std::string_view message)>;

// Whether a text is syntactically valid JSON (RFC 8259): the platform's parser, so the core
// carries none of its own (simdjson natively, JSON.parse in the browser).
using JsonSyntaxCheck = Callback<bool(std::string_view text)>;

// A source of uniform random numbers in [0, 1), used for backoff jitter.
using RandomSource = Callback<double()>;

}  // namespace livedata
