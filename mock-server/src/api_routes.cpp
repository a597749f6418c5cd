#include "api_routes.h"

#include <algorithm>
#include <array>
#include <functional>
#include <vector>

#include "civil_time.h"
#include "compression.h"
#include "http_caching.h"

namespace livedata::mock {
namespace {

using Json = nlohmann::ordered_json;
using Parsed = std::variant<std::string, ApiError>;  // a normalized cache key, or the error

constexpr std::array<Endpoint, 5> kEndpoints{Endpoint::overview, Endpoint::campaigns, Endpoint::flows,
                                             Endpoint::forms, Endpoint::segments};
constexpr int kMaxLimit = 500;
constexpr int kDefaultLimit = 50;
constexpr const char* kDefaultSort = "-updatedAt";
constexpr DayNumber kDefaultRangeDays = 30;

// What each list route offers (docs/api.md, "Lists").
struct ListSpec {
  std::vector<std::string> statuses;
  std::vector<std::string> fields;
};

const ListSpec& listSpecOf(Endpoint endpoint) {
  static const ListSpec kCampaigns{
      {"draft", "scheduled", "sending", "sent"},
      {"id", "name", "status", "sendTime", "recipients", "opens", "clicks", "revenue", "openRate",
       "clickRate", "updatedAt"}};
  static const ListSpec kFlows{
      {"live", "draft", "manual"},
      {"id", "name", "status", "trigger", "recipients", "revenue", "conversionRate", "updatedAt"}};
  static const ListSpec kForms{{"live", "draft"},
                               {"id", "name", "status", "views", "submissions", "submitRate", "updatedAt"}};
  static const ListSpec kSegments{{"active", "archived"},
                                  {"id", "name", "status", "members", "growth", "updatedAt"}};
  switch (endpoint) {
    case Endpoint::campaigns: return kCampaigns;
    case Endpoint::flows: return kFlows;
    case Endpoint::forms: return kForms;
    case Endpoint::segments:
    case Endpoint::overview: break;
  }
  return kSegments;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

bool contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// The single value of a parameter; an error if it was given more than once.
std::variant<std::optional<std::string>, ApiError> singleValue(const QueryParams& query, const std::string& name) {
  const auto count = query.count(name);
  if (count == 0) return std::optional<std::string>{};
  if (count > 1) return invalidParameter(name + " must be given at most once");
  return std::optional<std::string>{query.find(name)->second};
}

// Plain decimal digits only (no sign, no spaces), at most 18 of them.
std::optional<std::int64_t> parseNonNegative(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

struct ListQuery {
  std::optional<std::string> status;
  std::string sortField = "updatedAt";
  bool descending = true;
  std::int64_t limit = kDefaultLimit;
  std::int64_t offset = 0;
};

std::variant<ListQuery, ApiError> parseListQuery(Endpoint endpoint, const QueryParams& query) {
  const ListSpec& spec = listSpecOf(endpoint);
  if (auto unknown = findUnknownParameter(query, {"status", "sort", "limit", "offset"})) return *unknown;
  ListQuery parsed;
  std::optional<std::string> value;

  auto fetch = [&](const char* name) -> std::optional<ApiError> {
    auto single = singleValue(query, name);
    if (auto* error = std::get_if<ApiError>(&single)) return *error;
    value = std::get<std::optional<std::string>>(single);
    return std::nullopt;
  };

  if (auto error = fetch("status")) return *error;
  if (value) {
    if (!contains(spec.statuses, *value)) {
      return invalidParameter("status must be one of: " + joined(spec.statuses));
    }
    parsed.status = *value;
  }
  if (auto error = fetch("sort")) return *error;
  if (value) {
    const bool descending = !value->empty() && value->front() == '-';
    const std::string field = descending ? value->substr(1) : *value;
    if (!contains(spec.fields, field)) {
      return invalidParameter("sort must be a field (" + joined(spec.fields) +
                              "), prefixed with '-' for descending order");
    }
    parsed.sortField = field;
    parsed.descending = descending;
  }
  if (auto error = fetch("limit")) return *error;
  if (value) {
    const auto limit = parseNonNegative(*value);
    if (!limit || *limit < 1 || *limit > kMaxLimit) {
      return invalidParameter("limit must be an integer from 1 to " + std::to_string(kMaxLimit));
    }
    parsed.limit = *limit;
  }
  if (auto error = fetch("offset")) return *error;
  if (value) {
    const auto offset = parseNonNegative(*value);
    if (!offset) return invalidParameter("offset must be an integer of 0 or more");
    parsed.offset = *offset;
  }
  return parsed;
}

struct OverviewQuery {
  DayNumber from = 0;
  DayNumber to = 0;
};

std::variant<OverviewQuery, ApiError> parseOverviewQuery(const QueryParams& query, DayNumber lastDay) {
  if (auto unknown = findUnknownParameter(query, {"from", "to"})) return *unknown;
  std::optional<DayNumber> bounds[2];
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto single = singleValue(query, names[i]);
    if (auto* error = std::get_if<ApiError>(&single)) return *error;
    if (const auto& text = std::get<std::optional<std::string>>(single)) {
      bounds[i] = parseIsoDate(*text);
      if (!bounds[i]) return invalidParameter(std::string(names[i]) + " must be a date as YYYY-MM-DD");
    }
  }
  // Defaults: the range ends on the last day of data and spans 30 days.
  OverviewQuery parsed;
  parsed.to = bounds[1] ? *bounds[1] : lastDay;
  parsed.from = bounds[0] ? *bounds[0] : parsed.to - (kDefaultRangeDays - 1);
  if (parsed.from > parsed.to) {
    return invalidParameter("from (" + formatIsoDate(parsed.from) + ") must not be after to (" +
                            formatIsoDate(parsed.to) + ")");
  }
  return parsed;
}

std::string keyOf(Endpoint endpoint, const ListQuery& q) {
  std::string key = std::string(nameOf(endpoint)) + "?limit=" + std::to_string(q.limit) +
                    "&offset=" + std::to_string(q.offset) + "&sort=" + (q.descending ? "-" : "") + q.sortField;
  if (q.status) key += "&status=" + *q.status;
  return key;
}

std::string keyOf(const OverviewQuery& q) {
  return "overview?from=" + formatIsoDate(q.from) + "&to=" + formatIsoDate(q.to);
}

template <typename Item>
std::vector<Json> toJsonItems(const std::vector<Item>& items) {
  return std::vector<Json>(items.begin(), items.end());
}

std::vector<Json> itemsOf(const Dataset& data, Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::campaigns: return toJsonItems(data.campaigns);
    case Endpoint::flows: return toJsonItems(data.flows);
    case Endpoint::forms: return toJsonItems(data.forms);
    case Endpoint::segments: return toJsonItems(data.segments);
    case Endpoint::overview: break;
  }
  return {};
}

std::string renderList(const Dataset& data, Endpoint endpoint, const ListQuery& q) {
  std::vector<Json> items = itemsOf(data, endpoint);
  if (q.status) {
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const Json& item) { return item["status"] != *q.status; }),
                items.end());
  }
  // Items sort by the JSON value of the field (numbers numerically, ISO timestamps and
  // names as strings); ties by ascending id, so every order is total and reproducible.
  std::sort(items.begin(), items.end(), [&](const Json& a, const Json& b) {
    const Json& x = a[q.sortField];
    const Json& y = b[q.sortField];
    if (x != y) return q.descending ? y < x : x < y;
    return a["id"] < b["id"];
  });
  const auto total = static_cast<std::int64_t>(items.size());
  Json page = Json::array();
  for (std::int64_t i = std::min(q.offset, total); i < std::min(q.offset + q.limit, total); ++i) {
    page.push_back(std::move(items[static_cast<std::size_t>(i)]));
  }
  Json body;
  body["items"] = std::move(page);
  body["total"] = total;
  body["limit"] = q.limit;
  body["offset"] = q.offset;
  return body.dump();
}

double rate(std::int64_t part, std::int64_t whole) {
  return whole <= 0 ? 0.0 : roundTo(static_cast<double>(part) / static_cast<double>(whole), 4);
}

std::string renderOverview(const Dataset& data, const OverviewQuery& q) {
  std::int64_t sends = 0, opens = 0, clicks = 0;
  double revenue = 0;
  Json series = Json::array();
  for (const DailyMetrics& day : data.daily) {
    if (day.day < q.from || day.day > q.to) continue;
    sends += day.sends;
    opens += day.opens;
    clicks += day.clicks;
    revenue += day.revenue;
    series.push_back(day);
  }
  Json body;
  body["range"] = {{"from", formatIsoDate(q.from)}, {"to", formatIsoDate(q.to)}};
  body["totals"] = {{"sends", sends},
                    {"opens", opens},
                    {"clicks", clicks},
                    {"revenue", roundTo(revenue, 2)},
                    {"openRate", rate(opens, sends)},
                    {"clickRate", rate(clicks, sends)}};
  body["series"] = std::move(series);
  return body.dump();
}

std::shared_ptr<const Representation> represent(std::string body) {
  auto representation = std::make_shared<Representation>();
  representation->etag = strongEtagFor(body);
  if (auto gzipped = gzipCompress(body)) {
    representation->gzipBody = std::move(*gzipped);
    representation->gzipEtag = etagForCoding(representation->etag, "gzip");
  }
  representation->body = std::move(body);
  return representation;
}

}  // namespace

std::optional<ApiError> findUnknownParameter(const QueryParams& query, const std::vector<std::string>& accepted) {
  for (const auto& [name, value] : query) {
    if (name != kCacheBustingParameter && !contains(accepted, name)) {
      return unknownParameter(name, joined(accepted));
    }
  }
  return std::nullopt;
}

const char* nameOf(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::overview: return "overview";
    case Endpoint::campaigns: return "campaigns";
    case Endpoint::flows: return "flows";
    case Endpoint::forms: return "forms";
    case Endpoint::segments: return "segments";
  }
  return "unknown";
}

std::optional<Endpoint> endpointFromName(std::string_view name) {
  for (const Endpoint endpoint : kEndpoints) {
    if (name == nameOf(endpoint)) return endpoint;
  }
  return std::nullopt;
}

ApiRoutes::ApiRoutes(Dataset dataset) : data_(std::make_shared<const Dataset>(std::move(dataset))) {}

ApiResult ApiRoutes::get(Endpoint endpoint, const QueryParams& query) {
  std::shared_ptr<const Dataset> data;
  std::uint64_t version = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    data = data_;
    version = dataVersion_;
  }

  // Validation needs the data only for the overview's default range.
  std::string key;
  std::function<std::string()> render;
  if (endpoint == Endpoint::overview) {
    auto parsed = parseOverviewQuery(query, data->daily.back().day);
    if (auto* error = std::get_if<ApiError>(&parsed)) return *error;
    const auto q = std::get<OverviewQuery>(parsed);
    key = keyOf(q);
    render = [&data, q] { return renderOverview(*data, q); };
  } else {
    auto parsed = parseListQuery(endpoint, query);
    if (auto* error = std::get_if<ApiError>(&parsed)) return *error;
    const auto q = std::get<ListQuery>(parsed);
    key = keyOf(endpoint, q);
    render = [&data, endpoint, q] { return renderList(*data, endpoint, q); };
  }

  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (dataVersion_ == version) {
      if (auto found = cache_.find(key); found != cache_.end()) return found->second;
    }
  }
  // Rendered outside the lock; a concurrent miss may render the same key twice, harmlessly.
  auto representation = represent(render());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (dataVersion_ == version) {  // else the data changed meanwhile: serve, do not cache
      if (cache_.size() >= kMaxCachedRepresentations) cache_.clear();
      cache_.emplace(std::move(key), representation);
    }
  }
  return representation;
}

std::optional<nlohmann::ordered_json> ApiRoutes::touch(std::string_view endpointName) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto next = std::make_shared<Dataset>(*data_);
  auto changed = touchFirstItem(*next, endpointName);
  if (!changed) return std::nullopt;
  data_ = std::move(next);
  ++dataVersion_;
  cache_.clear();
  return changed;
}

}  // namespace livedata::mock
