// The upstream API's page cursor: an opaque string to clients, to the server the keyset
// position of the last record served, with the entity and the walk it belongs to, so a
// cursor cannot be replayed against another walk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/entity.h"

namespace livedata::server {

struct FeedCursor {
  Entity entity = Entity::campaigns;
  // Which walk it continues, >= 0: /v1's updated_since; a Klaviyo collection's digest of
  // its filter and sort (klaviyo_collections.h).
  std::int64_t walk = 0;
  SyncCursor position;  // the last record served: (updatedAt, id)
};

// URL-safe base64 (RFC 4648 section 5, no padding) of "v1|<entity>|<walk>|<updatedAt>|<id>".
std::string encodeCursor(const FeedCursor& cursor);
// nullopt for anything encodeCursor cannot have written.
std::optional<FeedCursor> decodeCursor(std::string_view text);

}  // namespace livedata::server
