// Klaviyo's pagination: links.next is a URL whose page[cursor] query parameter continues the
// walk. The sync only follows a link to the origin and path it asked (its API key goes with
// every request, so it is never sent anywhere a response names).
#pragma once

#include <string>
#include <string_view>

#include "livedata/expected.h"

namespace livedata::server::klaviyo {

// The percent-decoded page[cursor] of `link` (its name may also be written page%5Bcursor%5D).
// Refuses a link that is not absolute http(s), whose origin (scheme, host, port) or path
// differs from `origin` and `path`, or that has no page[cursor] or two of them.
Expected<std::string, std::string> cursorFromNextLink(std::string_view link, std::string_view origin,
                                                      std::string_view path);

}  // namespace livedata::server::klaviyo
