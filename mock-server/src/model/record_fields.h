// Each record type's fields, listed once: the member, its name in the API and the upstream
// feed, its SQL column, and its representation. JSON writing (record_json.h), page reading
// (upstream_client/page_json.cpp), the store's columns and statements (store/entity_tables.h)
// and the list routes' sort fields all follow these tables, so a field is added in one place.
#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <utility>

#include "model/civil_time.h"
#include "model/dataset.h"
#include "model/entity.h"

namespace livedata::server {

// How a value is represented: in JSON, and in its SQL column.
namespace representation {
struct Text {  // a JSON string; TEXT
  using Value = std::string;
};
template <typename Enum>
struct Word {  // a JSON string, one of EnumNames<Enum>::words; TEXT holding the word
  using Value = Enum;
};
struct Timestamp {  // "2026-10-31T08:15:00Z"; INTEGER Unix seconds
  using Value = UnixSeconds;
};
struct Date {  // "2026-10-31"; INTEGER day number
  using Value = DayNumber;
};
struct Count {  // a JSON integer of 0 or more; INTEGER
  using Value = std::int64_t;
};
struct Number {  // a JSON number; REAL
  using Value = double;
};
}  // namespace representation

// Where a field appears: everywhere, or only in the store and the upstream feed (a day's
// updatedAt drives the incremental sync but is not part of the API's day objects).
enum class Visibility { everywhere, syncOnly };

// Where a field's value comes from upstream, and so which commit writes it (Store::commitPage):
// the record's own attributes (name, status, times: Klaviyo's collections, read every sync),
// or its statistics (counts and rates: Klaviyo's values reports, read on their own budgeted
// schedule). Each commit writes its group alone, so neither overwrites the other's columns.
enum class FieldGroup { attributes, statistics };

template <typename Record, typename Representation>
struct Field {
  using Value = typename Representation::Value;
  using Repr = Representation;
  const char* name;    // the JSON member (docs/api.md; also what `sort=` names)
  const char* column;  // the SQL column
  Value Record::*member;
  Visibility visibility = Visibility::everywhere;
  FieldGroup group = FieldGroup::attributes;

  const Value& of(const Record& record) const { return record.*member; }
  Value& of(Record& record) const { return record.*member; }
  bool inApi() const { return visibility == Visibility::everywhere; }
};

template <typename Repr, typename Record>
constexpr Field<Record, Repr> field(const char* name, const char* column, typename Repr::Value Record::*member,
                                    Visibility visibility = Visibility::everywhere) {
  return {name, column, member, visibility, FieldGroup::attributes};
}

// A field from the values reports (FieldGroup::statistics).
template <typename Repr, typename Record>
constexpr Field<Record, Repr> statistic(const char* name, const char* column, typename Repr::Value Record::*member) {
  return {name, column, member, Visibility::everywhere, FieldGroup::statistics};
}

// Specialised per record type with: entity, table, and fields (a tuple of Field, in the
// order of the JSON members and the table's columns; the first is the record's identity).
template <typename Record>
struct RecordSchema;

namespace repr = representation;

template <>
struct RecordSchema<Campaign> {
  static constexpr Entity entity = Entity::campaigns;
  static constexpr const char* table = "campaigns";
  static constexpr auto fields = std::make_tuple(
      field<repr::Text>("id", "id", &Campaign::id), field<repr::Text>("name", "name", &Campaign::name),
      field<repr::Word<CampaignStatus>>("status", "status", &Campaign::status),
      field<repr::Timestamp>("sendTime", "send_time", &Campaign::sendTime),
      statistic<repr::Count>("recipients", "recipients", &Campaign::recipients),
      statistic<repr::Count>("opens", "opens", &Campaign::opens),
      statistic<repr::Count>("clicks", "clicks", &Campaign::clicks),
      statistic<repr::Number>("revenue", "revenue", &Campaign::revenue),
      statistic<repr::Number>("openRate", "open_rate", &Campaign::openRate),
      statistic<repr::Number>("clickRate", "click_rate", &Campaign::clickRate),
      field<repr::Timestamp>("updatedAt", "updated_at", &Campaign::updatedAt));
};

template <>
struct RecordSchema<Flow> {
  static constexpr Entity entity = Entity::flows;
  static constexpr const char* table = "flows";
  static constexpr auto fields = std::make_tuple(
      field<repr::Text>("id", "id", &Flow::id), field<repr::Text>("name", "name", &Flow::name),
      field<repr::Word<FlowStatus>>("status", "status", &Flow::status),
      field<repr::Text>("trigger", "trigger_name", &Flow::trigger),
      statistic<repr::Count>("recipients", "recipients", &Flow::recipients),
      statistic<repr::Number>("revenue", "revenue", &Flow::revenue),
      statistic<repr::Number>("conversionRate", "conversion_rate", &Flow::conversionRate),
      field<repr::Timestamp>("updatedAt", "updated_at", &Flow::updatedAt));
};

template <>
struct RecordSchema<Form> {
  static constexpr Entity entity = Entity::forms;
  static constexpr const char* table = "forms";
  static constexpr auto fields = std::make_tuple(
      field<repr::Text>("id", "id", &Form::id), field<repr::Text>("name", "name", &Form::name),
      field<repr::Word<FormStatus>>("status", "status", &Form::status),
      statistic<repr::Count>("views", "views", &Form::views),
      statistic<repr::Count>("submissions", "submissions", &Form::submissions),
      statistic<repr::Number>("submitRate", "submit_rate", &Form::submitRate),
      field<repr::Timestamp>("updatedAt", "updated_at", &Form::updatedAt));
};

template <>
struct RecordSchema<Segment> {
  static constexpr Entity entity = Entity::segments;
  static constexpr const char* table = "segments";
  static constexpr auto fields = std::make_tuple(
      field<repr::Text>("id", "id", &Segment::id), field<repr::Text>("name", "name", &Segment::name),
      field<repr::Word<SegmentStatus>>("status", "status", &Segment::status),
      statistic<repr::Count>("members", "members", &Segment::members),
      statistic<repr::Number>("growth", "growth", &Segment::growth),
      field<repr::Timestamp>("updatedAt", "updated_at", &Segment::updatedAt));
};

template <>
struct RecordSchema<DailyMetrics> {
  static constexpr Entity entity = Entity::metrics;
  static constexpr const char* table = "metrics";
  static constexpr auto fields = std::make_tuple(
      field<repr::Date>("date", "day", &DailyMetrics::day), field<repr::Count>("sends", "sends", &DailyMetrics::sends),
      field<repr::Count>("opens", "opens", &DailyMetrics::opens),
      field<repr::Count>("clicks", "clicks", &DailyMetrics::clicks),
      field<repr::Number>("revenue", "revenue", &DailyMetrics::revenue),
      field<repr::Timestamp>("updatedAt", "updated_at", &DailyMetrics::updatedAt, Visibility::syncOnly));
};

// The status enum of a record type that has one (every list item).
template <typename Record>
using StatusOf = decltype(Record::status);

// Calls visit(field, index) for each field of Record, in order.
template <typename Record, typename Visit>
constexpr void forEachField(Visit&& visit) {
  std::apply(
      [&](const auto&... fields) {
        std::size_t index = 0;
        (visit(fields, index++), ...);
      },
      RecordSchema<Record>::fields);
}

// Whether Record has fields of FieldGroup::statistics (every list item; not the daily metrics).
template <typename Record>
constexpr bool hasStatistics() {
  bool any = false;
  forEachField<Record>([&](const auto& field, std::size_t) { any = any || field.group == FieldGroup::statistics; });
  return any;
}

template <typename Record>
struct RecordType {
  using type = Record;
};

// Calls visit(RecordType<R>{}) with the record type R kept for `entity`.
template <typename Visitor>
decltype(auto) visitRecordType(Entity entity, Visitor&& visit) {
  switch (entity) {
    case Entity::campaigns:
      return visit(RecordType<Campaign>{});
    case Entity::flows:
      return visit(RecordType<Flow>{});
    case Entity::forms:
      return visit(RecordType<Form>{});
    case Entity::segments:
      return visit(RecordType<Segment>{});
    case Entity::metrics:
      break;
  }
  return visit(RecordType<DailyMetrics>{});
}

inline bool hasStatistics(Entity entity) {
  return visitRecordType(entity, [](auto type) { return hasStatistics<typename decltype(type)::type>(); });
}

}  // namespace livedata::server
