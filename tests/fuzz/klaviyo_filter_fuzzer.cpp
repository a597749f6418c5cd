// Outside bytes as a Klaviyo filter (what the simulated upstream reads from a query string)
// and as a date-time: the parser answers with an expression or an error at an offset inside
// the text, and what it prints reads back as the same expression.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "klaviyo/filter_expression.h"
#include "klaviyo/iso_datetime.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace livedata::server::klaviyo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto filter = parseFilter(text);
  if (!filter) {
    if (filter.error().message.empty() || filter.error().offset > text.size()) std::abort();
  } else {
    const std::string printed = printFilter(filter.value());
    const auto again = parseFilter(printed);
    // The canonical text may outgrow the 4 KiB bound (a date prints as a date-time).
    if (!again && printed.size() <= 4096) std::abort();
    if (again && again.value().conditions != filter.value().conditions) std::abort();
  }
  if (const auto time = parseDateTime(text)) {
    if (parseDateTime(formatDateTime(*time)) != time) std::abort();
  }
  return 0;
}
