#include "livedata/flight.h"

#include "livedata/retry.h"

namespace livedata {

FlightStep Flight::start(const FlightContext& context) { return beginAttempt(context); }

FlightStep Flight::beginAttempt(const FlightContext& context, FlightStep step) {
  phase = FlightPhase::sending;
  attemptId = context.newAttemptId();
  ++attempts;
  wire = std::make_shared<AttemptWire>();
  step.action = FlightStep::Action::send;
  return step;
}

FlightStep Flight::advance(FlightEvent event, const FlightContext& context) {
  if (phase == FlightPhase::settled) return {};
  return std::visit(
      [&](auto& e) -> FlightStep {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, JoinFlight>) {
          waiters.push_back(std::move(e.waiter));
          return {};
        } else if constexpr (std::is_same_v<E, ForceFreshFlight>) {
          if (phase == FlightPhase::waitingToRetry && serverAskedToWait) {
            // The next attempt, at the end of the server's wait, is the forced one.
            forceFresh = true;
            attempts = 0;
            epoch = e.epoch;
            waiters.push_back(std::move(e.waiter));
            return {};
          }
          FlightStep step;
          if (const RequestId id = wire->request.load()) step.cancelRequests.push_back(id);
          if (const TimerId id = wire->retryTimer.load()) step.cancelTimers.push_back(id);
          forceFresh = true;
          attempts = 0;
          epoch = e.epoch;
          waiters.push_back(std::move(e.waiter));
          return beginAttempt(context, std::move(step));
        } else if constexpr (std::is_same_v<E, RetryDue>) {
          if (e.attemptId != attemptId || phase != FlightPhase::waitingToRetry) return {};
          return beginAttempt(context);
        } else {
          static_assert(std::is_same_v<E, AttemptAnswered>);
          if (e.attemptId != attemptId || phase != FlightPhase::sending) return {};
          const HttpVerdict& verdict = e.verdict;
          if (verdict.kind == HttpVerdict::Kind::askAgainInFull) {
            mayRevalidate = false;
            return beginAttempt(context);
          }
          FlightStep step;
          if (verdict.kind != HttpVerdict::Kind::fail) {
            phase = FlightPhase::settled;
            step.action = FlightStep::Action::settle;
            return step;
          }
          Error error = verdict.error.value_or(makeError(ErrorKind::network, endpoint, "no answer"));
          error.endpoint = endpoint;
          error.attempts = attempts;
          error.retryAfterMs = verdict.retryAfterMs.value_or(0);
          const RetryDecision decision =
              decideRetry(context.retry, error, attempts, verdict.retryAfterMs, context.random01());
          if (decision.retry) {
            phase = FlightPhase::waitingToRetry;
            serverAskedToWait = verdict.retryAfterMs.value_or(0) > 0;
            wire = std::make_shared<AttemptWire>();  // the answered request is off the wire
            step.action = FlightStep::Action::retryLater;
            step.delayMs = decision.delayMs;
          } else {
            phase = FlightPhase::settled;
            step.action = FlightStep::Action::settle;
          }
          step.error = std::move(error);
          return step;
        }
      },
      event);
}

}  // namespace livedata
