// The JSON bodies of the routes that drive the backend (app/backend_routes.h), parsed
// strictly and apart from acting on them: an unknown field, a wrong type or a value out of
// range is a 400 invalid_body naming the field. Pure functions of the body.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/api_error.h"
#include "livedata/expected.h"
#include "store/api_queries.h"
#include "sync/sync_service.h"

namespace livedata::server {

// POST /api/sync: {"force": bool, "entities": [name...]}, both optional; empty is {}.
Expected<SyncRequest, ApiError> parseSyncRequestBody(const std::string& body);

// POST /api/cache/invalidate: exactly one of a glob of 1 to 512 characters, or a non-empty
// list of endpoint names.
struct CacheInvalidation {
  std::optional<std::string> pattern;
  std::vector<std::string> endpoints;
};
Expected<CacheInvalidation, ApiError> parseCacheInvalidationBody(const std::string& body);

// POST /admin/upstream/changes: {"count": 1 to 1,000,000}.
Expected<int, ApiError> parseUpstreamChangesBody(const std::string& body);

// POST /admin/touch: {"endpoint": name}.
Expected<ApiResource, ApiError> parseTouchBody(const std::string& body);

}  // namespace livedata::server
