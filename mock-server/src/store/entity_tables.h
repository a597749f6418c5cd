// How each record type maps onto its table (see migrations.cpp for the schema): the table,
// its columns in bind order with the API field each one holds, and the conversions between
// a record and a statement's parameters or result columns. Internal to the store module.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "model/dataset.h"
#include "model/entity.h"
#include "store/sqlite.h"

namespace livedata::server::tables {

struct Column {
  const char* field;   // the item field of docs/api.md (what `sort=` names)
  const char* column;  // the SQL column
};

// Specialised per record type below with: entity, table, key (the identity column, always
// the first of `columns`), columns, bind(statement, row) binding the columns as ?1..?N in
// order, and read(statement) reading them back from result columns 0..N-1 in the same order.
template <typename Row>
struct TableOf;

template <>
struct TableOf<Campaign> {
  static constexpr Entity entity = Entity::campaigns;
  static constexpr const char* table = "campaigns";
  static constexpr std::array<Column, 11> columns{{{"id", "id"},
                                                   {"name", "name"},
                                                   {"status", "status"},
                                                   {"sendTime", "send_time"},
                                                   {"recipients", "recipients"},
                                                   {"opens", "opens"},
                                                   {"clicks", "clicks"},
                                                   {"revenue", "revenue"},
                                                   {"openRate", "open_rate"},
                                                   {"clickRate", "click_rate"},
                                                   {"updatedAt", "updated_at"}}};

  static void bind(sqlite::Statement& s, const Campaign& c) {
    s.bind(1, c.id).bind(2, c.name).bind(3, c.status).bind(4, c.sendTime).bind(5, c.recipients);
    s.bind(6, c.opens).bind(7, c.clicks).bind(8, c.revenue).bind(9, c.openRate).bind(10, c.clickRate);
    s.bind(11, c.updatedAt);
  }

  static Campaign read(const sqlite::Statement& s) {
    return Campaign{s.text(0),    s.text(1), s.text(2), s.integer(3), s.integer(4), s.integer(5),
                    s.integer(6), s.real(7), s.real(8), s.real(9),    s.integer(10)};
  }
};

template <>
struct TableOf<Flow> {
  static constexpr Entity entity = Entity::flows;
  static constexpr const char* table = "flows";
  static constexpr std::array<Column, 8> columns{{{"id", "id"},
                                                  {"name", "name"},
                                                  {"status", "status"},
                                                  {"trigger", "trigger_name"},
                                                  {"recipients", "recipients"},
                                                  {"revenue", "revenue"},
                                                  {"conversionRate", "conversion_rate"},
                                                  {"updatedAt", "updated_at"}}};

  static void bind(sqlite::Statement& s, const Flow& f) {
    s.bind(1, f.id).bind(2, f.name).bind(3, f.status).bind(4, f.trigger).bind(5, f.recipients);
    s.bind(6, f.revenue).bind(7, f.conversionRate).bind(8, f.updatedAt);
  }

  static Flow read(const sqlite::Statement& s) {
    return Flow{s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4), s.real(5), s.real(6), s.integer(7)};
  }
};

template <>
struct TableOf<Form> {
  static constexpr Entity entity = Entity::forms;
  static constexpr const char* table = "forms";
  static constexpr std::array<Column, 7> columns{{{"id", "id"},
                                                  {"name", "name"},
                                                  {"status", "status"},
                                                  {"views", "views"},
                                                  {"submissions", "submissions"},
                                                  {"submitRate", "submit_rate"},
                                                  {"updatedAt", "updated_at"}}};

  static void bind(sqlite::Statement& s, const Form& f) {
    s.bind(1, f.id).bind(2, f.name).bind(3, f.status).bind(4, f.views).bind(5, f.submissions);
    s.bind(6, f.submitRate).bind(7, f.updatedAt);
  }

  static Form read(const sqlite::Statement& s) {
    return Form{s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4), s.real(5), s.integer(6)};
  }
};

template <>
struct TableOf<Segment> {
  static constexpr Entity entity = Entity::segments;
  static constexpr const char* table = "segments";
  static constexpr std::array<Column, 6> columns{{{"id", "id"},
                                                  {"name", "name"},
                                                  {"status", "status"},
                                                  {"members", "members"},
                                                  {"growth", "growth"},
                                                  {"updatedAt", "updated_at"}}};

  static void bind(sqlite::Statement& s, const Segment& g) {
    s.bind(1, g.id).bind(2, g.name).bind(3, g.status).bind(4, g.members).bind(5, g.growth).bind(6, g.updatedAt);
  }

  static Segment read(const sqlite::Statement& s) {
    return Segment{s.text(0), s.text(1), s.text(2), s.integer(3), s.real(4), s.integer(5)};
  }
};

template <>
struct TableOf<DailyMetrics> {
  static constexpr Entity entity = Entity::metrics;
  static constexpr const char* table = "metrics";
  static constexpr std::array<Column, 6> columns{{{"date", "day"},
                                                  {"sends", "sends"},
                                                  {"opens", "opens"},
                                                  {"clicks", "clicks"},
                                                  {"revenue", "revenue"},
                                                  {"updatedAt", "updated_at"}}};

  static void bind(sqlite::Statement& s, const DailyMetrics& m) {
    s.bind(1, m.day).bind(2, m.sends).bind(3, m.opens).bind(4, m.clicks).bind(5, m.revenue).bind(6, m.updatedAt);
  }

  static DailyMetrics read(const sqlite::Statement& s) {
    return DailyMetrics{s.integer(0), s.integer(1), s.integer(2), s.integer(3), s.real(4), s.integer(5)};
  }
};

// The record type stored for `entity`, in the order of EntityRows' alternatives.
template <typename Visitor>
decltype(auto) visitRowType(Entity entity, Visitor&& visit) {
  switch (entity) {
    case Entity::campaigns:
      return visit(TableOf<Campaign>{});
    case Entity::flows:
      return visit(TableOf<Flow>{});
    case Entity::forms:
      return visit(TableOf<Form>{});
    case Entity::segments:
      return visit(TableOf<Segment>{});
    case Entity::metrics:
      break;
  }
  return visit(TableOf<DailyMetrics>{});
}

// SQL built from a table's column list. The text only ever comes from these constants, so
// it is safe to interpolate and serves as the prepared-statement cache key.
template <typename Table>
std::string columnList() {
  std::string list;
  for (const Column& column : Table::columns) {
    if (!list.empty()) list += ", ";
    list += column.column;
  }
  return list;
}

// An upsert that leaves an identical row alone: the DO UPDATE's WHERE is false when no
// column differs, so sqlite3_changes() is 1 only for a new or really changed row.
template <typename Table>
std::string upsertSql() {
  std::string values, assignments, differs;
  for (std::size_t i = 0; i < Table::columns.size(); ++i) {
    const std::string column = Table::columns[i].column;
    values += (i ? ", ?" : "?") + std::to_string(i + 1);
    if (i == 0) continue;  // the key
    assignments += (i > 1 ? ", " : "") + column + " = excluded." + column;
    differs += (i > 1 ? " OR " : "") + column + " IS NOT excluded." + column;
  }
  return std::string("INSERT INTO ") + Table::table + " (" + columnList<Table>() + ") VALUES (" + values +
         ") ON CONFLICT (" + Table::columns[0].column + ") DO UPDATE SET " + assignments + " WHERE " + differs;
}

// The SQL column holding API field `field`, or nullptr when the table has none.
template <typename Table>
const char* columnForField(std::string_view field) {
  for (const Column& column : Table::columns) {
    if (field == column.field) return column.column;
  }
  return nullptr;
}

}  // namespace livedata::server::tables
