#include "livedata/retry.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace livedata {

Millis backoffDelay(const BackoffPolicy& policy, int retryNumber, double random01) {
  if (retryNumber < 1) return 0;
  // Doubling stops once the cap is reached, so large retry numbers cannot overflow.
  Millis ceiling = policy.baseDelayMs;
  for (int i = 1; i < retryNumber && ceiling < policy.maxDelayMs; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy.maxDelayMs);
  const double unit = std::clamp(random01, 0.0, 1.0);
  // The conversion truncates, which is floor for the non-negative product (a negative
  // ceiling is below both anyway); std::floor would be a libm call on baseline x86-64.
  return std::min(ceiling, static_cast<Millis>(unit * static_cast<double>(ceiling + 1)));
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// At most 9 digits, so the value fits an int.
std::optional<int> parseDigits(std::string_view s) {
  if (s.size() > 9) return std::nullopt;
  const auto value = parseNonNegativeDecimal(s);
  return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

std::optional<int> monthIndex(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<int>(i) + 1;
  }
  return std::nullopt;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153u * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2u) / 5u + static_cast<unsigned>(d) - 1u;
  const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<Millis> toEpochMs(int year, std::optional<int> month, std::optional<int> day,
                                std::string_view clock) {
  // clock is "HH:MM:SS"
  if (!month || !day || clock.size() != 8 || clock[2] != ':' || clock[5] != ':') return std::nullopt;
  const auto h = parseDigits(clock.substr(0, 2));
  const auto mi = parseDigits(clock.substr(3, 2));
  const auto s = parseDigits(clock.substr(6, 2));
  if (!h || !mi || !s || *h > 23 || *mi > 59 || *s > 60 || *day < 1 || *day > 31) return std::nullopt;
  const std::int64_t days = daysFromCivil(year, *month, *day);
  return ((days * 24 + *h) * 60 + *mi) * 60000 + static_cast<Millis>(*s) * 1000;
}

std::vector<std::string_view> splitOnSpaces(std::string_view s) {
  std::vector<std::string_view> parts;
  while (!s.empty()) {
    const auto space = s.find(' ');
    if (space != 0) parts.push_back(s.substr(0, space));
    if (space == std::string_view::npos) break;
    s.remove_prefix(space + 1);
  }
  return parts;
}

}  // namespace

std::optional<Millis> parseHttpDate(std::string_view value) {
  const auto parts = splitOnSpaces(trim(value));
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT") {
    const auto year = parseDigits(parts[3]);
    if (!year || parts[3].size() != 4) return std::nullopt;
    return toEpochMs(*year, monthIndex(parts[2]), parseDigits(parts[1]), parts[4]);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years: RFC 9110 section 5.6.7)
  if (parts.size() == 4 && parts[0].back() == ',' && parts[3] == "GMT" && parts[1].size() == 9) {
    const auto year = parseDigits(parts[1].substr(7, 2));
    if (!year || parts[1][2] != '-' || parts[1][6] != '-') return std::nullopt;
    return toEpochMs(*year + (*year < 70 ? 2000 : 1900), monthIndex(parts[1].substr(3, 3)),
                     parseDigits(parts[1].substr(0, 2)), parts[2]);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (parts.size() == 5) {
    const auto year = parseDigits(parts[4]);
    if (!year || parts[4].size() != 4) return std::nullopt;
    return toEpochMs(*year, monthIndex(parts[1]), parseDigits(parts[2]), parts[3]);
  }
  return std::nullopt;
}

std::optional<Millis> parseRetryAfter(std::string_view value, Millis nowMs) {
  value = trim(value);
  std::string_view digits = value;  // "0000000005" is 5 s, not a number too long to hold
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (const auto seconds = parseDigits(digits)) return static_cast<Millis>(*seconds) * 1000;
  // More digits than an int holds is a wait longer than anyone takes (over 31 years), not
  // garbage to ignore: it saturates, so the caller gives up rather than retry at once.
  if (!value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return static_cast<Millis>(999'999'999) * 1000;
  }
  if (const auto when = parseHttpDate(value)) return std::max<Millis>(0, *when - nowMs);
  return std::nullopt;
}

RetryDecision decideRetry(const BackoffPolicy& policy, const Error& error, int attemptsMade,
                          std::optional<Millis> retryAfterMs, double random01) {
  if (!error.isRetryable() || attemptsMade >= policy.maxAttempts) return {};
  if (retryAfterMs && *retryAfterMs > policy.maxRetryAfterMs) return {};
  const Millis backoff = backoffDelay(policy, attemptsMade, random01);
  return {true, std::max(backoff, retryAfterMs.value_or(0))};
}

}  // namespace livedata
