// Reads never older than a change the client knows of (docs/api.md, "Live changes"). With
// several instances on one store, a client told of change version V by one instance may ask
// another whose own notification of V is still on its way (LISTEN/NOTIFY, or the store's
// look every second for one that was lost): that instance would answer from older data, a
// 304 for the client's old ETag, and the client would keep it until the next change. So a
// client names V (the Livedata-Min-Version header on data reads, Last-Event-ID on the feed)
// and an instance behind it catches up first.
//
// Only a version the store has committed is waited for: one it has not is another
// database's (replaced, or restored from a backup), never comes, and is answered at once,
// so a single instance (always in step with its store) never waits, and a made-up version
// holds no thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "feed/change_feed.h"
#include "model/api_error.h"

namespace livedata::server {

// Past the store's look every second for a lost notification (store.h): a commit whose
// notification was lost is caught up with before the client is told to retry.
inline constexpr std::chrono::milliseconds kCatchUpWait{1500};

// The newest version the store has committed, read from the store itself (not what this
// instance was told of); nullopt when it cannot be read.
using CommittedVersion = std::function<std::optional<std::int64_t>()>;

enum class CatchUp {
  current,     // the feed has published `version` (at once, or within the wait)
  neverComes,  // the store has not committed it: another database's version
  late,        // committed (or the store could not say), not published within the wait
  stopped,     // the feed stopped while waiting
};

// Brings this instance's feed to `version` if the store has it: `committedVersion` is read
// only when the feed is behind, and the wait is at most `wait`.
CatchUp catchUpTo(const ChangeFeed& feed, std::int64_t version, const CommittedVersion& committedVersion,
                  std::chrono::milliseconds wait);

// A data read's Livedata-Min-Version header (empty: none): nullopt when the read may go on,
// else its error: 400 invalid_parameter for a value that is no version, 503 not_caught_up
// (Retry-After: 1) when the version is committed but did not reach this instance in time,
// 503 shutting_down when the feed stopped.
std::optional<ApiError> awaitMinVersion(const ChangeFeed& feed, std::string_view header,
                                        const CommittedVersion& committedVersion, std::chrono::milliseconds wait);

}  // namespace livedata::server
