// Klaviyo's `filter` query parameter: conditions such as equals(messages.channel,'email') or
// greater-or-equal(updated_at,2026-11-01T00:00:00Z), several joined by and(...). Parsed by the
// simulated upstream, written by the sync; print(parse(text)) is the canonical text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "livedata/expected.h"
#include "model/civil_time.h"

namespace livedata::server::klaviyo {

// One value of a condition. Dates are unquoted in a filter (a date-time without an offset is
// read as UTC); strings are quoted with ' or ".
struct FilterValue {
  enum class Kind { string, datetime, number, boolean, null };
  Kind kind = Kind::null;
  std::string text;          // string: its content (unescaped); number: as written
  UnixSeconds time = 0;      // datetime
  bool boolean = false;      // boolean

  friend bool operator==(const FilterValue& a, const FilterValue& b);
};

// operator(field,value) or operator(field,[value,...]): "equals", "greater-than",
// "greater-or-equal", "less-than", "less-or-equal", "any", "contains", "contains-any", ...
struct FilterCondition {
  std::string op;
  std::string field;               // a path: "updated_at", "messages.channel"
  std::vector<FilterValue> values; // one value, or the list's items
  bool isList = false;             // the value was written as [..]

  friend bool operator==(const FilterCondition& a, const FilterCondition& b);
};

// The conditions all must hold (and(...) nested at any depth is flattened).
struct FilterExpression {
  std::vector<FilterCondition> conditions;
};

struct FilterSyntaxError {
  std::size_t offset = 0;   // byte offset in the text where it went wrong
  std::string message;      // one sentence: what was expected, what was found
};

// Refuses: unbalanced or trailing text, unknown value syntax, or/not, an empty and(), an
// unterminated string, text over 4 KiB, nesting over 16 levels or a list of over 100 items
// (bounds on outside input; the last is Klaviyo's own).
Expected<FilterExpression, FilterSyntaxError> parseFilter(std::string_view text);

// One condition as is, several as and(...); datetimes as formatFilterDateTime, strings in
// single quotes (a quote or backslash inside escaped with a backslash). The canonical text
// can be longer than what was parsed (a date prints as a date-time), so past 4 KiB it no
// longer parses back.
std::string printFilter(const FilterExpression& filter);

}  // namespace livedata::server::klaviyo
