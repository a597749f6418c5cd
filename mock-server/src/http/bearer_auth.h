// The bearer-token check of every protected route (RFC 6750 section 2.1), shared by the
// server's and the upstream's admin routes.
#pragma once

#include <optional>
#include <string_view>

namespace livedata::server {

// The credentials of an "Authorization: Bearer <token>" value (scheme case-insensitive,
// RFC 9110 section 11.1; surrounding spaces dropped); nullopt for another scheme or none.
std::optional<std::string_view> bearerCredentials(std::string_view authorization);

// Compares in time that depends only on the lengths, not on where the strings differ, so a
// caller cannot find the secret byte by byte from response times.
bool constantTimeEquals(std::string_view given, std::string_view secret);

// Whether `authorization` carries exactly `token` as a bearer token. An empty token never
// matches.
bool bearerTokenMatches(std::string_view authorization, std::string_view token);

}  // namespace livedata::server
