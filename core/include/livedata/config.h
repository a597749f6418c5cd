// One options struct for the client, every field with its documented default
// (after LevelDB's options.h). Validated once, at Client::create, with an error naming the
// bad field.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "livedata/errors.h"
#include "livedata/types.h"

namespace livedata {

// Exponential backoff with full jitter: before retry n (n = 1, 2, ...) wait a uniformly
// random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. Shared by the client's retry
// and the server's sync service.
struct BackoffPolicy {
  // Total attempts including the first; 1 disables retries.
  int maxAttempts = 3;
  // Upper bound of the first retry's delay.
  Millis baseDelayMs = 250;
  // No computed delay exceeds this.
  Millis maxDelayMs = 8000;
  // A 429's Retry-After beyond this is not waited for: the request fails as rate_limited.
  Millis maxRetryAfterMs = 60000;
};

struct CacheLimits {
  // LRU eviction keeps at most this many entries...
  std::size_t maxEntries = 500;
  // ...and at most this many body bytes. A single larger body is not cached.
  std::size_t maxBytes = 16u * 1024u * 1024u;
};

// The live feed (docs/api.md, "Live changes") and the revalidation triggers around it.
// Used when the platform supplies a StreamTransport (ClientDependencies::stream).
struct LiveConfig {
  // Open the feed when the first query is watched. Off (or with no StreamTransport):
  // watched queries still get the focus, online and poll triggers below.
  bool enabled = true;
  std::string path = "/api/changes";
  // Reconnecting waits a random time up to min(maxReconnectDelayMs, base * 2^(n-1)) before
  // attempt n (full jitter, so a server restart does not bring every client back in the
  // same second); base is the stream's `retry:` advice once it gave one, else this.
  Millis reconnectBaseMs = 1000;
  Millis maxReconnectDelayMs = 30000;
  // No byte for this long (the server sends a heartbeat every 15 s) means the connection is
  // dead though no error said so: reconnect.
  Millis idleTimeoutMs = 45000;
  // While the feed is down (connecting, reconnecting) or off, revalidate watched queries
  // this often; 0: never. Never while the feed is live: then it says what changed.
  Millis fallbackPollMs = 30000;
  // Revalidate watched queries when the window regains focus (Client::setFocused), and when
  // the network comes back (Client::setOnline).
  bool revalidateOnFocus = true;
  bool revalidateOnReconnect = true;
};

struct ClientConfig {
  // Where the API lives: "http://host[:port]" or "https://...", optionally with a path
  // prefix. Required.
  std::string baseUrl;
  // Per-request timeout handed to the transport.
  Millis requestTimeoutMs = 10000;
  // The largest response body the client reads (HttpRequest::maxResponseBytes). A larger
  // one is not read to its end, so a broken server or proxy cannot fill the client's memory:
  // a 2xx fails as `parse` and is not retried; an error status stands. The API's pages are
  // kilobytes.
  std::size_t maxResponseBytes = 32u * 1024u * 1024u;
  // How long a cached response is served without asking the server, unless the
  // response's Cache-Control max-age says otherwise.
  Millis defaultTtlMs = 60000;
  // Per-endpoint TTL overrides, by endpoint name ("overview", "campaigns", ...).
  std::map<std::string, Millis> ttlByEndpointMs;
  // Data older than this is flagged stale for the freshness indicator (5 minutes).
  Millis staleThresholdMs = 5 * 60 * 1000;
  // Whether responses' Cache-Control (no-store, no-cache, max-age) overrides the TTL.
  bool obeyCacheControl = true;
  BackoffPolicy retry;
  CacheLimits cache;
  LiveConfig live;

  Millis ttlFor(const std::string& endpoint) const;
};

// The first problem with the config, naming the field, or nullopt when it is valid.
std::optional<Error> validate(const ClientConfig& config);

// An option's value as a host read it: a number, a switch or a text.
using OptionValue = std::variant<double, bool, std::string>;

// Sets one field by the name a host's options spell it, groups dotted: "baseUrl",
// "requestTimeoutMs", "obeyCacheControl", "retry.maxAttempts", "ttl.defaultMs",
// "ttl.<endpoint>" (ttlByEndpointMs), "cache.maxBytes", "live.enabled", "live.path", ...
// (the JavaScript options of wasm/js/livedata.d.ts). A host that takes options from outside
// sets them through this, so a misspelt name, a value of the wrong type or a number that is
// not a whole number in the field's range is a `config` error naming the option, never
// silently dropped or converted. validate() still judges the values.
std::optional<Error> setOption(ClientConfig& config, std::string_view name, const OptionValue& value);

// A base URL split into its parts: scheme://host[:port][prefix]
struct BaseUrl {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;         // 0 when absent from the URL
  std::string prefix;   // path prefix without a trailing slash, may be empty

  std::string origin() const;  // scheme://host[:port]
};

Expected<BaseUrl> parseBaseUrl(const std::string& url);

}  // namespace livedata
