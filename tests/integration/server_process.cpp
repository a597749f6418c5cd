#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

namespace livedata::testing {

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(15);
// "livedata mock-server listening on http://127.0.0.1:PORT" (or "livedata upstream ...").
const std::string kListeningMarker = " listening on http://127.0.0.1:";

std::string randomToken() {
  std::random_device device;
  std::string token;
  for (int i = 0; i < 32; ++i) token += "0123456789abcdef"[device() % 16];
  return token;
}

std::vector<char*> toArgv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

// Reads one line from `fd`, waiting at most until `deadline`.
std::string readLine(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string line;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
    char c;
    const ssize_t n = read(fd, &c, 1);
    if (n <= 0) break;
    if (c == '\n') return line;
    line += c;
  }
  return line;
}

}  // namespace

TempDir::TempDir() {
  char pattern[] = "/tmp/livedata-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ServerProcess::ServerProcess(std::vector<std::string> extraArgs, std::shared_ptr<TempDir> dataDir, bool waitForSync)
    : token_(randomToken()), dataDir_(dataDir ? std::move(dataDir) : std::make_shared<TempDir>()) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  logPath_ = "/tmp/livedata-mock-server-" + std::to_string(getpid()) + "-" + token_.substr(0, 8) + ".log";
  // A still account and no schedule, so data change only when a test says so; later
  // arguments (extraArgs) win.
  std::vector<std::string> args = {LIVEDATA_MOCK_SERVER_PATH, "--port", "0", "--admin-token", token_,
                                   "--db", database(), "--changes-per-minute", "0", "--sync-interval", "0",
                                   "--log-level", "debug"};
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    const int log = open(logPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    auto argv = toArgv(args);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  const std::string line = readLine(out[0], std::chrono::steady_clock::now() + kStartTimeout);
  stdoutFd_ = out[0];  // kept open while the server runs, so a late write cannot SIGPIPE it
  const auto marker = line.find(kListeningMarker);
  if (marker == std::string::npos) {
    kill();
    throw std::runtime_error("mock-server did not start (log: " + logPath_ + "), first line: " + line);
  }
  port_ = std::stoi(line.substr(marker + kListeningMarker.size()));
  const bool upstreamOnly = std::find(extraArgs.begin(), extraArgs.end(), "--upstream-only") != extraArgs.end();
  if (waitForSync && !upstreamOnly) waitForFirstSync();
}

// The server answers at once, from whatever its store holds; tests expect the upstream's
// data, so they start once the first sync has finished (however it went).
void ServerProcess::waitForFirstSync() {
  httplib::Client client("127.0.0.1", port_);
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout * 4;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto result = client.Get("/api/sync/status", {{"Authorization", bearer()}});
    if (result && result->status == 200) {
      const auto status = nlohmann::json::parse(result->body, nullptr, false);
      if (!status.is_discarded() && status["leader"] == false) return;
      if (!status.is_discarded() && status["state"] != "running" &&
          status["counters"]["successes"].get<int>() + status["counters"]["failures"].get<int>() >= 1) {
        return;
      }
    }
    usleep(10'000);
  }
  throw std::runtime_error("mock-server's first sync did not finish (log: " + logPath_ + ")");
}

ServerProcess::~ServerProcess() {
  if (stdoutFd_ >= 0) close(stdoutFd_);
  if (pid_ > 0 && terminate() == 0) unlink(logPath_.c_str());  // keep the log of a bad exit
}

void ServerProcess::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void ServerProcess::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

int ServerProcess::terminate(int timeoutMs) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);  // a paused server must wake to hear it
  int status = 0;
  for (int waited = 0; waited < timeoutMs; waited += 20) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    usleep(20'000);
  }
  kill();
  return -1;
}

void ServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

CommandResult runCommand(const std::vector<std::string>& argvIn) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  // stderr goes to a file, read once the command ended: two pipes read one after the other
  // could block the command on the one not being read.
  char errPath[] = "/tmp/livedata-command-stderr-XXXXXX";
  const int errFile = mkstemp(errPath);
  if (errFile < 0) throw std::runtime_error("mkstemp failed");
  std::vector<std::string> args = argvIn;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(errFile, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    auto argv = toArgv(args);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  CommandResult result;
  char buffer[4096];
  ssize_t n;
  // A command that does not end (a regression into a loop) is killed after a minute, so
  // the test fails instead of hanging.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    pollfd readable{out[0], POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
    if ((n = read(out[0], buffer, sizeof buffer)) <= 0) break;
    result.out.append(buffer, static_cast<std::size_t>(n));
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  lseek(errFile, 0, SEEK_SET);
  while ((n = read(errFile, buffer, sizeof buffer)) > 0) result.err.append(buffer, static_cast<std::size_t>(n));
  close(errFile);
  unlink(errPath);
  return result;
}

}  // namespace livedata::testing
