#include "model/dataset.h"

#include <algorithm>
#include <cmath>

namespace livedata::server {

double roundTo(double value, int decimals) {
  // A table rather than std::pow: exact powers of ten on every libm.
  static constexpr double kScales[] = {1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0};
  const double scale = kScales[std::clamp(decimals, 0, 6)];
  return std::round(value * scale) / scale;
}

}  // namespace livedata::server
