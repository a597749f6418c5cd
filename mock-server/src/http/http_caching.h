// Validators and freshness headers for /api responses (RFC 9110 section 8.8.3 and 13.1.2,
// RFC 9111 section 5.2, RFC 5861 section 3).
#pragma once

#include <string>
#include <string_view>

namespace livedata::server {

// A strong entity tag for a body: the quoted 64-bit FNV-1a hash in hex, e.g. "\"8f3a...\"".
// Equal bodies always get equal tags, on every platform.
std::string strongEtagFor(std::string_view body);

// The tag of the same content in another content coding ("gzip"): a representation in a
// different coding is a different representation and needs its own strong tag
// (RFC 9110 section 8.8.3.3). "identity" (or empty) returns the tag unchanged.
std::string etagForCoding(const std::string& identityEtag, std::string_view coding);

// Whether an If-None-Match field value (a comma-separated list of entity tags, or "*")
// matches `etag` under the weak comparison RFC 9110 section 13.1.2 prescribes for it: a W/
// prefix on either side is ignored. Unquoted tokens are compared leniently.
bool ifNoneMatchMatches(std::string_view fieldValue, std::string_view etag);

// "public, max-age=<maxAge>, stale-while-revalidate=<swr>"
std::string cacheControlFor(int maxAgeSeconds, int staleWhileRevalidateSeconds);

// The current time as an HTTP Date field value.
std::string currentHttpDate();

}  // namespace livedata::server
