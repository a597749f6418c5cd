// The SQLite engine of the Store (store.h): one database file in WAL mode, its schema in
// migrations.cpp. Internal to the store module: callers use Store::open.
#pragma once

#include <memory>
#include <string>

#include "livedata/expected.h"
#include "store/store.h"

namespace livedata::server {

// Opens or creates the database file at `path` (and its folder). REQUIRES: validated options.
Expected<std::unique_ptr<Store>, std::string> openSqliteStore(const std::string& path, const StoreOptions& options);

}  // namespace livedata::server
