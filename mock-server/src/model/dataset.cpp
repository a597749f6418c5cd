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

void to_json(nlohmann::ordered_json& json, const Campaign& c) {
  json = {{"id", c.id},
          {"name", c.name},
          {"status", c.status},
          {"sendTime", formatIsoTimestamp(c.sendTime)},
          {"recipients", c.recipients},
          {"opens", c.opens},
          {"clicks", c.clicks},
          {"revenue", c.revenue},
          {"openRate", c.openRate},
          {"clickRate", c.clickRate},
          {"updatedAt", formatIsoTimestamp(c.updatedAt)}};
}

void to_json(nlohmann::ordered_json& json, const Flow& f) {
  json = {{"id", f.id},
          {"name", f.name},
          {"status", f.status},
          {"trigger", f.trigger},
          {"recipients", f.recipients},
          {"revenue", f.revenue},
          {"conversionRate", f.conversionRate},
          {"updatedAt", formatIsoTimestamp(f.updatedAt)}};
}

void to_json(nlohmann::ordered_json& json, const Form& f) {
  json = {{"id", f.id},
          {"name", f.name},
          {"status", f.status},
          {"views", f.views},
          {"submissions", f.submissions},
          {"submitRate", f.submitRate},
          {"updatedAt", formatIsoTimestamp(f.updatedAt)}};
}

void to_json(nlohmann::ordered_json& json, const Segment& s) {
  json = {{"id", s.id},
          {"name", s.name},
          {"status", s.status},
          {"members", s.members},
          {"growth", s.growth},
          {"updatedAt", formatIsoTimestamp(s.updatedAt)}};
}

void to_json(nlohmann::ordered_json& json, const DailyMetrics& m) {
  json = {{"date", formatIsoDate(m.day)},
          {"sends", m.sends},
          {"opens", m.opens},
          {"clicks", m.clicks},
          {"revenue", m.revenue}};
}

}  // namespace livedata::server
