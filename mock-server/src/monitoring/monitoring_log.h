// The one way the monitoring module talks to the server's log: a callback the owner wires to
// its structured Log, so the module needs neither the Log class nor an output stream.
#pragma once

#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "livedata/types.h"
#include "model/structured_log.h"

namespace livedata::server::monitoring {

// `fields` is a JSON object of structured fields. May be empty (nothing is logged).
// Called on the thread that caused the event, never while a monitoring lock is held.
using MonitoringLogger = StructuredLogger;

}  // namespace livedata::server::monitoring
