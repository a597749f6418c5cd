#include "livedata/config.h"

#include <cctype>

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
    return makeError(ErrorKind::config, "", "baseUrl \"" + url + "\": " + why);
  };
  BaseUrl out;
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string::npos) return bad("expected scheme://host[:port][/prefix]");
  out.scheme = url.substr(0, schemeEnd);
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

std::optional<Error> validate(const ClientConfig& config) {
  const auto field = [](const std::string& name, const std::string& why) {
    return makeError(ErrorKind::config, "", "config." + name + " " + why);
  };
  if (config.baseUrl.empty()) return field("baseUrl", "is required");
  if (auto url = parseBaseUrl(config.baseUrl); !url) return url.error();
  if (config.requestTimeoutMs <= 0) return field("requestTimeoutMs", "must be positive");
  if (config.defaultTtlMs < 0) return field("defaultTtlMs", "must not be negative");
  for (const auto& [endpoint, ttl] : config.ttlByEndpointMs) {
    if (ttl < 0) return field("ttlByEndpointMs[" + endpoint + "]", "must not be negative");
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

}  // namespace livedata
