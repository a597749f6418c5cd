#include "livedata/cache.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>
#include <vector>

namespace livedata {

namespace {

constexpr std::string_view kApiPrefix = "/api/";

// RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~", decided by byte value so that
// keys never depend on the process locale (std::isalnum does: in a Latin-1 locale it would
// keep 0xE9 unencoded, and two processes would disagree on a key).
constexpr std::array<bool, 256> kUnreserved = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : {'-', '.', '_', '~'}) table[static_cast<std::size_t>(c)] = true;
  return table;
}();

bool isUnreserved(char c) { return kUnreserved[static_cast<unsigned char>(c)]; }

bool needsPercentEncoding(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return !isUnreserved(c); });
}

void appendPercentEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (isUnreserved(c)) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
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

// The parameters of a query in canonical form: percent-encoded, `_t` dropped, sorted by
// name then value (byte order of the encoded text, as std::string compares). Built for
// every cache lookup, so it copies nothing that needs no encoding, which is the usual case:
// each view points into the caller's Query (which must outlive this object) or, for text
// that needs encoding, into `encoded_`.
class CanonicalQuery {
 public:
  explicit CanonicalQuery(const Query& query) {
    if (query.size() > small_.size()) {
      large_.resize(query.size());
      params_ = large_.data();
    }
    for (const auto& [name, value] : query) {
      if (name == kCacheBustingParam) continue;
      params_[count_++] = {canonical(name, query.size()), canonical(value, query.size())};
    }
    std::sort(params_, params_ + count_, [](const Param& a, const Param& b) {
      const int byName = a.name.compare(b.name);
      return byName != 0 ? byName < 0 : a.value < b.value;
    });
  }
  CanonicalQuery(const CanonicalQuery&) = delete;  // params_ may point into this object
  CanonicalQuery& operator=(const CanonicalQuery&) = delete;

  bool empty() const { return count_ == 0; }

  // The length of "name=value&name=value".
  std::size_t joinedSize() const {
    std::size_t size = count_ == 0 ? 0 : count_ * 2 - 1;  // '=' per parameter, '&' between
    for (std::size_t i = 0; i < count_; ++i) size += params_[i].name.size() + params_[i].value.size();
    return size;
  }

  void appendJoined(std::string& out) const {
    for (std::size_t i = 0; i < count_; ++i) {
      if (i != 0) out += '&';
      out += params_[i].name;
      out += '=';
      out += params_[i].value;
    }
  }

 private:
  struct Param {
    std::string_view name;
    std::string_view value;
  };

  std::string_view canonical(const std::string& text, std::size_t paramCount) {
    if (!needsPercentEncoding(text)) return text;
    // Capacity for every name and value up front: no reallocation may move a string that a
    // view already points into (short strings live inside the vector's elements).
    if (encoded_.capacity() == 0) encoded_.reserve(paramCount * 2);
    std::string& out = encoded_.emplace_back();
    out.reserve(text.size() * 3);
    appendPercentEncoded(out, text);
    return out;
  }

  // Dashboard queries have a handful of parameters: those are sorted in `small_`, without
  // an allocation; larger queries use `large_`.
  std::array<Param, 8> small_;
  std::vector<Param> large_;
  Param* params_ = small_.data();
  std::size_t count_ = 0;
  std::vector<std::string> encoded_;
};

std::string_view endpointViewForPath(std::string_view path) {
  if (path.substr(0, kApiPrefix.size()) == kApiPrefix) path.remove_prefix(kApiPrefix.size());
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

// What of a path names the resource in a key: the rest of an /api/ path ("campaigns"), or
// any other path whole. Not the endpoint's name, which also drops slashes: "/campaigns" and
// "/api/campaigns/" are other URLs than "/api/campaigns" (a 404, the dashboard's page), and
// an entry of one must never answer a read of another.
std::string_view resourcePathOf(std::string_view path) {
  if (path.substr(0, kApiPrefix.size()) == kApiPrefix) path.remove_prefix(kApiPrefix.size());
  return path;
}

// "[<method> ]<resource path>[?<canonical query>]" in one allocation: makeCacheKey runs on
// every read, so it builds no intermediate strings.
std::string composeKey(std::optional<std::string_view> method, std::string_view path, const Query& query) {
  const CanonicalQuery canonical(query);
  const std::string_view resource = resourcePathOf(path);
  std::string key;
  key.reserve((method ? method->size() + 1 : 0) + resource.size() +
              (canonical.empty() ? 0 : 1 + canonical.joinedSize()));
  if (method) {
    key += *method;
    key += ' ';
  }
  key += resource;
  if (!canonical.empty()) {
    key += '?';
    canonical.appendJoined(key);
  }
  return key;
}

}  // namespace

std::string percentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  appendPercentEncoded(out, text);
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
  const CanonicalQuery canonical(query);
  std::string out;
  out.reserve(canonical.joinedSize());
  canonical.appendJoined(out);
  return out;
}

std::string endpointNameForPath(std::string_view path) { return std::string(endpointViewForPath(path)); }

std::string makeResourceKey(std::string_view path, const Query& query) {
  return composeKey(std::nullopt, path, query);
}

std::string makeCacheKey(std::string_view method, std::string_view path, const Query& query) {
  return composeKey(method, path, query);
}

std::string_view resourceOfKey(std::string_view key) {
  const auto space = key.find(' ');
  return space == std::string_view::npos ? key : key.substr(space + 1);
}

bool globMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single-star backtracking: O(|pattern| * |text|) worst case.
  std::size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    // A '*' is a wildcard even where the text holds a '*' too (tested first for that reason).
    if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
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
    // OWS, spaces or tabs (RFC 9110 section 5.6.3).
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
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

ResponseCache::ResponseCache(CacheLimits limits, RemovalListener onRemoval)
    : limits_(limits), onRemoval_(std::move(onRemoval)) {
  limits_.maxEntries = std::min<std::size_t>(limits_.maxEntries, std::size_t{1} << kEntrySlotBits);
}

CacheEntry* ResponseCache::lookup(const std::string& key) {
  const auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

CacheEntry* ResponseCache::lookup(EntryId id) {
  const std::uint32_t slot = entrySlotOf(id);
  if (slot >= slots_.size() || !slots_[slot].occupied || slots_[slot].position->id != id) return nullptr;
  lru_.splice(lru_.begin(), lru_, slots_[slot].position);
  return &*slots_[slot].position;
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
    entry.id = it->second->id;
    *it->second = std::move(entry);
    lru_.splice(lru_.begin(), lru_, it->second);
  } else {
    std::uint32_t slot;
    if (freeSlots_.empty()) {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      slot = freeSlots_.back();
      freeSlots_.pop_back();
    }
    Slot& taken = slots_[slot];
    taken.uses = taken.uses % (std::uint32_t{1} << 27) + 1;  // never 0, so no id is 0
    taken.occupied = true;
    entry.id = (EntryId{taken.uses} << kEntrySlotBits) | slot;
    lru_.push_front(std::move(entry));
    index_.emplace(lru_.front().key, lru_.begin());
    taken.position = lru_.begin();
  }
  bytes_ += size;
  evictToFit();
  return true;
}

void ResponseCache::evictToFit() {
  while (!lru_.empty() && (index_.size() > limits_.maxEntries || bytes_ > limits_.maxBytes)) {
    erase(std::prev(lru_.end()));
    ++evictions_;
  }
}

void ResponseCache::erase(Position position) {
  bytes_ -= position->body ? position->body->size() : 0;
  if (onRemoval_) onRemoval_(*position);
  index_.erase(position->key);
  const std::uint32_t slot = entrySlotOf(position->id);
  slots_[slot].occupied = false;
  freeSlots_.push_back(slot);
  lru_.erase(position);
}

std::size_t ResponseCache::invalidateIf(const Callback<bool(const CacheEntry&)>& matches) {
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
  return invalidateIf(
      [&](const CacheEntry& e) { return globMatch(glob, e.key) || globMatch(glob, resourceOfKey(e.key)); });
}

std::size_t ResponseCache::invalidateAll() {
  return invalidateIf([](const CacheEntry&) { return true; });
}

bool ResponseCache::remove(const std::string& key) {
  const auto it = index_.find(key);
  if (it == index_.end()) return false;
  erase(it->second);
  return true;
}

void ResponseCache::clear() {
  while (!lru_.empty()) erase(lru_.begin());
}

void ResponseCache::forEach(const Callback<void(CacheEntry&)>& visit) {
  for (auto& entry : lru_) visit(entry);
}

}  // namespace livedata
