// The API's documented errors (docs/api.md), built by name, and their JSON body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "model/api_error.h"

namespace livedata::server {

inline constexpr const char* kJsonContentType = "application/json; charset=utf-8";

ApiError invalidParameter(std::string message);
// A request body that is not the JSON the route takes (400 invalid_body).
ApiError invalidBody(std::string message);
// An operation on the in-process upstream while the upstream runs as its own process.
ApiError upstreamExternal();
ApiError unknownParameter(const std::string& name, const std::string& accepted);
ApiError notFound(const std::string& method, const std::string& path);
// A route that exists, asked with a method it does not take; `allowed` is its Allow header.
ApiError methodNotAllowed(const std::string& method, const std::string& path, const std::string& allowed);
ApiError unauthorized(std::string message);
ApiError payloadTooLarge(std::size_t limitBytes);
ApiError injectedFault(int status, const std::string& path);
// A request whose length cannot be told for sure (400 bad_request): its connection is closed.
ApiError ambiguousFraming(std::string why);
// A request a proxy or cache in front may have read otherwise than this server (a header
// name that is no token, Host missing or twice): a 400 whose connection is then closed.
ApiError ambiguousRequest(std::string why);
// For statuses the API table does not name (500 from a handler, 400 from a request httplib
// could not parse, 414, 416...).
// 501: a method this server does not recognise (RFC 9110 section 15.6.2), not a malformed
// request; `method` is a token (tchar only), so it is safe to repeat.
ApiError methodNotImplemented(const std::string& method);
// 505: a well-formed HTTP version of a major version other than 1 (RFC 9110 section 15.6.6).
ApiError httpVersionNotSupported(const std::string& version);
ApiError genericError(int status);

// The live feed holds as many subscribers as it may (503 too_many_subscribers, with
// Retry-After), or is shutting down (503 shutting_down).
ApiError tooManySubscribers(std::size_t limit);
// A data request's Livedata-Min-Version names a change this instance has not seen in time
// (503 not_caught_up, Retry-After: 1).
ApiError notCaughtUp(std::int64_t asked, std::int64_t has);
ApiError shuttingDown();

std::string renderErrorBody(const ApiError& error);

}  // namespace livedata::server
