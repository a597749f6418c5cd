#include "simulated_upstream/feed_cursor.h"

#include <array>
#include <cstdint>
#include <vector>

#include "livedata/types.h"  // parseNonNegativeDecimal

namespace livedata::server {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kVersion = "v1";
constexpr std::size_t kMaxCursorLength = 1024;

std::string base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
  std::array<int, 256> values;
  values.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  if (text.size() % 4 == 1) return std::nullopt;  // no whole byte ends there
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = values[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // The leftover bits must be zero, or two texts would decode alike.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string encodeCursor(const FeedCursor& cursor) {
  std::string plain(kVersion);
  plain += '|';
  plain += nameOf(cursor.entity);
  plain += '|' + std::to_string(cursor.walk) + '|' + std::to_string(cursor.position.updatedAt) + '|';
  plain += cursor.position.id;
  return base64UrlEncode(plain);
}

std::optional<FeedCursor> decodeCursor(std::string_view text) {
  if (text.empty() || text.size() > kMaxCursorLength) return std::nullopt;
  const auto plain = base64UrlDecode(text);
  if (!plain) return std::nullopt;
  // Four fields end in '|'; the id is the rest.
  std::vector<std::string_view> fields;
  std::string_view rest = *plain;
  for (int i = 0; i < 4; ++i) {
    const auto bar = rest.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    fields.push_back(rest.substr(0, bar));
    rest.remove_prefix(bar + 1);
  }
  if (fields[0] != kVersion || rest.empty()) return std::nullopt;
  const auto entity = entityFromName(fields[1]);
  const auto walk = parseNonNegativeDecimal(fields[2]);
  const auto updatedAt = parseNonNegativeDecimal(fields[3]);
  if (!entity || !walk || !updatedAt) return std::nullopt;
  if (*entity == Entity::metrics && !parseIsoDate(rest)) return std::nullopt;  // a day's id is its date
  return FeedCursor{*entity, *walk, SyncCursor{*updatedAt, std::string(rest)}};
}

}  // namespace livedata::server
