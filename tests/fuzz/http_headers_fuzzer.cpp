// Outside bytes as the header values the HTTP layer reads: Cache-Control (the client's
// freshness), If-None-Match and Accept-Encoding (the server's validators and content coding);
// and as a request's query and Content-Length, settled before routing (settleRequest). Any
// value is taken; a parsed max-age is never negative; a settled request asks for no range,
// and a value holding an '=' keeps it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <httplib.h>

#include <string>

#include "http/compression.h"
#include "http/http_caching.h"
#include "http/http_server_support.h"
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

  httplib::Request req;
  req.method = size % 2 == 0 ? "GET" : "POST";
  req.target = "/api/campaigns?" + std::string(value);
  req.headers.emplace("Content-Length", std::string(value.substr(0, value.size() % 7)));
  if (size % 3 == 0) req.headers.emplace("Transfer-Encoding", "chunked");
  req.ranges.emplace_back(0, 9);
  const auto refused = livedata::server::settleRequest(req);
  if (!refused) {
    if (!req.ranges.empty()) std::abort();
    bool sentEquals = false;
    livedata::server::forEachRawParameter(value, [&sentEquals](std::string_view, std::string_view text) {
      sentEquals = sentEquals || text.find('=') != std::string_view::npos;
      return true;
    });
    bool keptEquals = false;
    for (const auto& [name, text] : req.params) keptEquals = keptEquals || text.find('=') != std::string::npos;
    if (sentEquals && !keptEquals) std::abort();
  } else if (refused->status != 400) {
    std::abort();
  }
  return 0;
}
