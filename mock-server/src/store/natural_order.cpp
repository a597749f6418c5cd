#include "store/natural_order.h"

namespace livedata::server {

namespace {
bool isDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::string naturalSortKey(std::string_view text) {
  std::string key;
  key.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    if (isDigit(text[i])) {
      std::size_t end = i;
      while (end < text.size() && isDigit(text[end])) ++end;
      while (i < end && text[i] == '0') ++i;  // the value's digits: "007" is 7
      std::string length = std::to_string(end - i);
      // lpad(length, 3, '0'): padded on the left, or cut to its first three characters.
      length = length.size() < 3 ? std::string(3 - length.size(), '0') + length : length.substr(0, 3);
      key += length;
      key.append(text, i, end - i);
      i = end;
    } else {
      const char c = text[i++];
      key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  return key;
}

}  // namespace livedata::server
