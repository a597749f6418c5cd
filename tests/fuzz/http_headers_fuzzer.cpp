// Outside bytes as the header values the HTTP layer reads: Cache-Control (the client's
// freshness), If-None-Match and Accept-Encoding (the server's validators and content coding).
// Any value is taken; a parsed max-age is never negative.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/compression.h"
#include "http/http_caching.h"
#include "livedata/cache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const livedata::CacheDirectives directives = livedata::parseCacheControl(value);
  if (directives.maxAgeMs && *directives.maxAgeMs < 0) std::abort();

  (void)livedata::server::ifNoneMatchMatches(value, "\"8f3a0c2d1b4e5f60\"");
  (void)livedata::server::ifNoneMatchMatches(value, "\"8f3a0c2d1b4e5f60-gzip\"");
  if (!livedata::server::ifNoneMatchMatches("*", value.empty() ? "\"x\"" : value)) std::abort();
  (void)livedata::server::acceptsCoding(value, "gzip");
  (void)livedata::server::acceptsCoding(value, "br");
  return 0;
}
