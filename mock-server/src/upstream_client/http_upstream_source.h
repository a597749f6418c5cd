// UpstreamSource over the upstream HTTP API (docs/upstream.md), with cpp-httplib.
//
// Each fetch sends GET <baseUrl>/v1/<entity>?updated_since=..&page_size=..[&cursor=..] through
// an UpstreamTransport (timeouts and lost connections mapped there) and maps the answer as
// upstream_source.h documents:
//   200 with a valid page            -> UpstreamPage
//   200 with anything else           -> malformed (the message names the fault)
//   429                              -> rate_limited, retryAfterMs from Retry-After
//   any other status                 -> http, with the status and the body's error message
// No exception leaves fetchPage.
//
// Threading: fetchPage is safe from any number of threads.
#pragma once

#include <memory>
#include <string>

#include "livedata/expected.h"
#include "upstream_client/upstream_source.h"
#include "upstream_client/upstream_transport.h"

namespace livedata::server {

class HttpUpstreamSource final : public UpstreamSource {
 public:
  // Checks the options; the error names the bad one.
  static Expected<std::unique_ptr<HttpUpstreamSource>, std::string> create(HttpUpstreamOptions options);

  UpstreamResult fetchPage(Entity entity, UnixSeconds updatedSince, const std::optional<std::string>& cursor,
                           int pageSize) override;

 private:
  explicit HttpUpstreamSource(std::unique_ptr<UpstreamTransport> transport) : transport_(std::move(transport)) {}

  const std::unique_ptr<UpstreamTransport> transport_;
};

}  // namespace livedata::server
