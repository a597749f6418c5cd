// One network request for a cache key while it is in flight, as an explicit state with one
// transition function (the shape of TanStack Query's query reducer over fetchStatus).
//
// A flight is shared by every caller that asked for its key meanwhile (de-duplication). A
// forceFresh request supersedes it: its attempt gets a new id and the old one's wire work is
// cancelled, so a late answer to the old attempt finds a different id and is dropped: an
// older response never overwrites newer data. Attempt ids are unique per Client (a flight
// that ends and starts again for the same key never reuses one).
//
// Not synchronized: REQUIRES external synchronization (the Client holds its lock). The
// flight never calls out: advance() says what to do, and the Client does it, the wire
// work outside its lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "livedata/callback.h"
#include "livedata/config.h"
#include "livedata/errors.h"
#include "livedata/http_policy.h"
#include "livedata/types.h"

namespace livedata {

struct FetchResult;
using FetchCallback = Callback<void(FetchResult)>;

enum class FlightPhase {
  sending,         // an attempt is on the wire (or about to be handed to the transport)
  waitingToRetry,  // an attempt failed; a timer will start the next one
  settled,         // answered or given up: the Client completes the waiters and drops it
};

// The transport's and the scheduler's ids for one attempt, written outside the Client's
// lock once `send` or `runAfter` returns (0: none yet; both interfaces never return 0).
// Each attempt, and each wait before one, has its own, so a late id of a superseded or
// answered attempt lands where nobody reads it.
struct AttemptWire {
  std::atomic<RequestId> request{0};
  std::atomic<TimerId> retryTimer{0};
};

// What a flight is told.
struct JoinFlight {        // a caller asked for the same key, not forcing: it waits too
  FetchCallback waiter;
};
struct ForceFreshFlight {  // a forceFresh caller: supersede the attempt in progress
  FetchCallback waiter;
  std::uint64_t epoch = 0;
};
struct AttemptAnswered {   // the HTTP policy's verdict on an attempt's outcome
  std::uint64_t attemptId = 0;
  HttpVerdict verdict;
};
struct RetryDue {          // the retry timer of an attempt fired
  std::uint64_t attemptId = 0;
};
using FlightEvent = std::variant<JoinFlight, ForceFreshFlight, AttemptAnswered, RetryDue>;

// What the Client does after a transition.
struct FlightStep {
  enum class Action {
    none,        // nothing (a waiter joined; an event for another attempt was dropped)
    send,        // hand the current attempt to the transport
    retryLater,  // start a timer of delayMs for RetryDue{attemptId}
    settle,      // deliver: from the verdict (`error` empty) or the failure in `error`
  };
  Action action = Action::none;
  Millis delayMs = 0;             // retryLater
  std::optional<Error> error;     // settle after a failure, with endpoint and attempts set
  std::vector<RequestId> cancelRequests;  // wire work of a superseded attempt
  std::vector<TimerId> cancelTimers;
};

// What a transition may draw on from the Client.
struct FlightContext {
  const BackoffPolicy& retry;
  Callback<double()> random01;         // backoff jitter, drawn on every failure
  Callback<std::uint64_t()> newAttemptId;
};

struct Flight {
  std::string endpoint;
  std::string path;
  Query query;
  bool forceFresh = false;
  std::uint64_t epoch = 0;        // Client::clear() epoch at start; a stale epoch is not stored

  FlightPhase phase = FlightPhase::sending;
  std::uint64_t attemptId = 0;    // the attempt whose answer counts
  int attempts = 0;               // network attempts made so far (reset by a supersede)
  bool conditional = false;       // the current attempt carries If-None-Match (set by the Client)
  bool mayRevalidate = true;      // false after a 304 found no entry to refresh
  // Waiting to retry because the server asked for the wait (Retry-After), not for our own
  // backoff: a forced refresh joins that wait instead of asking again before its end.
  bool serverAskedToWait = false;
  std::shared_ptr<AttemptWire> wire = std::make_shared<AttemptWire>();
  std::vector<FetchCallback> waiters;

  // The first attempt: always Action::send.
  FlightStep start(const FlightContext& context);
  // Moves the flight on `event`; an answer or timer of an attempt other than the current
  // one changes nothing. After Action::settle the phase is settled and nothing moves it.
  FlightStep advance(FlightEvent event, const FlightContext& context);

 private:
  FlightStep beginAttempt(const FlightContext& context, FlightStep step = {});
};

}  // namespace livedata
