// Klaviyo's error documents: {"errors":[{"id","status","code","title","detail","source"}]}, the
// documents' ClientError and ServerError. The simulated upstream renders them; the sync reads
// one into a message for its logs (never echoing request headers, so never the API key).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace livedata::server::klaviyo {

struct ErrorObject {
  int status = 400;
  std::string code;                         // "invalid", "not_authenticated", "throttled", ...
  std::string title;                        // "Invalid input."
  std::string detail;                       // one sentence naming what was wrong
  std::optional<std::string> sourceParameter;  // the query parameter at fault
  std::optional<std::string> sourcePointer;    // or the JSON pointer into the body
};

// Klaviyo's observed codes and titles for the answers the simulated upstream gives.
ErrorObject invalidParameter(std::string parameter, std::string detail);    // 400 invalid
ErrorObject invalidBody(std::string pointer, std::string detail);           // 400 invalid
ErrorObject notAuthenticated();                                             // 401 not_authenticated
ErrorObject permissionDenied(std::string detail);                           // 403 permission_denied
ErrorObject notFound(std::string detail);                                   // 404 not_found
ErrorObject notAcceptable(std::string detail);                              // 406 not_acceptable
ErrorObject unsupportedMediaType(std::string detail);                       // 415 unsupported_media_type
ErrorObject throttled(long retryAfterSeconds);                              // 429 throttled
ErrorObject serverError();                                                  // 500 error

// The document for one error; `id` is the error's id (Klaviyo sends a UUID): the caller's, so
// output stays deterministic in tests.
std::string renderErrorDocument(const ErrorObject& error, std::string_view id);

// "invalid: 'page[size]' must be between 1 and 100 (page[size])" from a body that is an error
// document (the first error's code, detail and source); nullopt when the body is not one.
std::optional<std::string> describeErrorDocument(std::string_view body);

}  // namespace livedata::server::klaviyo
