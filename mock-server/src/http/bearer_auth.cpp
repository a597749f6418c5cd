#include "http/bearer_auth.h"

#include <cctype>

namespace livedata::server {

std::optional<std::string_view> bearerCredentials(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view credentials = authorization.substr(kScheme.size());
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && credentials.back() == ' ') credentials.remove_suffix(1);
  return credentials;
}

bool constantTimeEquals(std::string_view given, std::string_view secret) {
  // Every byte of the secret is visited whatever `given` holds.
  unsigned char difference = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    const unsigned char x = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    difference |= static_cast<unsigned char>(x ^ static_cast<unsigned char>(secret[i]));
  }
  return difference == 0;
}

bool bearerTokenMatches(std::string_view authorization, std::string_view token) {
  const auto credentials = bearerCredentials(authorization);
  return !token.empty() && credentials && constantTimeEquals(*credentials, token);
}

}  // namespace livedata::server
