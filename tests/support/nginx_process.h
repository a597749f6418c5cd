// Debian's nginx for one test, configured from the shipped template
// (config/nginx-cluster.conf.in, the one scripts/demo.sh --cluster uses), in front of the
// given instances: started on a free loopback port, everything under a private temporary
// folder, stopped (SIGQUIT, then SIGKILL) and removed at destruction. Header-only, POSIX
// fork/exec, no shell. The child gets PR_SET_PDEATHSIG, so a crashed test leaves no nginx.
//
//   livedata::testing::NginxProcess nginx({8081, 8082, 8083});  // throws if it cannot start
//   httplib::Client client("127.0.0.1", nginx.port());
//
// The binary: $LIVEDATA_NGINX if set, else /usr/sbin/nginx. The template's path comes from
// LIVEDATA_SOURCE_DIR (the build defines it).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "child_process.h"

namespace livedata::testing {

class NginxProcess {
 public:
  explicit NginxProcess(const std::vector<int>& instancePorts) : dir_(makeTempDir("livedata-nginx")) {
    try {
      // As root, nginx's workers run as an unprivileged user: they must reach the folder.
      std::filesystem::permissions(dir_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                             std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                             std::filesystem::perms::others_exec);
      writeConfig(instancePorts);
      start();
    } catch (...) {
      stop();
      removeTree(dir_);
      throw;
    }
  }
  ~NginxProcess() {
    stop();
    removeTree(dir_);
  }
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  static std::string binary() {
    const char* fromEnvironment = std::getenv("LIVEDATA_NGINX");
    return fromEnvironment && *fromEnvironment ? fromEnvironment : "/usr/sbin/nginx";
  }
  static bool installed() { return ::access(binary().c_str(), X_OK) == 0; }

  int port() const { return port_; }

  std::string errorLog() const {
    std::ifstream in(dir_ + "/error.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  void writeConfig(const std::vector<int>& instancePorts) {
    std::ifstream in(std::string(LIVEDATA_SOURCE_DIR) + "/config/nginx-cluster.conf.in");
    if (!in) throw std::runtime_error("cannot read config/nginx-cluster.conf.in");
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    std::string servers;
    for (const int instance : instancePorts) {
      servers += "    server 127.0.0.1:" + std::to_string(instance) + " max_fails=1 fail_timeout=2s;\n";
    }
    port_ = freeLoopbackPort();
    replaceAll(config, "@UPSTREAM_SERVERS@\n", servers);
    replaceAll(config, "@PREFIX@", dir_);
    replaceAll(config, "@PORT@", std::to_string(port_));
    std::ofstream(dir_ + "/nginx.conf") << config;
  }

  static void replaceAll(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }

  void start() {
    std::vector<std::string> args{binary(), "-p", dir_, "-e", dir_ + "/error.log", "-c", dir_ + "/nginx.conf", "-g",
                                  "daemon off;"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      const int log = ::open((dir_ + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (log >= 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      if (reapedNow(pid_)) {
        pid_ = -1;
        throw std::runtime_error("nginx exited at start: " + errorLog());
      }
      httplib::Client probe("127.0.0.1", port_);
      probe.set_connection_timeout(0, 200'000);
      if (probe.Get("/healthz")) return;  // any answer: it listens
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("nginx did not listen on port " + std::to_string(port_) + ": " + errorLog());
  }

  void stop() {
    if (pid_ <= 0) return;
    signalAndReap(pid_, SIGQUIT, std::chrono::seconds(5));
    pid_ = -1;
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace livedata::testing
