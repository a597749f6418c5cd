// Errors are values: nothing in the core throws to its caller. One error type
// carries everything the UI (a toast) and the logs need.
#pragma once

#include <string>

#include "livedata/expected.h"  // Expected<T> holds a value or this Error
#include "livedata/types.h"

namespace livedata {

enum class ErrorKind {
  network,       // no connection to the server
  timeout,       // the server did not answer in time
  http_client,   // 4xx other than 408 and 429: retrying cannot help
  http_server,   // 5xx
  rate_limited,  // 429
  parse,         // the body is not the JSON we expect, or larger than maxResponseBytes
  cancelled,     // the request was cancelled (superseded, client destroyed)
  offline,       // the platform reports no network; failed fast without sending
  config,        // bad configuration or arguments (bad base URL, unknown endpoint)
};

const char* toString(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::network;
  int status = 0;          // HTTP status when there was a response, else 0
  std::string endpoint;    // e.g. "campaigns"; empty when not tied to one
  int attempts = 0;        // network attempts made, retries included
  std::string message;     // short, user-facing, fit for a toast
  std::string detail;      // for logs: URL, status line, transport message, body excerpt
  Millis retryAfterMs = 0; // the wait the server asked for (Retry-After); 0 when it named none

  // Whether the retry policy may try again after this error (RFC 9110 section 15.5.9,
  // 15.5.29 and 15.6: 408, 429 and 5xx are transient; other 4xx are not).
  bool isRetryable() const;
};

Error makeError(ErrorKind kind, std::string endpoint, std::string detail, int status = 0);

// The user-facing sentence for an error kind, e.g. "Can't reach the server".
std::string userMessageFor(ErrorKind kind, int status);

}  // namespace livedata
