// Retry with exponential backoff and full jitter. The one place backoff is computed: the
// client's retry and the server's sync service both call it.
#pragma once

#include <optional>
#include <string_view>

#include "livedata/config.h"
#include "livedata/errors.h"

namespace livedata {

// The delay before retry number `retryNumber` (1 for the first retry): uniform in
// [0, min(maxDelayMs, baseDelayMs * 2^(retryNumber-1))], drawn from `random01` in [0, 1).
// "Full jitter": spreads retries of many clients so they do not arrive together.
Millis backoffDelay(const BackoffPolicy& policy, int retryNumber, double random01);

// Parses a Retry-After value, either delay-seconds or an HTTP-date (RFC 9110 section 10.2.3),
// into a delay from `nowMs`. A date in the past gives 0; garbage gives nullopt.
std::optional<Millis> parseRetryAfter(std::string_view value, Millis nowMs);

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850 and
// asctime forms too, into milliseconds since the epoch.
std::optional<Millis> parseHttpDate(std::string_view value);

struct RetryDecision {
  bool retry = false;
  Millis delayMs = 0;
};

// Whether to retry after `error`, having made `attemptsMade` attempts so far.
// Only retryable errors (Error::isRetryable) are retried, at most maxAttempts in total;
// a server's Retry-After is waited for when it is longer than the computed backoff, and
// gives up when it exceeds maxRetryAfterMs.
RetryDecision decideRetry(const BackoffPolicy& policy, const Error& error, int attemptsMade,
                          std::optional<Millis> retryAfterMs, double random01);

}  // namespace livedata
