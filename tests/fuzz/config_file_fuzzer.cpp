// Outside bytes as the server's --config file: parseCommandLine reads it and answers with
// options or a usage error, whatever the file holds.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <variant>

#include "app/options.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One file per fuzzing process, rewritten for each input.
  static const std::string path = "/tmp/livedata-config-fuzz-" + std::to_string(getpid()) + ".json";
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const char* argv[] = {"mock-server", "--config", path.c_str()};
  const auto noEnvironment = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  const auto parsed = livedata::server::parseCommandLine(3, argv, noEnvironment);
  if (const auto* error = std::get_if<livedata::server::UsageError>(&parsed); error && error->message.empty()) {
    std::abort();  // a refusal says why
  }
  return 0;
}
