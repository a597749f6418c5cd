// A real PostgreSQL server for one test: a cluster in a private temporary folder (a copy of one
// Debian's initdb made once per machine, see initCluster), its postgres started on a free loopback port (and on no Unix socket but
// one in that folder), stopped, killed, paused or restarted on the same port on demand, and
// removed with its folder at destruction. No system service, no configuration outside the
// folder. Header-only like redis_process.h; POSIX fork/exec, no shell; libpq only to ask
// whether it is up (PQping).
//
//   livedata::testing::PostgresProcess postgres;  // throws std::runtime_error if it cannot start
//   options.db = postgres.url();                  // "postgresql://livedata@127.0.0.1:<port>/livedata"
//   postgres.kill();  ...  postgres.start();      // kill -9, then the same port and data again
//
// The binaries: $LIVEDATA_POSTGRES_BIN if set, else /usr/lib/postgresql/15/bin (Debian 12's
// postgresql-15). The cluster has one role, `livedata`, trusted on loopback, owning a database
// `livedata`; fsync stays on, so what a commit returned survives kill(). PostgreSQL refuses to
// run as root: as root, the cluster belongs to the `postgres` user (the Debian package makes
// it) and the server runs as that user. The server's log is <dir>/postgres.log. The child gets
// PR_SET_PDEATHSIG, so a crashed test does not leave it running.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "child_process.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace livedata::testing {

class PostgresProcess {
 public:
  // Makes the cluster and starts the server on a free port (see start()).
  PostgresProcess() : dir_(makeTempDir("livedata-postgres")) {
    try {
      owner_ = clusterOwner();
      if (owner_) chownTree(dir_, *owner_);
      initCluster();
      start();
      createDatabase();
    } catch (...) {
      kill();
      removeTree(dir_);
      throw;
    }
  }

  ~PostgresProcess() {
    kill();
    removeSharedMemory();
    removeTree(dir_);
  }

  PostgresProcess(const PostgresProcess&) = delete;
  PostgresProcess& operator=(const PostgresProcess&) = delete;

  static std::string binDir() {
    if (const char* fromEnvironment = std::getenv("LIVEDATA_POSTGRES_BIN"); fromEnvironment && *fromEnvironment) {
      return fromEnvironment;
    }
    return "/usr/lib/postgresql/15/bin";
  }
  // Whether Debian's PostgreSQL server is installed (tests skip or fail on it, required_tool.h).
  static bool installed() { return ::access((binDir() + "/postgres").c_str(), X_OK) == 0; }

  int port() const { return port_; }
  std::string url() const { return "postgresql://livedata@127.0.0.1:" + std::to_string(port_) + "/livedata"; }
  const std::string& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Starts the server and waits until it accepts connections. The first time on a free port,
  // later on the same one. Throws std::runtime_error with the end of the log if it does not
  // come up. No-op while running.
  void start(std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
    if (pid_ > 0) return;
    const bool samePort = port_ != 0;
    std::string lastFailure;
    for (int attempt = 0; attempt < (samePort ? 20 : 5); ++attempt) {
      if (!samePort) port_ = freeLoopbackPort();
      if (launch(deadline, lastFailure)) return;
      if (samePort) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("postgres did not start on port " + std::to_string(port_) + ": " + lastFailure);
  }

  // A fast shutdown (SIGINT: transactions rolled back, a checkpoint written), SIGKILL after
  // `grace`. Keeps the port for start().
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10)) {
    if (pid_ <= 0) return;
    signalAndReap(pid_, SIGINT, grace);
    pid_ = -1;
  }

  // kill -9 of the postmaster, and waits for it. Its backends notice their parent is gone and
  // exit; the next start() recovers from the write-ahead log. Keeps the port.
  void kill() {
    if (pid_ <= 0) return;
    killAndReap(pid_);
    pid_ = -1;
    // The orphaned backends still hold the shared memory and the port for a moment.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until && accepting(std::chrono::milliseconds(100))) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // SIGSTOP / SIGCONT of the postmaster: no new connections are served meanwhile.
  void pause() {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
  }
  void resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
  }

  // Whether the server accepts a connection within `timeout`.
  bool accepting(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) const {
    if (port_ == 0) return false;
    const std::string info = "host=127.0.0.1 port=" + std::to_string(port_) + " user=livedata dbname=postgres connect_timeout=" +
                             std::to_string(std::max<long long>(1, (timeout.count() + 999) / 1000));
    return PQping(info.c_str()) == PQPING_OK;
  }

  std::string logTail(std::size_t maxBytes = 2000) const {
    std::ifstream in(dir_ + "/postgres.log");
    std::stringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    return all.size() > maxBytes ? all.substr(all.size() - maxBytes) : all;
  }

 private:
  struct Owner {
    uid_t uid;
    gid_t gid;
  };

  std::string dataDir() const { return dir_ + "/data"; }

  static std::optional<Owner> clusterOwner() {
    if (::geteuid() != 0) return std::nullopt;
    const passwd* user = ::getpwnam("postgres");
    if (!user) throw std::runtime_error("running as root, and there is no postgres user to run PostgreSQL as");
    return Owner{user->pw_uid, user->pw_gid};
  }

  static void chownTree(const std::filesystem::path& path, const Owner& owner) {
    if (::chown(path.c_str(), owner.uid, owner.gid) != 0) {
      throw std::runtime_error("chown " + path.string() + " failed: " + std::strerror(errno));
    }
  }

  // fork/exec of `args` as the cluster's owner, output to `logFile`; returns the child.
  pid_t spawn(std::vector<std::string> args, const std::string& logFile) const {
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
    if (child == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      const int devnull = ::open("/dev/null", O_RDONLY);
      const int log = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
      if (log >= 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
      }
      if (owner_ && (::setgroups(0, nullptr) != 0 || ::setgid(owner_->gid) != 0 || ::setuid(owner_->uid) != 0)) ::_exit(125);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return child;
  }

  // The cluster: a copy of a template cluster that initdb made once per machine and user in
  // the temporary folder (initdb takes seconds, a copy a fraction of one; every test process
  // starts its own server). The template is made in a private folder and renamed into place,
  // so a process never copies a half-made one, and two making it at once both succeed.
  void initCluster() {
    const std::filesystem::path templateDir =
        std::filesystem::temp_directory_path() /
        ("livedata-postgres-template-" + std::to_string(owner_ ? owner_->uid : ::geteuid()) + "-" +
         std::filesystem::path(binDir()).parent_path().filename().string());
    if (!std::filesystem::exists(templateDir / "PG_VERSION")) makeTemplate(templateDir);
    std::filesystem::copy(templateDir, dataDir(), std::filesystem::copy_options::recursive);
    std::filesystem::permissions(dataDir(), std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
    if (owner_) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(dataDir())) chownTree(entry.path(), *owner_);
      chownTree(dataDir(), *owner_);
    }
  }

  void makeTemplate(const std::filesystem::path& templateDir) const {
    const std::string scratch = makeTempDir("livedata-postgres-initdb");
    if (owner_) chownTree(scratch, *owner_);
    const std::string data = scratch + "/data";
    const std::string log = scratch + "/initdb.log";
    const pid_t child = spawn({binDir() + "/initdb", "--pgdata", data, "--username", "livedata", "--auth", "trust",
                               "--encoding", "UTF8", "--locale", "C", "--no-instructions", "--no-sync"},
                              log);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      removeTree(scratch);
      throw std::runtime_error("initdb failed: " + text.str());
    }
    std::error_code lostTheRace;  // another process put its template in place first: use that
    std::filesystem::rename(data, templateDir, lostTheRace);
    removeTree(scratch);
  }

  void createDatabase() {
    const std::string info = "host=127.0.0.1 port=" + std::to_string(port_) + " user=livedata dbname=postgres";
    PGconn* connection = PQconnectdb(info.c_str());
    std::string failure;
    if (PQstatus(connection) != CONNECTION_OK) {
      failure = PQerrorMessage(connection);
    } else {
      PGresult* result = PQexec(connection, "CREATE DATABASE livedata");
      if (PQresultStatus(result) != PGRES_COMMAND_OK) failure = PQresultErrorMessage(result);
      PQclear(result);
    }
    PQfinish(connection);
    if (!failure.empty()) throw std::runtime_error("cannot create the database: " + failure);
  }

  // A postmaster killed leaves its System V segment behind, for the next start on the same
  // folder to remove; with the folder gone, nothing would, and once the machine holds 4096 of
  // them (SHMMNI) no PostgreSQL starts on it any more. Its key and id are line 7 of
  // postmaster.pid; the segment is removed only if it still has that key.
  void removeSharedMemory() const {
    std::ifstream in(dataDir() + "/postmaster.pid");
    std::string line;
    for (int number = 1; number <= 7 && std::getline(in, line); ++number) {
      if (number < 7) continue;
      long key = 0;
      int id = -1;
      if (!(std::istringstream(line) >> key >> id) || id < 0) return;
      shmid_ds segment{};
      if (::shmctl(id, IPC_STAT, &segment) == 0 && segment.shm_perm.__key == static_cast<key_t>(key)) {
        ::shmctl(id, IPC_RMID, nullptr);  // goes once the last orphaned backend detaches
      }
    }
  }

  // Whether the server on our port is ours, ready: its postmaster.pid names our child and says
  // "ready" (not another test's server that took the port first).
  bool ours() const {
    std::ifstream in(dataDir() + "/postmaster.pid");
    std::string line;
    if (!std::getline(in, line) || line != std::to_string(pid_)) return false;
    std::string last;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(' ') != std::string::npos) last = line;
    }
    return last.find("ready") != std::string::npos;
  }

  bool launch(std::chrono::milliseconds deadline, std::string& failure) {
    pid_ = spawn({binDir() + "/postgres", "-D", dataDir(), "-p", std::to_string(port_), "-c", "listen_addresses=127.0.0.1",
                  "-c", "unix_socket_directories=" + dir_, "-c", "max_connections=200", "-c", "shared_buffers=32MB"},
                 dir_ + "/postgres.log");
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      if (reapedNow(pid_)) {
        pid_ = -1;
        failure = "it exited; log: " + logTail(800);
        return false;
      }
      if (ours() && accepting(std::chrono::milliseconds(1000))) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
    failure = "it accepted no connection in time; log: " + logTail(800);
    return false;
  }

  std::string dir_;
  std::optional<Owner> owner_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace livedata::testing
