// livedata-stampede: N clients ask a running mock-server for the same cold key at the same
// moment, and the server's own counters (GET /api/cache/stats) tell how many renders from
// SQLite that cost. Without single-flight it would be up to N; the server's promise is 1.
// Each round uses a query never asked before, so its key is cold in every cache tier.
//
//   livedata-stampede --server URL --token T [--concurrency 100] [--rounds 5]
//                     [--path /api/campaigns] [--json FILE]
// Every client connects (and is served a probe) before the barrier opens, so the requests
// race for the key rather than for the listen queue.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "livedata/command_line.h"

namespace {

struct Options {
  std::string server;
  std::string token;
  std::string path = "/api/campaigns";
  int concurrency = 100;
  int rounds = 5;
  std::string jsonFile;
};

namespace cl = livedata::command_line;

const cl::OptionTable<Options>& optionTable() {
  static const cl::OptionTable<Options> kTable{{
      cl::text<Options>("server", "URL", "the mock-server to ask (required)", [](auto& o) -> auto& { return o.server; }),
      cl::text<Options>("token", "T", "its admin token, for GET /api/cache/stats (required)",
                        [](auto& o) -> auto& { return o.token; }),
      cl::number<Options>("concurrency", "N", "clients asking at the same moment", 1, 10000,
                          [](auto& o) -> auto& { return o.concurrency; }),
      cl::number<Options>("rounds", "N", "rounds, each on a key never asked before", 1, 1000,
                          [](auto& o) -> auto& { return o.rounds; }),
      cl::text<Options>("path", "P", "the list route asked", [](auto& o) -> auto& { return o.path; }),
      cl::text<Options>("json", "FILE", "also write the rounds as JSON to FILE",
                        [](auto& o) -> auto& { return o.jsonFile; }),
  }};
  return kTable;
}

[[noreturn]] void exitWithUsage(const std::string& problem) {
  std::ostream& out = problem.empty() ? std::cout : std::cerr;  // empty: --help was asked for
  if (!problem.empty()) out << "livedata-stampede: " << problem << "\n";
  out << "usage: livedata-stampede --server URL --token T [options]\n" << optionTable().help();
  std::exit(problem.empty() ? 0 : 2);
}

Options parse(int argc, char** argv) {
  Options options;
  const auto arguments = optionTable().parseInto(options, std::vector<std::string>(argv + 1, argv + argc));
  if (!arguments) exitWithUsage(arguments.error());
  if (arguments.value().help) exitWithUsage("");
  if (options.server.empty() || options.token.empty()) exitWithUsage("--server and --token are required");
  return options;
}

// Opens once every party has arrived (std::latch is C++20).
class StartingGate {
 public:
  explicit StartingGate(int parties) : waiting_(parties) {}
  void arriveAndWait() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (--waiting_ == 0) opened_.notify_all();
    opened_.wait(lock, [this] { return waiting_ <= 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  int waiting_;
};

nlohmann::json cacheStats(const Options& options) {
  httplib::Client client(options.server);
  const auto response = client.Get("/api/cache/stats", {{"Authorization", "Bearer " + options.token}});
  if (!response || response->status != 200) {
    std::cerr << "livedata-stampede: GET /api/cache/stats failed"
              << (response ? " with " + std::to_string(response->status) : std::string()) << "\n";
    std::exit(1);
  }
  return nlohmann::json::parse(response->body);
}

struct Round {
  std::uint64_t computations = 0;
  std::uint64_t coalesced = 0;
  int ok = 0;
  double p50Ms = 0;
  double maxMs = 0;
};

Round runRound(const Options& options, const std::string& target) {
  const nlohmann::json before = cacheStats(options);
  StartingGate gate(options.concurrency);
  std::vector<double> latenciesMs(options.concurrency, 0);
  std::vector<int> statuses(options.concurrency, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < options.concurrency; ++i) {
    clients.emplace_back([&, i] {
      httplib::Client client(options.server);
      client.set_tcp_nodelay(true);
      client.set_keep_alive(true);
      client.set_read_timeout(30, 0);
      client.Get("/livez");  // connects now, so the gate releases requests, not handshakes
      gate.arriveAndWait();
      const auto started = std::chrono::steady_clock::now();
      const auto response = client.Get(target);
      latenciesMs[i] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      statuses[i] = response ? response->status : 0;
    });
  }
  for (auto& client : clients) client.join();
  const nlohmann::json after = cacheStats(options);

  Round round;
  round.computations = after.at("computations").get<std::uint64_t>() - before.at("computations").get<std::uint64_t>();
  round.coalesced = after.at("coalesced").get<std::uint64_t>() - before.at("coalesced").get<std::uint64_t>();
  round.ok = static_cast<int>(std::count(statuses.begin(), statuses.end(), 200));
  std::sort(latenciesMs.begin(), latenciesMs.end());
  round.p50Ms = latenciesMs[latenciesMs.size() / 2];
  round.maxMs = latenciesMs.back();
  return round;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  // A query no one has asked for: a page size per round and an offset per run, so each round
  // renders a real page of rows.
  const auto runOffset = std::chrono::steady_clock::now().time_since_epoch().count() % 500;
  nlohmann::ordered_json rounds = nlohmann::ordered_json::array();
  std::uint64_t worst = 0;
  int failed = 0;
  std::cout << "stampede: " << options.concurrency << " concurrent GET " << options.path << " on a cold key\n"
            << "round  computations  coalesced  ok   p50 ms   max ms\n";
  for (int r = 0; r < options.rounds; ++r) {
    const std::string target = options.path + "?limit=" + std::to_string(50 + r) + "&offset=" + std::to_string(runOffset);
    const Round round = runRound(options, target);
    worst = std::max(worst, round.computations);
    failed += options.concurrency - round.ok;
    std::printf("%5d  %12llu  %9llu  %3d  %7.2f  %7.2f\n", r + 1,
                static_cast<unsigned long long>(round.computations),
                static_cast<unsigned long long>(round.coalesced), round.ok, round.p50Ms, round.maxMs);
    rounds.push_back({{"computations", round.computations}, {"coalesced", round.coalesced}, {"ok", round.ok},
                      {"p50Ms", round.p50Ms}, {"maxMs", round.maxMs}});
  }
  const nlohmann::ordered_json report = {{"concurrency", options.concurrency},
                                         {"rounds", rounds},
                                         {"maxComputations", worst},
                                         {"failedRequests", failed}};
  if (!options.jsonFile.empty()) std::ofstream(options.jsonFile) << report.dump(2) << "\n";
  return 0;
}
