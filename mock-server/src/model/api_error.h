// The API's one error shape (docs/api.md): {"error": {"code": "...", "message": "..."}} with
// its HTTP status. A value of the model because every layer that answers a request may fail
// with one; http/api_error.h builds the documented ones and renders them.
#pragma once

#include <string>
#include <utility>

namespace livedata::server {

struct ApiError {
  ApiError() = default;
  ApiError(int status, std::string code, std::string message, std::string detail = {})
      : status(status), code(std::move(code)), message(std::move(message)), detail(std::move(detail)) {}

  int status = 500;
  std::string code;     // "invalid_parameter", "not_found", ... (docs/api.md)
  std::string message;  // one sentence naming the parameter or route at fault
  // What went wrong inside (a store's own error, with its SQL): for the operator, in the log
  // and /monitoring/errors; never sent, as it tells a client how the server is built.
  std::string detail;
  // Seconds to send as Retry-After (a 503 the client should ask again after); 0: none.
  int retryAfterSeconds = 0;
};

}  // namespace livedata::server
