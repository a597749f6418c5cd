#include "simulated_upstream/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace livedata::server {

TokenBucket::TokenBucket(double ratePerSecond, double burst)
    : ratePerSecond_(ratePerSecond), burst_(burst >= 1 ? burst : std::max(1.0, ratePerSecond)), tokens_(burst_) {}

std::optional<std::chrono::milliseconds> TokenBucket::take(Clock::time_point now) {
  if (ratePerSecond_ <= 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (refilled_ && now > *refilled_) {
    const double seconds = std::chrono::duration<double>(now - *refilled_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * ratePerSecond_);
  }
  if (!refilled_ || now > *refilled_) refilled_ = now;
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return std::nullopt;
  }
  const double waitMs = std::ceil((1 - tokens_) / ratePerSecond_ * 1000);
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(waitMs));
}

}  // namespace livedata::server
