// Outside bytes as a page of the upstream API, for each entity: the sync's page parser
// answers with a page or an error message, and a parsed page's records are whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upstream_client/page_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace livedata::server;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const Entity entity : {Entity::campaigns, Entity::flows, Entity::forms, Entity::segments, Entity::metrics}) {
    const auto page = parsePage(entity, body);
    if (!page && page.error().empty()) std::abort();  // an error says what was wrong
  }
  (void)parseIsoTimestamp(body);
  return 0;
}
