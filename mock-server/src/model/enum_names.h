// Enums whose values travel as words (JSON strings, TEXT columns, query parameters): each
// enum lists its words once, in declaration order, in a specialisation of EnumNames, and
// these functions convert both ways from that list.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace livedata::server {

// Specialised per enum with `static constexpr std::array<const char*, N> words`, where
// words[i] is the word of the enum's value i (enum values are 0..N-1 in order).
template <typename Enum>
struct EnumNames;

template <typename Enum>
constexpr const char* wordOf(Enum value) {
  return EnumNames<Enum>::words[static_cast<std::size_t>(value)];
}

template <typename Enum>
std::optional<Enum> enumFromWord(std::string_view word) {
  const auto& words = EnumNames<Enum>::words;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (word == words[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

// "draft, scheduled, sending, sent": for error messages that list what is accepted.
template <typename Enum>
std::string wordList() {
  std::string list;
  for (const char* word : EnumNames<Enum>::words) list += (list.empty() ? "" : ", ") + std::string(word);
  return list;
}

}  // namespace livedata::server
