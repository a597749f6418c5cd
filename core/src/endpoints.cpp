#include "livedata/endpoints.h"

#include <type_traits>

#include "livedata/fallback.h"

namespace livedata {

namespace {

constexpr int kMaxListLimit = 500;

const std::vector<ParamSpec> kListParams = {
    {"status", ParamKind::text}, {"sort", ParamKind::text}, {"limit", ParamKind::integer}, {"offset", ParamKind::integer}};

const std::vector<EndpointSpec>& specs() {
  static const std::vector<EndpointSpec> all = {
      {Endpoint::overview, "overview", {{"from", ParamKind::text}, {"to", ParamKind::text}}},
      {Endpoint::campaigns, "campaigns", kListParams},
      {Endpoint::flows, "flows", kListParams},
      {Endpoint::forms, "forms", kListParams},
      {Endpoint::segments, "segments", kListParams},
  };
  return all;
}

// YYYY-MM-DD naming a day of the (proleptic Gregorian) calendar, as the server requires:
// 2026-02-30 is refused here rather than sent.
bool isIsoDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const std::string_view text = s;
  const auto year = parseNonNegativeDecimal(text.substr(0, 4));
  const auto month = parseNonNegativeDecimal(text.substr(5, 2));
  const auto day = parseNonNegativeDecimal(text.substr(8, 2));
  if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1) return false;
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  return *day <= kDaysInMonth[*month - 1] + (*month == 2 && leap ? 1 : 0);
}

// What is wrong with a present argument of parameter `name`, or nothing. One rule per
// parameter name: the list parameters mean the same on every list endpoint.
std::optional<std::string> problemWith(std::string_view name, const ParamValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    if (name == "from" || name == "to") {
      if (!isIsoDate(*text)) return std::string(name) + " must be YYYY-MM-DD";
    } else if (name == "status") {
      if (text->empty()) return std::string("status must not be empty");
    } else if (name == "sort") {
      if (text->empty() || *text == "-") return std::string("sort must name a field");
    }
    return std::nullopt;
  }
  const std::int64_t number = std::get<std::int64_t>(value);
  if (name == "limit" && (number < 1 || number > kMaxListLimit)) {
    return "limit must be from 1 to " + std::to_string(kMaxListLimit);
  }
  if (name == "offset" && number < 0) return std::string("offset must not be negative");
  return std::nullopt;
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

template <typename T>
ParamValue argument(const std::optional<T>& value) {
  if (!value) return std::monostate{};
  if constexpr (std::is_same_v<T, std::string>) {
    return *value;
  } else {
    return static_cast<std::int64_t>(*value);
  }
}

// The typed parameters' query, with no endpoint named in an error when `anonymous`.
Expected<Query> typedQuery(Endpoint endpoint, const std::vector<ParamValue>& arguments, bool anonymous) {
  Expected<Query> query = toQuery(endpoint, arguments);
  if (!query && anonymous) {
    Error error = query.error();
    error.endpoint.clear();
    return error;
  }
  return query;
}

}  // namespace

const std::vector<EndpointSpec>& endpointSpecs() { return specs(); }

const EndpointSpec& specOf(Endpoint endpoint) {
  for (const auto& spec : specs()) {
    if (spec.endpoint == endpoint) return spec;
  }
  return specs().front();  // unreachable: every Endpoint has a spec
}

Expected<Query> toQuery(Endpoint endpoint, const std::vector<ParamValue>& arguments) {
  const EndpointSpec& spec = specOf(endpoint);
  if (arguments.size() > spec.params.size()) {
    return paramError(spec.name, "too many arguments (" + std::to_string(spec.params.size()) + " parameters)");
  }
  Query query;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const ParamValue& value = arguments[i];
    if (std::holds_alternative<std::monostate>(value)) continue;
    const ParamSpec& param = spec.params[i];
    const bool isText = std::holds_alternative<std::string>(value);
    if (isText != (param.kind == ParamKind::text)) {
      return paramError(spec.name, std::string(param.name) + (isText ? " must be an integer" : " must be a string"));
    }
    if (auto problem = problemWith(param.name, value)) return paramError(spec.name, *problem);
    query.emplace_back(param.name, isText ? std::get<std::string>(value) : std::to_string(std::get<std::int64_t>(value)));
  }
  // The one rule across parameters: a date range runs forwards.
  if (endpoint == Endpoint::overview && arguments.size() == 2 && std::holds_alternative<std::string>(arguments[0]) &&
      std::holds_alternative<std::string>(arguments[1]) &&
      std::get<std::string>(arguments[0]) > std::get<std::string>(arguments[1])) {
    return paramError(spec.name, "from must not be after to");
  }
  return query;
}

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
    for (const auto& spec : specs()) v.push_back(spec.endpoint);
    return v;
  }();
  return all;
}

const char* nameOf(Endpoint endpoint) { return specOf(endpoint).name; }

std::string pathOf(Endpoint endpoint) { return std::string("/api/") + nameOf(endpoint); }

std::optional<Endpoint> endpointFromName(std::string_view name) {
  for (const auto& spec : specs()) {
    if (name == spec.name) return spec.endpoint;
  }
  return std::nullopt;
}

Expected<Query> toQuery(const OverviewParams& params) {
  return typedQuery(Endpoint::overview, {argument(params.from), argument(params.to)}, false);
}

Expected<Query> toQuery(const ListParams& params) {
  return typedQuery(Endpoint::campaigns,
                    {argument(params.status), argument(params.sort), argument(params.limit), argument(params.offset)},
                    true);
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

void fetchEndpoint(Client& client, Endpoint endpoint, const std::vector<ParamValue>& arguments,
                   RequestOptions options, FetchCallback done) {
  fetchTyped(client, endpoint, toQuery(endpoint, arguments), options, std::move(done));
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
