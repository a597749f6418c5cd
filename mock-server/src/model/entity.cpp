#include "model/entity.h"

namespace livedata::server {

const char* nameOf(Entity entity) {
  switch (entity) {
    case Entity::campaigns: return "campaigns";
    case Entity::flows: return "flows";
    case Entity::forms: return "forms";
    case Entity::segments: return "segments";
    case Entity::metrics: return "metrics";
  }
  return "metrics";
}

std::optional<Entity> entityFromName(std::string_view name) {
  for (const Entity entity : kAllEntities) {
    if (name == nameOf(entity)) return entity;
  }
  return std::nullopt;
}

const char* endpointNameOf(Entity entity) { return entity == Entity::metrics ? "overview" : nameOf(entity); }

std::size_t rowCount(const EntityRows& rows) {
  return std::visit([](const auto& list) { return list.size(); }, rows);
}

}  // namespace livedata::server
