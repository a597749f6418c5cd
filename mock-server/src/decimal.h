// Strict parsing of the non-negative integers in query strings, flags and bodies.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace livedata::mock {

// Plain decimal digits only (no sign, spaces or exponent) whose value fits an int64;
// nullopt otherwise. Leading zeros are allowed ("007" is 7).
std::optional<std::int64_t> parseNonNegativeDecimal(std::string_view text);

}  // namespace livedata::mock
