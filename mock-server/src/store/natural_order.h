// The order in which the lists sort text (names, triggers): case aside and numbers by value,
// as people read them: "#25" before "#203", "item 9" before "Item 10", "alpha" before "Beta".
//
// Both engines sort by naturalSortKey(text), compared byte by byte: the store writes it with
// each row, in a column beside the text (entity_tables.h, forEachSortKey). The rule:
//   - ASCII letters are lowered; every other byte (UTF-8 included) is kept as it is, so
//     "Émile" and "émile" differ and sort after "z";
//   - each run of ASCII digits becomes the length of its value's digits (leading zeros
//     dropped) in three digits, then those digits ("25" -> "00225", "203" -> "003203",
//     "007" -> "0017"), so a smaller number sorts first and equal numbers tie (then the
//     id decides); a run over 999 digits gives the first three of its length's digits:
//     such names only need a stable order.
// The keys are stored: a change to the rule needs a migration that clears them (the store
// fills missing keys when it opens).
#pragma once

#include <string>
#include <string_view>

namespace livedata::server {

std::string naturalSortKey(std::string_view text);

}  // namespace livedata::server
