// What the server sends for one /api resource: the rendered body in each content coding
// it offers, with their entity tags. The unit the response cache stores.
#pragma once

#include <string>

namespace livedata::server {

// Immutable once built, shared by every request that asks for it.
struct Representation {
  std::string body;      // JSON, identity coding
  std::string etag;      // strong, quoted
  std::string gzipBody;  // empty if compression failed; then only identity is served
  std::string gzipEtag;
};

}  // namespace livedata::server
