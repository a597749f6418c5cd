// Deterministic sample data: the same seed and sizes give the same Dataset, byte for byte,
// on every platform (a fixed PRNG, integer-derived draws, no libm transcendental functions
// and no std::*_distribution, whose algorithms are implementation-defined).
#pragma once

#include <cstdint>
#include <optional>

#include "model/civil_time.h"
#include "model/dataset.h"

namespace livedata::server {

struct DatasetSizes {
  int campaigns = 300;
  int flows = 40;
  int forms = 25;
  int segments = 30;
  int days = 365;  // days of metrics, ending on lastDay
  // The last day of metrics, 2026-10-31; every timestamp lies on or before its end (or asOf),
  // except the send times of scheduled and draft campaigns, which lie after it.
  DayNumber lastDay = dayFromCivil(2026, 10, 31);
  // The moment the history is generated at, within lastDay; nullopt: its end. Timestamps end
  // there, and lastDay's metrics cover only the part of the day before it.
  std::optional<UnixSeconds> asOf;
};

// The generated history's span: every timestamp lies within it, except the send times of
// scheduled and draft campaigns.
struct TimeFrame {
  UnixSeconds start;  // first second of the first day of metrics
  UnixSeconds end;    // last second of the last day, or asOf
};
TimeFrame timeFrameOf(const DatasetSizes& sizes);

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next();
  // Uniform in [0, 1) from the top 53 bits.
  double nextUnit();
  // In [low, high] (high >= low); the modulo bias is negligible for these ranges.
  std::int64_t intBetween(std::int64_t low, std::int64_t high);
  // In [low, high).
  double realBetween(double low, double high);

 private:
  std::uint64_t state_;
};

Dataset generateDataset(std::uint64_t seed, const DatasetSizes& sizes);

}  // namespace livedata::server
