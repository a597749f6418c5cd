#include "klaviyo/rate_windows.h"

#include <array>

namespace livedata::server {
namespace {

constexpr std::int64_t kSecondMs = 1000;
constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
constexpr std::int64_t kDayMs = 24 * 60 * kMinuteMs;

// Floor division: times before 1970 stay in their own window.
std::int64_t windowIndex(std::int64_t nowMs, std::int64_t lengthMs) {
  return nowMs >= 0 ? nowMs / lengthMs : -((-nowMs + lengthMs - 1) / lengthMs);
}

}  // namespace

RateWindows::Counters& RateWindows::countersOf(std::string_view operation) {
  auto found = counters_.find(operation);
  if (found == counters_.end()) found = counters_.emplace(std::string(operation), Counters{}).first;
  return found->second;
}

std::optional<std::int64_t> RateWindows::admit(std::string_view operation, const klaviyo::RateLimit& limit,
                                               std::int64_t nowMs) {
  std::lock_guard lock(mutex_);
  Counters& counters = countersOf(operation);

  struct Rule {
    Window& window;
    std::int64_t lengthMs;
    std::optional<int> limit;
  };
  const std::array<Rule, 3> rules{Rule{counters.second, kSecondMs, limit.perSecond > 0 ? std::optional(limit.perSecond) : std::nullopt},
                                  Rule{counters.minute, kMinuteMs, limit.perMinute > 0 ? std::optional(limit.perMinute) : std::nullopt},
                                  Rule{counters.day, kDayMs, limit.perDay}};
  // The longest wait among the windows that are full: waiting less would be refused again.
  std::optional<std::int64_t> waitMs;
  for (const Rule& rule : rules) {
    if (!rule.limit) continue;
    const std::int64_t index = windowIndex(nowMs, rule.lengthMs);
    if (rule.window.index != index) rule.window = Window{index, 0};
    if (rule.window.count >= *rule.limit) {
      const std::int64_t untilEnd = (index + 1) * rule.lengthMs - nowMs;
      if (!waitMs || untilEnd > *waitMs) waitMs = untilEnd;
    }
  }
  if (waitMs) return (*waitMs + kSecondMs - 1) / kSecondMs;
  for (const Rule& rule : rules) {
    if (rule.limit) ++rule.window.count;
  }
  return std::nullopt;
}

int RateWindows::usedToday(std::string_view operation, std::int64_t nowMs) const {
  std::lock_guard lock(mutex_);
  const auto found = counters_.find(operation);
  if (found == counters_.end() || found->second.day.index != windowIndex(nowMs, kDayMs)) return 0;
  return found->second.day.count;
}

void RateWindows::countAtLeast(std::string_view operation, int calls, std::int64_t nowMs) {
  std::lock_guard lock(mutex_);
  Window& day = countersOf(operation).day;
  const std::int64_t index = windowIndex(nowMs, kDayMs);
  if (day.index != index) day = Window{index, 0};
  if (day.count < calls) day.count = calls;
}

std::int64_t RateWindows::dayOf(std::int64_t nowMs) { return windowIndex(nowMs, kDayMs); }

std::int64_t RateWindows::dayEndsAt(std::int64_t nowMs) { return (windowIndex(nowMs, kDayMs) + 1) * kDayMs; }

}  // namespace livedata::server
