// Text from the outside (user agents, exception messages) rendered as JSON must be valid
// UTF-8, or nlohmann::json::dump throws. This makes any bytes safe and bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace livedata::server::monitoring {

// `text` with every byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF) replaced by U+FFFD, cut at a
// character boundary so the result is at most maxBytes long.
std::string boundedUtf8(std::string_view text, std::size_t maxBytes);

}  // namespace livedata::server::monitoring
