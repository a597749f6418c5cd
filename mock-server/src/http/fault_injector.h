// Fault rules posted to /admin/faults (docs/api.md): errors, delays and malformed bodies
// injected into requests by path, for testing clients' retry and fallback paths.
//
// Threading: every public member is safe to call from any number of threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "livedata/expected.h"
#include "http/api_error.h"

namespace livedata::server {

struct FaultRule {
  std::string path;                       // exact request path, e.g. "/api/campaigns"
  int status = 503;                       // 200 by default when malformed or delayMs > 0
  int times = 1;                          // requests left to affect; -1 = for ever
  int delayMs = 0;                        // wait before answering
  std::optional<std::string> retryAfter;  // Retry-After field value
  bool malformed = false;                 // answer with a body that is not JSON

  // Whether the answer is the rule's own (an injected error or a malformed body) rather
  // than the route's, delayed by delayMs.
  bool replacesAnswer() const { return malformed || status != 200; }
};

void to_json(nlohmann::ordered_json& json, const FaultRule& rule);

// Parses {"rules": [Rule, ...]} from a request body; the error names the bad field
// (e.g. "rules[1].times must be -1 or an integer of 1 or more").
Expected<std::vector<FaultRule>, ApiError> parseFaultRules(const std::string& body);

inline constexpr int kMaxFaultDelayMs = 60000;

// The body a malformed rule answers with: starts like the real thing, is not JSON.
inline constexpr const char* kMalformedBody = "{\"items\": [{\"id\": <injected malformed body";

class FaultInjector {
 public:
  void add(std::vector<FaultRule> rules);
  void clear();
  std::vector<FaultRule> rules() const;

  // The first rule for `path` that has requests left, consuming one of them; rules for a
  // path apply in the order they were added.
  std::optional<FaultRule> take(const std::string& path);

  // Sleeps for a rule's delay; returns early once shutdown() is called, so a pending delay
  // never holds up server shutdown.
  void delay(int delayMs);
  void shutdown();

 private:
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<FaultRule> rules_;  // GUARDED_BY(mutex_)
  bool shuttingDown_ = false;     // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
