// Content coding for /api representations. The server compresses each cached
// representation once, with its own ETag, instead of letting httplib compress every
// response (httplib 0.11 keeps the identity ETag for the compressed bytes and adds no Vary,
// so one ETag would name two representations, RFC 9110 section 8.8.3.3).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace livedata::server {

// Whether an Accept-Encoding field value (RFC 9110 section 12.5.3) accepts a content coding
// ("gzip", "br") with a non-zero weight, by name (for gzip also "x-gzip") or through "*".
bool acceptsCoding(std::string_view acceptEncoding, std::string_view coding);

// The gzip member (RFC 1952) for `data`; nullopt if zlib fails.
std::optional<std::string> gzipCompress(std::string_view data);

}  // namespace livedata::server
