#include "http/http_caching.h"

#include <chrono>
#include <cstdint>
#include <cstdio>

#include "model/civil_time.h"

namespace livedata::server {
namespace {

std::string_view withoutWeakPrefix(std::string_view tag) {
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

std::string_view withoutQuotes(std::string_view tag) {
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
    tag.remove_prefix(1);
    tag.remove_suffix(1);
  }
  return tag;
}

bool isSpace(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::string strongEtagFor(std::string_view body) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (const char c : body) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return buffer;
}

std::string etagForCoding(const std::string& identityEtag, std::string_view coding) {
  if (coding.empty() || coding == "identity") return identityEtag;
  std::string tag(withoutQuotes(identityEtag));
  return "\"" + tag + "-" + std::string(coding) + "\"";
}

bool ifNoneMatchMatches(std::string_view fieldValue, std::string_view etag) {
  const std::string_view wanted = withoutQuotes(withoutWeakPrefix(etag));
  std::size_t i = 0;
  while (i < fieldValue.size()) {
    while (i < fieldValue.size() && (isSpace(fieldValue[i]) || fieldValue[i] == ',')) ++i;
    if (i >= fieldValue.size()) break;
    std::size_t start = i;
    if (fieldValue.compare(i, 2, "W/") == 0) i += 2;
    std::string_view candidate;
    if (i < fieldValue.size() && fieldValue[i] == '"') {
      // A quoted tag may itself contain commas (etagc in RFC 9110 section 8.8.3).
      const std::size_t close = fieldValue.find('"', i + 1);
      const std::size_t end = close == std::string_view::npos ? fieldValue.size() : close + 1;
      candidate = fieldValue.substr(i, end - i);
      i = end;
    } else {
      std::size_t end = fieldValue.find(',', i);
      if (end == std::string_view::npos) end = fieldValue.size();
      candidate = fieldValue.substr(start, end - start);
      while (!candidate.empty() && isSpace(candidate.back())) candidate.remove_suffix(1);
      i = end;
      if (candidate == "*") return true;
      candidate = withoutWeakPrefix(candidate);
    }
    if (withoutQuotes(candidate) == wanted) return true;
  }
  return false;
}

std::string cacheControlFor(int maxAgeSeconds, int staleWhileRevalidateSeconds) {
  return "public, max-age=" + std::to_string(maxAgeSeconds) +
         ", stale-while-revalidate=" + std::to_string(staleWhileRevalidateSeconds);
}

std::string currentHttpDate() {
  // Formatted once a second per thread, not per response (snprintf was a percent of a 304).
  thread_local std::int64_t formattedSecond = -1;
  thread_local std::string formatted;
  const auto now = std::chrono::system_clock::now();
  const std::int64_t second = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (second != formattedSecond) {
    formatted = formatHttpDate(second);
    formattedSecond = second;
  }
  return formatted;
}

}  // namespace livedata::server
