#include "http/cors.h"

#include <algorithm>

namespace livedata::server {

CorsPolicy::CorsPolicy(std::vector<std::string> allowedOrigins) : allowed_(std::move(allowedOrigins)) {}

bool CorsPolicy::allows(std::string_view origin) const {
  return !origin.empty() && std::find(allowed_.begin(), allowed_.end(), origin) != allowed_.end();
}

HeaderList CorsPolicy::responseHeaders(std::string_view origin) const {
  // Once any origin is allowed, every answer depends on Origin, the ones without the CORS
  // headers too, so shared caches must key on it (Fetch standard, CORS protocol and HTTP
  // caches): else a copy made for another origin would be served to an allowed one.
  if (allowed_.empty()) return {};
  if (!allows(origin)) return {{"Vary", "Origin"}};
  // ETag and Date are exposed so the client can revalidate and judge freshness.
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Access-Control-Expose-Headers", "ETag, Date, Retry-After, Cache-Control, X-Request-Id"},
          {"Vary", "Origin"}};
}

HeaderList CorsPolicy::preflightHeaders(std::string_view origin) const {
  if (!allows(origin)) return {};
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS"},
          // What the client sends beyond the safelisted headers: If-None-Match and
          // Cache-Control and Livedata-Min-Version on reads, Last-Event-ID on the feed's
          // reconnects (core/src/live_feed.cpp), X-Request-Id for the caller's own correlation
          // (docs/api.md).
          {"Access-Control-Allow-Headers",
           "Authorization, Content-Type, Cache-Control, If-None-Match, Last-Event-ID, Livedata-Min-Version, X-Request-Id"},
          {"Access-Control-Max-Age", "600"},
          {"Vary", "Origin"}};
}

}  // namespace livedata::server
