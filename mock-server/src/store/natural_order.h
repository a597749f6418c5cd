// The order in which the lists sort text (names, triggers): case aside and numbers by value,
// as people read them: "#25" before "#203", "item 9" before "Item 10", "alpha" before "Beta".
//
// Both engines sort by the SQL function natural_key(text), which returns naturalSortKey(),
// compared byte by byte: SQLite runs this file's function (registered on every connection);
// PostgreSQL runs kNaturalKeyPostgresSql, the same rule in SQL. The rule is kept small
// enough for the two to be plainly the same, and a store test runs both on one set of names:
//   - ASCII letters are lowered; every other byte (UTF-8 included) is kept as it is, so
//     "Émile" and "émile" differ and sort after "z";
//   - each run of ASCII digits becomes the length of its value's digits (leading zeros
//     dropped) in three digits, then those digits ("25" -> "00225", "203" -> "003203",
//     "007" -> "0017"), so a smaller number sorts first and equal numbers tie (then the
//     id decides); a run over 999 digits gives the first three of its length's digits, as
//     PostgreSQL's lpad does: such names only need a stable order.
#pragma once

#include <string>
#include <string_view>

namespace livedata::server {

std::string naturalSortKey(std::string_view text);

// CREATE FUNCTION natural_key(text) for PostgreSQL (a migration of postgres_store.cpp).
extern const char* const kNaturalKeyPostgresSql;

}  // namespace livedata::server
