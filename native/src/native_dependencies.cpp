#include "livedata_native/native_dependencies.h"

#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "livedata_native/httplib_stream_transport.h"
#include "livedata_native/httplib_transport.h"
#include "livedata_native/json_check.h"
#include "livedata_native/system_clock.h"
#include "livedata_native/thread_scheduler.h"

namespace livedata::native {

Logger makeStderrLogger(LogLevel minLevel) {
  auto mutex = std::make_shared<std::mutex>();
  return [minLevel, mutex](LogLevel level, std::string_view message) {
    if (static_cast<int>(level) < static_cast<int>(minLevel)) return;
    std::string line = "livedata ";
    line += toString(level);
    line += ": ";
    line += message;
    line += '\n';
    std::lock_guard<std::mutex> lock(*mutex);  // keeps lines from different threads whole
    std::cerr << line << std::flush;
  };
}

ClientDependencies makeNativeDependencies(const NativeOptions& options) {
  HttplibTransportOptions transport;
  transport.workerThreads = options.workerThreads;
  transport.connectTimeoutMs = options.connectTimeoutMs;

  ClientDependencies deps;
  deps.transport = std::make_shared<HttplibTransport>(transport);
  deps.stream = std::make_shared<HttplibStreamTransport>(transport);
  deps.clock = std::make_shared<SystemClock>();
  deps.scheduler = std::make_shared<ThreadScheduler>();
  deps.logger = makeStderrLogger(options.minLogLevel);
  deps.acceptsJson = isJsonText;
  return deps;
}

}  // namespace livedata::native
