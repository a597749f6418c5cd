// The sync's reader of Klaviyo's API (revision 2026-07-15) over an UpstreamTransport: every
// request carries `Authorization: Klaviyo-API-Key <key>`, `revision` and JSON:API's media type.
//   - fetchCollection: one page of a collection, changed at or after `updatedSince`, in the order
//     of its update field, at the collection's largest page size, with the attributes the sync
//     reads (sparse fieldsets); the next page's cursor is taken from links.next only when that
//     link stays on the API's origin and path (the key goes with every request).
//   - postReport: a values report or metric aggregate, its JSON:API body given.
// Answers map as upstream_source.h documents: 200 with a valid document -> the value; 200 with
// anything else -> malformed; 429 -> rate_limited with Retry-After; 401 and 403 -> http, not
// retryable (a wrong key is not fixed by waiting); other statuses -> http; no answer -> network or
// timeout. Messages carry Klaviyo's error document's code and detail, never the key.
//
// Threading: safe from any number of threads.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "klaviyo/jsonapi_collection.h"
#include "klaviyo/operations.h"
#include "livedata/expected.h"
#include "upstream_client/upstream_transport.h"

namespace livedata::server {

struct KlaviyoSourceOptions {
  HttpUpstreamOptions http;  // baseUrl: "https://a.klaviyo.com", or the simulated upstream's
  std::string apiKey;        // the private API key; not empty
};

template <typename Resource>
struct KlaviyoPage {
  std::vector<Resource> resources;
  std::optional<std::string> nextCursor;  // page[cursor] of the next page; nullopt on the last
};

class KlaviyoSource {
 public:
  // Checks the options; the error names the bad one (never the key's value).
  static Expected<std::unique_ptr<KlaviyoSource>, std::string> create(KlaviyoSourceOptions options);

  // Resource is the collection's: CampaignResource for campaigns, and so on. `cursor`: a
  // nextCursor of the walk that began with the same `updatedSince`.
  template <typename Resource>
  Expected<KlaviyoPage<Resource>, UpstreamFailure> fetchCollection(UnixSeconds updatedSince, const std::optional<std::string>& cursor);

  // The answer's body, a JSON:API document.
  Expected<std::string, UpstreamFailure> postReport(klaviyo::Report report, const std::string& body);

 private:
  KlaviyoSource(std::unique_ptr<UpstreamTransport> transport, std::string apiKey)
      : transport_(std::move(transport)), apiKey_(std::move(apiKey)) {}
  UpstreamRequest requestTo(std::string target) const;
  // The failure a non-200 answer is.
  static UpstreamFailure failureOf(const UpstreamAnswer& answer);

  const std::unique_ptr<UpstreamTransport> transport_;
  const std::string apiKey_;
};

}  // namespace livedata::server
