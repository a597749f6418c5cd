// The routes that drive the backend's services, independent of the HTTP library:
// /api/sync, /api/sync/status, /api/cache/invalidate, /api/cache/stats, and the admin
// routes of the in-process upstream (/admin/upstream/*, /admin/touch). Bodies are parsed
// strictly: an unknown field or a wrong type is a 400 invalid_body naming the field.
//
// Threading: safe from any number of threads (the services are).
#pragma once

#include <string>

#include "http/admin_routes.h"
#include "app/backend.h"

namespace livedata::server {

class BackendRoutes {
 public:
  // REQUIRES: `backend` outlives this object.
  explicit BackendRoutes(Backend& backend) : backend_(backend) {}

  AdminReply syncStatus();                               // GET /api/sync/status
  AdminReply requestSync(const std::string& body);       // POST /api/sync -> 202
  AdminReply cacheStats();                               // GET /api/cache/stats
  AdminReply invalidateCache(const std::string& body);   // POST /api/cache/invalidate
  AdminReply upstreamFaults();                           // GET /admin/upstream/faults
  AdminReply setUpstreamFaults(const std::string& body); // PUT /admin/upstream/faults
  AdminReply clearUpstreamFaults();                      // DELETE /admin/upstream/faults
  AdminReply upstreamChanges(const std::string& body);   // POST /admin/upstream/changes
  // POST /admin/touch: changes the upstream until the endpoint's entity changed, and syncs
  // it before answering, so the endpoint's data and ETags have changed when it returns.
  AdminReply touch(const std::string& body);

 private:
  Backend& backend_;
};

}  // namespace livedata::server
