#include "livedata/cache.h"

#include <algorithm>
#include <cctype>

namespace livedata {

namespace {

constexpr std::string_view kCacheBustingParam = "_t";
constexpr std::string_view kApiPrefix = "/api/";

bool isUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += c;  // a stray '%' is kept literally rather than rejected
    }
  }
  return out;
}

}  // namespace

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (isUnreserved(u)) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

Query parseQueryString(std::string_view queryString) {
  if (!queryString.empty() && queryString.front() == '?') queryString.remove_prefix(1);
  Query query;
  while (!queryString.empty()) {
    const auto amp = queryString.find('&');
    const auto part = queryString.substr(0, amp);
    if (!part.empty()) {
      const auto eq = part.find('=');
      if (eq == std::string_view::npos) {
        query.emplace_back(percentDecode(part), "");
      } else {
        query.emplace_back(percentDecode(part.substr(0, eq)), percentDecode(part.substr(eq + 1)));
      }
    }
    if (amp == std::string_view::npos) break;
    queryString.remove_prefix(amp + 1);
  }
  return query;
}

std::string normalizeQuery(const Query& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    if (name == kCacheBustingParam) continue;
    encoded.emplace_back(percentEncode(name), percentEncode(value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string endpointNameForPath(std::string_view path) {
  if (path.substr(0, kApiPrefix.size()) == kApiPrefix) path.remove_prefix(kApiPrefix.size());
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

std::string makeResourceKey(std::string_view path, const Query& query) {
  std::string resource = endpointNameForPath(path);
  const std::string normalized = normalizeQuery(query);
  if (!normalized.empty()) {
    resource += '?';
    resource += normalized;
  }
  return resource;
}

std::string makeCacheKey(std::string_view method, std::string_view path, const Query& query) {
  std::string key(method);
  key += ' ';
  key += makeResourceKey(path, query);
  return key;
}

std::string_view resourceOfKey(std::string_view key) {
  const auto space = key.find(' ');
  return space == std::string_view::npos ? key : key.substr(space + 1);
}

bool globMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single-star backtracking: O(|pattern| * |text|) worst case.
  std::size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starT = t;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

CacheDirectives parseCacheControl(std::string_view headerValue) {
  CacheDirectives directives;
  while (!headerValue.empty()) {
    const auto comma = headerValue.find(',');
    std::string_view item = headerValue.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    const auto eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (equalsIgnoreCase(name, "no-store")) {
      directives.noStore = true;
    } else if (equalsIgnoreCase(name, "no-cache")) {
      directives.noCache = true;
    } else if (equalsIgnoreCase(name, "max-age") && value.size() <= 10) {  // 10 digits: seconds * 1000 fits
      if (const auto seconds = parseNonNegativeDecimal(value)) directives.maxAgeMs = *seconds * 1000;
    }
    if (comma == std::string_view::npos) break;
    headerValue.remove_prefix(comma + 1);
  }
  return directives;
}

ResponseCache::ResponseCache(CacheLimits limits) : limits_(limits) {}

CacheEntry* ResponseCache::lookup(const std::string& key) {
  const auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

const CacheEntry* ResponseCache::peek(const std::string& key) const {
  const auto it = index_.find(key);
  return it == index_.end() ? nullptr : &*it->second;
}

bool ResponseCache::put(CacheEntry entry) {
  const std::size_t size = entry.body ? entry.body->size() : 0;
  if (size > limits_.maxBytes) {
    remove(entry.key);  // an outdated smaller body must not outlive the new one
    return false;
  }
  entry.version = nextVersion_++;
  if (const auto it = index_.find(entry.key); it != index_.end()) {
    bytes_ -= it->second->body ? it->second->body->size() : 0;
    *it->second = std::move(entry);
    lru_.splice(lru_.begin(), lru_, it->second);
  } else {
    lru_.push_front(std::move(entry));
    index_.emplace(lru_.front().key, lru_.begin());
  }
  bytes_ += size;
  evictToFit();
  return true;
}

void ResponseCache::evictToFit() {
  while (!lru_.empty() && (index_.size() > limits_.maxEntries || bytes_ > limits_.maxBytes)) {
    const CacheEntry& victim = lru_.back();
    bytes_ -= victim.body ? victim.body->size() : 0;
    index_.erase(victim.key);
    lru_.pop_back();
    ++evictions_;
  }
}

std::size_t ResponseCache::invalidateIf(const std::function<bool(const CacheEntry&)>& matches) {
  std::size_t count = 0;
  for (auto& entry : lru_) {
    if (matches(entry)) {
      entry.invalidated = true;
      ++count;
    }
  }
  return count;
}

std::size_t ResponseCache::invalidateKey(const std::string& key) {
  return invalidateIf([&](const CacheEntry& e) { return e.key == key; });
}

std::size_t ResponseCache::invalidateEndpoint(std::string_view endpoint) {
  return invalidateIf([&](const CacheEntry& e) { return e.endpoint == endpoint; });
}

std::size_t ResponseCache::invalidatePattern(std::string_view glob) {
  return invalidateIf([&](const CacheEntry& e) { return globMatch(glob, resourceOfKey(e.key)); });
}

std::size_t ResponseCache::invalidateAll() {
  return invalidateIf([](const CacheEntry&) { return true; });
}

bool ResponseCache::remove(const std::string& key) {
  const auto it = index_.find(key);
  if (it == index_.end()) return false;
  bytes_ -= it->second->body ? it->second->body->size() : 0;
  lru_.erase(it->second);
  index_.erase(it);
  return true;
}

void ResponseCache::clear() {
  lru_.clear();
  index_.clear();
  bytes_ = 0;
}

void ResponseCache::forEach(const std::function<void(CacheEntry&)>& visit) {
  for (auto& entry : lru_) visit(entry);
}

}  // namespace livedata
