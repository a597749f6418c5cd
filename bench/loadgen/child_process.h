// The servers the load generator starts (mock-server, redis-server) as child processes,
// and the temporary folder they work in.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "livedata/errors.h"

namespace livedata::loadgen {

// Polled while waiting; true ends the wait early (Ctrl-C).
using StopRequested = std::function<bool()>;

// A folder under the system's temp dir, removed with its contents at destruction.
class TempDir {
 public:
  static Expected<std::unique_ptr<TempDir>> create(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// A loopback TCP port that was free a moment ago (bound to port 0, then released); another
// process may take it before ours does, so starting on it can still fail.
Expected<int> freeLoopbackPort();

// One running program. Its stdout and stderr go to `logPath`. It runs in its own process
// group, so a Ctrl-C at the terminal reaches only the load generator, which then reports and
// stops its children in order; and it gets SIGKILL if the load generator dies first
// (PR_SET_PDEATHSIG), so no server outlives a crash.
//
// Threading: not thread-safe; REQUIRES: start() while the process has a single thread (fork).
class ChildProcess {
 public:
  static Expected<std::unique_ptr<ChildProcess>> start(std::vector<std::string> argv, std::string logPath);
  // stop()
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits for a line of the log containing `marker` and returns it; an error (with the end
  // of the log) if the program exits first, `timeout` passes, or `stopRequested`.
  Expected<std::string> waitForLine(std::string_view marker, std::chrono::milliseconds timeout,
                                    const StopRequested& stopRequested);

  // SIGTERM, then SIGKILL after `grace`; reaps the process. No-op once stopped.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // The last `maxBytes` of the log, for error messages ("(its log is empty)" if so).
  std::string logTail(std::size_t maxBytes = 1500) const;
  // "mock-server", "redis-server": the program's file name.
  const std::string& name() const { return name_; }

 private:
  ChildProcess(pid_t pid, std::string name, std::string logPath)
      : pid_(pid), name_(std::move(name)), logPath_(std::move(logPath)) {}
  // A description of how it ended ("exited with status 1"), or empty while it runs.
  std::string reapIfExited();

  pid_t pid_;
  std::string name_;
  std::string logPath_;
};

}  // namespace livedata::loadgen
