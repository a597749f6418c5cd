#include "cache/single_flight.h"

namespace livedata::server {

void SingleFlight::land(const std::string& key, const std::shared_ptr<Flight>& flight) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = flights_.find(key);
  if (found != flights_.end() && found->second == flight) flights_.erase(found);
}

}  // namespace livedata::server
