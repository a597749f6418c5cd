// Calendar arithmetic for the generated data and HTTP headers, in UTC only and without the
// C library's locale- and time-zone-dependent functions, so output is identical everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace livedata::server {

// Days since 1970-01-01 (negative before it).
using DayNumber = std::int64_t;
// Seconds since the Unix epoch.
using UnixSeconds = std::int64_t;

inline constexpr UnixSeconds kSecondsPerDay = 86400;

DayNumber dayFromCivil(int year, unsigned month, unsigned day);

// The UTC day holding `seconds` (floored: a second before 1970 is in day -1).
constexpr DayNumber dayOf(UnixSeconds seconds) {
  return seconds >= 0 ? seconds / kSecondsPerDay : -((-seconds + kSecondsPerDay - 1) / kSecondsPerDay);
}

// Strict "YYYY-MM-DD" with a real calendar date; nullopt otherwise.
std::optional<DayNumber> parseIsoDate(std::string_view text);

std::string formatIsoDate(DayNumber day);                  // "2026-10-31"
std::string formatIsoTimestamp(UnixSeconds seconds);       // "2026-10-31T08:15:00Z"
std::string formatHttpDate(UnixSeconds seconds);           // IMF-fixdate, RFC 9110 5.6.7

}  // namespace livedata::server
