// The wall clock the benchmarks compare with the server's change log: Unix ms now, and the
// log's `committedAt` ("2026-12-03T07:00:00.123Z") read back as Unix ms. Both sides run
// on one machine, so one clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <string>

namespace livedata::bench {

inline std::int64_t wallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// 0 when `text` does not read as an ISO 8601 UTC timestamp.
inline std::int64_t parseIsoTimestampMs(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text.substr(0, 19));
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return 0;
  const std::int64_t millis = text.size() >= 23 ? std::atoi(text.substr(20, 3).c_str()) : 0;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + millis;
}

}  // namespace livedata::bench
