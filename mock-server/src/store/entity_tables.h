// How each record type maps onto its table (the schemas are in migrations.cpp and
// postgres_store.cpp): statements built from the record's field table (model/record_fields.h),
// and the conversions between a record and a statement's parameters or result columns.
// The SQL is the same for both engines (numbered ?N parameters, ON CONFLICT upserts,
// IS DISTINCT FROM), and so are the conversions, written against the statement shape that
// sqlite.h and postgres.h share. Internal to the store module.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "model/dataset.h"
#include "model/entity.h"
#include "model/enum_names.h"
#include "model/record_fields.h"

namespace livedata::server::tables {

namespace detail {

// A column holds what the value's C++ type calls for: TEXT for strings and for status words,
// INTEGER for timestamps, days and counts (all std::int64_t), REAL for numbers.
template <typename Statement, typename Value>
void bindValue(Statement& statement, int index, const Value& value) {
  if constexpr (std::is_enum_v<Value>) {
    statement.bind(index, std::string_view(wordOf(value)));
  } else {
    statement.bind(index, value);
  }
}

template <typename Value, typename Statement>
Value readValue(const Statement& statement, int column, const char* name) {
  if constexpr (std::is_same_v<Value, std::string>) {
    return statement.text(column);
  } else if constexpr (std::is_same_v<Value, double>) {
    return statement.real(column);
  } else if constexpr (std::is_enum_v<Value>) {
    const std::string word = statement.text(column);
    if (auto value = enumFromWord<Value>(word)) return *value;
    // Only the store writes these columns, from validated records: this is a damaged file.
    throw std::runtime_error(std::string("column ") + name + " holds '" + word + "', not one of " +
                             wordList<Value>());
  } else {
    static_assert(std::is_same_v<Value, std::int64_t>, "a field's value is text, a word, an integer or a real");
    return statement.integer(column);
  }
}

}  // namespace detail

// The statements and conversions of one record type's table.
template <typename Record>
struct Table {
  using Row = Record;
  static constexpr Entity entity = RecordSchema<Record>::entity;
  static constexpr const char* table = RecordSchema<Record>::table;

  // The identity column: the first field's.
  static const char* keyColumn() { return std::get<0>(RecordSchema<Record>::fields).column; }

  // Binds the columns as ?1..?N, in the field table's order.
  template <typename Statement>
  static void bind(Statement& statement, const Record& row) {
    forEachField<Record>([&](const auto& field, std::size_t index) {
      detail::bindValue(statement, static_cast<int>(index + 1), field.of(row));
    });
  }

  // Binds the identity (?1) and then the statistics (?2, ?3, ...) in the field table's
  // order: the parameters of statisticsUpdateSql(). (Numbered without gaps: PostgreSQL must
  // infer the type of every parameter from its use.)
  template <typename Statement>
  static void bindStatistics(Statement& statement, const Record& row) {
    int parameter = 1;
    forEachField<Record>([&](const auto& field, std::size_t index) {
      if (index == 0 || field.group == FieldGroup::statistics) detail::bindValue(statement, parameter++, field.of(row));
    });
  }

  // Reads a row selected with columnList(): result columns 0..N-1 in the same order.
  template <typename Statement>
  static Record read(const Statement& statement) {
    Record row;
    forEachField<Record>([&](const auto& field, std::size_t index) {
      using Value = typename std::decay_t<decltype(field)>::Value;
      field.of(row) = detail::readValue<Value>(statement, static_cast<int>(index), field.column);
    });
    return row;
  }

  // SQL built from the field table. The text only ever comes from these constants, so it is
  // safe to interpolate and serves as the prepared-statement cache key.
  static std::string columnList() {
    std::string list;
    forEachField<Record>([&](const auto& field, std::size_t index) {
      list += (index ? ", " : "") + std::string(field.column);
    });
    return list;
  }

  // The commit of a record's attributes (FieldGroup): a new row is inserted whole (its
  // statistics as given: 0 until the first report), an existing one has its attributes
  // updated and keeps its statistics. An identical row is left alone: the DO UPDATE's WHERE
  // is false when no attribute differs, so the statement changes one row only when it is new
  // or really changed. (Both engines count an upsert that updated nothing as no change.)
  static std::string upsertSql() {
    std::string values, assignments, differs;
    forEachField<Record>([&](const auto& field, std::size_t i) {
      const std::string column = field.column;
      values += (i ? ", ?" : "?") + std::to_string(i + 1);
      if (i == 0 || field.group != FieldGroup::attributes) return;  // the key; the statistics
      assignments += (assignments.empty() ? "" : ", ") + column + " = excluded." + column;
      differs += (differs.empty() ? "" : " OR ") + std::string(table) + "." + column + " IS DISTINCT FROM excluded." + column;
    });
    return std::string("INSERT INTO ") + table + " (" + columnList() + ") VALUES (" + values + ") ON CONFLICT (" +
           keyColumn() + ") DO UPDATE SET " + assignments + " WHERE " + differs;
  }

  // The commit of a record's statistics: an UPDATE of an existing row (a report may name a
  // record the collections have not brought yet: it is skipped, and the next report brings
  // its figures), changing nothing when they are the same, so it changes one row only when
  // that row's statistics really changed. REQUIRES: hasStatistics<Record>().
  static std::string statisticsUpdateSql() {
    std::string assignments, differs;
    int parameterNumber = 1;  // ?1 is the identity
    forEachField<Record>([&](const auto& field, std::size_t) {
      if (field.group != FieldGroup::statistics) return;
      const std::string column = field.column;
      const std::string parameter = "?" + std::to_string(++parameterNumber);
      assignments += (assignments.empty() ? "" : ", ") + column + " = " + parameter;
      differs += (differs.empty() ? "" : " OR ") + column + " IS DISTINCT FROM " + parameter;
    });
    return std::string("UPDATE ") + table + " SET " + assignments + " WHERE " + keyColumn() + " = ?1 AND (" + differs + ")";
  }

  // The SQL column holding API field `name`, or nullptr when the API has no such field.
  // What ORDER BY sorts the API field `name` by, "" if it is not one: text other than the
  // identity in natural order (natural_order.h), any other column as it is.
  static std::string sortExpressionForField(std::string_view name) {
    std::string expression;
    forEachField<Record>([&](const auto& field, std::size_t index) {
      if (!expression.empty() || !field.inApi() || name != field.name) return;
      using Value = std::decay_t<decltype(field.of(std::declval<const Record&>()))>;
      const bool naturalText = std::is_same_v<Value, std::string> && index != 0;
      expression = naturalText ? std::string("natural_key(") + field.column + ")" : field.column;
    });
    return expression;
  }
};

// Calls visit(Table<R>{}) for the record type R stored for `entity`.
template <typename Visitor>
decltype(auto) visitRowType(Entity entity, Visitor&& visit) {
  return visitRecordType(entity, [&](auto type) { return visit(Table<typename decltype(type)::type>{}); });
}

}  // namespace livedata::server::tables
