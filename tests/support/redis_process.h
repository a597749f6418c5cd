// A real redis-server for one test: started on a free loopback port with persistence off
// and a private data folder, stopped (or killed, paused, restarted on the same port) on
// demand, and cleaned up with its folder at destruction. Header-only (tests/support is an
// include folder, not a library); POSIX fork/exec, no shell; no hiredis (it speaks the one
// command it needs, PING, itself), so any test target can use it.
//
//   livedata::testing::RedisProcess redis;       // throws std::runtime_error if it cannot start
//   options.redisUrl = redis.url();              // "redis://127.0.0.1:<port>"
//   redis.stop();  ...  redis.start();           // the same port again
//
// The binary: $LIVEDATA_REDIS_SERVER_PATH if set, else the LIVEDATA_REDIS_SERVER_PATH macro
// (the build defines it), else /usr/bin/redis-server. Redis runs with `--save "" --appendonly
// no`: nothing is written unless a test asks (SAVE writes <dir>/dump.rdb, which the next
// start() loads: a restart with old data). Its log is <dir>/redis.log. The child gets
// PR_SET_PDEATHSIG, so a crashed test does not leave it running.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_process.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#ifndef LIVEDATA_REDIS_SERVER_PATH
#define LIVEDATA_REDIS_SERVER_PATH "/usr/bin/redis-server"
#endif

namespace livedata::testing {

class RedisProcess {
 public:
  // Starts redis-server on a free port (see start()).
  RedisProcess() : dir_(makeTempDir("livedata-redis")) {
    try {
      start();
    } catch (...) {
      removeTree(dir_);
      throw;
    }
  }

  ~RedisProcess() {
    kill();
    removeTree(dir_);
  }

  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  static std::string serverPath() {
    if (const char* fromEnvironment = std::getenv("LIVEDATA_REDIS_SERVER_PATH"); fromEnvironment && *fromEnvironment) {
      return fromEnvironment;
    }
    return LIVEDATA_REDIS_SERVER_PATH;
  }

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Starts the server and waits until it answers PING. The first time on a free port (found
  // by binding port 0; another port is tried if that one was taken meanwhile), later on the
  // same port as before. Throws std::runtime_error, with the end of the log, if it does not
  // come up. No-op while running.
  void start(std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    if (pid_ > 0) return;
    const bool samePort = port_ != 0;
    std::string lastFailure;
    for (int attempt = 0; attempt < (samePort ? 20 : 5); ++attempt) {
      if (!samePort) port_ = freeLoopbackPort();
      if (launch(deadline, lastFailure)) return;
      if (samePort) std::this_thread::sleep_for(std::chrono::milliseconds(100));  // port still held?
    }
    throw std::runtime_error("redis-server did not start on port " + std::to_string(port_) + ": " + lastFailure);
  }

  // SIGTERM, then waits for the exit (SIGKILL after `grace`). Keeps the port for start().
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5)) {
    if (pid_ <= 0) return;
    signalAndReap(pid_, SIGTERM, grace);
    pid_ = -1;
  }

  // SIGKILL and waits. Keeps the port for start().
  void kill() {
    if (pid_ <= 0) return;
    killAndReap(pid_);
    pid_ = -1;
  }

  // SIGSTOP / SIGCONT: a hung Redis. The kernel still accepts connections; nothing answers.
  void pause() {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
  }
  void resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
  }

  // Whether PING gets +PONG within `timeout`.
  bool ping(std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) const {
    return port_ != 0 && pingPort(port_, timeout);
  }

  std::string logTail(std::size_t maxBytes = 2000) const {
    std::ifstream in(dir_ + "/redis.log");
    std::stringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    return all.size() > maxBytes ? all.substr(all.size() - maxBytes) : all;
  }

 private:
  // Sends one inline command and returns the reply of a simple type ("+PONG\r\n") or a bulk
  // string (its payload only); empty if there was none in time.
  static std::string request(int port, const std::string& command, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    const auto left = [&] {
      return static_cast<int>(std::max<long long>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count()));
    };
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return {};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    std::string reply;
    bool complete = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 || errno == EINPROGRESS) {
      pollfd writable{fd, POLLOUT, 0};
      int error = 0;
      socklen_t size = sizeof error;
      const std::string line = command + "\r\n";
      if (::poll(&writable, 1, left()) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 &&
          error == 0 && ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
        while (!complete) {
          pollfd readable{fd, POLLIN, 0};
          if (::poll(&readable, 1, left()) != 1) break;
          char buffer[4096];
          const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
          if (n <= 0) break;
          reply.append(buffer, static_cast<std::size_t>(n));
          const auto lineEnd = reply.find("\r\n");
          if (lineEnd == std::string::npos) continue;
          if (reply[0] != '$') {
            reply.resize(lineEnd + 2);
            complete = true;
          } else {
            const long length = std::strtol(reply.c_str() + 1, nullptr, 10);
            if (length < 0) break;
            if (reply.size() >= lineEnd + 2 + static_cast<std::size_t>(length)) {
              reply = reply.substr(lineEnd + 2, static_cast<std::size_t>(length));
              complete = true;
            }
          }
        }
      }
    }
    ::close(fd);
    return complete ? reply : std::string();
  }

  static bool pingPort(int port, std::chrono::milliseconds timeout) {
    return request(port, "PING", timeout) == "+PONG\r\n";
  }

  // The process id of the Redis answering on `port` (INFO server), or -1.
  static pid_t serverPid(int port, std::chrono::milliseconds timeout) {
    const std::string info = request(port, "INFO server", timeout);
    const auto at = info.find("process_id:");
    if (at == std::string::npos) return -1;
    return static_cast<pid_t>(std::strtol(info.c_str() + at + 11, nullptr, 10));
  }

  // One fork/exec and the wait for it to answer. False (with the reason) if the server exited or
  // did not answer in time; the child is gone then.
  bool launch(std::chrono::milliseconds deadline, std::string& failure) {
    std::vector<std::string> args = {serverPath(),
                                     "--port", std::to_string(port_),
                                     "--bind", "127.0.0.1",
                                     "--save", "",
                                     "--appendonly", "no",
                                     "--dir", dir_,
                                     "--logfile", dir_ + "/redis.log",
                                     "--daemonize", "no"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
    if (child == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      const int devnull = ::open("/dev/null", O_RDWR);
      if (devnull >= 0) {
        ::dup2(devnull, STDIN_FILENO);
        ::dup2(devnull, STDOUT_FILENO);
        ::dup2(devnull, STDERR_FILENO);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pid_ = child;
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        failure = (WIFEXITED(status) ? "exited with " + std::to_string(WEXITSTATUS(status)) : std::string("died of a signal")) +
                  "; log: " + logTail(500);
        return false;
      }
      // Ours, not another test's server that took the port first.
      if (serverPid(port_, std::chrono::milliseconds(200)) == pid_) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill();
    failure = "no PONG in time; log: " + logTail(500);
    return false;
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace livedata::testing
