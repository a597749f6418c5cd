#include "upstream_client/upstream_source.h"

namespace livedata::server {

bool UpstreamFailure::retryable() const {
  // A 4xx says the request itself is wrong and will be wrong again; 408 (the server gave up
  // waiting) and 429 (come back later) are the two that invite a retry (RFC 9110 15.5.9, RFC 6585 4).
  if (kind != Kind::http) return true;
  const bool clientError = status >= 400 && status < 500;
  return !clientError || status == 408 || status == 429;
}

}  // namespace livedata::server
