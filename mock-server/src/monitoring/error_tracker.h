// Errors captured from handlers and 5xx responses, grouped by cause (error_fingerprint.h).
//
// Bounded memory: at most options.maxGroups groups; recording a new cause when full evicts
// the least recently seen group (its count stays in totalErrors and evictedGroups). Each
// group keeps one sample message (truncated to kMaxSampleBytes) and the context of its latest
// occurrence (replaced by {"truncated": true} when its JSON text exceeds kMaxContextBytes).
//
// Threading: every member is safe from any thread (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace livedata::server::monitoring {

struct ErrorEvent {
  std::string type;       // "DatabaseError", "http_500", an exception's type
  std::string message;
  std::string route;      // the route template where it happened
  std::string requestId;
  nlohmann::json context;  // anything useful: query, backtrace lines, ...
};

struct ErrorGroup {
  std::string fingerprint;
  std::string type;
  std::string messageTemplate;
  std::string route;
  std::uint64_t count = 0;
  std::int64_t firstSeenMs = 0;
  std::int64_t lastSeenMs = 0;
  std::string lastRequestId;
  std::string sampleMessage;  // the first occurrence's message
  nlohmann::json lastContext;
};

struct ErrorTrackerOptions {
  // Groups kept before evicting the least recently seen. Default 100.
  std::size_t maxGroups = 100;
};

struct ErrorTrackerSnapshot {
  std::uint64_t totalErrors = 0;
  std::uint64_t evictedGroups = 0;
  std::vector<ErrorGroup> groups;  // most recently seen first
};

class ErrorTracker {
 public:
  static constexpr std::size_t kMaxSampleBytes = 1024;
  static constexpr std::size_t kMaxContextBytes = 4096;

  explicit ErrorTracker(ErrorTrackerOptions options = {}) : options_(options) {}

  // Returns the event's fingerprint.
  std::string recordError(const ErrorEvent& event, std::int64_t nowMs);

  ErrorTrackerSnapshot snapshot() const;
  std::uint64_t totalErrors() const;

 private:
  ErrorTrackerOptions options_;
  mutable std::mutex mutex_;
  std::uint64_t totalErrors_ = 0;
  std::uint64_t evictedGroups_ = 0;
  // Most recently seen first; the index points into it by fingerprint.
  std::list<ErrorGroup> recency_;
  std::unordered_map<std::string, std::list<ErrorGroup>::iterator> byFingerprint_;
};

void to_json(nlohmann::ordered_json& json, const ErrorGroup& group);
void to_json(nlohmann::ordered_json& json, const ErrorTrackerSnapshot& snapshot);

}  // namespace livedata::server::monitoring
