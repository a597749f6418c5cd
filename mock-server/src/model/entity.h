// The record types the upstream serves, the sync copies and the store keeps, and what the
// sync records about its progress. Shared vocabulary of upstream/, sync/ and store/.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/civil_time.h"
#include "model/dataset.h"

namespace livedata::server {

// One synchronised collection. `metrics` is the per-day metrics behind /api/overview;
// the others back the list endpoint of the same name.
enum class Entity { campaigns, flows, forms, segments, metrics };

inline constexpr std::array<Entity, 5> kAllEntities{Entity::campaigns, Entity::flows, Entity::forms,
                                                    Entity::segments, Entity::metrics};

const char* nameOf(Entity entity);                              // "campaigns", ..., "metrics"
std::optional<Entity> entityFromName(std::string_view name);    // inverse of nameOf
// The /api endpoint whose responses are derived from `entity` ("metrics" -> "overview").
const char* endpointNameOf(Entity entity);

// A batch of records of one entity, in the upstream's order.
using EntityRows = std::variant<std::vector<Campaign>, std::vector<Flow>, std::vector<Form>,
                                std::vector<Segment>, std::vector<DailyMetrics>>;

std::size_t rowCount(const EntityRows& rows);

// A record's identity as text: its id; a day of metrics: its ISO date ("2026-10-31").
inline std::string keyOf(const DailyMetrics& metrics) { return formatIsoDate(metrics.day); }
template <typename Record>
const std::string& keyOf(const Record& record) {
  return record.id;
}

// A position in an entity's change feed: the last (updatedAt, id) the store has committed.
// Upstream pages are ordered by (updatedAt, id), so everything after it is still to come.
// A metrics record's id is its ISO date.
struct SyncCursor {
  UnixSeconds updatedAt = 0;
  std::string id;

  friend bool operator==(const SyncCursor& a, const SyncCursor& b) {
    return a.updatedAt == b.updatedAt && a.id == b.id;
  }
};

template <typename Record>
SyncCursor cursorOf(const Record& record) {
  return {record.updatedAt, keyOf(record)};
}

}  // namespace livedata::server
