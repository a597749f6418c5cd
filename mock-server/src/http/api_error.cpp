#include "http/api_error.h"

#include <nlohmann/json.hpp>

namespace livedata::server {

ApiError invalidParameter(std::string message) {
  return {400, "invalid_parameter", std::move(message)};
}

ApiError invalidBody(std::string message) { return {400, "invalid_body", std::move(message)}; }

ApiError upstreamExternal() {
  return {409, "upstream_external",
          "the upstream runs as its own process (--upstream); use its own /admin routes"};
}

ApiError unknownParameter(const std::string& name, const std::string& accepted) {
  std::string message = "unknown parameter '" + name + "'";
  message += accepted.empty() ? " (this route takes no parameters)" : " (accepted: " + accepted + ")";
  return {400, "unknown_parameter", std::move(message)};
}

ApiError notFound(const std::string& method, const std::string& path) {
  return {404, "not_found", "no route for " + method + " " + path};
}

ApiError methodNotAllowed(const std::string& method, const std::string& path, const std::string& allowed) {
  return {405, "method_not_allowed", path + " does not take " + method + "; it takes " + allowed};
}

ApiError unauthorized(std::string message) { return {401, "unauthorized", std::move(message)}; }

ApiError payloadTooLarge(std::size_t limitBytes) {
  return {413, "payload_too_large",
          "request body exceeds the limit of " + std::to_string(limitBytes) + " bytes"};
}

ApiError injectedFault(int status, const std::string& path) {
  return {status, "injected_fault",
          "fault injected for " + path + " (status " + std::to_string(status) + ")"};
}

ApiError ambiguousFraming(std::string why) {
  return {400, "bad_request", "the request's length is ambiguous: " + std::move(why)};
}

ApiError ambiguousRequest(std::string why) { return {400, "bad_request", "the request is ambiguous: " + std::move(why)}; }

ApiError methodNotImplemented(const std::string& method) {
  return {501, "not_implemented", "the method " + method + " is not one this server implements"};
}

ApiError httpVersionNotSupported(const std::string& version) {
  return {505, "http_version_not_supported", version + " is not supported: this server speaks HTTP/1.1 (and 1.0)"};
}

ApiError genericError(int status) {
  if (status >= 500) return {status, "internal_error", "internal server error"};
  return {status, "bad_request", "the request could not be processed (status " +
                                     std::to_string(status) + ")"};
}

ApiError tooManySubscribers(std::size_t limit) {
  ApiError error{503, "too_many_subscribers",
                 "this server holds its most live subscribers (" + std::to_string(limit) + "); retry later"};
  error.retryAfterSeconds = 5;  // a held slot frees when a client leaves: seconds, not moments
  return error;
}

ApiError notCaughtUp(std::int64_t asked, std::int64_t has) {
  ApiError error{503, "not_caught_up",
                 "this server has not yet seen change version " + std::to_string(asked) + " (it is at " +
                     std::to_string(has) + "); retry in a moment"};
  error.retryAfterSeconds = 1;  // another instance's commits reach this one within about a second
  return error;
}

ApiError shuttingDown() { return {503, "shutting_down", "the server is shutting down; retry later"}; }

std::string renderErrorBody(const ApiError& error) {
  nlohmann::ordered_json body;
  body["error"]["code"] = error.code;
  body["error"]["message"] = error.message;
  // Messages may quote request bytes that are not UTF-8: replace them rather than throw.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace livedata::server
