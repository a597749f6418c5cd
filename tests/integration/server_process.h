// Starts a real mock-server process on a free loopback port for one test, and stops it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace livedata::testing {

class ServerProcess {
 public:
  // Starts `mock-server --port 0 --admin-token <token> <extraArgs...>` and waits for its
  // "listening on" line. Throws std::runtime_error if it does not come up in time.
  explicit ServerProcess(std::vector<std::string> extraArgs = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& adminToken() const { return token_; }
  const std::string& logPath() const { return logPath_; }

  // Sends SIGKILL and waits: for tests of what happens when the server dies.
  void kill();

 private:
  pid_t pid_ = -1;
  int stdoutFd_ = -1;
  int port_ = 0;
  std::string token_;
  std::string logPath_;
};

// Runs a command, capturing its standard output and exit code (for CLI tests).
struct CommandResult {
  int exitCode = -1;
  std::string out;
};
CommandResult runCommand(const std::vector<std::string>& argv);

}  // namespace livedata::testing
