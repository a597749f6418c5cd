// Backoff computation: backoffDelay against the bare formula min(max, base * 2^(n-1)) * r,
// over the same retry numbers and random draws.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>

#include "livedata/config.h"
#include "livedata/retry.h"

namespace livedata::bench {
namespace {

// Retry numbers 1 to 8 (past the 8000 ms cap of the default policy from the 6th) with
// fixed draws, so both loops see identical inputs and no random generator is timed.
struct BackoffInput {
  int retryNumber;
  double random01;
};
constexpr std::array<BackoffInput, 8> kInputs{{
    {1, 0.13}, {2, 0.92}, {3, 0.47}, {4, 0.05}, {5, 0.71}, {6, 0.38}, {7, 0.99}, {8, 0.26},
}};

void BM_Backoff_Delay(benchmark::State& state) {
  BackoffPolicy policy;
  benchmark::DoNotOptimize(policy);  // as opaque to this loop as to backoffDelay
  std::size_t i = 0;
  for (auto _ : state) {
    const BackoffInput& input = kInputs[i++ % kInputs.size()];
    benchmark::DoNotOptimize(backoffDelay(policy, input.retryNumber, input.random01));
  }
}
BENCHMARK(BM_Backoff_Delay);

void BM_Backoff_Baseline_Formula(benchmark::State& state) {
  BackoffPolicy policy;
  benchmark::DoNotOptimize(policy);  // as opaque to this loop as to backoffDelay
  std::size_t i = 0;
  for (auto _ : state) {
    const BackoffInput& input = kInputs[i++ % kInputs.size()];
    const Millis ceiling = std::min(policy.maxDelayMs, policy.baseDelayMs << (input.retryNumber - 1));
    benchmark::DoNotOptimize(static_cast<Millis>(static_cast<double>(ceiling) * input.random01));
  }
}
BENCHMARK(BM_Backoff_Baseline_Formula);

}  // namespace
}  // namespace livedata::bench
