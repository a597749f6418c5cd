#include "livedata/expected.h"
#include "store/api_queries.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <vector>

#include "http/compression.h"
#include "model/dataset.h"
#include "livedata/types.h"  // parseNonNegativeDecimal
#include "http/http_caching.h"
#include "livedata/cache.h"
#include "model/record_fields.h"
#include "model/record_json.h"

namespace livedata::server {
namespace {

constexpr std::array<ApiResource, 5> kResources{ApiResource::overview, ApiResource::campaigns, ApiResource::flows,
                                                ApiResource::forms, ApiResource::segments};
constexpr std::int64_t kMaxLimit = 500;
constexpr DayNumber kDefaultRangeDays = 30;

// What each list route offers (docs/api.md, "Lists"): its record type's status words, and
// its API fields in the order of the field table.
struct ListSpec {
  std::vector<std::string> statuses;
  std::vector<std::string> fields;
};

template <typename Record>
ListSpec listSpecFor() {
  ListSpec spec;
  for (const char* word : EnumNames<StatusOf<Record>>::words) spec.statuses.emplace_back(word);
  forEachField<Record>([&](const auto& field, std::size_t) {
    if (field.inApi()) spec.fields.emplace_back(field.name);
  });
  return spec;
}

const ListSpec& listSpecOf(ApiResource resource) {
  static const ListSpec kCampaigns = listSpecFor<Campaign>();
  static const ListSpec kFlows = listSpecFor<Flow>();
  static const ListSpec kForms = listSpecFor<Form>();
  static const ListSpec kSegments = listSpecFor<Segment>();
  switch (resource) {
    case ApiResource::campaigns:
      return kCampaigns;
    case ApiResource::flows:
      return kFlows;
    case ApiResource::forms:
      return kForms;
    case ApiResource::segments:
    case ApiResource::overview:
      break;
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

// The first parameter not in `accepted` (in the query's name order), as a 400.
std::optional<ApiError> findUnknownParameter(const QueryParameters& query, const std::vector<std::string>& accepted) {
  for (const auto& entry : query) {
    if (entry.first != kCacheBustingParam && !contains(accepted, entry.first)) {
      return unknownParameter(entry.first, joined(accepted));
    }
  }
  return std::nullopt;
}

// The single value of a parameter (nullopt when absent); a 400 if it was given twice.
Expected<std::optional<std::string>, ApiError> singleValue(const QueryParameters& query, const std::string& name) {
  const auto count = query.count(name);
  if (count == 0) return std::optional<std::string>{};
  if (count > 1) return invalidParameter(name + " must be given at most once");
  return std::optional<std::string>{query.find(name)->second};
}

Expected<ListQuery, ApiError> parseListQuery(ApiResource resource, const QueryParameters& query) {
  const ListSpec& spec = listSpecOf(resource);
  static const std::vector<std::string> kAccepted{"status", "sort", "limit", "offset"};  // built once, not per request
  if (auto unknown = findUnknownParameter(query, kAccepted)) return *unknown;
  ListQuery parsed;
  std::optional<std::string> value;
  auto fetch = [&](const char* name) -> std::optional<ApiError> {
    auto single = singleValue(query, name);
    if (!single) return single.error();
    value = std::move(single).value();
    return std::nullopt;
  };

  if (auto error = fetch("status")) return *error;
  if (value) {
    if (!contains(spec.statuses, *value)) return invalidParameter("status must be one of: " + joined(spec.statuses));
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
    const auto limit = parseNonNegativeDecimal(*value);
    if (!limit || *limit < 1 || *limit > kMaxLimit) {
      return invalidParameter("limit must be an integer from 1 to " + std::to_string(kMaxLimit));
    }
    parsed.limit = *limit;
  }
  if (auto error = fetch("offset")) return *error;
  if (value) {
    const auto offset = parseNonNegativeDecimal(*value);
    if (!offset) return invalidParameter("offset must be an integer of 0 or more");
    parsed.offset = *offset;
  }
  return parsed;
}

// The validated from/to, each nullopt when absent.
using RangeBounds = std::array<std::optional<DayNumber>, 2>;

Expected<RangeBounds, ApiError> parseOverviewQuery(const QueryParameters& query) {
  static const std::vector<std::string> kAccepted{"from", "to"};
  if (auto unknown = findUnknownParameter(query, kAccepted)) return *unknown;
  RangeBounds bounds;
  const std::array<const char*, 2> names{"from", "to"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto single = singleValue(query, names[i]);
    if (!single) return single.error();
    if (const auto& text = single.value()) {
      bounds[i] = parseIsoDate(*text);
      if (!bounds[i]) return invalidParameter(std::string(names[i]) + " must be a date as YYYY-MM-DD");
    }
  }
  return bounds;
}

std::string resourceKeyOf(ApiResource resource, const ListQuery& q) {
  livedata::Query query{{"limit", std::to_string(q.limit)},
                        {"offset", std::to_string(q.offset)},
                        {"sort", (q.descending ? "-" : "") + q.sortField}};
  if (q.status) query.emplace_back("status", *q.status);
  return makeResourceKey(std::string("/api/") + nameOf(resource), query);
}

std::string resourceKeyOf(const OverviewRange& range) {
  return makeResourceKey("/api/overview", {{"from", formatIsoDate(range.from)}, {"to", formatIsoDate(range.to)}});
}

double rate(std::int64_t part, std::int64_t whole) {
  return whole <= 0 ? 0.0 : roundTo(static_cast<double>(part) / static_cast<double>(whole), 4);
}

std::string renderList(const ListPage& page, const ListQuery& q) {
  std::string body;
  JsonWriter json(body);
  json.beginObject();
  json.key("items");
  json.beginArray();
  std::visit(
      [&](const auto& rows) {
        body.reserve(64 + rows.size() * kRecordBytesEstimate);
        for (const auto& row : rows) {
          json.beginObject();
          writeMembers(json, row);
          json.endObject();
        }
      },
      page.items);
  json.endArray();
  json.key("total");
  json.integer(page.total);
  json.key("limit");
  json.integer(q.limit);
  json.key("offset");
  json.integer(q.offset);
  json.key("statisticsAsOf");
  if (page.statisticsAsOfMs) json.text(formatIsoTimestamp(*page.statisticsAsOfMs / 1000));
  else json.null();
  json.endObject();
  return body;
}

std::string renderOverview(const MetricsOverview& data, const OverviewRange& range) {
  std::string body;
  body.reserve(256 + data.series.size() * kRecordBytesEstimate);
  JsonWriter json(body);
  json.beginObject();
  json.key("range");
  json.beginObject();
  json.key("from");
  json.text(formatIsoDate(range.from));
  json.key("to");
  json.text(formatIsoDate(range.to));
  json.endObject();
  json.key("totals");
  json.beginObject();
  json.key("sends");
  json.integer(data.sends);
  json.key("opens");
  json.integer(data.opens);
  json.key("clicks");
  json.integer(data.clicks);
  json.key("revenue");
  json.number(roundTo(data.revenue, 2));
  json.key("openRate");
  json.number(rate(data.opens, data.sends));
  json.key("clickRate");
  json.number(rate(data.clicks, data.sends));
  json.endObject();
  json.key("series");
  json.beginArray();
  for (const DailyMetrics& day : data.series) {
    json.beginObject();
    writeMembers(json, day);
    json.endObject();
  }
  json.endArray();
  json.endObject();
  return body;
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

UnixSeconds systemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

const char* nameOf(ApiResource resource) {
  switch (resource) {
    case ApiResource::overview:
      return "overview";
    case ApiResource::campaigns:
      return "campaigns";
    case ApiResource::flows:
      return "flows";
    case ApiResource::forms:
      return "forms";
    case ApiResource::segments:
      return "segments";
  }
  return "overview";
}

std::optional<ApiResource> apiResourceFromName(std::string_view name) {
  for (const ApiResource resource : kResources) {
    if (name == nameOf(resource)) return resource;
  }
  return std::nullopt;
}

Entity entityOf(ApiResource resource) {
  switch (resource) {
    case ApiResource::campaigns:
      return Entity::campaigns;
    case ApiResource::flows:
      return Entity::flows;
    case ApiResource::forms:
      return Entity::forms;
    case ApiResource::segments:
      return Entity::segments;
    case ApiResource::overview:
      break;
  }
  return Entity::metrics;
}

ApiError storeUnavailable(const std::string& detail) {
  return {503, "store_unavailable", "the data store cannot answer now; try again shortly", detail};
}

ApiQueries::ApiQueries(const Store& store, std::function<UnixSeconds()> now)
    : store_(store), now_(now ? std::move(now) : std::function<UnixSeconds()>(systemNow)) {}

Expected<ResolvedRequest, ApiError> ApiQueries::resolve(ApiResource resource, const QueryParameters& query) const {
  ResolvedRequest resolved;
  resolved.resource = resource;
  resolved.dataVersion = store_.dataVersion(entityOf(resource));

  if (resource != ApiResource::overview) {
    // A list's parameters and key depend on its query alone, and readers repeat their
    // queries (a dashboard's revalidations, a client's polls): each thread keeps the last
    // one it resolved per list, which spares the parsing and the key's building (most of
    // resolve's time on a cached answer). The data version above is read every time.
    struct LastList {
      QueryParameters query;
      std::string resourceKey;
      ListQuery parameters;
    };
    static_assert(static_cast<std::size_t>(ApiResource::segments) + 1 == kResources.size(), "one slot per resource");
    thread_local std::array<std::optional<LastList>, kResources.size()> lastLists;
    std::optional<LastList>& last = lastLists[static_cast<std::size_t>(resource)];
    if (!last || last->query != query) {
      auto parsed = parseListQuery(resource, query);
      if (!parsed) return std::move(parsed.error());
      auto& list = parsed.value();
      last = LastList{query, resourceKeyOf(resource, list), std::move(list)};
    }
    resolved.resourceKey = last->resourceKey;
    resolved.parameters = last->parameters;
    return resolved;
  }

  auto parsed = parseOverviewQuery(query);
  if (!parsed) return std::move(parsed.error());
  const auto& [from, to] = parsed.value();
  OverviewRange range;
  if (to) {
    range.to = *to;
  } else {
    auto latest = store_.latestMetricsDay();
    if (!latest) return storeUnavailable(latest.error());
    const auto& day = latest.value();
    range.to = day ? *day : now_() / kSecondsPerDay;
  }
  range.from = from ? *from : range.to - (kDefaultRangeDays - 1);
  if (range.from > range.to) {
    return invalidParameter("from (" + formatIsoDate(range.from) + ") must not be after to (" +
                            formatIsoDate(range.to) + ")");
  }
  resolved.resourceKey = resourceKeyOf(range);
  resolved.parameters = range;
  return resolved;
}

Expected<std::shared_ptr<const Representation>, ApiError> ApiQueries::render(const ResolvedRequest& request) const {
  const bool isOverview = request.resource == ApiResource::overview;
  if (isOverview != std::holds_alternative<OverviewRange>(request.parameters)) {
    return genericError(500);  // not made by resolve(): a programming error, not the client's
  }
  if (const auto* range = std::get_if<OverviewRange>(&request.parameters)) {
    auto data = store_.overview(range->from, range->to);
    if (!data) return storeUnavailable(data.error());
    return represent(renderOverview(data.value(), *range));
  }
  const auto& list = std::get<ListQuery>(request.parameters);
  auto page = store_.list(entityOf(request.resource), list);
  if (!page) return storeUnavailable(page.error());
  return represent(renderList(page.value(), list));
}

}  // namespace livedata::server
