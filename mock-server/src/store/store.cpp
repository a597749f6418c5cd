#include "store/store.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace livedata::server {

bool isPostgresUrl(const std::string& location) {
  return location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0;
}

Expected<std::unique_ptr<Store>, std::string> Store::open(const std::string& location, const StoreOptions& options) {
  if (options.readConnections < 1) return std::string("store: readConnections must be at least 1");
  if (options.changeLogCapacity < 1) return std::string("store: changeLogCapacity must be at least 1");
  if (options.writeLeaseMs < 500) return std::string("store: writeLeaseMs must be at least 500");
  if (options.damageHoldMs < 1) return std::string("store: damageHoldMs must be at least 1");
  return isPostgresUrl(location) ? openPostgresStore(location, options) : openSqliteStore(location, options);
}

}  // namespace livedata::server
