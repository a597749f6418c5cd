// The one error shape of docs/api.md: {"error": {"code": "...", "message": "..."}}.
#pragma once

#include <string>

namespace livedata::server {

inline constexpr const char* kJsonContentType = "application/json; charset=utf-8";

struct ApiError {
  int status = 500;
  std::string code;     // "invalid_parameter", "not_found", ... (docs/api.md)
  std::string message;  // one sentence naming the parameter or route at fault
};

ApiError invalidParameter(std::string message);
// A request body that is not the JSON the route takes (400 invalid_body).
ApiError invalidBody(std::string message);
// An operation on the in-process upstream while the upstream runs as its own process.
ApiError upstreamExternal();
ApiError unknownParameter(const std::string& name, const std::string& accepted);
ApiError notFound(const std::string& method, const std::string& path);
ApiError unauthorized(std::string message);
ApiError payloadTooLarge(std::size_t limitBytes);
ApiError injectedFault(int status, const std::string& path);
// For statuses the API table does not name (500 from a handler, 400 from a request httplib
// could not parse, 414, 416...).
ApiError genericError(int status);

std::string renderErrorBody(const ApiError& error);

}  // namespace livedata::server
