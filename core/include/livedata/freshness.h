// How fresh the data on screen is, for the dashboard's freshness indicator.
#pragma once

#include <optional>

#include "livedata/errors.h"
#include "livedata/types.h"

namespace livedata {

struct Freshness {
  std::optional<Millis> lastUpdated;  // when the server last confirmed data; none yet if empty
  Millis ageMs = 0;                   // now - lastUpdated, 0 without data
  bool stale = false;                 // ageMs > the stale threshold
  bool loading = false;               // a request for this endpoint is in flight
  std::optional<Error> error;         // the last failure, cleared by the next success
};

// Data is stale once its age exceeds the threshold (5 minutes by default).
class StaleDetector {
 public:
  explicit StaleDetector(Millis thresholdMs) : thresholdMs_(thresholdMs) {}
  bool isStale(Millis fetchedAtMs, Millis nowMs) const { return nowMs - fetchedAtMs > thresholdMs_; }
  Millis thresholdMs() const { return thresholdMs_; }

 private:
  Millis thresholdMs_;
};

}  // namespace livedata
