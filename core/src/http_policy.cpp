#include "livedata/http_policy.h"

#include <algorithm>

#include "livedata/cache.h"
#include "livedata/retry.h"

namespace livedata {

namespace {

constexpr std::size_t kDetailBodyExcerpt = 200;

std::string excerpt(const std::string& body) {
  return body.size() <= kDetailBodyExcerpt ? body : body.substr(0, kDetailBodyExcerpt) + "...";
}

ErrorKind kindForTransportFailure(TransportFailureKind kind) {
  switch (kind) {
    case TransportFailureKind::network: return ErrorKind::network;
    case TransportFailureKind::timeout: return ErrorKind::timeout;
    case TransportFailureKind::cancelled: return ErrorKind::cancelled;
    case TransportFailureKind::offline: return ErrorKind::offline;
    case TransportFailureKind::tooLarge: return ErrorKind::parse;  // not the data we expect
  }
  return ErrorKind::network;
}

ErrorKind kindForStatus(int status) {
  if (status == 429) return ErrorKind::rate_limited;
  if (status >= 500) return ErrorKind::http_server;
  return ErrorKind::http_client;  // 408 included: Error::isRetryable tells it apart
}

HttpVerdict failure(Error error, std::optional<Millis> retryAfterMs = std::nullopt) {
  HttpVerdict verdict;
  verdict.kind = HttpVerdict::Kind::fail;
  verdict.error = std::move(error);
  verdict.retryAfterMs = retryAfterMs;
  return verdict;
}

HttpVerdict keep(HttpVerdict::Kind kind, Millis ttlMs) {
  HttpVerdict verdict;
  verdict.kind = kind;
  verdict.ttlMs = ttlMs;
  return verdict;
}

}  // namespace

std::optional<Millis> freshnessLifetime(const ClientConfig& config, std::string_view endpoint,
                                        const Headers& responseHeaders) {
  if (config.obeyCacheControl) {
    if (const auto header = responseHeaders.joined("Cache-Control")) {
      const CacheDirectives directives = parseCacheControl(*header);
      if (directives.noStore) return std::nullopt;
      if (directives.noCache) return 0;
      if (directives.maxAgeMs) {
        Millis age = 0;  // RFC 9111 section 4.2.3: time already spent in caches upstream
        if (const auto ageHeader = responseHeaders.get("Age")) age = parseRetryAfter(*ageHeader, 0).value_or(0);
        return std::max<Millis>(0, *directives.maxAgeMs - age);
      }
    }
  }
  return config.ttlFor(std::string(endpoint));
}

HttpVerdict judgeResponse(const TransportResult& outcome, const AttemptFacts& attempt,
                          const ClientConfig& config, const JsonSyntaxCheck& acceptsJson, Millis nowMs) {
  const std::string endpoint(attempt.endpoint);
  const std::string what(attempt.what);
  if (outcome.failure) {
    return failure(
        makeError(kindForTransportFailure(outcome.failure->kind), endpoint, what + ": " + outcome.failure->message));
  }
  const HttpResponse& response = *outcome.response;

  if (response.status == 304) {
    if (!attempt.conditional) {
      return failure(makeError(ErrorKind::http_client, endpoint, what + ": 304 to an unconditional request", 304));
    }
    if (!attempt.entryStillCached) return keep(HttpVerdict::Kind::askAgainInFull, 0);
    return keep(HttpVerdict::Kind::notModified,
                freshnessLifetime(config, attempt.endpoint, response.headers).value_or(0));
  }

  if (response.status >= 200 && response.status < 300) {
    if (!acceptsJson(response.body)) {
      return failure(makeError(ErrorKind::parse, endpoint,
                               what + ": response is not valid JSON: " + excerpt(response.body), response.status));
    }
    const std::optional<Millis> ttl = freshnessLifetime(config, attempt.endpoint, response.headers);
    return ttl ? keep(HttpVerdict::Kind::store, *ttl) : keep(HttpVerdict::Kind::doNotStore, 0);
  }

  std::optional<Millis> retryAfter;
  if (const auto header = response.headers.get("Retry-After")) retryAfter = parseRetryAfter(*header, nowMs);
  // A redirect the platform did not follow (the API answers none): where it points is the clue.
  std::string redirect;
  if (response.status >= 300 && response.status < 400) {
    redirect = " (a redirect to " + response.headers.get("Location").value_or("nowhere") +
               ", not followed: baseUrl should be the API itself)";
  }
  return failure(makeError(kindForStatus(response.status), endpoint,
                           what + ": HTTP " + std::to_string(response.status) + redirect + ": " + excerpt(response.body),
                           response.status),
                 retryAfter);
}

}  // namespace livedata
