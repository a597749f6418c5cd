// Everything a livedata::Client needs on a desktop or server, in one call.
#pragma once

#include <cstddef>

#include "livedata/client.h"
#include "livedata/types.h"

namespace livedata::native {

struct NativeOptions {
  // HttplibTransportOptions::workerThreads. Default 4.
  std::size_t workerThreads = 4;
  // HttplibTransportOptions::connectTimeoutMs. Default 3000 ms.
  Millis connectTimeoutMs = 3000;
  // Log lines below this level are dropped. Default warn.
  LogLevel minLogLevel = LogLevel::warn;
};

// "livedata <level>: <message>" lines on stderr, one write per line, for `minLevel` and
// above. Thread-safe.
Logger makeStderrLogger(LogLevel minLevel);

// An HttplibTransport, an HttplibStreamTransport (the live feed), a SystemClock, a
// ThreadScheduler and a stderr logger; `random` is left empty (the core seeds its own).
ClientDependencies makeNativeDependencies(const NativeOptions& options = {});

}  // namespace livedata::native
