#include "livedata_native/json_check.h"

#include <simdjson.h>

namespace livedata::native {

bool isJsonText(std::string_view text) {
  // The DOM parser validates the whole text (structure, numbers, strings, UTF-8); it keeps
  // its buffers between calls, hence one per thread. `text` has no padding guarantee, so
  // simdjson copies it into a padded buffer of its own (realloc_if_needed).
  thread_local simdjson::dom::parser parser;
  return !parser.parse(text.data(), text.size(), /*realloc_if_needed=*/true).error();
}

}  // namespace livedata::native
