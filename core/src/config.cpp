#include "livedata/config.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>

#include "livedata/endpoints.h"
#include "livedata/url_password.h"

namespace livedata {

Millis ClientConfig::ttlFor(const std::string& endpoint) const {
  const auto it = ttlByEndpointMs.find(endpoint);
  return it != ttlByEndpointMs.end() ? it->second : defaultTtlMs;
}

std::string BaseUrl::origin() const {
  std::string out = scheme + "://" + host;
  if (port != 0) out += ":" + std::to_string(port);
  return out;
}

Expected<BaseUrl> parseBaseUrl(const std::string& url) {
  const auto bad = [&](const std::string& why) {
    return makeError(ErrorKind::config, "", "baseUrl \"" + redactUrlPassword(url) + "\": " + why);
  };
  BaseUrl out;
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string::npos) return bad("expected scheme://host[:port][/prefix]");
  out.scheme = url.substr(0, schemeEnd);
  // Schemes are case-insensitive (RFC 3986 section 3.1): "HTTP://" is http, kept lower case.
  for (char& c : out.scheme) c = asciiLower(c);
  if (out.scheme != "http" && out.scheme != "https") return bad("scheme must be http or https");
  std::string rest = url.substr(schemeEnd + 3);
  if (rest.find_first_of("?#") != std::string::npos) return bad("must not contain a query or fragment");
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  if (authority.find('@') != std::string::npos) return bad("credentials in the URL are not supported");
  std::string portText;
  bool hasPort = false;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal, RFC 3986 section 3.2.2
    const auto close = authority.find(']');
    if (close == std::string::npos) return bad("unterminated IPv6 address");
    out.host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("unexpected text after the IPv6 address");
      portText = authority.substr(close + 2);
      hasPort = true;
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      portText = authority.substr(colon + 1);
      hasPort = true;
    }
  }
  if (out.host.empty()) return bad("missing host");
  for (const char c : out.host) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == '[' || c == ']' || c == ':')) {
      return bad("invalid character in host");
    }
  }
  if (hasPort) {
    const auto port = portText.size() <= 5 ? parseNonNegativeDecimal(portText) : std::nullopt;
    if (!port) return bad("invalid port");
    if (*port < 1 || *port > 65535) return bad("port must be from 1 to 65535");
    out.port = static_cast<int>(*port);
  }
  return out;
}

// Fields are named as setOption names them (the options a JavaScript caller passed).
std::optional<Error> validate(const ClientConfig& config) {
  const auto field = [](const std::string& name, const std::string& why) {
    return makeError(ErrorKind::config, "", "config." + name + " " + why);
  };
  if (config.baseUrl.empty()) return field("baseUrl", "is required");
  if (auto url = parseBaseUrl(config.baseUrl); !url) return url.error();
  if (config.requestTimeoutMs <= 0) return field("requestTimeoutMs", "must be positive");
  if (config.maxResponseBytes < 1) return field("maxResponseBytes", "must be at least 1");
  if (config.defaultTtlMs < 0) return field("ttl.defaultMs", "must not be negative");
  for (const auto& [endpoint, ttl] : config.ttlByEndpointMs) {
    if (ttl < 0) return field("ttl." + endpoint, "must not be negative");
  }
  if (config.staleThresholdMs <= 0) return field("staleThresholdMs", "must be positive");
  if (config.retry.maxAttempts < 1) return field("retry.maxAttempts", "must be at least 1");
  if (config.retry.baseDelayMs < 0) return field("retry.baseDelayMs", "must not be negative");
  if (config.retry.maxDelayMs < config.retry.baseDelayMs) {
    return field("retry.maxDelayMs", "must be at least retry.baseDelayMs");
  }
  if (config.retry.maxRetryAfterMs < 0) return field("retry.maxRetryAfterMs", "must not be negative");
  if (config.cache.maxEntries < 1) return field("cache.maxEntries", "must be at least 1");
  if (config.cache.maxBytes < 1) return field("cache.maxBytes", "must be at least 1");
  const LiveConfig& live = config.live;
  if (live.path.empty() || live.path.front() != '/') return field("live.path", "must start with /");
  if (live.reconnectBaseMs < 1) return field("live.reconnectBaseMs", "must be positive");
  if (live.maxReconnectDelayMs < live.reconnectBaseMs) {
    return field("live.maxReconnectDelayMs", "must be at least live.reconnectBaseMs");
  }
  if (live.idleTimeoutMs < 1) return field("live.idleTimeoutMs", "must be positive");
  if (live.fallbackPollMs < 0) return field("live.fallbackPollMs", "must not be negative");
  return std::nullopt;
}

namespace {

Error optionError(std::string_view name, const std::string& why) {
  return makeError(ErrorKind::config, "", "config." + std::string(name) + " " + why);
}

// Numbers in the options are doubles (JavaScript's); the fields are integers. A double
// holds every integer up to 2^53 exactly, so that bounds every field's range.
constexpr double kLargestExactInteger = 9007199254740992.0;

template <typename Field>
constexpr double lowestOf() {
  constexpr double lowest = static_cast<double>(std::numeric_limits<Field>::lowest());
  return lowest > -kLargestExactInteger ? lowest : -kLargestExactInteger;
}
template <typename Field>
constexpr double highestOf() {
  constexpr double largest = static_cast<double>(std::numeric_limits<Field>::max());
  return largest < kLargestExactInteger ? largest : kLargestExactInteger;
}

// One option of each kind: its dotted name and where it lands. Captureless lambdas, so
// the tables are plain data.
struct NumberOption {
  std::string_view name;
  double lowest;
  double highest;
  void (*set)(ClientConfig&, double);
};
struct FlagOption {
  std::string_view name;
  bool& (*field)(ClientConfig&);
};
struct TextOption {
  std::string_view name;
  std::string& (*field)(ClientConfig&);
};

// The value is checked to be a whole number in [lowest, highest] before set runs.
#define LIVEDATA_NUMBER_OPTION(name, member)                                                 \
  NumberOption {                                                                             \
    name, lowestOf<decltype(ClientConfig::member)>(), highestOf<decltype(ClientConfig::member)>(), \
        [](ClientConfig& config, double value) {                                             \
          config.member = static_cast<decltype(ClientConfig::member)>(value);                \
        }                                                                                    \
  }

const auto kNumberOptions = std::array{
    LIVEDATA_NUMBER_OPTION("requestTimeoutMs", requestTimeoutMs),
    LIVEDATA_NUMBER_OPTION("maxResponseBytes", maxResponseBytes),
    LIVEDATA_NUMBER_OPTION("staleThresholdMs", staleThresholdMs),
    LIVEDATA_NUMBER_OPTION("ttl.defaultMs", defaultTtlMs),
    LIVEDATA_NUMBER_OPTION("retry.maxAttempts", retry.maxAttempts),
    LIVEDATA_NUMBER_OPTION("retry.baseDelayMs", retry.baseDelayMs),
    LIVEDATA_NUMBER_OPTION("retry.maxDelayMs", retry.maxDelayMs),
    LIVEDATA_NUMBER_OPTION("retry.maxRetryAfterMs", retry.maxRetryAfterMs),
    LIVEDATA_NUMBER_OPTION("cache.maxEntries", cache.maxEntries),
    LIVEDATA_NUMBER_OPTION("cache.maxBytes", cache.maxBytes),
    LIVEDATA_NUMBER_OPTION("live.reconnectBaseMs", live.reconnectBaseMs),
    LIVEDATA_NUMBER_OPTION("live.maxReconnectDelayMs", live.maxReconnectDelayMs),
    LIVEDATA_NUMBER_OPTION("live.idleTimeoutMs", live.idleTimeoutMs),
    LIVEDATA_NUMBER_OPTION("live.fallbackPollMs", live.fallbackPollMs),
};
#undef LIVEDATA_NUMBER_OPTION

const auto kFlagOptions = std::array{
    FlagOption{"obeyCacheControl", [](ClientConfig& config) -> bool& { return config.obeyCacheControl; }},
    FlagOption{"live.enabled", [](ClientConfig& config) -> bool& { return config.live.enabled; }},
    FlagOption{"live.revalidateOnFocus", [](ClientConfig& config) -> bool& { return config.live.revalidateOnFocus; }},
    FlagOption{"live.revalidateOnReconnect",
               [](ClientConfig& config) -> bool& { return config.live.revalidateOnReconnect; }},
};

const auto kTextOptions = std::array{
    TextOption{"baseUrl", [](ClientConfig& config) -> std::string& { return config.baseUrl; }},
    TextOption{"live.path", [](ClientConfig& config) -> std::string& { return config.live.path; }},
};

// The value as a whole number in [lowest, highest], or the error naming the option.
Expected<double> wholeNumber(std::string_view name, double lowest, double highest, const OptionValue& value) {
  const double* number = std::get_if<double>(&value);
  if (!number) return optionError(name, "must be a number");
  if (!std::isfinite(*number) || std::trunc(*number) != *number) return optionError(name, "must be a whole number");
  if (!(*number >= lowest && *number <= highest)) {
    return optionError(name, "must be from " + std::to_string(static_cast<std::int64_t>(lowest)) + " to " +
                                 std::to_string(static_cast<std::int64_t>(highest)));
  }
  return *number;
}

}  // namespace

std::optional<Error> setOption(ClientConfig& config, std::string_view name, const OptionValue& value) {
  for (const NumberOption& option : kNumberOptions) {
    if (option.name != name) continue;
    const auto number = wholeNumber(name, option.lowest, option.highest, value);
    if (!number) return number.error();
    option.set(config, number.value());
    return std::nullopt;
  }
  for (const FlagOption& option : kFlagOptions) {
    if (option.name != name) continue;
    const bool* flag = std::get_if<bool>(&value);
    if (!flag) return optionError(name, "must be true or false");
    option.field(config) = *flag;
    return std::nullopt;
  }
  for (const TextOption& option : kTextOptions) {
    if (option.name != name) continue;
    const std::string* text = std::get_if<std::string>(&value);
    if (!text) return optionError(name, "must be a string");
    option.field(config) = *text;
    return std::nullopt;
  }
  constexpr std::string_view kTtlGroup = "ttl.";
  if (name.substr(0, kTtlGroup.size()) == kTtlGroup) {
    const std::string_view endpoint = name.substr(kTtlGroup.size());
    for (const Endpoint known : allEndpoints()) {
      if (endpoint != nameOf(known)) continue;
      const auto number = wholeNumber(name, lowestOf<Millis>(), highestOf<Millis>(), value);
      if (!number) return number.error();
      config.ttlByEndpointMs[std::string(endpoint)] = static_cast<Millis>(number.value());
      return std::nullopt;
    }
    return optionError(name, "is not an option: ttl takes defaultMs or an endpoint's name");
  }
  for (const NumberOption& option : kNumberOptions) {
    if (option.name.size() > name.size() && option.name.substr(0, name.size()) == name && option.name[name.size()] == '.') {
      return optionError(name, "is a group of options: set its fields, as " + std::string(option.name));
    }
  }
  return optionError(name, "is not an option");
}

}  // namespace livedata
