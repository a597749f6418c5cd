#include "upstream/page_json.h"

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace livedata::mock {
namespace {

using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

OrderedJson recordJson(const DailyMetrics& metrics) {
  OrderedJson json = metrics;
  json["updatedAt"] = formatIsoTimestamp(metrics.updatedAt);
  return json;
}
template <typename Record>
OrderedJson recordJson(const Record& record) {
  return record;  // to_json already writes updatedAt
}

// Reads one record's fields; the first fault is kept, and later reads return defaults.
class FieldReader {
 public:
  FieldReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {}

  std::string text(const char* name) {
    const Json* value = find(name);
    if (!value) return {};
    if (!value->is_string()) {
      fail(name, "expected a string");
      return {};
    }
    return value->get<std::string>();
  }

  std::string oneOf(const char* name, std::initializer_list<const char*> allowed) {
    std::string value = text(name);
    if (error_) return value;
    std::string list;
    for (const char* option : allowed) {
      if (value == option) return value;
      list += list.empty() ? option : std::string(", ") + option;
    }
    fail(name, "expected one of " + list);
    return value;
  }

  // A count: an integer of 0 or more.
  std::int64_t count(const char* name) {
    const Json* value = find(name);
    if (!value) return 0;
    const bool fits = value->is_number_integer() &&
                      (value->is_number_unsigned() ? value->get<std::uint64_t>() <= std::numeric_limits<std::int64_t>::max()
                                                   : value->get<std::int64_t>() >= 0);
    if (!fits) {
      fail(name, "expected an integer of 0 or more");
      return 0;
    }
    return value->get<std::int64_t>();
  }

  double number(const char* name) {
    const Json* value = find(name);
    if (!value) return 0;
    if (!value->is_number()) {
      fail(name, "expected a number");
      return 0;
    }
    return value->get<double>();
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
  const Json* find(const char* name) {
    if (error_) return nullptr;
    const auto it = object_.find(name);
    if (it == object_.end()) {
      fail(name, "missing");
      return nullptr;
    }
    return &*it;
  }

  void fail(const char* name, const std::string& what) {
    if (!error_) error_ = where_ + "." + name + ": " + what;
  }

  const Json& object_;
  std::string where_;
  std::optional<std::string> error_;
};

void read(FieldReader& in, Campaign& c) {
  c.id = in.text("id");
  c.name = in.text("name");
  c.status = in.oneOf("status", {"draft", "scheduled", "sending", "sent"});
  c.sendTime = in.timestamp("sendTime");
  c.recipients = in.count("recipients");
  c.opens = in.count("opens");
  c.clicks = in.count("clicks");
  c.revenue = in.number("revenue");
  c.openRate = in.number("openRate");
  c.clickRate = in.number("clickRate");
  c.updatedAt = in.timestamp("updatedAt");
}

void read(FieldReader& in, Flow& f) {
  f.id = in.text("id");
  f.name = in.text("name");
  f.status = in.oneOf("status", {"live", "draft", "manual"});
  f.trigger = in.text("trigger");
  f.recipients = in.count("recipients");
  f.revenue = in.number("revenue");
  f.conversionRate = in.number("conversionRate");
  f.updatedAt = in.timestamp("updatedAt");
}

void read(FieldReader& in, Form& f) {
  f.id = in.text("id");
  f.name = in.text("name");
  f.status = in.oneOf("status", {"live", "draft"});
  f.views = in.count("views");
  f.submissions = in.count("submissions");
  f.submitRate = in.number("submitRate");
  f.updatedAt = in.timestamp("updatedAt");
}

void read(FieldReader& in, Segment& s) {
  s.id = in.text("id");
  s.name = in.text("name");
  s.status = in.oneOf("status", {"active", "archived"});
  s.members = in.count("members");
  s.growth = in.number("growth");
  s.updatedAt = in.timestamp("updatedAt");
}

void read(FieldReader& in, DailyMetrics& m) {
  m.day = in.date("date");
  m.sends = in.count("sends");
  m.opens = in.count("opens");
  m.clicks = in.count("clicks");
  m.revenue = in.number("revenue");
  m.updatedAt = in.timestamp("updatedAt");
}

// A record's place in the feed: (updatedAt, id), a day's id being its date.
template <typename Record>
std::pair<UnixSeconds, std::string> feedKey(const Record& record) {
  return {record.updatedAt, record.id};
}
std::pair<UnixSeconds, std::string> feedKey(const DailyMetrics& metrics) {
  return {metrics.updatedAt, formatIsoDate(metrics.day)};
}

template <typename Record>
std::variant<EntityRows, std::string> readRecords(const Json& data) {
  std::vector<Record> records;
  records.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::string where = "data[" + std::to_string(i) + "]";
    if (!data[i].is_object()) return where + ": expected an object";
    FieldReader in(data[i], where);
    Record record;
    read(in, record);
    if (auto error = in.takeError()) return *error;
    if (!records.empty() && !(feedKey(records.back()) < feedKey(record))) {
      return where + ": out of (updatedAt, id) order";
    }
    records.push_back(std::move(record));
  }
  return EntityRows(std::move(records));
}

std::variant<EntityRows, std::string> readRecords(Entity entity, const Json& data) {
  switch (entity) {
    case Entity::campaigns: return readRecords<Campaign>(data);
    case Entity::flows: return readRecords<Flow>(data);
    case Entity::forms: return readRecords<Form>(data);
    case Entity::segments: return readRecords<Segment>(data);
    case Entity::metrics: break;
  }
  return readRecords<DailyMetrics>(data);
}

}  // namespace

std::string renderPage(const EntityRows& rows, const std::optional<std::string>& nextCursor) {
  OrderedJson data = OrderedJson::array();
  std::visit(
      [&](const auto& records) {
        for (const auto& record : records) data.push_back(recordJson(record));
      },
      rows);
  OrderedJson page;
  page["data"] = std::move(data);
  page["next_cursor"] = nextCursor ? OrderedJson(*nextCursor) : OrderedJson(nullptr);
  return page.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

std::variant<UpstreamPage, std::string> parsePage(Entity entity, std::string_view body) {
  try {
    const Json page = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (page.is_discarded()) return std::string("body is not valid JSON");
    if (!page.is_object()) return std::string("body: expected an object");
    const auto data = page.find("data");
    if (data == page.end()) return std::string("data: missing");
    if (!data->is_array()) return std::string("data: expected an array");
    const auto next = page.find("next_cursor");
    if (next == page.end()) return std::string("next_cursor: missing");
    if (!next->is_null() && !(next->is_string() && !next->get_ref<const std::string&>().empty())) {
      return std::string("next_cursor: expected a non-empty string or null");
    }
    auto records = readRecords(entity, *data);
    if (auto* error = std::get_if<std::string>(&records)) return std::move(*error);
    UpstreamPage result{std::get<EntityRows>(std::move(records)), std::nullopt};
    if (next->is_string()) result.nextCursor = next->get<std::string>();
    return result;
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

}  // namespace livedata::mock
