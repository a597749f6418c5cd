// Date-times as Klaviyo writes them (RFC 3339: "2026-11-01T09:30:00+00:00", also with 'Z', other
// offsets and fractions of a second) and as its filters take them ("2026-11-01T09:30:00Z").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/civil_time.h"

namespace livedata::server::klaviyo {

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|z|+hh:mm|-hh:mm)" with a real calendar date and time
// (no leap second), converted to UTC; a fraction is dropped (the time is floored to its
// second). Anything else, including a missing offset or an instant outside the years
// 0000-9999 in UTC, is nullopt.
std::optional<UnixSeconds> parseDateTime(std::string_view text);

// The time zones an account can have lie between these offsets from UTC (the IANA zones'
// extremes: Etc/GMT+12 and Pacific/Kiritimati).
constexpr UnixSeconds kWestmostUtcOffset = -12 * 3600;
constexpr UnixSeconds kEastmostUtcOffset = 14 * 3600;

// "Z", "z", "+hh:mm" or "-hh:mm" (hh 00-23, mm 00-59), the whole text: seconds east of UTC.
std::optional<UnixSeconds> parseUtcOffset(std::string_view text);

// The same text's wall time, its offset ignored: "2026-11-01T09:30:00+05:00" is 09:30 on
// 2026-11-01, counted in seconds as if in UTC. Klaviyo reads a values report's timeframe so,
// in the account's time zone ("Offset is ignored and the company timezone is used").
std::optional<UnixSeconds> parseWallClock(std::string_view text);

// "2026-11-01T09:30:00+00:00": the form Klaviyo's responses carry.
std::string formatDateTime(UnixSeconds seconds);

// "2026-11-01T09:30:00Z": the form a filter value takes ('+' would need percent-encoding).
std::string formatFilterDateTime(UnixSeconds seconds);

}  // namespace livedata::server::klaviyo
