// Klaviyo's rate limits as the simulated upstream enforces them: per operation, fixed windows
// of one second (burst), one minute (steady) and, for the reports, one UTC day, each counting
// the requests admitted in it. A request over any window's limit is refused with the seconds
// until that window ends, which the server sends as Retry-After. Refused requests do not
// count (a client that waits as told is admitted).
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

 private:
  struct Window {
    std::int64_t index = -1;  // nowMs / its length: which window the count belongs to
    int count = 0;
  };
  struct Counters {
    Window second, minute, day;
  };

  std::mutex mutex_;
  std::map<std::string, Counters, std::less<>> counters_;  // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
