// Faults the upstream server injects into its /v1 routes, so the sync's retry, timeout and
// parsing paths can be exercised: errors, latency, held requests, malformed bodies and
// bursts of 429s. Draws come from a seeded generator, so a test that sets the same faults
// and sends the same requests in the same order sees the same faults.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "livedata/expected.h"
#include "http/api_error.h"
#include "simulated_upstream/data_generator.h"

namespace livedata::server {

// Field names are those of the JSON body of PUT /admin/faults (docs/upstream.md).
// The three rates share one draw per request and are tried in this order: error, timeout,
// malformed; together they are at most 1.
struct UpstreamFaults {
  // Fraction of requests answered with an error status picked from errorStatuses. [0, 1]
  double errorRate = 0;
  // Statuses of those errors, each 400..599; not empty.
  std::vector<int> errorStatuses{500, 502, 503};
  // Added before every request is answered. 0..600000.
  int latencyMs = 0;
  // Fraction of requests held for timeoutMs (longer than the client waits), then answered
  // 504. A server stop ends the hold at once. [0, 1]
  double timeoutRate = 0;
  int timeoutMs = 30000;  // 1..600000
  // Fraction of requests answered 200 with a page cut short: not valid JSON. [0, 1]
  double malformedRate = 0;
  // The next rateLimitBurst requests are answered 429 with Retry-After: retryAfterSeconds;
  // counts down as they arrive. >= 0.
  int rateLimitBurst = 0;
  int retryAfterSeconds = 1;  // 0..86400
  // Seeds the draws; setting faults starts the draws over.
  std::uint64_t seed = 1;
};

// nullopt when valid, else a message naming the field.
std::optional<std::string> validateFaults(const UpstreamFaults& faults);

void to_json(nlohmann::ordered_json& json, const UpstreamFaults& faults);
// A PUT /admin/faults body: every field optional (absent ones take their defaults above,
// so a PUT replaces the whole set); an unknown field or a bad value is a 400 naming it.
Expected<UpstreamFaults, ApiError> parseFaults(const std::string& body);

// What to do with one request.
struct FaultDecision {
  enum class Kind { none, error, timeout, malformed, rateLimited };
  Kind kind = Kind::none;
  int latencyMs = 0;          // wait this long first, whatever the kind
  int status = 0;             // error: the status to answer
  int holdMs = 0;             // timeout: how long to hold the request
  int retryAfterSeconds = 0;  // rateLimited: the Retry-After to send
};

// The faults in force and their draws. Threading: safe from any number of threads.
class FaultPlan {
 public:
  explicit FaultPlan(UpstreamFaults faults = {});

  // REQUIRES: validateFaults(faults) is nullopt. Restarts the draws from faults.seed.
  void set(UpstreamFaults faults);
  // rateLimitBurst is what remains of the burst.
  UpstreamFaults current() const;
  // Decides the fate of the next request.
  FaultDecision next();

 private:
  mutable std::mutex mutex_;
  UpstreamFaults faults_;  // GUARDED_BY(mutex_)
  SplitMix64 random_;      // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
