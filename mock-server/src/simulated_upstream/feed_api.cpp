#include "livedata/expected.h"
#include "simulated_upstream/feed_api.h"

#include "livedata/types.h"  // parseNonNegativeDecimal
#include "simulated_upstream/feed_cursor.h"
#include "upstream_client/page_json.h"

namespace livedata::server {
namespace {

constexpr const char* kAccepted = "updated_since, page_size, cursor";

std::string entityList() {
  std::string list;
  for (const Entity entity : kAllEntities) list += std::string(list.empty() ? "" : ", ") + nameOf(entity);
  return list;
}

SyncCursor positionOf(const DailyMetrics& metrics) { return {metrics.updatedAt, formatIsoDate(metrics.day)}; }
template <typename Record>
SyncCursor positionOf(const Record& record) {
  return {record.updatedAt, record.id};
}

}  // namespace

Expected<FeedRequest, ApiError> parseFeedRequest(std::string_view entityName,
                                                      const std::multimap<std::string, std::string>& params) {
  const auto entity = entityFromName(entityName);
  if (!entity) {
    return ApiError{404, "not_found", "no entity '" + std::string(entityName) + "' (entities: " + entityList() + ")"};
  }
  FeedRequest request;
  request.entity = *entity;
  std::optional<std::string> cursorText;
  for (const auto& [name, value] : params) {
    if (params.count(name) > 1) return invalidParameter(name + " is given more than once");
    if (name == "updated_since") {
      const auto since = parseNonNegativeDecimal(value);
      if (!since) return invalidParameter("updated_since must be a whole number of seconds since 1970-01-01, 0 or more");
      request.updatedSince = *since;
    } else if (name == "page_size") {
      const auto size = parseNonNegativeDecimal(value);
      if (!size || *size < 1 || *size > kMaxPageSize) {
        return invalidParameter("page_size must be an integer from 1 to " + std::to_string(kMaxPageSize));
      }
      request.pageSize = static_cast<int>(*size);
    } else if (name == "cursor") {
      cursorText = value;
    } else {
      return unknownParameter(name, kAccepted);
    }
  }
  if (cursorText) {
    const auto cursor = decodeCursor(*cursorText);
    if (!cursor || cursor->entity != request.entity) {
      return invalidParameter(std::string("cursor is not a next_cursor of ") + nameOf(request.entity));
    }
    if (cursor->walk != request.updatedSince) {
      return invalidParameter("cursor continues a walk with updated_since=" + std::to_string(cursor->walk) +
                              ": pass that updated_since with it");
    }
    request.after = cursor->position;
  }
  return request;
}

std::string answerFeed(const UpstreamAccount& account, const FeedRequest& request) {
  FeedPage page = account.readFeed(request.entity, request.updatedSince, request.after, request.pageSize);
  std::optional<std::string> next;
  if (page.hasMore) {
    const SyncCursor last = std::visit([](const auto& rows) { return positionOf(rows.back()); }, page.rows);
    next = encodeCursor(FeedCursor{request.entity, request.updatedSince, last});
  }
  return renderPage(page.rows, next);
}

}  // namespace livedata::server
