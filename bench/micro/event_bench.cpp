// Event dispatch: EventBus::dispatch of a DataUpdatedEvent to 1 and to 8 listeners, against
// a loop over a vector of the same listeners. The bus pays for its guarantees (thread
// safety, a snapshot so listeners may unsubscribe during dispatch, per-type filtering).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "livedata/events.h"

namespace livedata::bench {
namespace {

Event sampleDataUpdated() {
  return DataUpdatedEvent{"campaigns", "GET campaigns?limit=50&offset=100&sort=-updatedAt&status=sent",
                          1'700'000'000'000, false};
}

// The listener both sides call: cheap, so that the dispatch mechanism is what is measured.
EventListener countingListener(std::size_t& calls) {
  return [&calls](const Event& event) {
    benchmark::DoNotOptimize(&event);
    ++calls;
  };
}

void BM_EventDispatch_Bus(benchmark::State& state) {
  const auto listeners = static_cast<std::size_t>(state.range(0));
  EventBus bus;
  std::size_t calls = 0;
  std::vector<Subscription> subscriptions;
  for (std::size_t i = 0; i < listeners; ++i) {
    subscriptions.push_back(bus.subscribe(EventType::dataUpdated, countingListener(calls)));
  }
  const Event event = sampleDataUpdated();
  for (auto _ : state) {
    bus.dispatch(event);
  }
  if (calls != listeners * static_cast<std::size_t>(state.iterations())) state.SkipWithError("a listener was not called");
}
BENCHMARK(BM_EventDispatch_Bus)->Arg(1)->Arg(8);

void BM_EventDispatch_Baseline_FunctionVector(benchmark::State& state) {
  const auto listeners = static_cast<std::size_t>(state.range(0));
  std::size_t calls = 0;
  std::vector<std::function<void(const Event&)>> callbacks;
  for (std::size_t i = 0; i < listeners; ++i) callbacks.push_back(countingListener(calls));
  const Event event = sampleDataUpdated();
  for (auto _ : state) {
    for (const auto& callback : callbacks) callback(event);
    benchmark::ClobberMemory();
  }
  if (calls != listeners * static_cast<std::size_t>(state.iterations())) state.SkipWithError("a listener was not called");
}
BENCHMARK(BM_EventDispatch_Baseline_FunctionVector)->Arg(1)->Arg(8);

}  // namespace
}  // namespace livedata::bench
