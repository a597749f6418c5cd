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
#include <vector>

#include "model/dataset.h"
#include "model/entity.h"
#include "model/enum_names.h"
#include "model/record_fields.h"
#include "store/natural_order.h"

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

// Calls visit(field, keyColumn) for each field the lists sort in natural order
// (natural_order.h): every text field but the identity. Its key, naturalSortKey(value), is
// stored beside it in keyColumn ("<column>_key", after the record's own columns), written
// with the row, so both engines sort by one stored column, which can be indexed, and the
// rule exists once, in C++.
template <typename Record, typename Visitor>
void forEachSortKey(Visitor&& visit) {
  forEachField<Record>([&](const auto& field, std::size_t index) {
    using Value = typename std::decay_t<decltype(field)>::Value;
    if constexpr (std::is_same_v<Value, std::string>) {
      if (index != 0) visit(field, std::string(field.column) + "_key");
    }
  });
}

// The statements and conversions of one record type's table.
template <typename Record>
struct Table {
  using Row = Record;
  static constexpr Entity entity = RecordSchema<Record>::entity;
  static constexpr const char* table = RecordSchema<Record>::table;

  // The identity column: the first field's.
  static const char* keyColumn() { return std::get<0>(RecordSchema<Record>::fields).column; }

  // Binds the columns as ?1..?N, in the field table's order, then the sort keys as ?N+1...
  // (forEachSortKey's order): the parameters of upsertSql().
  template <typename Statement>
  static void bind(Statement& statement, const Record& row) {
    int parameter = 1;
    forEachField<Record>([&](const auto& field, std::size_t) { detail::bindValue(statement, parameter++, field.of(row)); });
    forEachSortKey<Record>([&](const auto& field, const std::string&) {
      statement.bind(parameter++, std::string_view(naturalSortKey(field.of(row))));
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
    std::string columns = columnList(), values, assignments, differs;
    int parameter = 0;
    forEachField<Record>([&](const auto& field, std::size_t i) {
      const std::string column = field.column;
      values += (i ? ", ?" : "?") + std::to_string(++parameter);
      if (i == 0 || field.group != FieldGroup::attributes) return;  // the key; the statistics
      assignments += (assignments.empty() ? "" : ", ") + column + " = excluded." + column;
      differs += (differs.empty() ? "" : " OR ") + std::string(table) + "." + column + " IS DISTINCT FROM excluded." + column;
    });
    // A sort key changes with its text, so it takes no part in `differs`.
    forEachSortKey<Record>([&](const auto&, const std::string& sortColumn) {
      columns += ", " + sortColumn;
      values += ", ?" + std::to_string(++parameter);
      assignments += ", " + sortColumn + " = excluded." + sortColumn;
    });
    return std::string("INSERT INTO ") + table + " (" + columns + ") VALUES (" + values + ") ON CONFLICT (" +
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

  // What ORDER BY sorts the API field `name` by, "" if it is not one: a text's stored sort
  // key (forEachSortKey), any other column as it is.
  static std::string sortExpressionForField(std::string_view name) {
    std::string expression;
    forEachField<Record>([&](const auto& field, std::size_t) {
      if (field.inApi() && name == field.name) expression = field.column;
    });
    forEachSortKey<Record>([&](const auto& field, const std::string& sortColumn) {
      if (expression == field.column) expression = sortColumn;
    });
    return expression;
  }

  // Fills the sort keys of rows that have none (rows written before the key columns were
  // added, migrations.cpp 6 and postgres_store.cpp 8); returns how many. Safe beside other
  // writers: a row with a key is never touched, and a key is a function of its text.
  template <typename Connection>
  static std::size_t fillMissingSortKeys(Connection& writer) {
    std::size_t filled = 0;
    forEachSortKey<Record>([&](const auto& field, const std::string& sortColumn) {
      std::vector<std::pair<std::string, std::string>> missing;  // id, text
      {
        auto rows = writer.use(std::string("SELECT ") + keyColumn() + ", " + field.column + " FROM " + table +
                               " WHERE " + sortColumn + " IS NULL");
        while (rows->step()) missing.emplace_back(rows->text(0), rows->text(1));
      }
      auto fill = writer.use(std::string("UPDATE ") + table + " SET " + sortColumn + " = ?2 WHERE " + keyColumn() +
                             " = ?1 AND " + sortColumn + " IS NULL");
      for (const auto& [id, text] : missing) {
        fill->bind(1, std::string_view(id)).bind(2, std::string_view(naturalSortKey(text))).run();
        filled += writer.changes() > 0 ? 1 : 0;
        fill->reset();
      }
    });
    return filled;
  }
};

// Calls visit(Table<R>{}) for the record type R stored for `entity`.
template <typename Visitor>
decltype(auto) visitRowType(Entity entity, Visitor&& visit) {
  return visitRecordType(entity, [&](auto type) { return visit(Table<typename decltype(type)::type>{}); });
}

}  // namespace livedata::server::tables
