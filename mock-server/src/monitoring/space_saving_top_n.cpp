#include "monitoring/space_saving_top_n.h"

#include <algorithm>

namespace livedata::server::monitoring {

void SpaceSavingTopN::add(std::string_view key) {
  if (capacity_ == 0) return;
  key = key.substr(0, kMaxKeyBytes);
  if (auto found = counters_.find(key); found != counters_.end()) {
    ++found->second.count;
    return;
  }
  if (counters_.size() < capacity_) {
    counters_.emplace(std::string(key), Counter{1, 0});
    return;
  }
  // A linear scan for the minimum: capacities are small (tens), and this runs only for keys
  // not tracked yet.
  auto smallest = std::min_element(counters_.begin(), counters_.end(),
                                   [](const auto& a, const auto& b) { return a.second.count < b.second.count; });
  const std::uint64_t inherited = smallest->second.count;
  counters_.erase(smallest);
  counters_.emplace(std::string(key), Counter{inherited + 1, inherited});
}

std::vector<SpaceSavingTopN::Entry> SpaceSavingTopN::top(std::size_t limit) const {
  std::vector<Entry> entries;
  entries.reserve(counters_.size());
  for (const auto& [key, counter] : counters_) entries.push_back({key, counter.count, counter.overestimate});
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  if (entries.size() > limit) entries.resize(limit);
  return entries;
}

}  // namespace livedata::server::monitoring
