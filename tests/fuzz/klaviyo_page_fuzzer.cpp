// Outside bytes as a page of each Klaviyo collection, and as a links.next and an error
// document: every parser answers with a value or an error that says what was wrong.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "klaviyo/cursor_link.h"
#include "klaviyo/error_document.h"
#include "klaviyo/jsonapi_collection.h"

namespace {

template <typename Resource>
void parseAs(std::string_view body) {
  const auto page = livedata::server::klaviyo::parseCollection<Resource>(body);
  if (!page && page.error().empty()) std::abort();
  if (page) {
    for (const auto& resource : page.value().resources) {
      if (resource.id.empty()) std::abort();  // every resource has its identity
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace livedata::server::klaviyo;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  parseAs<CampaignResource>(body);
  parseAs<FlowResource>(body);
  parseAs<FormResource>(body);
  parseAs<SegmentResource>(body);
  parseAs<MetricResource>(body);
  const auto cursor = cursorFromNextLink(body, "https://a.klaviyo.com", "/api/campaigns");
  if (cursor ? cursor.value().empty() : cursor.error().empty()) std::abort();
  (void)describeErrorDocument(body);
  return 0;
}
