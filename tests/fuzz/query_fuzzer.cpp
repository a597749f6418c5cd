// Outside bytes as a query string (what a browser or a proxy sends) and as a base URL (the
// --upstream flag, the client's baseUrl): the core's parser and key builder must take any
// of them, and the key is canonical: parsing a normalized query normalizes to itself, and
// a cache key's resource is the resource key. Invalidation globs: "*" matches any key, and
// every key matches itself as a pattern. Client options by any name and value: set or refused,
// and a config they set is judged without a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "livedata/cache.h"
#include "livedata/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const livedata::Query query = livedata::parseQueryString(input);
  const std::string normalized = livedata::normalizeQuery(query);
  if (livedata::normalizeQuery(livedata::parseQueryString(normalized)) != normalized) std::abort();

  const std::string key = livedata::makeCacheKey("GET", "/api/campaigns", query);
  if (livedata::resourceOfKey(key) != livedata::makeResourceKey("/api/campaigns", query)) std::abort();
  (void)livedata::globMatch(input.substr(0, input.size() / 2), input.substr(input.size() / 2));
  // A star matches anything, stars in the text too; a pattern matches itself.
  if (!livedata::globMatch("*", input) || !livedata::globMatch(input, input)) std::abort();
  (void)livedata::percentEncode(input);
  (void)livedata::endpointNameForPath(input);
  (void)livedata::parseBaseUrl(std::string(input));

  livedata::ClientConfig config;
  const std::string_view name = input.substr(0, input.size() / 2);
  double number = 0;
  if (size >= sizeof number) std::memcpy(&number, data + size - sizeof number, sizeof number);  // NaN, infinities too
  for (const livedata::OptionValue& option :
       {livedata::OptionValue(number), livedata::OptionValue(size % 2 == 0), livedata::OptionValue(std::string(input))}) {
    (void)livedata::setOption(config, name, option);
  }
  (void)livedata::validate(config);
  return 0;
}
