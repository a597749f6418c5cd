// One committed change to the store, as the live feed announces it (docs/api.md, "Live
// changes"): what changed, never the data itself; clients refetch with their ETags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/entity.h"

namespace livedata::server {

// A change names at most this many keys; a commit that changed more names none, which
// means "anything of the entity may have changed" (a client refetches all of it anyway).
inline constexpr std::size_t kMaxKeysPerChange = 100;

struct Change {
  // The store's change version: strictly increasing by one per change, durable, never
  // reused (docs/api.md). 0 is "before any change".
  std::int64_t version = 0;
  std::int64_t committedAtMs = 0;  // Unix ms of the commit
  Entity entity = Entity::campaigns;
  // The ids of the changed rows (metrics: days as YYYY-MM-DD), in commit order; empty: the
  // whole entity.
  std::vector<std::string> keys;
};

}  // namespace livedata::server
