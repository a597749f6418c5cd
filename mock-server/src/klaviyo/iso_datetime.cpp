#include "klaviyo/iso_datetime.h"

#include <cstdio>

namespace livedata::server::klaviyo {
namespace {

// The digits text[at, at + count) as a number; nullopt unless all are ASCII digits.
std::optional<int> digitsAt(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned daysInMonth(int year, int month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<UnixSeconds> parseUtcOffset(std::string_view text) {
  if (text == "Z" || text == "z") return 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  const auto hours = digitsAt(text, 1, 2), minutes = digitsAt(text, 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return (*hours * 60 + *minutes) * 60 * (text[0] == '-' ? -1 : 1);
}

namespace {

// A date-time's wall time (its fields, counted as if in UTC) and its offset from UTC.
struct WallTime {
  UnixSeconds local = 0;
  UnixSeconds offset = 0;
};

std::optional<WallTime> parseWallTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS: 19 characters before any fraction and the offset.
  const auto year = digitsAt(text, 0, 4), month = digitsAt(text, 5, 2), day = digitsAt(text, 8, 2);
  const auto hour = digitsAt(text, 11, 2), minute = digitsAt(text, 14, 2), second = digitsAt(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || static_cast<unsigned>(*day) > daysInMonth(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    const std::size_t digitsStart = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == digitsStart || at - digitsStart > 9) return std::nullopt;  // floored: the fraction only has to be well formed
  }
  const auto offsetSeconds = parseUtcOffset(text.substr(at));  // a time without one names no instant
  if (!offsetSeconds) return std::nullopt;
  return WallTime{dayFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * kSecondsPerDay +
                      *hour * 3600 + *minute * 60 + *second,
                  *offsetSeconds};
}

}  // namespace

std::optional<UnixSeconds> parseWallClock(std::string_view text) {
  const auto wall = parseWallTime(text);
  if (!wall) return std::nullopt;
  return wall->local;
}

std::optional<UnixSeconds> parseDateTime(std::string_view text) {
  const auto wall = parseWallTime(text);
  if (!wall) return std::nullopt;
  const UnixSeconds instant = wall->local - wall->offset;
  // An offset can carry 0000-01-01 or 9999-12-31 into a year of another digit count, which the
  // formats below could not write back.
  static const UnixSeconds kFirst = dayFromCivil(0, 1, 1) * kSecondsPerDay;
  static const UnixSeconds kLast = dayFromCivil(10000, 1, 1) * kSecondsPerDay - 1;
  if (instant < kFirst || instant > kLast) return std::nullopt;
  return instant;
}

std::string formatDateTime(UnixSeconds seconds) {
  std::string text = formatIsoTimestamp(seconds);  // "...Z"
  text.pop_back();
  return text + "+00:00";
}

std::string formatFilterDateTime(UnixSeconds seconds) { return formatIsoTimestamp(seconds); }

}  // namespace livedata::server::klaviyo
