// The wire forms of the live feed (docs/api.md, "Live changes"): a change as a notice (JSON
// naming what changed, never the data), the event stream's events, and the long-poll
// answer. Pure functions of their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "feed/change_feed.h"
#include "model/change.h"

namespace livedata::server {

// {"version":12,"committedAt":"2026-12-03T07:00:00.123Z",
//  "endpoints":[{"name":"campaigns","ids":["c1","c2"]}]}: "ids" is left out when the
// change names no keys (anything of the endpoint may have changed).
std::string changeNoticeJson(const Change& change);

// Event stream text (the WHATWG "server-sent events" format), each a complete event.
// The first event of a stream: the version the client is at once it has read what follows
// (`id`, which the browser sends back as Last-Event-ID), the store's current version, and
// the reconnection delay the client should use.
std::string subscribedEvent(std::int64_t clientVersion, std::int64_t currentVersion, int retryMs);
std::string changeEvent(const Change& change);
// The client's version is not in the change log: it revalidates everything it holds.
std::string resetEvent(std::int64_t currentVersion);
// A comment line, which no client treats as an event: keeps proxies from closing an idle
// stream, and finds clients that went away (a write to them fails).
std::string heartbeatComment();

// The long-poll answer: {"version":N,"reset":false,"changes":[notice...]}, where N is the
// version to ask from next (the last change's, or the current one).
std::string longPollJson(const Catchup& catchup);

}  // namespace livedata::server
