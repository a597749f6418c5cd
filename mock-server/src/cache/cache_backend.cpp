#include "cache/cache_backend.h"

#include "livedata/cache.h"

namespace livedata::server {

namespace {

// Backslash before every character Redis's stringmatchlen treats specially, except the
// wildcards we keep when `keepWildcards` is set.
void appendEscaped(std::string& out, std::string_view text, bool keepWildcards) {
  for (const char c : text) {
    const bool wildcard = c == '*' || c == '?';
    if ((wildcard && !keepWildcards) || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
}

}  // namespace

std::string redisKeyFor(std::string_view resourceKey) {
  std::string key(kRedisKeyPrefix);
  key += resourceKey;
  return key;
}

KeyPattern KeyPattern::glob(std::string pattern) {
  std::string scan = pattern;
  return KeyPattern(Kind::glob, std::move(pattern), std::move(scan));
}

KeyPattern KeyPattern::endpoint(std::string name) {
  std::string scan = name + "*";
  return KeyPattern(Kind::endpoint, std::move(name), std::move(scan));
}

bool KeyPattern::matches(std::string_view resourceKey) const {
  if (kind_ == Kind::glob) return livedata::globMatch(text_, resourceKey);
  if (resourceKey.size() < text_.size() || resourceKey.compare(0, text_.size(), text_) != 0) return false;
  return resourceKey.size() == text_.size() || resourceKey[text_.size()] == '?';
}

std::string KeyPattern::describe() const {
  return kind_ == Kind::glob ? text_ : "endpoint:" + text_;
}

std::string redisScanPatternFor(std::string_view glob) {
  std::string pattern;
  appendEscaped(pattern, kRedisKeyPrefix, /*keepWildcards=*/false);
  appendEscaped(pattern, glob, /*keepWildcards=*/true);
  return pattern;
}

}  // namespace livedata::server
