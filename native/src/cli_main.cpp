// `livedata`: the data layer from a terminal. Parses the command line, builds a Client on
// the native dependencies, runs one get or refresh synchronously or a watch until it is
// interrupted, prints, and exits with a code that tells failure kinds apart (cli_output.h).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_options.h"
#include "cli_output.h"
#include "livedata/client.h"
#include "livedata/endpoints.h"
#include "livedata_native/blocking.h"
#include "livedata_native/logging_transport.h"
#include "livedata_native/native_dependencies.h"
#include "livedata_native/system_clock.h"

namespace livedata::cli {
namespace {

Expected<std::unique_ptr<Client>> makeClient(const CliOptions& options) {
  ClientConfig config;
  config.baseUrl = options.server;
  if (options.timeoutMs) config.requestTimeoutMs = *options.timeoutMs;
  if (options.retries) config.retry.maxAttempts = *options.retries + 1;
  native::NativeOptions native;
  native.minLogLevel = LogLevel::debug;
  auto deps = native::makeNativeDependencies(native);
  // The CLI reports failures itself; without --verbose the core's log would repeat them.
  // With it, every request and its outcome are logged too.
  if (options.verbose) {
    deps.transport = std::make_shared<native::LoggingTransport>(deps.transport, deps.logger);
    deps.stream = std::make_shared<native::LoggingStreamTransport>(deps.stream, deps.logger);
  } else {
    deps.logger = nullptr;
  }
  auto client = Client::create(std::move(config), std::move(deps));
  // A bad URL nobody typed on this command line: say where it came from.
  if (!client && options.serverFromEnvironment && client.error().detail.rfind("baseUrl", 0) == 0) {
    Error error = client.error();
    error.detail = "LIVEDATA_SERVER: " + error.detail;
    return error;
  }
  return client;
}

Expected<Query> queryFor(const CliOptions& options) {
  if (endpointFromName(options.endpoint) == Endpoint::overview) {
    return toQuery(OverviewParams{options.from, options.to});
  }
  return toQuery(ListParams{options.status, options.sort, options.limit, options.offset});
}

int reportEarlyError(const CliOptions& options, const std::string& endpoint, const Error& error) {
  if (options.json) {
    printErrorJson(endpoint, error, std::cout);
  } else {
    printErrorHuman(error, std::cerr);
  }
  return exitCodeFor(error.kind);
}

int runGet(const CliOptions& options) {
  auto query = queryFor(options);
  if (!query) return reportEarlyError(options, options.endpoint, query.error());
  auto client = makeClient(options);
  if (!client) return reportEarlyError(options, options.endpoint, client.error());

  const FetchResult result = native::fetchBlocking([&](FetchCallback done) {
    fetchEndpoint(*client.value(), options.endpoint, query.value(),
                  RequestOptions{options.fresh}, std::move(done));
  });
  if (options.json) {
    printFetchJson(result, std::cout);
  } else {
    printFetchHuman(result, native::SystemClock().nowMs(), std::cout, std::cerr);
  }
  return result.error ? exitCodeFor(result.error->kind) : kExitOk;
}

int runRefresh(const CliOptions& options) {
  auto client = makeClient(options);
  if (!client) return reportEarlyError(options, "", client.error());
  const RefreshReport report = native::refreshBlocking(*client.value(), options.endpoints);
  if (options.json) {
    printRefreshJson(report, std::cout);
  } else {
    printRefreshHuman(report, std::cout, std::cerr);
  }
  return exitCodeFor(report);
}

std::atomic<bool> interrupted{false};
extern "C" void onInterrupt(int) { interrupted.store(true); }

// Updates of a watched query, handed from the client's threads to the printing one.
class UpdateQueue {
 public:
  void push(FetchResult result) {
    std::lock_guard<std::mutex> lock(mutex_);
    updates_.push_back(std::move(result));
    ready_.notify_one();
  }
  // The next update, or nullopt after `timeout` without one.
  std::optional<FetchResult> pop(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [&] { return !updates_.empty(); })) return std::nullopt;
    FetchResult next = std::move(updates_.front());
    updates_.pop_front();
    return next;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<FetchResult> updates_;
};

int runWatch(const CliOptions& options) {
  auto query = queryFor(options);
  if (!query) return reportEarlyError(options, options.endpoint, query.error());
  auto client = makeClient(options);
  if (!client) return reportEarlyError(options, options.endpoint, client.error());
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);

  const Subscription connection = client.value()->events().on<ConnectionChangedEvent>(
      [](const ConnectionChangedEvent& status) {
        std::string line = std::string("livedata: ") + toString(status.state);
        if (status.version > 0) line += " (version " + std::to_string(status.version) + ")";
        std::cerr << line + "\n" << std::flush;
      });
  // Shared with the callback: unwatching does not wait for an update the client's threads
  // are delivering already, and one that outlived a queue of this function's (destroyed as
  // it returned) crashed the CLI as it exited, now and then.
  const auto updates = std::make_shared<UpdateQueue>();
  WatchHandle watch = client.value()->watch(pathOf(*endpointFromName(options.endpoint)), query.value(),
                                            [updates](const FetchResult& result) { updates->push(result); });
  int printed = 0;
  int exitCode = kExitOk;
  while (!interrupted.load() && (!options.count || printed < *options.count)) {
    auto next = updates->pop(std::chrono::milliseconds(200));
    if (!next) continue;
    if (options.json) {
      printFetchJson(*next, std::cout);
    } else {
      printFetchHuman(*next, native::SystemClock().nowMs(), std::cout, std::cerr);
    }
    std::cout << std::flush;
    exitCode = next->error ? exitCodeFor(next->error->kind) : kExitOk;
    ++printed;
    // A request the server refuses as such (a bad parameter: 4xx) from the start will be
    // refused again at every change: the watch ends with its code rather than print the
    // refusal forever. One refused after data came (a passing 404 from a proxy) is shown as
    // the stale data it leaves, and the watch goes on.
    const bool refused = next->error && (next->error->kind == ErrorKind::http_client || next->error->kind == ErrorKind::config);
    if (refused && next->fallback) {
      watch.reset();
      return exitCode;
    }
  }
  watch.reset();
  // Interrupted: a normal way to end a watch. Stopped by --count: the last update's code.
  return interrupted.load() ? kExitOk : exitCode;
}

int run(const std::vector<std::string>& args) {
  const char* envServer = std::getenv("LIVEDATA_SERVER");
  const std::string defaultServer =
      envServer != nullptr && *envServer != '\0' ? envServer : kDefaultServer;
  const ParsedCommandLine parsed = parseCommandLine(args, defaultServer);
  if (!parsed.options) {
    std::cerr << "livedata: " << parsed.usageError << "\nTry 'livedata --help'.\n";
    return kExitUsage;
  }
  CliOptions options = *parsed.options;
  options.serverFromEnvironment = envServer != nullptr && *envServer != '\0' && options.server == envServer;
  switch (options.command) {
    case Command::help:
      if (!options.helpTopic.empty() && options.helpTopic != "get" && options.helpTopic != "refresh" &&
          options.helpTopic != "watch" && options.helpTopic != "help") {
        std::cerr << "livedata: no help for '" << options.helpTopic << "'\n";
        return kExitUsage;
      }
      std::cout << helpText(options.helpTopic);
      return kExitOk;
    case Command::version:
      std::cout << "livedata " << LIVEDATA_VERSION << "\n";
      return kExitOk;
    case Command::get:
      return runGet(options);
    case Command::refresh:
      return runRefresh(options);
    case Command::watch:
      return runWatch(options);
  }
  return kExitInternal;
}

}  // namespace
}  // namespace livedata::cli

int main(int argc, char** argv) {
  try {
    return livedata::cli::run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "livedata: unexpected failure: " << e.what() << "\n";
    return livedata::cli::kExitInternal;
  }
}
