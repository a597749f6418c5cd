// The whole cached read: Client::fetchFromAPI of a key that is cached and fresh, with fakes
// for the transport, clock and scheduler, against ResponseCache::lookup of the same key
// alone. The ratio is the client's overhead on a hit: building the key, the lock, the
// result and the completion of the callback.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "livedata/cache.h"
#include "livedata/client.h"
#include "sample_data.h"

namespace livedata::bench {
namespace {

constexpr Millis kNowMs = 1'700'000'000'000;

// Time stands still, so a cached entry stays fresh for the whole run.
class FrozenClock : public Clock {
 public:
  Millis nowMs() const override { return kNowMs; }
};

// Never runs its tasks: a cache hit schedules nothing, and nothing here is retried.
class InertScheduler : public Scheduler {
 public:
  TimerId runAfter(Millis, Callback<void()>) override { return ++lastId_; }
  void cancel(TimerId) override {}

 private:
  std::atomic<TimerId> lastId_{0};
};

// Answers every request at once (before send returns, as the Transport contract allows)
// with the same 200 response, and counts the requests it was given.
class CannedTransport : public Transport {
 public:
  explicit CannedTransport(HttpResponse response) : response_(std::move(response)) {}

  RequestId send(HttpRequest, TransportCallback done) override {
    const RequestId id = ++sent_;
    done(TransportResult::ok(response_));
    return id;
  }
  void cancel(RequestId) override {}

  RequestId sent() const { return sent_; }

 private:
  HttpResponse response_;
  std::atomic<RequestId> sent_{0};
};

HttpResponse okResponse(const std::string& body) {
  HttpResponse response;
  response.status = 200;
  response.body = body;
  response.headers.add("Content-Type", "application/json");
  response.headers.add("ETag", R"("5f2b9c1e")");
  return response;
}

// A std::string, as callers hold paths, so that no conversion is timed in the loop.
const std::string kPath = "/api/campaigns";

void BM_ClientRead_CachedFresh(benchmark::State& state) {
  auto transport = std::make_shared<CannedTransport>(okResponse(*typicalBody()));
  ClientDependencies deps;
  deps.transport = transport;
  deps.clock = std::make_shared<FrozenClock>();
  deps.scheduler = std::make_shared<InertScheduler>();
  // The native adapter's check; it runs once, on the warming fetch, never in the loop.
  deps.acceptsJson = [](std::string_view text) { return nlohmann::json::accept(text); };
  ClientConfig config;
  config.baseUrl = "http://127.0.0.1:8080";
  auto created = Client::create(config, std::move(deps));
  if (!created) {
    state.SkipWithError(("Client::create: " + created.error().message).c_str());
    return;
  }
  Client& client = *created.value();

  const Query query = dashboardQuery();
  bool warmed = false;
  client.fetchFromAPI(kPath, FetchOptions{query, false}, [&](FetchResult result) { warmed = result.ok(); });
  if (!warmed) {
    state.SkipWithError("the warming fetch failed");
    return;
  }

  for (auto _ : state) {
    // Copying the query is timed: every caller hands fetchFromAPI its options by value.
    client.fetchFromAPI(kPath, FetchOptions{query, false},
                        [](FetchResult result) { benchmark::DoNotOptimize(result.body); });
  }

  const ClientStats stats = client.stats();
  if (transport->sent() != 1 || stats.hits != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("a read in the loop was not a cache hit");
  }
}
BENCHMARK(BM_ClientRead_CachedFresh);

void BM_ClientRead_Baseline_CacheLookup(benchmark::State& state) {
  SampleRequest request;
  request.path = kPath;
  request.endpoint = "campaigns";
  request.query = dashboardQuery();
  request.key = makeCacheKey("GET", request.path, request.query);
  ResponseCache cache(ClientConfig{}.cache);
  cache.put(entryFor(request, typicalBody()));
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.lookup(request.key));
  }
}
BENCHMARK(BM_ClientRead_Baseline_CacheLookup);

}  // namespace
}  // namespace livedata::bench
