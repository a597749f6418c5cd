// The cache-clearing rule for writes: a successful mutating request (POST, PUT, PATCH,
// DELETE answered 2xx) under /api/<resource>[/...] changed that data resource, so the
// response cache drops the resource's entries before the answer leaves (the client that
// wrote reads its own write). The server applies it to every response; the data routes are
// read-only today, so it is there for the write routes to come, while the sync invalidates
// what its commits change.
#pragma once

#include <optional>
#include <string_view>

#include "store/api_queries.h"

namespace livedata::server {

std::optional<ApiResource> resourceChangedBy(std::string_view method, std::string_view path, int status);

}  // namespace livedata::server
