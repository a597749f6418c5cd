// Single flight: concurrent misses on one key share one computation. The first request for a
// key boards a new flight and becomes its leader: it computes and lands the flight with the
// result (or its exception); the others board the same flight and wait for that result.
//
// A flight remembers the invalidation epoch current when it started (before the leader's
// compute reads any data), so the cache can refuse to board a flight that an invalidation
// has overtaken and refuse to store its result (the race rule, invalidation_log.h).
//
// Threading: safe from any thread.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "livedata/expected.h"
#include "model/api_error.h"
#include "model/representation.h"

namespace livedata::server {

// What a computation gives: a representation, or the API error to answer with, which is
// carried back to the caller (and to requests that waited for it) unchanged and never stored.
using ComputeResult = Expected<std::shared_ptr<const Representation>, ApiError>;

class SingleFlight {
 public:
  struct Flight {
    std::uint64_t startEpoch = 0;
    std::promise<ComputeResult> promise;
    std::shared_future<ComputeResult> result;
  };
  struct Boarding {
    std::shared_ptr<Flight> flight;
    bool leader = false;  // the caller computes, then calls land()
  };

  // The key's flight in the air, unless `overtaken(its startEpoch)`; otherwise a new flight
  // started at `currentEpoch()` (it replaces an overtaken one, which finishes on its own).
  // Both callbacks run under this object's lock: they may take locks of their own that are
  // never held while calling into this object.
  template <class Overtaken, class CurrentEpoch>
  Boarding board(const std::string& key, Overtaken overtaken, CurrentEpoch currentEpoch) {
    Boarding boarding;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = flights_.find(key);
    if (found != flights_.end() && !overtaken(found->second->startEpoch)) {
      boarding.flight = found->second;
      return boarding;
    }
    boarding.flight = std::make_shared<Flight>();
    boarding.flight->startEpoch = currentEpoch();
    boarding.flight->result = boarding.flight->promise.get_future().share();
    flights_[key] = boarding.flight;
    boarding.leader = true;
    return boarding;
  }

  // Takes the leader's flight off the board, unless a newer flight replaced it. Call after
  // setting its promise.
  void land(const std::string& key, const std::shared_ptr<Flight>& flight);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;  // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
