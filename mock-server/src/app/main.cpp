// mock-server: the livedata backend (docs/api.md), or with --upstream-only the simulated
// upstream marketing API on its own (docs/upstream.md). See `mock-server --help`.
//
// Contract with tests and scripts: once bound, prints exactly one line on stdout,
// "livedata mock-server listening on http://<host>:<port>" (or "livedata upstream
// listening on ..."), and flushes it; logs go to stderr as JSON lines; SIGINT and SIGTERM
// stop it gracefully (no new connections, requests in flight finish, the sync stops at a
// page boundary) and exit 0; bad options exit 2; a start-up failure exits 1.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include <unistd.h>  // environ

#include "http/admin_routes.h"
#include "livedata/url_password.h"
#include "store/postgres.h"  // redacted
#include "app/backend.h"
#include "app/log.h"
#include "app/options.h"
#include "app/server.h"

namespace {

using namespace livedata::server;
using livedata::redactUrlPassword;

constexpr int kExitUsage = 2;

// The configured token (flag, environment or file), else a random one announced on stderr.
std::string resolveAdminToken(const ServerOptions& options) {
  if (!options.adminToken.empty()) return options.adminToken;
  const auto generated = generateAdminToken();
  if (!generated) return {};
  std::fprintf(stderr, "admin token: %s\n", generated->c_str());
  return *generated;
}

std::string urlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Blocks SIGINT and SIGTERM in every thread (call before starting any), so that they are
// taken only by sigwait in the thread waitForStop starts.
sigset_t blockStopSignals() {
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server
  return stopSignals;
}

// Runs `listen` until it returns; a stop signal meanwhile calls `stop` (from a thread
// where stopping is safe). Returns listen's result.
template <typename Listen, typename Stop>
bool serveUntilSignalled(sigset_t stopSignals, const Log& log, Listen listen, Stop stop) {
  std::atomic<bool> listenDone{false};
  std::thread signalWaiter([&] {
    int received = 0;
    sigwait(&stopSignals, &received);
    if (!listenDone) log.info("stopping", {{"signal", received}});
    stop();
  });
  const bool served = listen();
  listenDone = true;
  // Wake the waiter if listen() ended without a signal (the signal stays blocked, so it
  // is delivered to sigwait even if it races with a real one).
  pthread_kill(signalWaiter.native_handle(), SIGTERM);
  signalWaiter.join();
  return served;
}

int runUpstreamOnly(const ServerOptions& options, const std::string& token, const Log& log, sigset_t stopSignals) {
  auto account = UpstreamAccount::create(accountOptionsFrom(options, log));
  if (!account) {
    log.error("cannot start", {{"part", "upstream account"}, {"error", account.error()}});
    return 1;
  }
  UpstreamServerOptions serverOptions = upstreamServerOptionsFrom(options, token);
  serverOptions.host = options.host;
  serverOptions.port = options.port;
  serverOptions.threads = options.http.threads;
  auto server = UpstreamServer::create(*account.value(), serverOptions);
  if (!server) {
    log.error("cannot start", {{"part", "upstream server"}, {"error", server.error()}});
    return 1;
  }
  UpstreamServer& upstream = *server.value();
  const int port = upstream.bind();
  if (port < 0) {
    log.error("cannot bind", {{"host", options.host}, {"port", options.port}, {"error", upstream.bindError()}});
    return 1;
  }
  if (serverOptions.apiKey.empty()) {
    log.warn("Klaviyo's routes (/api) answer 401 to everyone: no API key is set",
             {{"set", "--upstream-api-key-file FILE or LIVEDATA_UPSTREAM_API_KEY"}});
  }
  account.value()->start();
  std::printf("livedata upstream listening on http://%s:%d\n", urlHost(options.host).c_str(), port);
  std::fflush(stdout);
  const bool served = serveUntilSignalled(
      stopSignals, log, [&] { return upstream.listen(); }, [&] { upstream.stop(); });
  account.value()->stop();
  return served ? 0 : 1;
}

// Each live subscriber holds a socket: the soft limit on open files (often 1024) is raised
// to the hard one, so --max-subscribers, not the default limit, bounds them.
void raiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// The names of the process's environment variables.
std::vector<std::string> environmentNames() {
  std::vector<std::string> names;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    names.emplace_back(variable.substr(0, variable.find('=')));
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  raiseOpenFileLimit();
  const ParsedCommandLine parsed = parseCommandLine(argc, argv);
  if (std::holds_alternative<ShowHelp>(parsed)) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  if (const auto* error = std::get_if<UsageError>(&parsed)) {
    std::fprintf(stderr, "mock-server: %s\nTry 'mock-server --help'.\n", error->message.c_str());
    return kExitUsage;
  }
  const ServerOptions& options = std::get<ServerOptions>(parsed);

  const std::string token = resolveAdminToken(options);
  if (token.empty()) {
    std::fprintf(stderr, "mock-server: cannot read /dev/urandom to generate an admin token\n");
    return 1;
  }

  const Log log(options.logLevel, options.logFormat);
  for (const auto& [name, didYouMean] : misspeltEnvironmentVariables(environmentNames())) {
    log.warn("not an option's variable: ignored", {{"variable", name}, {"didYouMean", didYouMean}});
  }
  const sigset_t stopSignals = blockStopSignals();
  if (options.upstreamOnly) return runUpstreamOnly(options, token, log, stopSignals);

  ServerOptions withToken = options;
  withToken.adminToken = token;  // the in-process upstream's admin routes take the same one
  auto started = Backend::start(withToken, log);
  if (!started) {
    log.error("cannot start", {{"error", started.error()}});
    return 1;
  }
  Backend& backend = *started.value();

  ApiServer server(withToken, token, backend, log);
  const int port = server.bind();
  if (port < 0) {
    log.error("cannot bind", {{"host", options.host}, {"port", options.port}, {"error", server.bindError()}});
    return 1;
  }
  backend.startSyncing();
  std::printf("livedata mock-server listening on http://%s:%d\n", urlHost(options.host).c_str(), port);
  std::fflush(stdout);
  log.info("listening", {{"host", options.host}, {"port", port}, {"db", postgres::redacted(options.database)},
                         {"cache", options.cache.redisUrl.empty() ? "memory" : redactUrlPassword(options.cache.redisUrl)}});

  const bool served = serveUntilSignalled(stopSignals, log, [&] { return server.listen(); }, [&] { server.stop(); });
  backend.stop();  // the sync ends at a page boundary
  if (!served) {
    log.error("server failed");
    return 1;
  }
  log.info("stopped");
  return 0;
}
