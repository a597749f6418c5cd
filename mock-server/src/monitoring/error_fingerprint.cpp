#include "monitoring/error_fingerprint.h"

#include <cstdint>

namespace livedata::server::monitoring {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool isWordChar(char c) { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

bool isUuidAt(std::string_view text, std::size_t at) {
  constexpr std::size_t kLength = 36;
  if (text.size() - at < kLength) return false;
  for (std::size_t i = 0; i < kLength; ++i) {
    const char c = text[at + i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !isHexDigit(c)) return false;
  }
  return at + kLength == text.size() || !isWordChar(text[at + kLength]);
}

bool isHexId(std::string_view word) {
  if (word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
    for (std::size_t i = 2; i < word.size(); ++i) {
      if (!isHexDigit(word[i])) return false;
    }
    return true;
  }
  if (word.size() < 8) return false;
  bool hasDigit = false;
  for (char c : word) {
    if (!isHexDigit(c)) return false;
    hasDigit = hasDigit || isDigit(c);
  }
  return hasDigit;
}

void appendWithNumbersReplaced(std::string& out, std::string_view word) {
  for (std::size_t i = 0; i < word.size();) {
    if (isDigit(word[i])) {
      while (i < word.size() && isDigit(word[i])) ++i;
      out += "<n>";
    } else {
      out += word[i++];
    }
  }
}

}  // namespace

std::string messageTemplate(std::string_view message) {
  message = message.substr(0, kMaxTemplateBytes);
  std::string out;
  out.reserve(message.size());
  std::size_t i = 0;
  while (i < message.size()) {
    const char c = message[i];
    const bool wordStart = i == 0 || !isWordChar(message[i - 1]);
    if (wordStart && isUuidAt(message, i)) {
      out += "<uuid>";
      i += 36;
    } else if (c == '"' || c == '\'') {
      const std::size_t close = message.find(c, i + 1);
      if (close == std::string_view::npos) {
        out += c;
        ++i;
      } else {
        out += "<str>";
        i = close + 1;
      }
    } else if (isWordChar(c)) {
      std::size_t end = i;
      while (end < message.size() && isWordChar(message[end])) ++end;
      const std::string_view word = message.substr(i, end - i);
      if (isHexId(word)) {
        out += "<hex>";
      } else {
        appendWithNumbersReplaced(out, word);
      }
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::string errorFingerprint(std::string_view type, std::string_view messageTemplate, std::string_view route) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  auto mix = [&hash](std::string_view part) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 0x100000001b3ULL;  // FNV prime
    }
  };
  mix(type);
  mix("\x1f");
  mix(messageTemplate);
  mix("\x1f");
  mix(route);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[hash & 0xf];
    hash >>= 4;
  }
  return out;
}

}  // namespace livedata::server::monitoring
