#include "livedata/flight.h"

#include <gtest/gtest.h>

#include "livedata/client.h"

namespace livedata {
namespace {

using Action = FlightStep::Action;

class FlightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    retry.maxAttempts = 3;
    retry.baseDelayMs = 100;
    retry.maxDelayMs = 1000;
    flight.endpoint = "campaigns";
    flight.path = "/api/campaigns";
  }

  FlightContext context() {
    return {retry, [] { return 0.5; }, [this] { return nextAttemptId++; }};
  }

  static HttpVerdict verdict(HttpVerdict::Kind kind) {
    HttpVerdict v;
    v.kind = kind;
    return v;
  }
  static HttpVerdict failure(ErrorKind kind, int status = 0, std::optional<Millis> retryAfter = std::nullopt) {
    HttpVerdict v = verdict(HttpVerdict::Kind::fail);
    v.error = makeError(kind, "campaigns", "GET x", status);
    v.retryAfterMs = retryAfter;
    return v;
  }
  FlightStep answer(HttpVerdict v) { return flight.advance(AttemptAnswered{flight.attemptId, std::move(v)}, context()); }

  BackoffPolicy retry;
  std::uint64_t nextAttemptId = 1;
  Flight flight;
};

TEST_F(FlightTest, StartsByFirstAttemptOnTheWire) {
  const FlightStep step = flight.start(context());
  EXPECT_EQ(step.action, Action::send);
  EXPECT_EQ(flight.phase, FlightPhase::sending);
  EXPECT_EQ(flight.attempts, 1);
  EXPECT_EQ(flight.attemptId, 1u);
}

TEST_F(FlightTest, SettlesOnEverySuccessfulVerdict) {
  for (const auto kind : {HttpVerdict::Kind::store, HttpVerdict::Kind::doNotStore, HttpVerdict::Kind::notModified}) {
    Flight fresh;
    flight = std::move(fresh);
    flight.start(context());
    const FlightStep step = answer(verdict(kind));
    EXPECT_EQ(step.action, Action::settle);
    EXPECT_FALSE(step.error.has_value());
    EXPECT_EQ(flight.phase, FlightPhase::settled);
  }
}

TEST_F(FlightTest, AJoiningCallerWaitsWithoutASecondRequest) {
  flight.start(context());
  const FlightStep step = flight.advance(JoinFlight{[](FetchResult) {}}, context());
  EXPECT_EQ(step.action, Action::none);
  EXPECT_EQ(flight.waiters.size(), 1u);
  EXPECT_EQ(flight.attempts, 1);
}

TEST_F(FlightTest, RetriesARetryableFailureAfterBackoffThenSendsAgain) {
  flight.start(context());
  const std::uint64_t first = flight.attemptId;
  const FlightStep failed = answer(failure(ErrorKind::http_server, 503));
  EXPECT_EQ(failed.action, Action::retryLater);
  EXPECT_EQ(failed.delayMs, 50);  // full jitter at 0.5 of the first step (100 ms)
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_EQ(failed.error->attempts, 1);
  EXPECT_EQ(flight.phase, FlightPhase::waitingToRetry);

  const FlightStep resent = flight.advance(RetryDue{first}, context());
  EXPECT_EQ(resent.action, Action::send);
  EXPECT_EQ(flight.phase, FlightPhase::sending);
  EXPECT_EQ(flight.attempts, 2);
  EXPECT_NE(flight.attemptId, first);
}

TEST_F(FlightTest, WaitsForALongerRetryAfter) {
  flight.start(context());
  const FlightStep step = answer(failure(ErrorKind::rate_limited, 429, 2'000));
  EXPECT_EQ(step.action, Action::retryLater);
  EXPECT_EQ(step.delayMs, 2'000);
}

TEST_F(FlightTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  flight.start(context());
  for (int attempt = 1; attempt < retry.maxAttempts; ++attempt) {
    ASSERT_EQ(answer(failure(ErrorKind::network)).action, Action::retryLater);
    ASSERT_EQ(flight.advance(RetryDue{flight.attemptId}, context()).action, Action::send);
  }
  const FlightStep last = answer(failure(ErrorKind::timeout));
  EXPECT_EQ(last.action, Action::settle);
  ASSERT_TRUE(last.error.has_value());
  EXPECT_EQ(last.error->kind, ErrorKind::timeout);
  EXPECT_EQ(last.error->attempts, 3);
  EXPECT_EQ(last.error->endpoint, "campaigns");
  EXPECT_EQ(flight.phase, FlightPhase::settled);
}

TEST_F(FlightTest, NeverRetriesAClientError) {
  flight.start(context());
  const FlightStep step = answer(failure(ErrorKind::http_client, 404));
  EXPECT_EQ(step.action, Action::settle);
  EXPECT_EQ(step.error->attempts, 1);
}

TEST_F(FlightTest, AnEvictedRevalidationAsksAgainInFullAndNeverRevalidatesAgain) {
  flight.start(context());
  const FlightStep step = answer(verdict(HttpVerdict::Kind::askAgainInFull));
  EXPECT_EQ(step.action, Action::send);
  EXPECT_FALSE(flight.mayRevalidate);
  EXPECT_EQ(flight.attempts, 2);
}

TEST_F(FlightTest, ForceFreshSupersedesTheAttemptOnTheWire) {
  flight.start(context());
  const std::uint64_t old = flight.attemptId;
  flight.wire->request = 41;
  const std::shared_ptr<AttemptWire> oldWire = flight.wire;
  const FlightStep step = flight.advance(ForceFreshFlight{[](FetchResult) {}, 7}, context());
  EXPECT_EQ(step.action, Action::send);
  EXPECT_EQ(step.cancelRequests, std::vector<RequestId>{41});
  EXPECT_TRUE(flight.forceFresh);
  EXPECT_EQ(flight.epoch, 7u);
  EXPECT_EQ(flight.attempts, 1);
  EXPECT_NE(flight.wire, oldWire);  // a late id for the old attempt lands where nobody reads

  // The old attempt's late answer changes nothing: an older response never overwrites newer data.
  const FlightStep late = flight.advance(AttemptAnswered{old, verdict(HttpVerdict::Kind::store)}, context());
  EXPECT_EQ(late.action, Action::none);
  EXPECT_EQ(flight.phase, FlightPhase::sending);
}

TEST_F(FlightTest, ForceFreshWhileWaitingToRetryCancelsTheTimer) {
  flight.start(context());
  answer(failure(ErrorKind::http_server, 500));
  flight.wire->retryTimer = 9;
  const std::uint64_t waiting = flight.attemptId;
  const FlightStep step = flight.advance(ForceFreshFlight{[](FetchResult) {}, 0}, context());
  EXPECT_EQ(step.cancelTimers, std::vector<TimerId>{9});
  EXPECT_EQ(step.action, Action::send);
  // The cancelled timer, had it fired anyway, finds another attempt.
  EXPECT_EQ(flight.advance(RetryDue{waiting}, context()).action, Action::none);
}

// A wait the server asked for (a 429's Retry-After) is kept: a forced refresh joins it, and
// the attempt at its end is the forced one, with retries of its own.
TEST_F(FlightTest, ForceFreshWhileWaitingOutTheServersRetryAfterJoinsTheWait) {
  flight.start(context());
  answer(failure(ErrorKind::rate_limited, 429, 20'000));
  flight.wire->retryTimer = 9;
  const std::uint64_t waiting = flight.attemptId;
  const FlightStep step = flight.advance(ForceFreshFlight{[](FetchResult) {}, 3}, context());
  EXPECT_EQ(step.action, Action::none);
  EXPECT_TRUE(step.cancelTimers.empty());
  EXPECT_EQ(flight.waiters.size(), 1u);
  EXPECT_TRUE(flight.forceFresh);
  EXPECT_EQ(flight.epoch, 3u);
  EXPECT_EQ(flight.advance(RetryDue{waiting}, context()).action, Action::send);
  EXPECT_EQ(flight.attempts, 1);
}

TEST_F(FlightTest, ASettledFlightIgnoresEverything) {
  flight.start(context());
  answer(verdict(HttpVerdict::Kind::store));
  EXPECT_EQ(flight.advance(RetryDue{flight.attemptId}, context()).action, Action::none);
  EXPECT_EQ(answer(failure(ErrorKind::network)).action, Action::none);
  EXPECT_EQ(flight.phase, FlightPhase::settled);
}

TEST_F(FlightTest, AttemptIdsComeFromTheClientSoARestartedFlightNeverReusesOne) {
  flight.start(context());
  Flight again;
  again.start(context());
  EXPECT_NE(again.attemptId, flight.attemptId);
}

}  // namespace
}  // namespace livedata
