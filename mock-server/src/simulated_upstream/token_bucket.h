// Rate limiting of the upstream API: a token bucket. Tokens refill at ratePerSecond up to
// `burst`; a request takes one or is refused with the time until one is there.
//
// Threading: safe from any number of threads.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

namespace livedata::server {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // ratePerSecond 0: unlimited. burst < 1 is taken as max(1, ratePerSecond). The bucket
  // starts full.
  TokenBucket(double ratePerSecond, double burst);

  // nullopt when a token was taken, else how long until the next one is there.
  std::optional<std::chrono::milliseconds> take(Clock::time_point now);

 private:
  const double ratePerSecond_;
  const double burst_;
  std::mutex mutex_;
  double tokens_;                     // GUARDED_BY(mutex_)
  std::optional<Clock::time_point> refilled_;  // GUARDED_BY(mutex_): when tokens_ was last brought up to date
};

}  // namespace livedata::server
