// The monitoring service (monitoring/) wired to this server's backend: what it observes of
// the backend (cache statistics, sync status, a database probe, a Redis PING), a thread that
// evaluates the service targets every few seconds so alerts open and close without anyone
// asking, and the answers of the monitoring routes (docs/api.md, "Monitoring").
//
// Threading: every member is safe from any thread; stop() once or more, from any thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/admin_routes.h"
#include "app/backend.h"
#include "app/log.h"
#include "monitoring/monitoring_service.h"
#include "app/options.h"

namespace livedata::server {

// The monitoring settings of the server's options; the disk watched is the database's folder.
monitoring::MonitoringOptions monitoringOptionsFrom(const ServerOptions& options);

class ServerMonitoring {
 public:
  // REQUIRES: `backend` and `log` outlive this object. Starts the target evaluation thread
  // when options.alertCheckSeconds > 0.
  ServerMonitoring(const ServerOptions& options, Backend& backend, const Log& log);
  ~ServerMonitoring();  // stop()
  ServerMonitoring(const ServerMonitoring&) = delete;
  ServerMonitoring& operator=(const ServerMonitoring&) = delete;

  // The request middleware records into it.
  monitoring::MonitoringService& service() { return service_; }

  AdminReply health();        // GET /monitoring/health: 200, or 503 when a check fails
  AdminReply metrics();       // GET /monitoring/metrics: system and cache
  AdminReply apiMetrics();    // GET /monitoring/api-metrics
  AdminReply errors();        // GET /monitoring/errors
  AdminReply status();        // GET /monitoring/status: evaluates the targets first
  AdminReply prometheus();    // GET /metrics
  AdminReply live();          // GET /livez: the process answers
  AdminReply ready();         // GET /readyz: 503 while the store's ping fails (Store::ping)

  // Ends the evaluation thread. Idempotent.
  void stop();

 private:
  // `probeRedis`: PING the configured Redis (health) rather than trust the backend in use.
  monitoring::CacheSnapshot cacheSnapshot(bool probeRedis);
  monitoring::SyncSnapshot syncSnapshot();
  monitoring::DatabaseProbe probeDatabase();
  monitoring::HealthReport checkHealth(const monitoring::CacheSnapshot& cache, const monitoring::SyncSnapshot& sync);
  void evaluateTargetsUntilStopped(int intervalSeconds);

  Backend& backend_;
  monitoring::MonitoringService service_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::mutex joinMutex_;
  std::thread evaluator_;
};

}  // namespace livedata::server
