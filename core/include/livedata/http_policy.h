// The client's HTTP rules as one pure function: what a transport's answer means for the
// cache and for the request (RFC 9110 status classes, RFC 9111 freshness). No state, no
// clock of its own, no I/O: the answer and what the client knows of the attempt go in, a
// verdict comes out, and the client's request state machine (flight.h) acts on it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "livedata/config.h"
#include "livedata/errors.h"
#include "livedata/types.h"

namespace livedata {

// What the client knows of the attempt that `TransportResult` answers.
struct AttemptFacts {
  std::string_view endpoint;      // e.g. "campaigns"
  std::string_view what;          // names the request in error details: "GET http://..."
  bool conditional = false;       // the attempt carried If-None-Match
  bool entryStillCached = false;  // the entry it revalidates is still in the cache
};

struct HttpVerdict {
  enum class Kind {
    notModified,    // 304 to a conditional request: refresh the cached entry for ttlMs
    store,          // a 2xx to keep for ttlMs
    doNotStore,     // a 2xx with no-store: deliver it, keep no copy (not even an older one)
    askAgainInFull, // 304, but the entry was evicted while revalidating: repeat unconditionally
    fail,           // no usable answer: `error`, and the server's Retry-After if it sent one
  };
  Kind kind = Kind::fail;
  Millis ttlMs = 0;                   // notModified and store
  std::optional<Error> error;         // fail
  std::optional<Millis> retryAfterMs; // fail
};

// How long a response may be served from the cache, or nullopt when it must not be
// stored: Cache-Control's no-store, no-cache and max-age less Age (RFC 9111 sections
// 5.2.2 and 4.2.3) when config.obeyCacheControl, else the endpoint's configured TTL.
std::optional<Millis> freshnessLifetime(const ClientConfig& config, std::string_view endpoint,
                                        const Headers& responseHeaders);

// The verdict on one attempt's outcome. `acceptsJson` is the platform's JSON syntax check
// (ClientDependencies::acceptsJson): a 2xx body it rejects is a parse failure. `nowMs` is
// only for a Retry-After given as an HTTP-date.
HttpVerdict judgeResponse(const TransportResult& outcome, const AttemptFacts& attempt,
                          const ClientConfig& config, const JsonSyntaxCheck& acceptsJson, Millis nowMs);

}  // namespace livedata
