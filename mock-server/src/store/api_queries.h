// The /api/* data routes of docs/api.md over the Store, independent of the HTTP library:
// resolve() validates a request's query and names the resource it asks for (the cache key);
// render() reads the store and builds the representation (body, strong ETags, gzip).
//
// The two steps are separate so a response cache can sit between them: resolve, look the
// resource key up, and render only on a miss.
//
// Threading: every member is safe to call from any number of threads (the Store is).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "livedata/expected.h"
#include "http/api_error.h"
#include "model/civil_time.h"
#include "model/entity.h"
#include "model/representation.h"
#include "store/store.h"

namespace livedata::server {

// The data routes: GET /api/<nameOf(resource)>.
enum class ApiResource { overview, campaigns, flows, forms, segments };

const char* nameOf(ApiResource resource);  // "overview", "campaigns", ...
std::optional<ApiResource> apiResourceFromName(std::string_view name);
// The entity a resource is read from ("overview" -> metrics).
Entity entityOf(ApiResource resource);

// A request's query, decoded, as httplib gives it (Request::params).
using QueryParameters = std::multimap<std::string, std::string>;

// The validated parameters of GET /api/overview, defaults filled in.
struct OverviewRange {
  DayNumber from = 0;
  DayNumber to = 0;
};

// A request that passed validation, with every default filled in.
struct ResolvedRequest {
  ApiResource resource = ApiResource::overview;
  std::variant<ListQuery, OverviewRange> parameters;  // ListQuery for the lists
  // livedata::makeResourceKey of the path and the complete query, e.g.
  // "campaigns?limit=50&offset=0&sort=-updatedAt": equal for every request that asks for
  // the same representation (parameter order, `_t` and spelled-out defaults do not matter).
  std::string resourceKey;
  // Store::dataVersion of the resource's entity, read before anything else: the rendered
  // representation is at least this new, so (resourceKey, dataVersion) is a safe cache key.
  std::uint64_t dataVersion = 0;

  // The response cache's key: resourceKey + "@" + dataVersion, e.g.
  // "campaigns?limit=50&offset=0&sort=-updatedAt@1042". A change of the entity moves the
  // version, so an entry can never be served for newer data than it was rendered from,
  // whether or not an invalidation reached the cache holding it (every instance uses the
  // same key for the same data; docs/backend.md). The endpoint's name and its query stay
  // in front, so endpoint and glob invalidations match it as they match resourceKey.
  std::string cacheKey() const { return resourceKey + "@" + std::to_string(dataVersion); }
};

// 503 store_unavailable: the store could not answer; the client should retry later.
ApiError storeUnavailable(const std::string& detail);

class ApiQueries {
 public:
  // `now` gives the current time; it is only consulted for the default overview range while
  // the store holds no metrics at all (then the range ends today). Default: the system clock.
  // REQUIRES: `store` outlives this object.
  explicit ApiQueries(const Store& store, std::function<UnixSeconds()> now = {});

  // Validates `query` for `resource` exactly as docs/api.md describes: a parameter the route
  // does not take is a 400 unknown_parameter (`_t` is always accepted and ignored), a bad
  // value or a repeated parameter a 400 invalid_parameter. The default overview range is the
  // last 30 days ending on the latest day in the store, which is read when `to` is absent
  // (a 503 if that read fails).
  Expected<ResolvedRequest, ApiError> resolve(ApiResource resource, const QueryParameters& query) const;

  // Reads the store and renders the JSON body (field order and number formatting as the
  // dataset's to_json conversions give them), its strong ETag and its gzip coding with its
  // own ETag. A store failure is a 503 store_unavailable.
  Expected<std::shared_ptr<const Representation>, ApiError> render(const ResolvedRequest& request) const;

 private:
  const Store& store_;
  std::function<UnixSeconds()> now_;
};

}  // namespace livedata::server
