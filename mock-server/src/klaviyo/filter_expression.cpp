#include "klaviyo/filter_expression.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "klaviyo/iso_datetime.h"

namespace livedata::server::klaviyo {
namespace {

constexpr std::size_t kMaxLength = 4096;
constexpr int kMaxDepth = 16;
// Klaviyo's documents: "Max of 100 items per list filter".
constexpr std::size_t kMaxListItems = 100;

// Every operator Klaviyo's documents name in a filter ("x-klaviyo-filters", the filter
// parameters' descriptions).
constexpr std::array<std::string_view, 12> kOperators{"equals",   "greater-than", "greater-or-equal", "less-than",
                                                      "less-or-equal", "any",     "contains",         "contains-any",
                                                      "contains-all",  "starts-with", "ends-with",     "has"};

bool isNameCharacter(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '$'; }

// One pass over the text: each parse* reads at `at_`, advances past what it read, and fails
// with the offset where the text stopped making sense.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Expected<FilterExpression, FilterSyntaxError> parse() {
    if (text_.size() > kMaxLength) return fail("the filter is over 4096 characters");
    FilterExpression expression;
    skipSpaces();
    if (atEnd()) return fail("the filter is empty: expected a condition such as equals(field,'value')");
    if (auto error = parseExpression(expression, 1)) return *error;
    skipSpaces();
    if (!atEnd()) return fail("unexpected text after the filter's end");
    return expression;
  }

 private:
  using Failure = std::optional<FilterSyntaxError>;

  FilterSyntaxError fail(std::string message) const { return {at_, std::move(message)}; }
  bool atEnd() const { return at_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[at_]; }
  void skipSpaces() {
    while (!atEnd() && (text_[at_] == ' ' || text_[at_] == '\t')) ++at_;
  }
  Failure expect(char c, const char* what) {
    skipSpaces();
    if (peek() != c) return fail(std::string("expected ") + what + (atEnd() ? " at the end" : ", found '" + std::string(1, peek()) + "'"));
    ++at_;
    return std::nullopt;
  }
  std::string_view readName() {
    skipSpaces();
    const std::size_t start = at_;
    while (!atEnd() && isNameCharacter(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }

  // operator(...) or and(...), appending its conditions to `out`.
  Failure parseExpression(FilterExpression& out, int depth) {
    if (depth > kMaxDepth) return fail("the filter nests deeper than 16 levels");
    const std::size_t nameAt = at_;
    const std::string_view name = readName();
    if (name.empty()) return fail("expected an operator such as equals or and");
    if (name == "or" || name == "not") {
      at_ = nameAt;
      return fail("'" + std::string(name) + "' is not supported: conditions combine with and(...) only");
    }
    if (auto error = expect('(', "'(' after the operator")) return error;
    if (name == "and") {
      do {
        if (auto error = parseExpression(out, depth + 1)) return error;
        skipSpaces();
      } while (peek() == ',' && (++at_, true));
      return expect(')', "',' or ')' in and(...)");
    }
    if (std::find(kOperators.begin(), kOperators.end(), name) == kOperators.end()) {
      at_ = nameAt;
      return fail("unknown operator '" + std::string(name) + "'");
    }
    FilterCondition condition;
    condition.op = std::string(name);
    const std::size_t fieldAt = at_;
    condition.field = std::string(readName());
    if (condition.field.empty()) {
      at_ = fieldAt;
      return fail("expected a field name after '" + condition.op + "('");
    }
    if (auto error = expect(',', "',' after the field")) return error;
    skipSpaces();
    if (peek() == '[') {
      ++at_;
      condition.isList = true;
      skipSpaces();
      if (peek() != ']') {
        do {
          FilterValue value;
          if (auto error = parseValue(value)) return error;
          if (condition.values.size() == kMaxListItems) return fail("a list holds at most 100 items");
          condition.values.push_back(std::move(value));
          skipSpaces();
        } while (peek() == ',' && (++at_, true));
      }
      if (auto error = expect(']', "',' or ']' in the list")) return error;
    } else {
      FilterValue value;
      if (auto error = parseValue(value)) return error;
      condition.values.push_back(std::move(value));
    }
    if (auto error = expect(')', "')' after the value")) return error;
    out.conditions.push_back(std::move(condition));
    return std::nullopt;
  }

  Failure parseValue(FilterValue& value) {
    skipSpaces();
    const std::size_t start = at_;
    if (peek() == '\'' || peek() == '"') {
      const char quote = text_[at_++];
      value.kind = FilterValue::Kind::string;
      while (true) {
        if (atEnd()) {
          at_ = start;
          return fail("a string that starts here is not closed");
        }
        const char c = text_[at_++];
        if (c == quote) return std::nullopt;
        if (c == '\\') {
          if (atEnd()) continue;  // reported as unclosed on the next turn
          value.text += text_[at_++];
        } else {
          value.text += c;
        }
      }
    }
    while (!atEnd() && text_[at_] != ',' && text_[at_] != ')' && text_[at_] != ']' && text_[at_] != ' ') ++at_;
    const std::string_view word = text_.substr(start, at_ - start);
    if (word.empty()) return fail("expected a value: a quoted string, a date-time, a number, true, false or null");
    if (word == "true" || word == "false") {
      value.kind = FilterValue::Kind::boolean;
      value.boolean = word == "true";
    } else if (word == "null") {
      value.kind = FilterValue::Kind::null;
    } else if (const auto time = parseDateTime(word)) {
      value.kind = FilterValue::Kind::datetime;
      value.time = *time;
    } else if (const auto naive = parseDateTime(std::string(word) + "Z")) {
      // Without an offset, as the metric aggregates' examples write it: in UTC, their default
      // time zone (the only one the simulation aggregates in).
      value.kind = FilterValue::Kind::datetime;
      value.time = *naive;
    } else if (const auto day = parseIsoDate(word)) {
      value.kind = FilterValue::Kind::datetime;
      value.time = *day * kSecondsPerDay;
    } else if (isNumber(word)) {
      value.kind = FilterValue::Kind::number;
      value.text = std::string(word);
    } else {
      at_ = start;
      return fail("'" + std::string(word.substr(0, 40)) + "' is not a value: quote strings ('...'), write dates as 2026-11-01T00:00:00Z");
    }
    return std::nullopt;
  }

  // -?digits[.digits][(e|E)[+-]digits]
  static bool isNumber(std::string_view word) {
    std::size_t i = 0;
    const auto digits = [&] {
      const std::size_t start = i;
      while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) ++i;
      return i > start;
    };
    if (i < word.size() && word[i] == '-') ++i;
    if (!digits()) return false;
    if (i < word.size() && word[i] == '.' && (++i, !digits())) return false;
    if (i < word.size() && (word[i] == 'e' || word[i] == 'E')) {
      ++i;
      if (i < word.size() && (word[i] == '+' || word[i] == '-')) ++i;
      if (!digits()) return false;
    }
    return i == word.size();
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

void printValue(std::string& out, const FilterValue& value) {
  switch (value.kind) {
    case FilterValue::Kind::string:
      out += '\'';
      for (const char c : value.text) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
      }
      out += '\'';
      return;
    case FilterValue::Kind::datetime: out += formatFilterDateTime(value.time); return;
    case FilterValue::Kind::number: out += value.text; return;
    case FilterValue::Kind::boolean: out += value.boolean ? "true" : "false"; return;
    case FilterValue::Kind::null: out += "null"; return;
  }
}

void printCondition(std::string& out, const FilterCondition& condition) {
  out += condition.op + "(" + condition.field + ",";
  if (condition.isList) out += '[';
  for (std::size_t i = 0; i < condition.values.size(); ++i) {
    if (i > 0) out += ',';
    printValue(out, condition.values[i]);
  }
  if (condition.isList) out += ']';
  out += ')';
}

}  // namespace

bool operator==(const FilterValue& a, const FilterValue& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case FilterValue::Kind::string:
    case FilterValue::Kind::number: return a.text == b.text;
    case FilterValue::Kind::datetime: return a.time == b.time;
    case FilterValue::Kind::boolean: return a.boolean == b.boolean;
    case FilterValue::Kind::null: return true;
  }
  return false;
}

bool operator==(const FilterCondition& a, const FilterCondition& b) {
  return a.op == b.op && a.field == b.field && a.values == b.values && a.isList == b.isList;
}

Expected<FilterExpression, FilterSyntaxError> parseFilter(std::string_view text) { return Parser(text).parse(); }

std::string printFilter(const FilterExpression& filter) {
  std::string out;
  const bool joined = filter.conditions.size() != 1;
  if (joined) out += "and(";
  for (std::size_t i = 0; i < filter.conditions.size(); ++i) {
    if (i > 0) out += ',';
    printCondition(out, filter.conditions[i]);
  }
  if (joined) out += ')';
  return out;
}

}  // namespace livedata::server::klaviyo
