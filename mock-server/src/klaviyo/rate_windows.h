// Klaviyo's rate limits as fixed windows: per operation, one second (burst), one minute
// (steady) and, for the reports, one UTC day, each counting the requests admitted in it. A
// request over any window's limit is refused with the seconds until that window ends.
// Refused requests do not count (a client that waits as told is admitted).
// Both sides keep them: the simulated upstream refuses with 429 and that Retry-After; the
// sync holds its own report requests back before sending, so it never spends more than the
// budget (Klaviyo counts per account, and its windows need not line up with ours: a 429 it
// sends anyway is obeyed as well).
//
// Threading: safe from any number of threads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "klaviyo/operations.h"

namespace livedata::server {

class RateWindows {
 public:
  // nullopt when admitted (and counted), else whole seconds to wait (>= 1). `nowMs` is Unix
  // milliseconds; `operation` names the operation's own counters ("/api/flows").
  std::optional<std::int64_t> admit(std::string_view operation, const klaviyo::RateLimit& limit, std::int64_t nowMs);

  // Requests admitted for `operation` in the UTC day of `nowMs` (0 for an operation without a
  // daily limit: only daily windows are counted by day).
  int usedToday(std::string_view operation, std::int64_t nowMs) const;

  // Raises the count of `operation`'s daily window for the UTC day of `nowMs` to `calls` when
  // it is lower: calls of that day counted elsewhere (by an earlier process, or another
  // instance) that this one must not spend again.
  void countAtLeast(std::string_view operation, int calls, std::int64_t nowMs);

  // The UTC day of `nowMs`, as days since 1970-01-01: what daily windows are counted by.
  static std::int64_t dayOf(std::int64_t nowMs);
  // When the UTC day of `nowMs` ends (Unix ms): the daily counts start again from zero.
  static std::int64_t dayEndsAt(std::int64_t nowMs);

 private:
  struct Window {
    std::int64_t index = -1;  // nowMs / its length: which window the count belongs to
    int count = 0;
  };
  struct Counters {
    Window second, minute, day;
  };

  // The operation's counters, made when it has none. REQUIRES: mutex_.
  Counters& countersOf(std::string_view operation);

  mutable std::mutex mutex_;
  std::map<std::string, Counters, std::less<>> counters_;  // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
