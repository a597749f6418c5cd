// How a module of mock-server logs without knowing the server's Log: a callback taking a
// level, a fixed message and structured fields (a JSON object). The server wires every
// module's callback to Log::write; tests record the calls.
#pragma once

#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "livedata/types.h"

namespace livedata::server {

// May be empty (nothing is logged).
using StructuredLogger =
    std::function<void(LogLevel level, std::string_view message, const nlohmann::ordered_json& fields)>;

}  // namespace livedata::server
