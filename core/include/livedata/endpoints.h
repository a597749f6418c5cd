// One function per dashboard endpoint, each a thin layer over Client::fetchFromAPI that
// turns typed parameters into the query the server expects (docs/api.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "livedata/client.h"
#include "livedata/errors.h"

namespace livedata {

enum class Endpoint { overview, campaigns, flows, forms, segments };

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
  std::optional<int> limit;         // 1 to 500
  std::optional<int> offset;        // 0 or more
};

// The query for the parameters, or a `config` error naming the bad one.
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

// By name, for the CLI and the bindings: an unknown name completes with a `config` error
// (and an empty `{}` fallback body), never a crash.
void fetchEndpoint(Client& client, std::string_view name, Query query, RequestOptions options,
                   FetchCallback done);

}  // namespace livedata
