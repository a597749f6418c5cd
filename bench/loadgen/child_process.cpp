#include "child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "failure.h"

namespace livedata::loadgen {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(10);

std::string systemError(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// ---- TempDir ------------------------------------------------------------------------------

Expected<std::unique_ptr<TempDir>> TempDir::create(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) return failure(systemError("cannot create a temp folder " + pattern));
  return std::unique_ptr<TempDir>(new TempDir(std::move(pattern)));
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

// ---- freeLoopbackPort -----------------------------------------------------------------------

Expected<int> freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return failure(systemError("socket"));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const std::string why = bound ? "" : systemError("cannot find a free port");
  ::close(fd);
  if (!bound) return failure(why);
  return static_cast<int>(ntohs(address.sin_port));
}

// ---- ChildProcess -----------------------------------------------------------------------

Expected<std::unique_ptr<ChildProcess>> ChildProcess::start(std::vector<std::string> argv, std::string logPath) {
  const std::string name = std::filesystem::path(argv.at(0)).filename().string();
  const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) return failure(systemError("cannot create " + logPath));
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    return failure(systemError("fork"));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the parent died before prctl
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(args[0], args.data());
    const char message[] = "exec failed\n";
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(127);
  }
  ::close(log);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, name, std::move(logPath)));
}

ChildProcess::~ChildProcess() { stop(); }

std::string ChildProcess::reapIfExited() {
  if (pid_ <= 0) return "has stopped";
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return "";
  pid_ = -1;
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "died of signal " + std::to_string(WTERMSIG(status));
}

Expected<std::string> ChildProcess::waitForLine(std::string_view marker, std::chrono::milliseconds timeout,
                                                const StopRequested& stopRequested) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    // Logs here are a few lines: rereading the whole file is simpler than tracking offsets.
    const std::string text = readFile(logPath_);
    if (const auto at = text.find(marker); at != std::string::npos) {
      const auto begin = text.rfind('\n', at);
      const auto end = text.find('\n', at);
      const auto from = begin == std::string::npos ? 0 : begin + 1;
      return text.substr(from, end == std::string::npos ? std::string::npos : end - from);
    }
    if (const std::string ended = reapIfExited(); !ended.empty()) {
      return failure(name_ + " " + ended + " before it was ready:\n" + logTail());
    }
    if (stopRequested && stopRequested()) return failure("interrupted while waiting for " + name_);
    if (std::chrono::steady_clock::now() >= deadline) {
      return failure(name_ + " was not ready within " + std::to_string(timeout.count() / 1000) +
                     " s:\n" + logTail());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!reapIfExited().empty()) return;
    std::this_thread::sleep_for(kPollInterval);
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::string ChildProcess::logTail(std::size_t maxBytes) const {
  const std::string text = readFile(logPath_);
  if (text.empty()) return "(its log is empty)";
  return text.size() > maxBytes ? "..." + text.substr(text.size() - maxBytes) : text;
}

}  // namespace livedata::loadgen
