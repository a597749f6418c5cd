// Klaviyo's GET collections over the simulated account, independent of the HTTP library:
// /api/campaigns, /api/flows, /api/forms and /api/segments page through the account's records
// in the order of each collection's update field; /api/metrics lists the account's metric
// definitions. Parameters are checked as Klaviyo documents them (klaviyo/operations.h); a
// refusal is Klaviyo's error object for the parameter at fault.
//
// What the simulation does not do, each refused with a 400 that says so rather than answered
// differently from Klaviyo: `sort` on a field other than the update field (ascending), `include`,
// and filters on fields other than the update field (and campaigns' messages.channel).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klaviyo/error_document.h"
#include "klaviyo/jsonapi_collection.h"
#include "klaviyo/operations.h"
#include "model/entity.h"
#include "simulated_upstream/account.h"

namespace livedata::server {

// A checked GET of one collection.
struct CollectionRequest {
  klaviyo::Collection collection = klaviyo::Collection::campaigns;
  // Records whose update time lies in [updatedFrom, updatedTo]; `none` when the filter
  // selects nothing at all (campaigns of another channel).
  UnixSeconds updatedFrom = INT64_MIN;
  UnixSeconds updatedTo = INT64_MAX;
  bool none = false;
  int pageSize = 0;
  std::optional<SyncCursor> after;  // from page[cursor]
  // Identifies the walk (filter and sort) a page[cursor] belongs to: one walk's cursor is
  // refused on another.
  std::int64_t walk = 0;
  klaviyo::FieldSet fields;
  bool withProfileCount = false;  // additional-fields[segment]=profile_count
};

// The account's metric definitions (/api/metrics): the four the dashboard's overview reads
// (Received Email, Opened Email, Clicked Email, Placed Order) and two more, as an account with
// a Shopify store lists them. Ids are fixed per seed.
std::vector<klaviyo::MetricResource> metricDefinitionsOf(const UpstreamAccount& account);

// The collection behind a path ("/api/flows"), if any.
std::optional<klaviyo::Collection> collectionAt(std::string_view path);

// `params`: the decoded query (a repeated name is refused).
Expected<CollectionRequest, klaviyo::ErrorObject> parseCollectionRequest(
    klaviyo::Collection collection, const std::multimap<std::string, std::string>& params);

// The 200 body. `origin` ("http://127.0.0.1:8081") and `params` make the links: self is the
// request as made, next the same with the page[cursor] that continues after this page.
std::string answerCollection(const UpstreamAccount& account, const CollectionRequest& request,
                             const std::string& origin, const std::multimap<std::string, std::string>& params);

}  // namespace livedata::server
