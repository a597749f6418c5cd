#include "app/min_version.h"

#include "http/api_error.h"
#include "livedata/types.h"  // parseNonNegativeDecimal

namespace livedata::server {

CatchUp catchUpTo(const ChangeFeed& feed, std::int64_t version, const CommittedVersion& committedVersion,
                  std::chrono::milliseconds wait) {
  if (feed.currentVersion() >= version) return CatchUp::current;  // the hot path
  const std::optional<std::int64_t> committed = committedVersion();
  if (committed && *committed < version) return CatchUp::neverComes;
  if (feed.waitUntilPublished(version, std::chrono::steady_clock::now() + wait)) return CatchUp::current;
  return feed.stopped() ? CatchUp::stopped : CatchUp::late;
}

std::optional<ApiError> awaitMinVersion(const ChangeFeed& feed, std::string_view header,
                                        const CommittedVersion& committedVersion, std::chrono::milliseconds wait) {
  if (header.empty()) return std::nullopt;
  const auto asked = parseNonNegativeDecimal(header);
  if (!asked) return invalidParameter("Livedata-Min-Version must be a change version: an integer of at least 0");
  switch (catchUpTo(feed, *asked, committedVersion, wait)) {
    case CatchUp::current:
    case CatchUp::neverComes:
      return std::nullopt;
    case CatchUp::stopped:
      return shuttingDown();
    case CatchUp::late:
      break;
  }
  return notCaughtUp(*asked, feed.currentVersion());
}

}  // namespace livedata::server
