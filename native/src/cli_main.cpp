// `livedata`: the data layer from a terminal. Parses the command line, builds a Client on
// the native dependencies, runs one get or refresh synchronously, prints, and exits with a
// code that tells failure kinds apart (cli_output.h).
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_options.h"
#include "cli_output.h"
#include "livedata/client.h"
#include "livedata/endpoints.h"
#include "livedata_native/blocking.h"
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
  if (!options.verbose) deps.logger = nullptr;
  return Client::create(std::move(config), std::move(deps));
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

int run(const std::vector<std::string>& args) {
  const char* envServer = std::getenv("LIVEDATA_SERVER");
  const std::string defaultServer =
      envServer != nullptr && *envServer != '\0' ? envServer : kDefaultServer;
  const ParsedCommandLine parsed = parseCommandLine(args, defaultServer);
  if (!parsed.options) {
    std::cerr << "livedata: " << parsed.usageError << "\nTry 'livedata --help'.\n";
    return kExitUsage;
  }
  const CliOptions& options = *parsed.options;
  switch (options.command) {
    case Command::help:
      if (!options.helpTopic.empty() && options.helpTopic != "get" &&
          options.helpTopic != "refresh") {
        std::cerr << "livedata: no help for '" << options.helpTopic << "'\n";
        return kExitUsage;
      }
      std::cout << helpText(options.helpTopic);
      return kExitOk;
    case Command::get:
      return runGet(options);
    case Command::refresh:
      return runRefresh(options);
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
