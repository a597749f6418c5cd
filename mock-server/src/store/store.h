// The server's copy of the upstream account in SQLite (WAL mode): the rows the sync
// commits and the API reads, and each entity's sync cursor.
//
// Invariant: an entity's cursor and the rows it covers are committed in one transaction,
// so after a crash at any point the store holds exactly the rows up to its cursor (and
// possibly more, which the next sync's upserts make harmless).
//
// Threading: every public member is safe to call from any number of threads; writes are
// serialised, reads run concurrently with them (WAL).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "entity.h"

namespace livedata::mock {

class Store {
 public:
  // Opens or creates the database at `path` (creating its folder), switches to WAL and
  // applies pending migrations. ":memory:" is not supported (readers need their own
  // connections to the same database). On failure, a message naming the path and cause.
  static std::variant<std::unique_ptr<Store>, std::string> open(const std::string& path);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // In ONE transaction: upserts `rows` (by id; entity given by the variant's alternative)
  // and, when `cursor` is set, saves it as `entity`'s cursor. Returns how many rows were
  // inserted or actually changed (an identical upsert counts 0), or an error message, in
  // which case nothing was written.
  std::variant<std::size_t, std::string> commitPage(Entity entity, const EntityRows& rows,
                                                    const std::optional<SyncCursor>& cursor);

  // The saved cursor of `entity`; nullopt before its first committed page.
  std::optional<SyncCursor> cursor(Entity entity) const;

  // Forgets `entity`'s cursor, so the next sync starts from the beginning (a full sync).
  // Rows stay; the full sync's upserts overwrite them.
  std::optional<std::string> resetCursor(Entity entity);

  // The read side used by the API (filtered, sorted, paged lists; overview aggregates;
  // row counts for health and tests) is declared below by the store's owner.

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace livedata::mock
