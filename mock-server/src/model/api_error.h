// The API's one error shape (docs/api.md): {"error": {"code": "...", "message": "..."}} with
// its HTTP status. A value of the model because every layer that answers a request may fail
// with one; http/api_error.h builds the documented ones and renders them.
#pragma once

#include <string>

namespace livedata::server {

struct ApiError {
  int status = 500;
  std::string code;     // "invalid_parameter", "not_found", ... (docs/api.md)
  std::string message;  // one sentence naming the parameter or route at fault
};

}  // namespace livedata::server
