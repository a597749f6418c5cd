// The PostgreSQL engine of the Store (store.h): the same tables as SQLite's, typed for
// PostgreSQL (text COLLATE "C" so strings sort by their bytes as in SQLite, bigint, double
// precision), its own migrations in postgres_store.cpp. Internal to the store module:
// callers use Store::open with a postgres:// URL.
#pragma once

#include <memory>
#include <string>

#include "livedata/expected.h"
#include "store/store.h"

namespace livedata::server {

// Connects to the database at `url` and brings its schema up to date. REQUIRES: validated
// options.
Expected<std::unique_ptr<Store>, std::string> openPostgresStore(const std::string& url, const StoreOptions& options);

}  // namespace livedata::server
