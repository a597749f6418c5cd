// Outside bytes as the JSON bodies of the server's POST and PUT routes: each parser answers
// with a value or a typed 400 (invalid_body), never anything else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/request_bodies.h"
#include "http/fault_injector.h"
#include "simulated_upstream/upstream_faults.h"

namespace {

template <typename Parsed>
void expectValueOrBadRequest(const Parsed& parsed) {
  if (!parsed && parsed.error().status != 400) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace livedata::server;
  const std::string body(reinterpret_cast<const char*>(data), size);
  expectValueOrBadRequest(parseSyncRequestBody(body));
  expectValueOrBadRequest(parseCacheInvalidationBody(body));
  expectValueOrBadRequest(parseUpstreamChangesBody(body));
  expectValueOrBadRequest(parseTouchBody(body));
  expectValueOrBadRequest(parseFaultRules(body));
  expectValueOrBadRequest(parseFaults(body));
  return 0;
}
