// The dataset's records written as JSON, following their field tables (record_fields.h):
// with a JsonWriter on the serving path, and as nlohmann's ordered_json where a tree is
// wanted (tests, tools).
//
// Invariant: `{` + writeMembers(record) + `}` is byte for byte ordered_json(record).dump();
// the renderers' pinned-bytes tests hold both to it.
#pragma once

#include <type_traits>

#include <nlohmann/json.hpp>

#include "model/civil_time.h"
#include "model/dataset.h"
#include "model/json_writer.h"
#include "model/record_fields.h"

namespace livedata::server {

// Which fields are written: the API's, or every field (the upstream feed's records).
enum class Audience { api, feed };

namespace record_json {

inline void writeValue(JsonWriter& json, repr::Text, const std::string& value) { json.text(value); }
template <typename Enum>
void writeValue(JsonWriter& json, repr::Word<Enum>, Enum value) {
  json.text(wordOf(value));
}
inline void writeValue(JsonWriter& json, repr::Timestamp, UnixSeconds value) { json.text(formatIsoTimestamp(value)); }
inline void writeValue(JsonWriter& json, repr::Date, DayNumber value) { json.text(formatIsoDate(value)); }
inline void writeValue(JsonWriter& json, repr::Count, std::int64_t value) { json.integer(value); }
inline void writeValue(JsonWriter& json, repr::Number, double value) { json.number(value); }

inline nlohmann::ordered_json treeValue(repr::Text, const std::string& value) { return value; }
template <typename Enum>
nlohmann::ordered_json treeValue(repr::Word<Enum>, Enum value) {
  return wordOf(value);
}
inline nlohmann::ordered_json treeValue(repr::Timestamp, UnixSeconds value) { return formatIsoTimestamp(value); }
inline nlohmann::ordered_json treeValue(repr::Date, DayNumber value) { return formatIsoDate(value); }
inline nlohmann::ordered_json treeValue(repr::Count, std::int64_t value) { return value; }
inline nlohmann::ordered_json treeValue(repr::Number, double value) { return value; }

}  // namespace record_json

// The record's members without the enclosing braces, so a caller can add members.
template <typename Record>
void writeMembers(JsonWriter& json, const Record& record, Audience audience = Audience::api) {
  forEachField<Record>([&](const auto& field, std::size_t) {
    if (audience == Audience::api && !field.inApi()) return;
    json.key(field.name);
    record_json::writeValue(json, typename std::decay_t<decltype(field)>::Repr{}, field.of(record));
  });
}

template <typename Record, typename = decltype(RecordSchema<Record>::fields)>
void to_json(nlohmann::ordered_json& json, const Record& record) {
  json = nlohmann::ordered_json::object();
  forEachField<Record>([&](const auto& field, std::size_t) {
    if (!field.inApi()) return;
    json[field.name] = record_json::treeValue(typename std::decay_t<decltype(field)>::Repr{}, field.of(record));
  });
}

// A rough size of one written record, to reserve a body's string once.
inline constexpr std::size_t kRecordBytesEstimate = 256;

}  // namespace livedata::server
