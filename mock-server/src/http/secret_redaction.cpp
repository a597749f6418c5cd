#include "http/secret_redaction.h"

#include <algorithm>
#include <cctype>

namespace livedata::server {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool isSecretParameterName(std::string_view name) {
  const std::string lower = lowercase(name);
  static constexpr std::string_view kContained[] = {"token",   "secret", "password",   "passwd",  "apikey",   "api_key",
                                                    "api-key", "auth",   "credential", "session", "signature"};
  for (const std::string_view part : kContained) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return lower == "key" || lower == "sig" || lower == "pwd";
}

std::string redactSecretParameters(std::string_view targetOrQuery) {
  const std::size_t question = targetOrQuery.find('?');
  const bool isTarget = !targetOrQuery.empty() && targetOrQuery.front() == '/';
  if (isTarget && question == std::string_view::npos) return std::string(targetOrQuery);
  std::string out(isTarget ? targetOrQuery.substr(0, question + 1) : std::string_view{});
  std::string_view query = isTarget ? targetOrQuery.substr(question + 1) : targetOrQuery;
  bool first = true;
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && isSecretParameterName(pair.substr(0, equals))) {
      out += pair.substr(0, equals + 1);
      out += "[redacted]";
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace livedata::server
