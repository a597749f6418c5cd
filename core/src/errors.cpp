#include "livedata/errors.h"

namespace livedata {

const char* toString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::network: return "network";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::http_client: return "http_client";
    case ErrorKind::http_server: return "http_server";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::parse: return "parse";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::offline: return "offline";
    case ErrorKind::config: return "config";
  }
  return "unknown";
}

bool Error::isRetryable() const {
  switch (kind) {
    case ErrorKind::network:
    case ErrorKind::timeout:
    case ErrorKind::http_server:
    case ErrorKind::rate_limited:
      return true;
    case ErrorKind::http_client:
      return status == 408;  // Request Timeout: the server invites a retry
    case ErrorKind::parse:
    case ErrorKind::cancelled:
    case ErrorKind::offline:
    case ErrorKind::config:
      return false;
  }
  return false;
}

std::string userMessageFor(ErrorKind kind, int status) {
  switch (kind) {
    case ErrorKind::network: return "Can't reach the server.";
    case ErrorKind::timeout: return "The server is taking too long to respond.";
    case ErrorKind::http_client:
      if (status == 401 || status == 403) return "You don't have access to this data.";
      if (status == 404) return "This data could not be found.";
      return "The request was not accepted by the server.";
    // Facts only: whether anyone tries again is the caller's (a watched query does, a
    // command-line `get` that gave up does not), so no message promises it.
    case ErrorKind::http_server: return "The server ran into a problem.";
    case ErrorKind::rate_limited: return "Too many requests: the server asked us to wait.";
    case ErrorKind::parse: return "The server sent data we couldn't read.";
    case ErrorKind::cancelled: return "The request was cancelled.";
    case ErrorKind::offline: return "You're offline.";
    case ErrorKind::config: return "This request or its settings are not valid.";
  }
  return "Something went wrong.";
}

Error makeError(ErrorKind kind, std::string endpoint, std::string detail, int status) {
  Error error;
  error.kind = kind;
  error.status = status;
  error.endpoint = std::move(endpoint);
  error.message = userMessageFor(kind, status);
  error.detail = std::move(detail);
  return error;
}

}  // namespace livedata
