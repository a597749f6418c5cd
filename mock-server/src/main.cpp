// mock-server: serves docs/api.md from generated data. See `mock-server --help`.
//
// Contract with tests and scripts: once bound, prints exactly one line on stdout,
// "livedata mock-server listening on http://<host>:<port>", and flushes it; logs go to
// stderr; SIGINT and SIGTERM stop the server and exit 0; bad flags exit 2.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <variant>

#include "admin_routes.h"
#include "options.h"
#include "server.h"

namespace {

using namespace livedata::mock;

constexpr int kExitUsage = 2;

// Flag, else LIVEDATA_ADMIN_TOKEN, else a random token announced on stderr.
std::string resolveAdminToken(const ServerOptions& options) {
  if (!options.adminToken.empty()) return options.adminToken;
  if (const char* fromEnvironment = std::getenv("LIVEDATA_ADMIN_TOKEN"); fromEnvironment && *fromEnvironment) {
    return fromEnvironment;
  }
  const auto generated = generateAdminToken();
  if (!generated) return {};
  std::fprintf(stderr, "admin token: %s\n", generated->c_str());
  return *generated;
}

std::string urlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int main(int argc, char** argv) {
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

  // Signals are taken by one thread with sigwait, where stopping the server is safe; they
  // are blocked before any other thread starts, so every thread inherits the mask.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server

  MockServer server(options, token);
  const int port = server.bind();
  if (port < 0) {
    std::fprintf(stderr, "mock-server: cannot bind %s:%d\n", options.host.c_str(), options.port);
    return 1;
  }
  std::printf("livedata mock-server listening on http://%s:%d\n", urlHost(options.host).c_str(), port);
  std::fflush(stdout);

  std::atomic<bool> listenDone{false};
  std::thread signalWaiter([&] {
    int received = 0;
    sigwait(&stopSignals, &received);
    if (!listenDone) std::fprintf(stderr, "mock-server: signal %d, stopping\n", received);
    server.stop();
  });

  const bool served = server.listen();
  listenDone = true;
  // Wake the waiter if listen() ended without a signal (the signal stays blocked, so it
  // is delivered to sigwait even if it races with a real one).
  pthread_kill(signalWaiter.native_handle(), SIGTERM);
  signalWaiter.join();
  if (!served) {
    std::fprintf(stderr, "mock-server: server failed\n");
    return 1;
  }
  return 0;
}
