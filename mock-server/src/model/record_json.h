// The dataset's records written with a JsonWriter: the members of each type's to_json
// (dataset.cpp), in the same order, with the same values, without the enclosing braces (so
// a caller can add members, as the upstream page does for a day's updatedAt).
//
// Invariant: `{` + writeMembers(record) + `}` is byte for byte ordered_json(record).dump();
// the renderers' pinned-bytes tests (tests/server/store/api_queries_test.cpp,
// tests/server/upstream/page_json_test.cpp) hold both to it.
#pragma once

#include "model/civil_time.h"
#include "model/dataset.h"
#include "model/json_writer.h"

namespace livedata::server {

inline void writeMembers(JsonWriter& json, const Campaign& c) {
  json.key("id");
  json.text(c.id);
  json.key("name");
  json.text(c.name);
  json.key("status");
  json.text(c.status);
  json.key("sendTime");
  json.text(formatIsoTimestamp(c.sendTime));
  json.key("recipients");
  json.integer(c.recipients);
  json.key("opens");
  json.integer(c.opens);
  json.key("clicks");
  json.integer(c.clicks);
  json.key("revenue");
  json.number(c.revenue);
  json.key("openRate");
  json.number(c.openRate);
  json.key("clickRate");
  json.number(c.clickRate);
  json.key("updatedAt");
  json.text(formatIsoTimestamp(c.updatedAt));
}

inline void writeMembers(JsonWriter& json, const Flow& f) {
  json.key("id");
  json.text(f.id);
  json.key("name");
  json.text(f.name);
  json.key("status");
  json.text(f.status);
  json.key("trigger");
  json.text(f.trigger);
  json.key("recipients");
  json.integer(f.recipients);
  json.key("revenue");
  json.number(f.revenue);
  json.key("conversionRate");
  json.number(f.conversionRate);
  json.key("updatedAt");
  json.text(formatIsoTimestamp(f.updatedAt));
}

inline void writeMembers(JsonWriter& json, const Form& f) {
  json.key("id");
  json.text(f.id);
  json.key("name");
  json.text(f.name);
  json.key("status");
  json.text(f.status);
  json.key("views");
  json.integer(f.views);
  json.key("submissions");
  json.integer(f.submissions);
  json.key("submitRate");
  json.number(f.submitRate);
  json.key("updatedAt");
  json.text(formatIsoTimestamp(f.updatedAt));
}

inline void writeMembers(JsonWriter& json, const Segment& s) {
  json.key("id");
  json.text(s.id);
  json.key("name");
  json.text(s.name);
  json.key("status");
  json.text(s.status);
  json.key("members");
  json.integer(s.members);
  json.key("growth");
  json.number(s.growth);
  json.key("updatedAt");
  json.text(formatIsoTimestamp(s.updatedAt));
}

// A day of the API's series: no updatedAt (that is the sync's, not the API's).
inline void writeMembers(JsonWriter& json, const DailyMetrics& m) {
  json.key("date");
  json.text(formatIsoDate(m.day));
  json.key("sends");
  json.integer(m.sends);
  json.key("opens");
  json.integer(m.opens);
  json.key("clicks");
  json.integer(m.clicks);
  json.key("revenue");
  json.number(m.revenue);
}

// A rough size of one written record, to reserve a body's string once.
inline constexpr std::size_t kRecordBytesEstimate = 256;

}  // namespace livedata::server
