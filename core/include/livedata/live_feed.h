// The client of the live feed (docs/api.md, "Live changes"): holds one event stream open
// through the platform's StreamTransport, follows its version, resumes after a drop from
// the last version (Last-Event-ID), reconnects with full-jitter backoff, notices a dead
// connection by its silence, and tells its owner what to do about the data (the hooks).
// No I/O of its own and no knowledge of the cache: Client wires the hooks to its cache.
//
// Invariant: the owner learns of every change after the version it started from, or is
// told to resync (a new subscription, or the server's reset): it never misses one silently.
//
// Threading: every member is safe from any thread; hooks run outside the feed's lock, on
// the thread of the transport or scheduler callback that caused them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "livedata/callback.h"
#include "livedata/config.h"
#include "livedata/events.h"
#include "livedata/types.h"

namespace livedata {

struct LiveFeedDependencies {
  std::shared_ptr<StreamTransport> stream;  // none: the feed only polls (as with live.enabled false)
  std::shared_ptr<Clock> clock;             // required
  std::shared_ptr<Scheduler> scheduler;     // required
  RandomSource random;                      // required: [0, 1) for the jitter
  Logger logger;                            // optional
};

struct LiveFeedHooks {
  // A change named these endpoints; empty: it did not say which (treat all as changed).
  Callback<void(const std::vector<std::string>& endpoints)> changed;
  // Anything may have changed unseen (a new subscription, or a reset): revalidate all.
  Callback<void()> resync;
  // The live stream said something (a heartbeat, an event): what it has not named as
  // changed is current.
  Callback<void()> confirmed;
  // While the feed is down, every LiveConfig::fallbackPollMs: revalidate what is watched.
  Callback<void()> poll;
  Callback<void(const ConnectionChangedEvent& status)> connectionChanged;
};

// The header a client's reads carry once the feed has told it of a change version: the
// server answers none from data older than that version (docs/api.md, "Live changes"), so
// a refetch that reaches an instance the change has not reached yet waits for it rather
// than confirm what the client holds.
inline constexpr const char* kMinVersionHeader = "Livedata-Min-Version";

// The endpoints a change notice names (docs/api.md): the known endpoint names that appear
// as an endpoint object's "name". The notice format is our server's, so the core needs no
// JSON parser for it; a notice it cannot read names nothing, which means "all".
std::vector<std::string> endpointsNamedIn(std::string_view noticeJson);

class LiveFeed {
 public:
  // `url` is the feed's absolute URL (base URL + config.path).
  static std::shared_ptr<LiveFeed> create(LiveConfig config, std::string url, Millis connectTimeoutMs,
                                          LiveFeedDependencies dependencies, LiveFeedHooks hooks);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // Connects (or, when it cannot, starts polling), unless already started. Idempotent.
  void start();
  // Closes the stream for good; no hook runs afterwards (except one already running).
  void stop();
  // Offline closes the stream and waits; online reconnects at once (resuming).
  void setOnline(bool online);

  ConnectionChangedEvent status() const;
  // Whether this feed ever opens a stream (live.enabled and a stream transport); when it
  // does not, it only polls, and what changed while offline is not replayed by it.
  bool connects() const;

  struct State;  // defined in live_feed.cpp

 private:
  explicit LiveFeed(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace livedata
