// The most frequent keys of an unbounded stream in bounded memory: the Space-Saving algorithm
// (Metwally, Agrawal, El Abbadi, "Efficient Computation of Frequent and Top-k Elements in Data
// Streams", ICDT 2005). Used for top user agents and client IPs.
//
// Invariants: at most `capacity` keys are tracked, each at most kMaxKeyBytes long (longer keys
// are truncated, so a hostile User-Agent cannot grow memory). A tracked key's `count` never
// under-estimates its true frequency and over-estimates it by at most `overestimate`. While
// fewer than `capacity` distinct keys have been seen, every count is exact (overestimate 0).
// When full, an unseen key replaces the key with the smallest count and inherits that count
// (+1) as its over-estimate. Capacity 0 tracks nothing.
//
// Threading: a plain value; callers synchronise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace livedata::server::monitoring {

class SpaceSavingTopN {
 public:
  static constexpr std::size_t kMaxKeyBytes = 256;

  struct Entry {
    std::string key;
    std::uint64_t count = 0;
    std::uint64_t overestimate = 0;
  };

  explicit SpaceSavingTopN(std::size_t capacity) : capacity_(capacity) {}

  void add(std::string_view key);

  // The tracked keys by count, highest first (ties by key, so output is deterministic).
  std::vector<Entry> top(std::size_t limit) const;
  std::size_t size() const { return counters_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Counter {
    std::uint64_t count = 0;
    std::uint64_t overestimate = 0;
  };

  std::size_t capacity_;
  // std::less<> allows lookup by string_view, so counting a tracked key allocates nothing.
  std::map<std::string, Counter, std::less<>> counters_;
};

}  // namespace livedata::server::monitoring
