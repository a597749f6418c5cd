#include "simulated_upstream/klaviyo_collections.h"

#include <algorithm>
#include <array>
#include <limits>

#include "klaviyo/cursor_link.h"
#include "livedata/cache.h"  // percentEncode
#include "klaviyo/filter_expression.h"
#include "klaviyo/iso_datetime.h"
#include "livedata/types.h"  // parseNonNegativeDecimal
#include "simulated_upstream/feed_cursor.h"
#include "simulated_upstream/stable_hash.h"

namespace livedata::server {
namespace {

using klaviyo::Collection;
using klaviyo::ErrorObject;
using klaviyo::invalidParameter;
using Params = std::multimap<std::string, std::string>;

constexpr std::string_view kChannelField = "messages.channel";
constexpr std::array<std::string_view, 3> kChannels{"email", "sms", "mobile_push"};

Entity entityOf(Collection collection) {
  switch (collection) {
    case Collection::campaigns: return Entity::campaigns;
    case Collection::flows: return Entity::flows;
    case Collection::forms: return Entity::forms;
    case Collection::segments: return Entity::segments;
    case Collection::metrics: break;
  }
  return Entity::metrics;  // not a feed: the metric definitions are served apart
}

std::string joined(const std::vector<std::string_view>& words) {
  std::string out;
  for (const auto word : words) out += (out.empty() ? "" : ", ") + std::string(word);
  return out;
}

std::vector<std::string> splitCommas(std::string_view text) {
  std::vector<std::string> parts;
  while (true) {
    const auto comma = text.find(',');
    parts.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return parts;
    text.remove_prefix(comma + 1);
  }
}

// Narrows request's update-time range by one condition on the update field.
std::optional<ErrorObject> applyUpdateCondition(const klaviyo::FilterCondition& condition,
                                                const klaviyo::CollectionOperation& operation, CollectionRequest& request) {
  const auto& allowed = operation.updateOperators;
  if (std::find(allowed.begin(), allowed.end(), condition.op) == allowed.end()) {
    return invalidParameter("filter", "'" + condition.op + "' is not an operator of " + std::string(operation.updateField) +
                                          " (allowed: " + joined(allowed) + ")");
  }
  if (condition.isList || condition.values.size() != 1 || condition.values[0].kind != klaviyo::FilterValue::Kind::datetime) {
    return invalidParameter("filter", std::string(operation.updateField) + " is compared with one date-time, e.g. " +
                                          condition.op + "(" + std::string(operation.updateField) + ",2026-11-01T00:00:00Z)");
  }
  const UnixSeconds time = condition.values[0].time;
  if (condition.op == "greater-than") request.updatedFrom = std::max(request.updatedFrom, time + 1);
  if (condition.op == "greater-or-equal" || condition.op == "equals") request.updatedFrom = std::max(request.updatedFrom, time);
  if (condition.op == "less-than") request.updatedTo = std::min(request.updatedTo, time - 1);
  if (condition.op == "less-or-equal" || condition.op == "equals") request.updatedTo = std::min(request.updatedTo, time);
  return std::nullopt;
}

std::optional<ErrorObject> applyChannelCondition(const klaviyo::FilterCondition& condition, CollectionRequest& request) {
  const bool oneString = !condition.isList && condition.values.size() == 1 &&
                         condition.values[0].kind == klaviyo::FilterValue::Kind::string;
  const bool known = oneString && std::find(kChannels.begin(), kChannels.end(), condition.values[0].text) != kChannels.end();
  if (condition.op != "equals" || !known) {
    return invalidParameter("filter", "messages.channel takes equals with one of 'email', 'sms', 'mobile_push'");
  }
  if (condition.values[0].text != "email") request.none = true;  // the account sends email only
  return std::nullopt;
}

std::optional<ErrorObject> applyFilter(std::string_view text, const klaviyo::CollectionOperation& operation,
                                       CollectionRequest& request, bool& hasChannel) {
  auto parsed = klaviyo::parseFilter(text);
  if (!parsed) {
    return invalidParameter("filter", "Invalid filter provided: " + parsed.error().message + " (at character " +
                                          std::to_string(parsed.error().offset) + ")");
  }
  for (const auto& condition : parsed.value().conditions) {
    std::optional<ErrorObject> refused;
    if (!operation.updateField.empty() && condition.field == operation.updateField) {
      refused = applyUpdateCondition(condition, operation, request);
    } else if (operation.collection == Collection::campaigns && condition.field == kChannelField) {
      hasChannel = true;
      refused = applyChannelCondition(condition, request);
    } else {
      refused = invalidParameter("filter", "filtering on '" + condition.field + "' is not supported by the simulated upstream" +
                                               (operation.updateField.empty() ? std::string()
                                                                              : " (it filters on " + std::string(operation.updateField) +
                                                                                    (operation.collection == Collection::campaigns ? " and messages.channel" : "") + ")"));
    }
    if (refused) return refused;
  }
  return std::nullopt;
}

std::optional<ErrorObject> applySort(std::string_view sort, const klaviyo::CollectionOperation& operation) {
  const std::string_view field = !sort.empty() && sort.front() == '-' ? sort.substr(1) : sort;
  const auto& documented = operation.sortFields;
  if (std::find(documented.begin(), documented.end(), field) == documented.end()) {
    return invalidParameter("sort", "'" + std::string(sort) + "' is not a sort of " + std::string(operation.path) +
                                        (documented.empty() ? " (it takes none)" : " (sorts: " + joined(documented) + ", each may start with '-')"));
  }
  if (sort != operation.updateField) {
    return invalidParameter("sort", "the simulated upstream sorts " + std::string(operation.path) + " only by " +
                                        std::string(operation.updateField) + ", ascending");
  }
  return std::nullopt;
}

Expected<int, ErrorObject> pageSizeOf(std::string_view text, const klaviyo::CollectionOperation& operation) {
  const auto size = parseNonNegativeDecimal(text);
  if (!size || *size < 1 || *size > operation.maxPageSize) {
    return invalidParameter("page[size]", "page[size] must be an integer from 1 to " + std::to_string(operation.maxPageSize));
  }
  return static_cast<int>(*size);
}

std::string queryOf(const Params& params) {
  std::string query;
  for (const auto& [name, value] : params) {
    query += (query.empty() ? "?" : "&") + livedata::percentEncode(name) + "=" + livedata::percentEncode(value);
  }
  return query;
}

// --- the account's records as Klaviyo resources

// Records carry no creation time: a stable one within the account's first day, never after
// the record's last update.
UnixSeconds createdTimeOf(const UpstreamAccount& account, const std::string& id, UnixSeconds updatedAt) {
  const DatasetSizes& sizes = account.options().sizes;
  const UnixSeconds historyStart = (sizes.lastDay - sizes.days + 1) * kSecondsPerDay;
  return std::min<UnixSeconds>(historyStart + static_cast<UnixSeconds>(stableHash(id) % kSecondsPerDay), updatedAt);
}

const char* campaignStatusWord(CampaignStatus status) {
  switch (status) {
    case CampaignStatus::draft: return "Draft";
    case CampaignStatus::scheduled: return "Scheduled";
    case CampaignStatus::sending: return "Sending";
    case CampaignStatus::sent: return "Sent";
    case CampaignStatus::cancelled: return "Cancelled";
  }
  return "Unknown";
}

struct ResourceMaker {
  const UpstreamAccount& account;
  bool withProfileCount;

  klaviyo::CampaignResource operator()(const Campaign& c) const {
    return {c.id, c.name, campaignStatusWord(c.status), false,
            c.sendTime > 0 ? std::optional(c.sendTime) : std::nullopt, createdTimeOf(account, c.id, c.updatedAt), c.updatedAt};
  }
  klaviyo::FlowResource operator()(const Flow& f) const {
    return {f.id, f.name, wordOf(f.status), false, f.trigger.empty() ? std::string("Unconfigured") : f.trigger,
            createdTimeOf(account, f.id, f.updatedAt), f.updatedAt};
  }
  klaviyo::FormResource operator()(const Form& f) const {
    return {f.id, f.name, wordOf(f.status), false, createdTimeOf(account, f.id, f.updatedAt), f.updatedAt};
  }
  klaviyo::SegmentResource operator()(const Segment& s) const {
    return {s.id, s.name, s.status == SegmentStatus::active, false, false, createdTimeOf(account, s.id, s.updatedAt), s.updatedAt,
            withProfileCount ? std::optional(s.members) : std::nullopt};
  }
};

}  // namespace

std::vector<klaviyo::MetricResource> metricDefinitionsOf(const UpstreamAccount& account) {
  struct Definition {
    const char* name;
    const char* integration;
    const char* category;
  };
  static constexpr std::array<Definition, 6> kDefinitions{{{"Received Email", "Klaviyo", "Internal"},
                                                           {"Opened Email", "Klaviyo", "Internal"},
                                                           {"Clicked Email", "Klaviyo", "Internal"},
                                                           {"Placed Order", "Shopify", "eCommerce"},
                                                           {"Viewed Product", "Shopify", "eCommerce"},
                                                           {"Active on Site", "API", "API"}}};
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const DatasetSizes& sizes = account.options().sizes;
  const std::string created = klaviyo::formatDateTime((sizes.lastDay - sizes.days + 1) * kSecondsPerDay);
  SplitMix64 random(account.options().seed ^ 0x6d657472696373ull);  // "metrics"
  std::vector<klaviyo::MetricResource> metrics;
  for (const Definition& definition : kDefinitions) {
    std::string id;
    for (int i = 0; i < 6; ++i) id += kAlphabet[random.next() % kAlphabet.size()];
    metrics.push_back({id, definition.name, created, created, definition.integration, definition.category});
  }
  return metrics;
}


std::optional<Collection> collectionAt(std::string_view path) {
  for (const Collection collection : klaviyo::kAllCollections) {
    if (klaviyo::operationOf(collection).path == path) return collection;
  }
  return std::nullopt;
}

Expected<CollectionRequest, ErrorObject> parseCollectionRequest(Collection collection, const Params& params) {
  const klaviyo::CollectionOperation& operation = klaviyo::operationOf(collection);
  CollectionRequest request;
  request.collection = collection;
  request.pageSize = operation.defaultPageSize;
  const std::string fieldsName = "fields[" + std::string(operation.resourceType) + "]";
  std::string filterText, sortText;
  std::optional<std::string> cursorText;
  bool hasChannel = false;
  for (const auto& [name, value] : params) {
    if (params.count(name) > 1) return invalidParameter(name, "'" + name + "' is given more than once");
    if (name == "filter") {
      filterText = value;
      if (auto refused = applyFilter(value, operation, request, hasChannel)) return *refused;
    } else if (name == "sort") {
      sortText = value;
      if (auto refused = applySort(value, operation)) return *refused;
    } else if (name == "page[size]" && operation.maxPageSize > 0) {
      auto size = pageSizeOf(value, operation);
      if (!size) return size.error();
      request.pageSize = size.value();
    } else if (name == "page[cursor]") {
      cursorText = value;
    } else if (name == fieldsName) {
      auto names = splitCommas(value);
      request.fields.emplace(names.begin(), names.end());
    } else if (name == "additional-fields[segment]" && collection == Collection::segments) {
      if (value != "profile_count") return invalidParameter(name, "additional-fields[segment] takes profile_count");
      request.withProfileCount = true;
    } else if (name == "include") {
      return invalidParameter(name, "include is not supported by the simulated upstream");
    } else if (name.rfind("fields[", 0) == 0) {
      continue;  // fields of related resources, which are never included
    } else {
      return invalidParameter(name, "'" + name + "' is not a query parameter of GET " + std::string(operation.path));
    }
  }
  if (collection == Collection::campaigns && !hasChannel) {
    return invalidParameter("filter", "A channel filter is required: filter=equals(messages.channel,'email'), 'sms' or 'mobile_push'");
  }
  request.walk = static_cast<std::int64_t>(stableHash(filterText + "|" + sortText) & std::numeric_limits<std::int64_t>::max());
  if (cursorText) {
    const auto cursor = decodeCursor(*cursorText);
    if (collection == Collection::metrics || !cursor || cursor->entity != entityOf(collection) || cursor->walk != request.walk) {
      return invalidParameter("page[cursor]", "page[cursor] is not one this walk's links.next gave (the same filter and sort go with it)");
    }
    request.after = cursor->position;
  }
  return request;
}

std::string answerCollection(const UpstreamAccount& account, const CollectionRequest& request, const std::string& origin,
                             const Params& params) {
  const klaviyo::CollectionOperation& operation = klaviyo::operationOf(request.collection);
  klaviyo::PageLinks links{origin + std::string(operation.path) + queryOf(params), std::nullopt};
  const klaviyo::RenderOptions render{origin, request.fields};
  if (request.collection == Collection::metrics) {
    return klaviyo::renderCollection(metricDefinitionsOf(account), links, render);
  }
  // A filter that selects nothing reads from past every record: an empty page of the right type.
  const bool empty = request.none || request.updatedFrom > request.updatedTo;
  // One record past the page tells whether another page follows within the range.
  FeedPage page = account.readFeed(entityOf(request.collection), empty ? std::numeric_limits<UnixSeconds>::max() : request.updatedFrom,
                                   empty ? std::nullopt : request.after, request.pageSize + 1);
  return std::visit(
      [&](auto& rows) {
        using Record = typename std::decay_t<decltype(rows)>::value_type;
        if constexpr (std::is_same_v<Record, DailyMetrics>) {
          return std::string();  // entityOf never names the daily metrics
        } else {
        while (!rows.empty() && rows.back().updatedAt > request.updatedTo) rows.pop_back();
        if (rows.size() > static_cast<std::size_t>(request.pageSize)) {
          rows.resize(static_cast<std::size_t>(request.pageSize));
          Params next = params;
          next.erase("page[cursor]");
          next.emplace("page[cursor]", encodeCursor(FeedCursor{entityOf(request.collection), request.walk, cursorOf(rows.back())}));
          links.next = origin + std::string(operation.path) + queryOf(next);
        }
        const ResourceMaker make{account, request.withProfileCount};
        std::vector<decltype(make(std::declval<const Record&>()))> resources;
        resources.reserve(rows.size());
        for (const Record& record : rows) resources.push_back(make(record));
        return klaviyo::renderCollection(resources, links, render);
        }
      },
      page.rows);
}

}  // namespace livedata::server
