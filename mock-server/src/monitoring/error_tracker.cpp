#include "monitoring/error_tracker.h"

#include "model/civil_time.h"
#include "monitoring/error_fingerprint.h"
#include "monitoring/utf8_text.h"

namespace livedata::server::monitoring {

namespace {

nlohmann::json boundedContext(const nlohmann::json& context) {
  // dump() with error_handler::replace: invalid UTF-8 in a context never throws.
  const std::string text = context.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > ErrorTracker::kMaxContextBytes) return {{"truncated", true}};
  return context;
}

std::string isoTime(std::int64_t ms) { return formatIsoTimestamp(ms / 1000); }

}  // namespace

std::string ErrorTracker::recordError(const ErrorEvent& event, std::int64_t nowMs) {
  // The template of the sanitised message, so the stored template is valid UTF-8 too.
  std::string pattern = messageTemplate(boundedUtf8(event.message, kMaxTemplateBytes));
  std::string fingerprint = errorFingerprint(event.type, pattern, event.route);  // raw bytes: stable
  nlohmann::json context = boundedContext(event.context);

  std::lock_guard lock(mutex_);
  ++totalErrors_;
  if (auto found = byFingerprint_.find(fingerprint); found != byFingerprint_.end()) {
    recency_.splice(recency_.begin(), recency_, found->second);
    ErrorGroup& group = *found->second;
    ++group.count;
    group.lastSeenMs = nowMs;
    group.lastRequestId = boundedUtf8(event.requestId, kMaxSampleBytes);
    group.lastContext = std::move(context);
    return fingerprint;
  }
  if (options_.maxGroups == 0) return fingerprint;
  if (recency_.size() >= options_.maxGroups) {
    byFingerprint_.erase(recency_.back().fingerprint);
    recency_.pop_back();
    ++evictedGroups_;
  }
  ErrorGroup group;
  group.fingerprint = fingerprint;
  group.type = boundedUtf8(event.type, kMaxSampleBytes);
  group.messageTemplate = std::move(pattern);
  group.route = boundedUtf8(event.route, kMaxSampleBytes);
  group.count = 1;
  group.firstSeenMs = nowMs;
  group.lastSeenMs = nowMs;
  group.lastRequestId = boundedUtf8(event.requestId, kMaxSampleBytes);
  group.sampleMessage = boundedUtf8(event.message, kMaxSampleBytes);
  group.lastContext = std::move(context);
  recency_.push_front(std::move(group));
  byFingerprint_.emplace(fingerprint, recency_.begin());
  return fingerprint;
}

ErrorTrackerSnapshot ErrorTracker::snapshot() const {
  std::lock_guard lock(mutex_);
  return {totalErrors_, evictedGroups_, std::vector<ErrorGroup>(recency_.begin(), recency_.end())};
}

std::uint64_t ErrorTracker::totalErrors() const {
  std::lock_guard lock(mutex_);
  return totalErrors_;
}

void to_json(nlohmann::ordered_json& json, const ErrorGroup& group) {
  json = {
      {"fingerprint", group.fingerprint},
      {"type", group.type},
      {"messageTemplate", group.messageTemplate},
      {"route", group.route},
      {"count", group.count},
      {"firstSeen", isoTime(group.firstSeenMs)},
      {"lastSeen", isoTime(group.lastSeenMs)},
      {"lastRequestId", group.lastRequestId},
      {"sampleMessage", group.sampleMessage},
      {"lastContext", nlohmann::ordered_json::parse(group.lastContext.dump(-1, ' ', false,
                                                                           nlohmann::json::error_handler_t::replace))},
  };
}

void to_json(nlohmann::ordered_json& json, const ErrorTrackerSnapshot& snapshot) {
  auto groups = nlohmann::ordered_json::array();
  for (const auto& group : snapshot.groups) groups.push_back(group);
  json = {{"totalErrors", snapshot.totalErrors}, {"evictedGroups", snapshot.evictedGroups}, {"groups", groups}};
}

}  // namespace livedata::server::monitoring
