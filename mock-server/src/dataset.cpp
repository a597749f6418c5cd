#include "dataset.h"

#include <algorithm>
#include <cmath>

namespace livedata::mock {
namespace {

// The item listed first under the default sort (-updatedAt, ties by ascending id).
template <typename Item>
Item* firstByDefaultSort(std::vector<Item>& items) {
  auto first = std::min_element(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.updatedAt != b.updatedAt ? a.updatedAt > b.updatedAt : a.id < b.id;
  });
  return first == items.end() ? nullptr : &*first;
}

double rate(std::int64_t part, std::int64_t whole) {
  return whole <= 0 ? 0.0 : roundTo(static_cast<double>(part) / static_cast<double>(whole), 4);
}

// A later version of an item is "touched" a minute after the newest item.
template <typename Item>
nlohmann::ordered_json bump(Item& item) {
  item.updatedAt += 60;
  return nlohmann::ordered_json(item);
}

}  // namespace

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

std::optional<nlohmann::ordered_json> touchFirstItem(Dataset& dataset, std::string_view endpoint) {
  nlohmann::ordered_json changed;
  if (endpoint == "overview") {
    DailyMetrics& last = dataset.daily.back();
    last.sends += 100;
    last.opens += 40;
    last.clicks += 7;
    last.revenue = roundTo(last.revenue + 12.5, 2);
    changed = last;
  } else if (endpoint == "campaigns") {
    Campaign* c = firstByDefaultSort(dataset.campaigns);
    if (!c) return nlohmann::ordered_json(nullptr);
    c->opens = std::min(c->recipients, c->opens + 1);
    c->openRate = rate(c->opens, c->recipients);
    changed = bump(*c);
  } else if (endpoint == "flows") {
    Flow* f = firstByDefaultSort(dataset.flows);
    if (!f) return nlohmann::ordered_json(nullptr);
    f->recipients += 1;
    changed = bump(*f);
  } else if (endpoint == "forms") {
    Form* f = firstByDefaultSort(dataset.forms);
    if (!f) return nlohmann::ordered_json(nullptr);
    f->views += 1;
    f->submitRate = rate(f->submissions, f->views);
    changed = bump(*f);
  } else if (endpoint == "segments") {
    Segment* s = firstByDefaultSort(dataset.segments);
    if (!s) return nlohmann::ordered_json(nullptr);
    s->members += 1;
    changed = bump(*s);
  } else {
    return std::nullopt;
  }
  return changed;
}

}  // namespace livedata::mock
