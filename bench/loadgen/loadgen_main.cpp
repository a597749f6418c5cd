// livedata-loadgen: K dashboard users on the native core client against a mock-server (and
// Redis) that it starts itself; reports what users saw and what the server counted, against
// the project's targets (cache hit rate, latency, errors, sync success). Usage:
// livedata-loadgen --help.
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "dashboard_user.h"
#include "livedata/client.h"
#include "livedata_native/native_dependencies.h"
#include "livedata_native/thread_scheduler.h"
#include "load_report.h"
#include "loadgen_options.h"
#include "request_recorder.h"
#include "server_figures.h"
#include "server_stack.h"

namespace livedata::loadgen {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;  // the shell's code for SIGINT: the report is partial

// After the load stops, how long requests in flight may take to end (a request's timeout is
// 10 s, and a failing one may retry); those still open then are reported as unfinished.
constexpr auto kDrainTimeout = std::chrono::seconds(15);
constexpr auto kPollInterval = std::chrono::milliseconds(20);

volatile std::sig_atomic_t stopSignalled = 0;

extern "C" void onStopSignal(int) { stopSignalled = 1; }

// Ctrl-C or SIGTERM ends the run early but in order: the report still comes out, and the
// servers (in their own process groups, so the terminal's SIGINT does not reach them) are
// stopped by their owners.
void installStopHandlers() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a server closing a connection must not kill us
}

bool stopRequested() { return stopSignalled != 0; }

std::optional<std::string> checkExecutable(const char* flag, const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error) || ::access(path.c_str(), X_OK) != 0) {
    return std::string(flag) + ": '" + path + "' is not an executable file";
  }
  return std::nullopt;
}

ClientConfig clientConfig(const LoadgenOptions& options, const std::string& baseUrl) {
  ClientConfig config;
  config.baseUrl = baseUrl;
  config.live.enabled = !options.poll;
  if (options.clientTtlMs) {
    // Otherwise the server's max-age would set every entry's lifetime and the TTL do nothing.
    config.defaultTtlMs = *options.clientTtlMs;
    config.obeyCacheControl = false;
  }
  return config;
}

// One Client per user (its own cache, as each browser tab has), all on one transport: its
// workers and keep-alive connections are the only per-request resources, so K users cost K
// caches, not K thread pools.
Expected<std::vector<std::unique_ptr<DashboardUser>>> makeUsers(const LoadgenOptions& options,
                                                              const std::string& baseUrl,
                                                              const std::shared_ptr<RequestRecorder>& recorder,
                                                              const std::shared_ptr<ScreenLog>& screens,
                                                              Scheduler& timers) {
  native::NativeOptions native;
  native.workerThreads = options.transportWorkers;
  native.minLogLevel = LogLevel::error;  // retries and fallbacks are counted, not logged
  const ClientDependencies deps = native::makeNativeDependencies(native);
  const UserPacing pacing{options.refreshIntervalMs, options.forceFreshRate, !options.poll};

  std::vector<std::unique_ptr<DashboardUser>> users;
  std::size_t measured = 0;
  for (int i = 0; i < options.users; ++i) {
    auto client = Client::create(clientConfig(options, baseUrl), deps);
    if (!client) return client.error();
    const bool tracked = seesNewestCampaignsFirst(i);
    users.push_back(std::make_unique<DashboardUser>(std::move(client.value()), viewForUser(i), pacing, recorder,
                                                    timers, options.seed * 1'000'003u + static_cast<unsigned>(i),
                                                    tracked ? screens : nullptr, tracked ? measured++ : 0));
  }
  return users;
}

ClientStats sumOfStats(const std::vector<std::unique_ptr<DashboardUser>>& users) {
  ClientStats sum;
  for (const auto& user : users) {
    const ClientStats s = user->stats();
    sum.hits += s.hits;
    sum.misses += s.misses;
    sum.revalidations += s.revalidations;
    sum.notModified += s.notModified;
    sum.networkRequests += s.networkRequests;
    sum.deduplicated += s.deduplicated;
    sum.retries += s.retries;
    sum.errors += s.errors;
    sum.staleServed += s.staleServed;
    sum.fallbacks += s.fallbacks;
    sum.bytesReceived += s.bytesReceived;
    sum.evictions += s.evictions;
    sum.entries += s.entries;
    sum.cacheBytes += s.cacheBytes;
  }
  return sum;
}

// The counters of `after` less those of `before`; the gauges (entries, bytes) are `after`'s.
ClientStats since(const ClientStats& before, ClientStats after) {
  after.hits -= before.hits;
  after.misses -= before.misses;
  after.revalidations -= before.revalidations;
  after.notModified -= before.notModified;
  after.networkRequests -= before.networkRequests;
  after.deduplicated -= before.deduplicated;
  after.retries -= before.retries;
  after.errors -= before.errors;
  after.staleServed -= before.staleServed;
  after.fallbacks -= before.fallbacks;
  after.bytesReceived -= before.bytesReceived;
  after.evictions -= before.evictions;
  return after;
}

// Sleeps in short steps until `until` or a stop signal; false if stopped early.
bool sleepUntil(std::chrono::steady_clock::time_point until) {
  while (std::chrono::steady_clock::now() < until) {
    if (stopRequested()) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

int run(const LoadgenOptions& options) {
  std::cerr << "livedata-loadgen: starting " << (options.cache == CacheBackend::redis ? "redis-server and " : "")
            << "mock-server...\n";
  auto servers = ServerStack::start(options, stopRequested);
  if (!servers) {
    std::cerr << "livedata-loadgen: " << servers.error().message << "\n";
    return kExitFailure;
  }

  LoadReport report;
  report.options = options;
  auto recorder = std::make_shared<RequestRecorder>();
  int trackedUsers = 0;
  for (int i = 0; i < options.users; ++i) trackedUsers += seesNewestCampaignsFirst(i) ? 1 : 0;
  auto screens = std::make_shared<ScreenLog>(static_cast<std::size_t>(trackedUsers));
  ChangeObserver changes("127.0.0.1", servers.value()->port());
  // Declared before the timers, so destroyed after them: no refresh can run on a gone user.
  std::vector<std::unique_ptr<DashboardUser>> users;
  auto timers = std::make_unique<native::ThreadScheduler>();
  auto made = makeUsers(options, servers.value()->baseUrl(), recorder, screens, *timers);
  if (!made) {
    const Error& error = made.error();
    std::cerr << "livedata-loadgen: " << error.message << (error.detail.empty() ? "" : ": " + error.detail) << "\n";
    return kExitFailure;
  }
  users = std::move(made.value());

  std::cerr << "livedata-loadgen: " << options.users << " users for " << options.durationSeconds << " s against "
            << servers.value()->baseUrl() << "\n";
  // Users open the dashboard at random moments of the first interval, not all in one burst.
  std::mt19937_64 random(options.seed);
  std::uniform_int_distribution<Millis> startDelay(0, options.refreshIntervalMs - 1);
  const auto startedAt = std::chrono::steady_clock::now();
  for (auto& user : users) user->start(startDelay(random));

  // The warm-up is run but not counted: from its end, every figure is a difference.
  auto countedFrom = startedAt;
  std::int64_t countedFromMs = wallClockMs();
  ClientStats clientBefore;
  std::optional<ServerFigures> serverBefore;
  if (options.warmupSeconds > 0) {
    countedFrom = startedAt + std::chrono::seconds(options.warmupSeconds);
    report.interrupted = !sleepUntil(countedFrom);
    countedFromMs = wallClockMs();
    recorder->reset();
    clientBefore = sumOfStats(users);
    auto figures = readServerFigures(servers.value()->admin());
    if (!figures) {
      std::cerr << "livedata-loadgen: cannot read the server's figures: " << figures.error().message << "\n";
      return kExitFailure;
    }
    serverBefore = figures.value();
  }
  if (!report.interrupted) {
    report.interrupted = !sleepUntil(startedAt + std::chrono::seconds(options.durationSeconds));
  }

  // Changes of the last second are left out: screens may not have had the time to show them.
  const auto counted = changes.campaignsChangesSince(countedFromMs);
  std::vector<std::int64_t> changeTimes;
  for (const std::int64_t at : counted) {
    if (at < wallClockMs() - 1000) changeTimes.push_back(at);
  }
  for (auto& user : users) user->stop();
  changes.stop();
  report.freshness = screens->freshness(changeTimes, report.unseenChanges);
  report.changesMeasured = changeTimes.size();
  report.screensMeasured = static_cast<std::size_t>(trackedUsers);
  const auto drainUntil = std::chrono::steady_clock::now() + kDrainTimeout;
  while (recorder->inFlight() > 0 && std::chrono::steady_clock::now() < drainUntil && !stopRequested()) {
    std::this_thread::sleep_for(kPollInterval);
  }
  report.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - countedFrom).count();
  timers.reset();  // joins the timer thread: no refresh starts from here on
  report.unfinished = recorder->inFlight();
  report.requests = recorder->totals();
  report.client = since(clientBefore, sumOfStats(users));

  auto figures = readServerFigures(servers.value()->admin());
  if (figures) {
    report.server = serverBefore ? since(*serverBefore, figures.value()) : figures.value();
  } else {
    std::cerr << "livedata-loadgen: cannot read the server's figures: " << figures.error().message << "\n";
  }
  users.clear();  // cancels whatever is still in flight

  printTable(std::cout, report);
  if (!options.jsonPath.empty()) {
    std::ofstream out(options.jsonPath);
    out << nlohmann::json(report).dump(2) << "\n";
    if (!out) {
      std::cerr << "livedata-loadgen: --json: cannot write '" << options.jsonPath << "'\n";
      return kExitFailure;
    }
  }
  if (!figures) return kExitFailure;
  return report.interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace
}  // namespace livedata::loadgen

int main(int argc, char** argv) {
  using namespace livedata::loadgen;
  const auto parsed = parseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
  if (std::holds_alternative<ShowHelp>(parsed)) {
    std::cout << usage();
    return kExitOk;
  }
  if (const auto* error = std::get_if<UsageError>(&parsed)) {
    std::cerr << "livedata-loadgen: " << error->message << "\n(livedata-loadgen --help shows the options)\n";
    return kExitUsage;
  }
  const auto& options = std::get<LoadgenOptions>(parsed);
  auto problem = checkExecutable("--mock-server", options.mockServerPath);
  if (!problem && options.cache == CacheBackend::redis) {
    problem = checkExecutable("--redis-server", options.redisServerPath);
  }
  if (problem) {
    std::cerr << "livedata-loadgen: " << *problem << "\n";
    return kExitUsage;
  }
  installStopHandlers();
  return run(options);
}
