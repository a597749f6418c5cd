// Command-line options of mock-server, each with its documented default (see usage()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "data_generator.h"

namespace livedata::mock {

struct ServerOptions {
  // Address to bind; the startup line names it.
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free one.
  int port = 8080;
  // Seed of the generated data: the same seed serves the same bytes and ETags.
  std::uint64_t seed = 42;
  // Cache-Control max-age of every /api response, in seconds.
  int maxAgeSeconds = 60;
  // Cache-Control stale-while-revalidate of every /api response, in seconds.
  int staleWhileRevalidateSeconds = 30;
  // Bearer token of /admin routes. Empty: LIVEDATA_ADMIN_TOKEN, else a random one.
  std::string adminToken;
  // Worker threads; each serves one connection at a time (httplib's model).
  int threads = 16;
  // Request bodies larger than this get 413 payload_too_large.
  std::size_t maxBodyBytes = 65536;
  // One line per request on standard error.
  bool logRequests = false;
  DatasetSizes sizes;
};

// What the command line asks for: run with options, print help, or fail.
struct ShowHelp {};
struct UsageError {
  std::string message;  // names the flag, e.g. "--port: expected an integer from 0 to 65535, got 'x'"
};
using ParsedCommandLine = std::variant<ServerOptions, ShowHelp, UsageError>;

// Accepts "--flag value" and "--flag=value".
ParsedCommandLine parseCommandLine(int argc, const char* const* argv);

// The --help text: every option with its default.
std::string usage();

}  // namespace livedata::mock
