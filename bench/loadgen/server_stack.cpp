#include "server_stack.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "failure.h"

namespace livedata::loadgen {
namespace {

constexpr const char* kHost = "127.0.0.1";
// "livedata mock-server listening on http://127.0.0.1:PORT" (mock-server --help).
constexpr std::string_view kListeningMarker = " listening on http://127.0.0.1:";
// redis-server's log line once it serves clients.
constexpr std::string_view kRedisReadyMarker = "Ready to accept connections";
constexpr auto kStartTimeout = std::chrono::seconds(15);
// The first sync is a full one; with upstream faults it may retry pages with backoff.
constexpr auto kFirstSyncTimeout = std::chrono::seconds(60);
// Another process can take our free port between our probe and Redis binding it.
constexpr int kRedisStartAttempts = 3;

std::string randomToken() {
  std::random_device device;
  std::string token;
  for (int i = 0; i < 32; ++i) token += "0123456789abcdef"[device() % 16];
  return token;
}

Expected<std::unique_ptr<ChildProcess>> startRedis(const LoadgenOptions& options, const TempDir& dir,
                                                   const StopRequested& stopRequested, int& port) {
  Error lastFailure = failure("redis-server was not started");
  for (int attempt = 0; attempt < kRedisStartAttempts; ++attempt) {
    auto freePort = freeLoopbackPort();
    if (!freePort) return freePort.error();
    port = freePort.value();
    auto redis = ChildProcess::start({options.redisServerPath, "--port", std::to_string(port), "--bind", kHost,
                                      "--save", "", "--appendonly", "no", "--dir", dir.path(), "--daemonize", "no"},
                                     dir.path() + "/redis.log");
    if (!redis) return redis.error();
    auto ready = redis.value()->waitForLine(kRedisReadyMarker, kStartTimeout, stopRequested);
    if (ready) return std::move(redis.value());
    lastFailure = ready.error();
    if (stopRequested()) break;
  }
  return lastFailure;
}

std::vector<std::string> mockServerArguments(const LoadgenOptions& options, const TempDir& dir,
                                             const std::string& token, int redisPort) {
  const nlohmann::json faults = {{"errorRate", options.faultRate}, {"seed", options.seed}};
  std::vector<std::string> args = {options.mockServerPath,
                                   "--port", "0",
                                   "--admin-token", token,
                                   "--db", dir.path() + "/livedata.db",
                                   "--log-level", "warn",
                                   "--sync-interval", std::to_string(options.syncIntervalSeconds),
                                   "--changes-per-minute", nlohmann::json(options.changesPerMinute).dump(),
                                   "--seed", std::to_string(options.seed),
                                   "--upstream-faults", faults.dump()};
  if (redisPort != 0) {
    args.insert(args.end(), {"--redis", "redis://" + std::string(kHost) + ":" + std::to_string(redisPort)});
  }
  return args;
}

// The server answers at once from whatever its store holds; a fair load starts on synced data.
std::optional<Error> waitForFirstSync(const AdminApi& admin, const StopRequested& stopRequested) {
  const auto deadline = std::chrono::steady_clock::now() + kFirstSyncTimeout;
  std::string lastProblem = "no answer";
  while (std::chrono::steady_clock::now() < deadline && !stopRequested()) {
    auto status = admin.getJson("/api/sync/status");
    if (status) {
      const auto& body = status.value();
      const auto counters = body.value("counters", nlohmann::json::object());
      const int ended = counters.value("successes", 0) + counters.value("failures", 0);
      if (body.value("state", "") != "running" && ended >= 1) return std::nullopt;
      lastProblem = "still running";
    } else {
      lastProblem = status.error().message;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (stopRequested()) return failure("interrupted while waiting for mock-server's first sync");
  return failure("mock-server's first sync did not end within " +
                 std::to_string(kFirstSyncTimeout.count()) + " s (" + lastProblem + ")");
}

}  // namespace

Expected<std::unique_ptr<ServerStack>> ServerStack::start(const LoadgenOptions& options,
                                                          const StopRequested& stopRequested) {
  auto dir = TempDir::create("livedata-loadgen");
  if (!dir) return dir.error();

  std::unique_ptr<ChildProcess> redis;
  int redisPort = 0;
  if (options.cache == CacheBackend::redis) {
    auto started = startRedis(options, *dir.value(), stopRequested, redisPort);
    if (!started) return started.error();
    redis = std::move(started.value());
  }

  const std::string token = randomToken();
  auto mockServer =
      ChildProcess::start(mockServerArguments(options, *dir.value(), token, redisPort), dir.value()->path() + "/mock-server.log");
  if (!mockServer) return mockServer.error();
  auto listening = mockServer.value()->waitForLine(kListeningMarker, kStartTimeout, stopRequested);
  if (!listening) return listening.error();
  const std::string& line = listening.value();
  const int port = std::atoi(line.c_str() + line.find(kListeningMarker) + kListeningMarker.size());
  if (port <= 0) return failure("mock-server printed no port: " + line);

  AdminApi admin(kHost, port, token);
  if (auto problem = waitForFirstSync(admin, stopRequested)) {
    return failure(problem->message + "; mock-server's log:\n" + mockServer.value()->logTail());
  }
  return std::unique_ptr<ServerStack>(new ServerStack(std::move(dir.value()), std::move(redis),
                                                      std::move(mockServer.value()), port, std::move(admin)));
}

ServerStack::ServerStack(std::unique_ptr<TempDir> dir, std::unique_ptr<ChildProcess> redis,
                         std::unique_ptr<ChildProcess> mockServer, int port, AdminApi admin)
    : dir_(std::move(dir)),
      redis_(std::move(redis)),
      mockServer_(std::move(mockServer)),
      port_(port),
      admin_(std::move(admin)) {}

ServerStack::~ServerStack() {
  // Explicit, because the order matters: the server before the cache it uses.
  if (mockServer_) mockServer_->stop();
  if (redis_) redis_->stop();
}

std::string ServerStack::baseUrl() const { return "http://" + std::string(kHost) + ":" + std::to_string(port_); }

}  // namespace livedata::loadgen
