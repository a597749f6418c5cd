// One function per dashboard endpoint, each a thin layer over Client::fetchFromAPI that
// turns typed parameters into the query the server expects (docs/api.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "livedata/client.h"
#include "livedata/errors.h"

namespace livedata {

enum class Endpoint { overview, campaigns, flows, forms, segments };

enum class ParamKind { text, integer };

struct ParamSpec {
  const char* name;  // as in the query string: "limit"
  ParamKind kind;
};

// An endpoint and the parameters it takes, in the order its query lists them. The one
// description of the API's parameters: the typed functions below, the CLI and the WASM
// module's JavaScript (which reads it from the module) all go through it.
struct EndpointSpec {
  Endpoint endpoint;
  const char* name;  // "campaigns"
  std::vector<ParamSpec> params;
};

const std::vector<EndpointSpec>& endpointSpecs();  // in the order of allEndpoints()
const EndpointSpec& specOf(Endpoint endpoint);

// An argument, by its position in EndpointSpec::params: absent, text or an integer.
using ParamValue = std::variant<std::monostate, std::string, std::int64_t>;

// The query for the arguments (at most one per parameter, in the spec's order), or a
// `config` error naming the endpoint and the bad parameter: a kind that does not match,
// a value out of range, a date range backwards.
Expected<Query> toQuery(Endpoint endpoint, const std::vector<ParamValue>& arguments);

const std::vector<Endpoint>& allEndpoints();
const char* nameOf(Endpoint endpoint);   // "campaigns"
std::string pathOf(Endpoint endpoint);   // "/api/campaigns"
std::optional<Endpoint> endpointFromName(std::string_view name);

struct RequestOptions {
  bool forceFresh = false;
};

// Dates as "YYYY-MM-DD"; both optional (the server defaults to the last 30 days).
struct OverviewParams {
  std::optional<std::string> from;
  std::optional<std::string> to;
};

struct ListParams {
  std::optional<std::string> status;
  std::optional<std::string> sort;  // a field, "-field" for descending
  // Wider than their ranges, so that toQuery, not the caller's parsing, refuses a value
  // out of range (a config error naming the range).
  std::optional<std::int64_t> limit;   // 1 to 500
  std::optional<std::int64_t> offset;  // 0 or more
};

// The query for the typed parameters, or a `config` error naming the bad one (for
// ListParams, with no endpoint: they serve four).
Expected<Query> toQuery(const OverviewParams& params);
Expected<Query> toQuery(const ListParams& params);

void getOverviewMetrics(Client& client, const OverviewParams& params, RequestOptions options,
                        FetchCallback done);
void getCampaigns(Client& client, const ListParams& params, RequestOptions options, FetchCallback done);
void getFlows(Client& client, const ListParams& params, RequestOptions options, FetchCallback done);
void getForms(Client& client, const ListParams& params, RequestOptions options, FetchCallback done);
void getSegments(Client& client, const ListParams& params, RequestOptions options, FetchCallback done);

// Bad arguments never reach the network: completes `done` at once with `error` and the
// endpoint's empty value, marked fallback. The endpoint functions use it for bad
// parameters; adapters use it for arguments they cannot even convert (a limit that is not
// a number in JavaScript).
void completeWithError(std::string endpoint, Error error, const FetchCallback& done);

// By endpoint with arguments by position (toQuery(Endpoint, arguments)), for adapters that
// read the parameters from endpointSpecs(): a bad argument completes with its error.
void fetchEndpoint(Client& client, Endpoint endpoint, const std::vector<ParamValue>& arguments,
                   RequestOptions options, FetchCallback done);

// By name, for the CLI and the bindings: an unknown name completes with a `config` error
// (and an empty `{}` fallback body), never a crash.
void fetchEndpoint(Client& client, std::string_view name, Query query, RequestOptions options,
                   FetchCallback done);

}  // namespace livedata
