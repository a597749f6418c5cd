#include "livedata/expected.h"
#include "upstream_client/page_json.h"

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/enum_names.h"
#include "model/record_fields.h"
#include "model/record_json.h"

namespace livedata::server {
namespace {

using Json = nlohmann::json;

// A record as the feed carries it: every field, a day's updatedAt too.
template <typename Record>
void writeRecord(JsonWriter& json, const Record& record) {
  json.beginObject();
  writeMembers(json, record, Audience::feed);
  json.endObject();
}

// One JSON value as the page reader keeps it: scalars as nlohmann's parser classifies them
// (an integer that fits int64 is `integer`, a larger one `unsignedInteger`, anything with a
// fraction or exponent `floating`); arrays, objects and booleans only as `other`.
struct FieldValue {
  enum class Kind { null, string, integer, unsignedInteger, floating, other };
  Kind kind = Kind::null;
  std::string text;
  std::int64_t integer = 0;
  std::uint64_t unsignedInteger = 0;
  double floating = 0;

  bool isNumber() const {
    return kind == Kind::integer || kind == Kind::unsignedInteger || kind == Kind::floating;
  }
  double asDouble() const {  // as nlohmann's get<double>
    if (kind == Kind::integer) return static_cast<double>(integer);
    if (kind == Kind::unsignedInteger) return static_cast<double>(unsignedInteger);
    return floating;
  }
};

// The members of one record object, in first-seen order; a repeated name keeps its last
// value, as nlohmann's parser does. Storage is reused from record to record.
class RecordFields {
 public:
  void clear() { used_ = 0; }

  // The slot for `name`'s value, overwriting an earlier value of the same name.
  FieldValue& slot(const std::string& name) {
    for (std::size_t i = 0; i < used_; ++i) {
      if (entries_[i].first == name) return entries_[i].second;
    }
    if (used_ == entries_.size()) entries_.emplace_back();
    auto& entry = entries_[used_++];
    entry.first = name;
    return entry.second;
  }

  const FieldValue* find(const char* name) const {
    for (std::size_t i = 0; i < used_; ++i) {
      if (entries_[i].first == name) return &entries_[i].second;
    }
    return nullptr;
  }

 private:
  std::vector<std::pair<std::string, FieldValue>> entries_;
  std::size_t used_ = 0;
};

std::string recordPlace(std::size_t index) { return "data[" + std::to_string(index) + "]"; }

// Reads one record's fields; the first fault is kept, and later reads return defaults.
class FieldReader {
 public:
  FieldReader(const RecordFields& object, std::size_t index) : object_(object), index_(index) {}

  std::string text(const char* name) {
    const FieldValue* value = find(name);
    if (!value) return {};
    if (value->kind != FieldValue::Kind::string) {
      fail(name, "expected a string");
      return {};
    }
    return value->text;
  }

  template <typename Enum>
  Enum word(const char* name) {
    const std::string value = text(name);
    if (error_) return Enum{};
    const auto parsed = enumFromWord<Enum>(value);
    if (!parsed) fail(name, "expected one of " + wordList<Enum>());
    return parsed.value_or(Enum{});
  }

  // A count: an integer of 0 or more.
  std::int64_t count(const char* name) {
    const FieldValue* value = find(name);
    if (!value) return 0;
    if (value->kind == FieldValue::Kind::integer && value->integer >= 0) return value->integer;
    if (value->kind == FieldValue::Kind::unsignedInteger &&
        value->unsignedInteger <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(value->unsignedInteger);
    }
    fail(name, "expected an integer of 0 or more");
    return 0;
  }

  double number(const char* name) {
    const FieldValue* value = find(name);
    if (!value) return 0;
    if (!value->isNumber()) {
      fail(name, "expected a number");
      return 0;
    }
    return value->asDouble();
  }

  UnixSeconds timestamp(const char* name) {
    const std::string value = text(name);
    if (error_) return 0;
    const auto seconds = parseIsoTimestamp(value);
    if (!seconds) fail(name, "expected a timestamp like 2026-10-31T08:15:00Z");
    return seconds.value_or(0);
  }

  DayNumber date(const char* name) {
    const std::string value = text(name);
    if (error_) return 0;
    const auto day = parseIsoDate(value);
    if (!day) fail(name, "expected a date like 2026-10-31");
    return day.value_or(0);
  }

  std::optional<std::string> takeError() { return std::move(error_); }

 private:
  const FieldValue* find(const char* name) {
    if (error_) return nullptr;
    const FieldValue* value = object_.find(name);
    if (!value) fail(name, "missing");
    return value;
  }

  void fail(const char* name, const std::string& what) {
    if (!error_) error_ = recordPlace(index_) + "." + name + ": " + what;
  }

  const RecordFields& object_;
  std::size_t index_;
  std::optional<std::string> error_;
};

// The first fault is the first field, in the table's order, that is missing or malformed.
std::string readValue(FieldReader& in, repr::Text, const char* name) { return in.text(name); }
template <typename Enum>
Enum readValue(FieldReader& in, repr::Word<Enum>, const char* name) {
  return in.word<Enum>(name);
}
UnixSeconds readValue(FieldReader& in, repr::Timestamp, const char* name) { return in.timestamp(name); }
DayNumber readValue(FieldReader& in, repr::Date, const char* name) { return in.date(name); }
std::int64_t readValue(FieldReader& in, repr::Count, const char* name) { return in.count(name); }
double readValue(FieldReader& in, repr::Number, const char* name) { return in.number(name); }

template <typename Record>
void read(FieldReader& in, Record& record) {
  forEachField<Record>([&](const auto& field, std::size_t) {
    field.of(record) = readValue(in, typename std::decay_t<decltype(field)>::Repr{}, field.name);
  });
}

// A record's place in the feed: (updatedAt, id), a day's id being its date.
template <typename Record>
std::pair<UnixSeconds, std::string> feedKey(const Record& record) {
  return {record.updatedAt, record.id};
}
std::pair<UnixSeconds, std::string> feedKey(const DailyMetrics& metrics) {
  return {metrics.updatedAt, formatIsoDate(metrics.day)};
}

// Reads a page in one pass with nlohmann's SAX parser, straight into records: no tree of
// the page is built (profiled: the tree and its conversion were a quarter of a sync's time).
//
// Invariant: the result, and the first fault named, are those of parsing the page into a
// tree and then checking it in this order: valid JSON; an object; "data" present, an array;
// "next_cursor" present, null or a non-empty string; then each record in turn. A repeated
// member keeps its last value, as in the tree.
template <typename Record>
class PageReader final : public nlohmann::json_sax<Json> {
 public:
  Expected<UpstreamPage, std::string> read(std::string_view body) {
    if (!Json::sax_parse(body, this)) return std::string("body is not valid JSON");
    if (!topIsObject_) return std::string("body: expected an object");
    if (!dataSeen_) return std::string("data: missing");
    if (!dataIsArray_) return std::string("data: expected an array");
    if (!nextSeen_) return std::string("next_cursor: missing");
    const bool nextValid = next_.kind == FieldValue::Kind::null ||
                           (next_.kind == FieldValue::Kind::string && !next_.text.empty());
    if (!nextValid) return std::string("next_cursor: expected a non-empty string or null");
    if (recordError_) return std::move(*recordError_);
    UpstreamPage page{EntityRows(std::move(records_)), std::nullopt};
    if (next_.kind == FieldValue::Kind::string) page.nextCursor = std::move(next_.text);
    return page;
  }

  bool null() override {
    if (FieldValue* value = scalarTarget()) value->kind = FieldValue::Kind::null;
    return true;
  }
  bool boolean(bool) override {
    if (FieldValue* value = scalarTarget()) value->kind = FieldValue::Kind::other;
    return true;
  }
  bool number_integer(number_integer_t number) override {
    if (FieldValue* value = scalarTarget()) {
      value->kind = FieldValue::Kind::integer;
      value->integer = number;
    }
    return true;
  }
  bool number_unsigned(number_unsigned_t number) override {
    if (FieldValue* value = scalarTarget()) {
      value->kind = FieldValue::Kind::unsignedInteger;
      value->unsignedInteger = number;
    }
    return true;
  }
  bool number_float(number_float_t number, const string_t&) override {
    if (FieldValue* value = scalarTarget()) {
      value->kind = FieldValue::Kind::floating;
      value->floating = number;
    }
    return true;
  }
  bool string(string_t& text) override {
    if (FieldValue* value = scalarTarget()) {
      value->kind = FieldValue::Kind::string;
      value->text.swap(text);
    }
    return true;
  }
  bool binary(binary_t&) override {
    if (FieldValue* value = scalarTarget()) value->kind = FieldValue::Kind::other;
    return true;
  }

  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& name) override {
    if (depth_ == 1) {
      topKey_.swap(name);
    } else if (depth_ == 3 && inRecord_) {
      recordKey_ = &fields_.slot(name);
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  // Where a value at the current position goes: the member of a record, or next_cursor;
  // null for values the page format ignores. Also handles values that are not records.
  FieldValue* scalarTarget() {
    if (depth_ == 0) return nullptr;  // a scalar body: topIsObject_ stays false
    if (depth_ == 1 && topIsObject_) {
      if (topKey_ == "data") {
        dataSeen_ = true;
        dataIsArray_ = false;
      } else if (topKey_ == "next_cursor") {
        nextSeen_ = true;
        return &next_;
      }
      return nullptr;
    }
    if (depth_ == 2 && inData_) {
      notARecord();
      return nullptr;
    }
    if (depth_ == 3 && inRecord_) return recordKey_;
    return nullptr;
  }

  bool open(bool isObject) {
    if (depth_ == 0) {
      topIsObject_ = isObject;
    } else if (depth_ == 1 && topIsObject_) {
      if (topKey_ == "data") {
        dataSeen_ = true;
        dataIsArray_ = !isObject;
        if (!isObject) startData();
      } else if (topKey_ == "next_cursor") {
        nextSeen_ = true;
        next_.kind = FieldValue::Kind::other;
      }
    } else if (depth_ == 2 && inData_) {
      if (isObject) {
        inRecord_ = true;
        fields_.clear();
      } else {
        notARecord();
      }
    } else if (depth_ == 3 && inRecord_ && recordKey_) {
      recordKey_->kind = FieldValue::Kind::other;
      recordKey_ = nullptr;
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    if (depth_ == 1 && inData_) {
      inData_ = false;
    } else if (depth_ == 2 && inRecord_) {
      inRecord_ = false;
      finishRecord();
    }
    return true;
  }

  // A (possibly repeated) "data" array begins: only the last one counts.
  void startData() {
    inData_ = true;
    records_.clear();
    recordError_.reset();
    index_ = 0;
  }

  void notARecord() {
    if (!recordError_) recordError_ = recordPlace(index_) + ": expected an object";
    ++index_;
  }

  void finishRecord() {
    const std::size_t index = index_++;
    if (recordError_) return;  // the first fault is the one reported
    FieldReader in(fields_, index);
    Record record;
    server::read(in, record);
    if (auto error = in.takeError()) {
      recordError_ = std::move(*error);
      return;
    }
    if (!records_.empty() && !(feedKey(records_.back()) < feedKey(record))) {
      recordError_ = recordPlace(index) + ": out of (updatedAt, id) order";
      return;
    }
    records_.push_back(std::move(record));
  }

  int depth_ = 0;  // containers open around the current position
  bool topIsObject_ = false;
  std::string topKey_;
  bool dataSeen_ = false;
  bool dataIsArray_ = false;
  bool inData_ = false;  // directly inside the "data" array
  bool nextSeen_ = false;
  FieldValue next_;
  bool inRecord_ = false;  // directly inside a record object of "data"
  FieldValue* recordKey_ = nullptr;
  RecordFields fields_;
  std::size_t index_ = 0;  // of the next element of "data"
  std::vector<Record> records_;
  std::optional<std::string> recordError_;
};

template <typename Record>
Expected<UpstreamPage, std::string> readPage(std::string_view body) {
  PageReader<Record> reader;
  return reader.read(body);
}

}  // namespace

std::string renderPage(const EntityRows& rows, const std::optional<std::string>& nextCursor) {
  std::string body;
  JsonWriter json(body);
  json.beginObject();
  json.key("data");
  json.beginArray();
  std::visit(
      [&](const auto& records) {
        body.reserve(64 + records.size() * kRecordBytesEstimate);
        for (const auto& record : records) writeRecord(json, record);
      },
      rows);
  json.endArray();
  json.key("next_cursor");
  if (nextCursor) {
    json.text(*nextCursor);
  } else {
    json.null();
  }
  json.endObject();
  return body;
}

Expected<UpstreamPage, std::string> parsePage(Entity entity, std::string_view body) {
  try {
    return visitRecordType(entity, [&](auto type) { return readPage<typename decltype(type)::type>(body); });
  } catch (const std::exception& e) {  // allocation failures and the like: still just a bad page
    return std::string("cannot read the page: ") + e.what();
  }
}

std::optional<UnixSeconds> parseIsoTimestamp(std::string_view text) {
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z') return std::nullopt;
  const auto day = parseIsoDate(text.substr(0, 10));
  if (!day) return std::nullopt;
  int fields[3];
  for (int i = 0; i < 3; ++i) {
    const char tens = text[11 + 3 * i];
    const char ones = text[12 + 3 * i];
    if (tens < '0' || tens > '9' || ones < '0' || ones > '9') return std::nullopt;
    fields[i] = (tens - '0') * 10 + (ones - '0');
  }
  if (fields[0] > 23 || fields[1] > 59 || fields[2] > 59) return std::nullopt;
  return *day * kSecondsPerDay + fields[0] * 3600 + fields[1] * 60 + fields[2];
}

}  // namespace livedata::server
