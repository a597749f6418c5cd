// The wall clock for the core: milliseconds since the Unix epoch.
#pragma once

#include <chrono>

#include "livedata/types.h"

namespace livedata::native {

// Thread-safe (stateless).
class SystemClock final : public Clock {
 public:
  Millis nowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace livedata::native
