// How errors with the same cause are recognised: a fingerprint over the error's type, its
// message template and its place (the route), so "campaign 42 not found" and "campaign 7 not
// found" on one route group together while the same text on another route does not.
#pragma once

#include <string>
#include <string_view>

namespace livedata::server::monitoring {

// The message with its variable parts replaced, scanning left to right:
//   UUIDs (8-4-4-4-12 hex digits)                        -> <uuid>
//   'single' or "double" quoted strings                  -> <str>
//   hex ids: 0x-prefixed, or words of >= 8 hex digits
//   with at least one decimal digit ("5f2a9c3e")         -> <hex>
//   any other run of decimal digits                      -> <n>   ("page12" -> "page<n>")
// At most kMaxTemplateBytes of the message are read, so the template is bounded.
std::string messageTemplate(std::string_view message);
inline constexpr std::size_t kMaxTemplateBytes = 512;

// 16 lowercase hex digits: FNV-1a (64 bit) of type, template and route, separated by a unit
// separator so ("ab", "c") and ("a", "bc") differ. Stable across runs and platforms.
std::string errorFingerprint(std::string_view type, std::string_view messageTemplate, std::string_view route);

}  // namespace livedata::server::monitoring
