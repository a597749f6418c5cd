// Starts a real mock-server process on a free loopback port for one test, and stops it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace livedata::testing {

// A temporary folder, removed with everything in it when the last owner lets go.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ServerProcess {
 public:
  // Starts `mock-server --port 0 --admin-token <token> --db <dir>/livedata.db <extraArgs...>`
  // and waits for its "listening on" line and then its first sync (not with --upstream-only). `dataDir` holds the database: pass the same one to
  // a later ServerProcess to restart on the same store; by default each server gets its own.
  // Throws std::runtime_error if it does not come up in time.
  explicit ServerProcess(std::vector<std::string> extraArgs = {}, std::shared_ptr<TempDir> dataDir = nullptr,
                         bool waitForSync = true);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& adminToken() const { return token_; }
  std::string bearer() const { return "Bearer " + token_; }
  const std::string& logPath() const { return logPath_; }
  const std::shared_ptr<TempDir>& dataDir() const { return dataDir_; }
  std::string database() const { return dataDir_->path() + "/livedata.db"; }

  // Blocks until the server's first sync has finished, or it says it is a follower, which
  // does not sync (the constructor calls it).
  void waitForFirstSync();

  // Sends SIGKILL and waits: for tests of what happens when the server dies.
  void kill();
  // SIGSTOP / SIGCONT: a process that stops answering and doing anything, then goes on as if
  // nothing happened (a long GC pause, a frozen VM).
  void pause();
  void resume();
  // Sends SIGTERM and waits up to `timeoutMs`; returns the exit code, or -1 if it had to be
  // killed or died of a signal.
  int terminate(int timeoutMs = 10000);

 private:
  pid_t pid_ = -1;
  int stdoutFd_ = -1;
  int port_ = 0;
  std::string token_;
  std::string logPath_;
  std::shared_ptr<TempDir> dataDir_;
};

// Runs a command, capturing its standard output and exit code (for CLI tests).
struct CommandResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};
CommandResult runCommand(const std::vector<std::string>& argv);

}  // namespace livedata::testing
