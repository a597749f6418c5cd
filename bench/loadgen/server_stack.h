// The servers under load, started by the load generator itself: redis-server (with
// --cache redis) and mock-server, each on a free loopback port, in a temp folder of their
// own, stopped (mock-server first) and cleaned up at destruction.
#pragma once

#include <memory>
#include <string>

#include "admin_api.h"
#include "child_process.h"
#include "livedata/errors.h"
#include "loadgen_options.h"

namespace livedata::loadgen {

class ServerStack {
 public:
  // Returns once mock-server listens and its first sync has ended (however it went), so
  // users see synced data from their first request. An error with the server's log if a
  // server does not start.
  static Expected<std::unique_ptr<ServerStack>> start(const LoadgenOptions& options,
                                                      const StopRequested& stopRequested);
  ~ServerStack();
  ServerStack(const ServerStack&) = delete;
  ServerStack& operator=(const ServerStack&) = delete;

  // "http://127.0.0.1:<port>": the client's base URL.
  std::string baseUrl() const;
  int port() const { return port_; }
  const AdminApi& admin() const { return admin_; }

 private:
  ServerStack(std::unique_ptr<TempDir> dir, std::unique_ptr<ChildProcess> redis,
              std::unique_ptr<ChildProcess> mockServer, int port, AdminApi admin);

  // Declared in start order: destroyed mock-server first (so it does not log a lost Redis),
  // then Redis, then the folder they wrote to.
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ChildProcess> redis_;
  std::unique_ptr<ChildProcess> mockServer_;
  int port_;
  AdminApi admin_;
};

}  // namespace livedata::loadgen
