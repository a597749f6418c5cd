// Collection documents of Klaviyo's GET operations (JSON:API): {"data":[{type,id,attributes,
// relationships,links}],"links":{"self","next"?}}. The simulated upstream renders them; the
// sync parses them in one pass, refusing the first thing that breaks the documented shape.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "klaviyo/resources.h"
#include "livedata/expected.h"

namespace livedata::server::klaviyo {

// Sparse fieldset (fields[<type>]=a,b): the attribute names to write; nullopt writes all.
using FieldSet = std::optional<std::set<std::string, std::less<>>>;

// Where a rendered page points: absolute URLs. `next` is omitted from the document when
// nullopt (the documents' CollectionLinks.next is not nullable).
struct PageLinks {
  std::string self;
  std::optional<std::string> next;
};

struct RenderOptions {
  std::string origin;   // "http://127.0.0.1:8081": each resource's links.self is <origin>/api/<collection>/<id>/
  FieldSet fields;
};

// Every attribute the document requires is written (for campaigns also audiences,
// send_options and send_strategy, with fixed plausible values), unless `fields` leaves it out.
std::string renderCollection(const std::vector<CampaignResource>& resources, const PageLinks& links, const RenderOptions& options);
std::string renderCollection(const std::vector<FlowResource>& resources, const PageLinks& links, const RenderOptions& options);
std::string renderCollection(const std::vector<FormResource>& resources, const PageLinks& links, const RenderOptions& options);
std::string renderCollection(const std::vector<SegmentResource>& resources, const PageLinks& links, const RenderOptions& options);
std::string renderCollection(const std::vector<MetricResource>& resources, const PageLinks& links, const RenderOptions& options);

template <typename Resource>
struct CollectionPage {
  std::vector<Resource> resources;
  // links.next as given (null and absent both mean the last page); cursor_link.h takes the
  // page[cursor] out of it.
  std::optional<std::string> nextLink;
};

// Refuses, naming the first fault: not JSON, no `data` array, a resource of another `type`, a
// missing id or attributes object, an attribute of the wrong JSON type, a date-time that is not
// RFC 3339. An absent attribute is not a fault (a sparse fieldset leaves attributes out): it
// keeps its default, so ask for what you read. Unknown members are ignored (Klaviyo adds
// fields between revisions).
template <typename Resource>
Expected<CollectionPage<Resource>, std::string> parseCollection(std::string_view body);

}  // namespace livedata::server::klaviyo
