#include "livedata/endpoints.h"

#include <array>
#include <cctype>

#include "livedata/fallback.h"

namespace livedata {

namespace {

struct EndpointInfo {
  Endpoint endpoint;
  const char* name;
};

constexpr std::array<EndpointInfo, 5> kEndpoints = {{
    {Endpoint::overview, "overview"},
    {Endpoint::campaigns, "campaigns"},
    {Endpoint::flows, "flows"},
    {Endpoint::forms, "forms"},
    {Endpoint::segments, "segments"},
}};

constexpr int kMaxListLimit = 500;

// YYYY-MM-DD with a plausible month and day; the server checks the calendar.
bool isIsoDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const std::string_view text = s;
  const auto year = parseNonNegativeDecimal(text.substr(0, 4));
  const auto month = parseNonNegativeDecimal(text.substr(5, 2));
  const auto day = parseNonNegativeDecimal(text.substr(8, 2));
  return year && month && day && *month >= 1 && *month <= 12 && *day >= 1 && *day <= 31;
}

Error paramError(const std::string& endpoint, const std::string& what) {
  return makeError(ErrorKind::config, endpoint, "invalid parameter: " + what);
}


void fetchTyped(Client& client, Endpoint endpoint, const Expected<Query>& query, RequestOptions options,
                FetchCallback done) {
  if (!query) {
    Error error = query.error();
    error.endpoint = nameOf(endpoint);
    completeWithError(nameOf(endpoint), std::move(error), done);
    return;
  }
  FetchOptions fetchOptions;
  fetchOptions.query = query.value();
  fetchOptions.forceFresh = options.forceFresh;
  client.fetchFromAPI(pathOf(endpoint), std::move(fetchOptions), std::move(done));
}

}  // namespace

void completeWithError(std::string endpoint, Error error, const FetchCallback& done) {
  FetchResult result;
  result.body = std::make_shared<const std::string>(emptyBodyFor(endpoint));
  result.endpoint = std::move(endpoint);
  result.fallback = true;
  result.error = std::move(error);
  done(std::move(result));
}

const std::vector<Endpoint>& allEndpoints() {
  static const std::vector<Endpoint> all = [] {
    std::vector<Endpoint> v;
    for (const auto& info : kEndpoints) v.push_back(info.endpoint);
    return v;
  }();
  return all;
}

const char* nameOf(Endpoint endpoint) {
  for (const auto& info : kEndpoints) {
    if (info.endpoint == endpoint) return info.name;
  }
  return "";
}

std::string pathOf(Endpoint endpoint) { return std::string("/api/") + nameOf(endpoint); }

std::optional<Endpoint> endpointFromName(std::string_view name) {
  for (const auto& info : kEndpoints) {
    if (name == info.name) return info.endpoint;
  }
  return std::nullopt;
}

Expected<Query> toQuery(const OverviewParams& params) {
  Query query;
  if (params.from) {
    if (!isIsoDate(*params.from)) return paramError("overview", "from must be YYYY-MM-DD");
    query.emplace_back("from", *params.from);
  }
  if (params.to) {
    if (!isIsoDate(*params.to)) return paramError("overview", "to must be YYYY-MM-DD");
    query.emplace_back("to", *params.to);
  }
  if (params.from && params.to && *params.from > *params.to) {
    return paramError("overview", "from must not be after to");
  }
  return query;
}

Expected<Query> toQuery(const ListParams& params) {
  Query query;
  if (params.status) {
    if (params.status->empty()) return paramError("", "status must not be empty");
    query.emplace_back("status", *params.status);
  }
  if (params.sort) {
    if (params.sort->empty() || *params.sort == "-") return paramError("", "sort must name a field");
    query.emplace_back("sort", *params.sort);
  }
  if (params.limit) {
    if (*params.limit < 1 || *params.limit > kMaxListLimit) {
      return paramError("", "limit must be from 1 to " + std::to_string(kMaxListLimit));
    }
    query.emplace_back("limit", std::to_string(*params.limit));
  }
  if (params.offset) {
    if (*params.offset < 0) return paramError("", "offset must not be negative");
    query.emplace_back("offset", std::to_string(*params.offset));
  }
  return query;
}

void getOverviewMetrics(Client& client, const OverviewParams& params, RequestOptions options, FetchCallback done) {
  fetchTyped(client, Endpoint::overview, toQuery(params), options, std::move(done));
}
void getCampaigns(Client& client, const ListParams& params, RequestOptions options, FetchCallback done) {
  fetchTyped(client, Endpoint::campaigns, toQuery(params), options, std::move(done));
}
void getFlows(Client& client, const ListParams& params, RequestOptions options, FetchCallback done) {
  fetchTyped(client, Endpoint::flows, toQuery(params), options, std::move(done));
}
void getForms(Client& client, const ListParams& params, RequestOptions options, FetchCallback done) {
  fetchTyped(client, Endpoint::forms, toQuery(params), options, std::move(done));
}
void getSegments(Client& client, const ListParams& params, RequestOptions options, FetchCallback done) {
  fetchTyped(client, Endpoint::segments, toQuery(params), options, std::move(done));
}

void fetchEndpoint(Client& client, std::string_view name, Query query, RequestOptions options,
                   FetchCallback done) {
  const auto endpoint = endpointFromName(name);
  if (!endpoint) {
    const std::string unknown(name);
    completeWithError(unknown, makeError(ErrorKind::config, unknown, "unknown endpoint \"" + unknown + "\""), done);
    return;
  }
  fetchTyped(client, *endpoint, Expected<Query>(std::move(query)), options, std::move(done));
}

}  // namespace livedata
