// The /api/* routes of docs/api.md, independent of the HTTP library: query validation,
// JSON rendering, and a cache of rendered representations.
//
// Threading: every public member is safe to call from any number of threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"
#include "dataset.h"
#include "representation.h"

namespace livedata::mock {

enum class Endpoint { overview, campaigns, flows, forms, segments };

const char* nameOf(Endpoint endpoint);  // "campaigns"
std::optional<Endpoint> endpointFromName(std::string_view name);

// A request's query, decoded, as httplib gives it (Request::params).
using QueryParams = std::multimap<std::string, std::string>;

// The query parameter every route accepts and ignores (cache busting).
inline constexpr const char* kCacheBustingParameter = "_t";

// The first parameter of `query` not in `accepted` (`_t` is always accepted), as a 400
// unknown_parameter; nullopt when there is none.
std::optional<ApiError> findUnknownParameter(const QueryParams& query, const std::vector<std::string>& accepted);

// What a GET of an /api route yields: a representation, or the 400 naming the bad parameter.
using ApiResult = std::variant<std::shared_ptr<const Representation>, ApiError>;

class ApiRoutes {
 public:
  explicit ApiRoutes(Dataset dataset);

  ApiRoutes(const ApiRoutes&) = delete;
  ApiRoutes& operator=(const ApiRoutes&) = delete;

  // Validates `query` for `endpoint` and returns its representation, rendered at most once
  // per (endpoint, normalized query, data version). `_t` never changes the result.
  ApiResult get(Endpoint endpoint, const QueryParams& query);

  // POST /admin/touch: a new version of the endpoint's first item (see touchFirstItem);
  // every cached representation is dropped so ETags change. nullopt for an unknown name.
  std::optional<nlohmann::ordered_json> touch(std::string_view endpointName);

 private:
  // Upper bound on cached representations; on overflow the cache starts over. Distinct
  // queries are few in practice, this only bounds a client that varies offset endlessly.
  static constexpr std::size_t kMaxCachedRepresentations = 4096;

  std::mutex mutex_;
  std::shared_ptr<const Dataset> data_;  // GUARDED_BY(mutex_); replaced, never mutated
  std::uint64_t dataVersion_ = 0;        // GUARDED_BY(mutex_)
  std::unordered_map<std::string, std::shared_ptr<const Representation>> cache_;  // GUARDED_BY(mutex_)
};

}  // namespace livedata::mock
