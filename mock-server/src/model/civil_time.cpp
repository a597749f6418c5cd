#include "model/civil_time.h"

#include <array>
#include <cstdio>

namespace livedata::server {
namespace {

struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};

// Howard Hinnant's civil_from_days (http://howardhinnant.github.io/date_algorithms.html).
CivilDate civilFromDays(DayNumber z) {
  z += 719468;
  const DayNumber era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const DayNumber y = static_cast<DayNumber>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}

bool isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned daysInMonth(int year, unsigned month) {
  static constexpr std::array<unsigned, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

DayNumber floorDiv(UnixSeconds a, UnixSeconds b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

DayNumber dayFromCivil(int year, unsigned month, unsigned day) {
  const DayNumber y = static_cast<DayNumber>(year) - (month <= 2 ? 1 : 0);
  const DayNumber era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<DayNumber>(doe) - 719468;
}

std::optional<DayNumber> parseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t from, std::size_t count) -> std::optional<unsigned> {
    unsigned value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return value;
  };
  const auto year = number(0, 4);
  const auto month = number(5, 2);
  const auto day = number(8, 2);
  if (!year || !month || !day) return std::nullopt;
  if (*month < 1 || *month > 12) return std::nullopt;
  if (*day < 1 || *day > daysInMonth(static_cast<int>(*year), *month)) return std::nullopt;
  return dayFromCivil(static_cast<int>(*year), *month, *day);
}

std::string formatIsoDate(DayNumber day) {
  const CivilDate date = civilFromDays(day);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", date.year, date.month, date.day);
  return buffer;
}

std::string formatIsoTimestamp(UnixSeconds seconds) {
  const DayNumber day = floorDiv(seconds, kSecondsPerDay);
  const auto secondOfDay = static_cast<unsigned>(seconds - day * kSecondsPerDay);
  const CivilDate date = civilFromDays(day);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02u:%02u:%02uZ", date.year, date.month,
                date.day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60);
  return buffer;
}

std::string formatHttpDate(UnixSeconds seconds) {
  static constexpr std::array<const char*, 7> kWeekdays{"Thu", "Fri", "Sat", "Sun",
                                                        "Mon", "Tue", "Wed"};  // day 0 = Thursday
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const DayNumber day = floorDiv(seconds, kSecondsPerDay);
  const auto secondOfDay = static_cast<unsigned>(seconds - day * kSecondsPerDay);
  const CivilDate date = civilFromDays(day);
  const auto weekday = static_cast<std::size_t>(((day % 7) + 7) % 7);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04d %02u:%02u:%02u GMT", kWeekdays[weekday],
                date.day, kMonths[date.month - 1], date.year, secondOfDay / 3600,
                secondOfDay / 60 % 60, secondOfDay % 60);
  return buffer;
}

}  // namespace livedata::server
