#include "livedata/types.h"

#include <limits>

namespace livedata {

std::optional<std::int64_t> parseNonNegativeDecimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::int64_t digit = c - '0';
    if (value > (kMax - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

Headers::Headers(std::initializer_list<std::pair<std::string, std::string>> fields) : fields_(fields) {}

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void Headers::set(const std::string& name, std::string value) {
  std::vector<std::pair<std::string, std::string>> kept;
  kept.reserve(fields_.size() + 1);
  for (auto& field : fields_) {
    if (!equalsIgnoreCase(field.first, name)) kept.push_back(std::move(field));
  }
  kept.emplace_back(name, std::move(value));
  fields_ = std::move(kept);
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& field : fields_) {
    if (equalsIgnoreCase(field.first, name)) return field.second;
  }
  return std::nullopt;
}

std::optional<std::string> Headers::joined(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& field : fields_) {
    if (!equalsIgnoreCase(field.first, name)) continue;
    if (out) out->append(", ").append(field.second);
    else out = field.second;
  }
  return out;
}

const char* toString(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "unknown";
}

}  // namespace livedata
