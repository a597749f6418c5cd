// GET /v1/<entity>, independent of the HTTP library: reads the request's parameters and
// answers with a page of the account's change feed (docs/upstream.md).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "livedata/expected.h"
#include "http/api_error.h"
#include "model/entity.h"
#include "simulated_upstream/account.h"
#include "upstream_client/upstream_source.h"  // kMaxPageSize

namespace livedata::server {

inline constexpr int kDefaultPageSize = 100;

struct FeedRequest {
  Entity entity = Entity::campaigns;
  UnixSeconds updatedSince = 0;
  int pageSize = kDefaultPageSize;
  std::optional<SyncCursor> after;  // from the cursor parameter
};

// `entityName` is the path's last segment; `params` the decoded query (repeated names
// allowed by the type, refused by the API). A bad parameter or cursor is a 400; an unknown
// entity a 404.
Expected<FeedRequest, ApiError> parseFeedRequest(std::string_view entityName,
                                                      const std::multimap<std::string, std::string>& params);

// The 200 body: the page and, when records remain, the cursor that continues after it.
std::string answerFeed(const UpstreamAccount& account, const FeedRequest& request);

}  // namespace livedata::server
