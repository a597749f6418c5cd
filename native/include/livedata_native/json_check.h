// The native adapter's JSON check (ClientDependencies::acceptsJson): whether a body is one
// complete JSON text (RFC 8259), without building anything from it.
#pragma once

#include <string_view>

namespace livedata::native {

// Thread-safe (each thread keeps its own parser buffers). simdjson validates a dashboard
// body in about a tenth of the time nlohmann::json::accept takes; the check runs on every
// 2xx body, so it is a large part of what a watching client spends per change.
bool isJsonText(std::string_view text);

}  // namespace livedata::native
