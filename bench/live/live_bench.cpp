// livedata-live-bench: how fast a change the sync commits reaches watching clients through
// the live feed, against a polling client measured in the same run (what TanStack Query's
// refetchInterval or SWR's refreshInterval do).
//
//   livedata-live-bench --server URL --token T [--clients 1,100,1000] [--rounds 5]
//                       [--poll-interval-ms 1000] [--hold 5000] [--server-pid PID] [--json FILE]
//                       [--commit-server URL]
//
// With --commit-server (another instance on the same PostgreSQL store, the sync leader),
// the changes are committed there and the clients watch --server: the latency then crosses
// instances (the store's notification, the other instance's feed).
//
// For each client count: that many native Clients (sharing one HTTP transport and timer
// thread; each its own event stream) watch /api/campaigns?limit=20. Each round, an admin
// touch makes the sync commit a change of campaigns; a client's latency is from the commit
// (the change log's committedAt) to the new data in its cache (its watch listener). Also
// counted: data requests per change per client (per change the feed announced: a round may
// also commit the campaigns' statistics), requests while nothing changes, the
// server's resident memory per subscriber, and the CPU time the server (given its pid) and
// the clients spend per change per client. Then --hold raw event streams (no client) are
// opened at once, to find how many the server holds with heartbeats flowing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "livedata/command_line.h"
#include "livedata/livedata.h"
#include "livedata_native/livedata_native.h"
#include "wall_clock.h"

namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

struct Options {
  std::string server;
  std::string token;
  std::string clients = "1,100,1000";
  int rounds = 5;
  int pollIntervalMs = 1000;
  int hold = 5000;
  int serverPid = 0;
  std::string jsonFile;
  std::string commitServer;  // empty: --server
};

namespace cl = livedata::command_line;

const cl::OptionTable<Options>& optionTable() {
  static const cl::OptionTable<Options> kTable{{
      cl::text<Options>("server", "URL", "the mock-server (required)", [](auto& o) -> auto& { return o.server; }),
      cl::text<Options>("token", "T", "its admin token (required)", [](auto& o) -> auto& { return o.token; }),
      cl::text<Options>("commit-server", "URL",
                        "the instance whose sync commits the changes (same store, same token); default: --server",
                        [](auto& o) -> auto& { return o.commitServer; }),
      cl::text<Options>("clients", "N,N,...", "watching client counts to measure", [](auto& o) -> auto& { return o.clients; }),
      cl::number<Options>("rounds", "N", "changes committed per client count", 1, 1000,
                          [](auto& o) -> auto& { return o.rounds; }),
      cl::number<Options>("poll-interval-ms", "MS", "the polling baseline's interval", 50, 60000,
                          [](auto& o) -> auto& { return o.pollIntervalMs; }),
      cl::number<Options>("hold", "N", "raw event streams opened at once to test how many are held; 0: skip", 0,
                          100000, [](auto& o) -> auto& { return o.hold; }),
      cl::number<Options>("server-pid", "PID", "the server's process, to count its CPU time; 0: not counted", 0,
                          1 << 30, [](auto& o) -> auto& { return o.serverPid; }),
      cl::text<Options>("json", "FILE", "write the results as JSON to FILE", [](auto& o) -> auto& { return o.jsonFile; }),
  }};
  return kTable;
}

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "livedata-live-bench: " << message << "\n";
  std::exit(1);
}

Options parse(int argc, char** argv) {
  Options options;
  const auto arguments = optionTable().parseInto(options, std::vector<std::string>(argv + 1, argv + argc));
  if (!arguments) fail(arguments.error());
  if (arguments.value().help) {
    std::cout << "usage: livedata-live-bench --server URL --token T [options]\n" << optionTable().help();
    std::exit(0);
  }
  if (options.server.empty() || options.token.empty()) fail("--server and --token are required");
  return options;
}

using livedata::bench::parseIsoTimestampMs;
using livedata::bench::wallClockMs;
class Admin {
 public:
  Admin(const std::string& server, const std::string& token) : http_(server), bearer_("Bearer " + token) {
    http_.set_read_timeout(60, 0);
  }
  Json call(const std::string& method, const std::string& path, const Json& body = nullptr) {
    httplib::Headers headers{{"Authorization", bearer_}};
    const auto result = method == "GET" ? http_.Get(path, headers)
                                        : http_.Post(path, headers, body.is_null() ? "" : body.dump(), "application/json");
    if (!result || result->status >= 300) {
      fail(method + " " + path + " failed" + (result ? ": " + std::to_string(result->status) + " " + result->body : ""));
    }
    return Json::parse(result->body);
  }
  std::int64_t version() { return call("GET", "/api/changes")["version"].get<std::int64_t>(); }
  // The commit time of the first change of campaigns after `version`.
  std::int64_t campaignsCommittedAfter(std::int64_t version) {
    const Json answer = call("GET", "/api/changes?since=" + std::to_string(version));
    for (const Json& change : answer["changes"]) {
      for (const Json& endpoint : change["endpoints"]) {
        if (endpoint["name"] == "campaigns") return parseIsoTimestampMs(change["committedAt"].get<std::string>());
      }
    }
    fail("no change of campaigns after version " + std::to_string(version));
  }
  int dataRequests(const std::string& path) {
    const Json counts = call("GET", "/admin/requests")["counts"];
    return counts.contains(path) ? counts[path].get<int>() : 0;
  }
  int liveSubscribers() { return call("GET", "/monitoring/metrics")["liveFeed"]["subscribers"].get<int>(); }
  // Closed streams leave the server at their next heartbeat: wait for them to be gone.
  void waitForNoSubscribers() {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (liveSubscribers() > 0) {
      if (std::chrono::steady_clock::now() > deadline) fail("the closed clients' streams were never dropped");
      std::this_thread::sleep_for(100ms);
    }
  }
  double residentBytes() {
    const Json metrics = call("GET", "/monitoring/metrics");
    const Json* found = nullptr;
    findKey(metrics, "residentMemoryBytes", found);
    return found && found->is_number() ? found->get<double>() : 0;
  }

 private:
  static void findKey(const Json& value, const char* key, const Json*& found) {
    if (found || !value.is_object()) return;
    if (value.contains(key)) {
      found = &value[key];
      return;
    }
    for (const auto& [name, child] : value.items()) findKey(child, key, found);
  }
  httplib::Client http_;
  std::string bearer_;
};

// User plus system CPU time of a process so far, in seconds (/proc/PID/stat; "self" for
// this one); nullopt when it cannot be read.
std::optional<double> cpuSeconds(const std::string& pid) {
  std::ifstream file("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index >= 14) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU time spent by the server and by this process between two points.
struct CpuMeter {
  explicit CpuMeter(int serverPid) : serverPid_(serverPid) { restart(); }
  void restart() {
    server_ = serverPid_ > 0 ? cpuSeconds(std::to_string(serverPid_)) : std::nullopt;
    self_ = cpuSeconds("self");
  }
  std::optional<double> serverSeconds() const { return since(server_, serverPid_ > 0 ? std::to_string(serverPid_) : ""); }
  std::optional<double> selfSeconds() const { return since(self_, "self"); }

 private:
  static std::optional<double> since(std::optional<double> start, const std::string& pid) {
    if (!start || pid.empty()) return std::nullopt;
    const auto now = cpuSeconds(pid);
    return now ? std::optional<double>(*now - *start) : std::nullopt;
  }
  int serverPid_;
  std::optional<double> server_;
  std::optional<double> self_;
};

// When each client's listener saw each version of the data, and how many clients the
// current round still waits for (the waiter is woken once, when none is left: a wake per
// arrival would cost the clients' side a context switch each).
struct Arrivals {
  std::mutex mutex;
  std::condition_variable allArrived;
  std::vector<std::int64_t> lastAt;        // per client: when its latest new data arrived
  std::vector<std::uint64_t> lastVersion;  // per client
  std::vector<std::uint64_t> roundStart;   // per client: its version when the round began
  std::size_t behind = 0;                  // clients with nothing newer than roundStart

  void arrived(std::size_t client, std::uint64_t version, std::int64_t at) {
    std::lock_guard<std::mutex> lock(mutex);
    if (version <= lastVersion[client]) return;
    const bool wasBehind = lastVersion[client] <= roundStart[client];
    lastVersion[client] = version;
    lastAt[client] = at;
    if (wasBehind && version > roundStart[client] && behind > 0 && --behind == 0) allArrived.notify_one();
  }
  // Starts a round: every client is behind until its data is newer than it has now.
  std::vector<std::uint64_t> startRound() {
    std::lock_guard<std::mutex> lock(mutex);
    roundStart = lastVersion;
    behind = lastVersion.size();
    return roundStart;
  }
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t index = std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())));
  return values[index];
}

Json summary(const std::vector<double>& latencies) {
  return {{"samples", latencies.size()}, {"p50", percentile(latencies, 0.5)}, {"p90", percentile(latencies, 0.9)},
          {"p99", percentile(latencies, 0.99)},
          {"max", latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end())}};
}

const std::string kPath = "/api/campaigns";
const livedata::Query kQuery{{"limit", "20"}};

// Waits until every client has data newer than it had at the round's start (or `limit` passes).
bool waitForAll(Arrivals& arrivals, std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(arrivals.mutex);
  return arrivals.allArrived.wait_for(lock, limit, [&] { return arrivals.behind == 0; });
}

// `admin`: the watched server; `committer`: the one whose sync commits (may be the same).
Json measureWatching(const Options& options, Admin& admin, Admin& committer, int count,
                     livedata::ClientDependencies shared) {
  Arrivals arrivals;
  arrivals.lastAt.assign(count, 0);
  arrivals.lastVersion.assign(count, 0);
  arrivals.roundStart.assign(count, 0);
  std::vector<std::unique_ptr<livedata::Client>> clients;
  std::vector<livedata::WatchHandle> watches;
  const double rssBefore = admin.residentBytes();
  for (int i = 0; i < count; ++i) {
    livedata::ClientConfig config;
    config.baseUrl = options.server;
    livedata::ClientDependencies deps = shared;
    deps.stream = std::make_shared<livedata::native::HttplibStreamTransport>();
    auto created = livedata::Client::create(config, deps);
    if (!created) fail("cannot create a client: " + created.error().message);
    clients.push_back(std::move(created.value()));
    watches.push_back(clients.back()->watch(kPath, kQuery, [&arrivals, i](const livedata::FetchResult& result) {
      if (result.ok()) arrivals.arrived(static_cast<std::size_t>(i), result.version, wallClockMs());
    }));
  }
  const auto liveDeadline = std::chrono::steady_clock::now() + 60s;
  for (auto& client : clients) {
    while (client->connection().state != livedata::ConnectionState::live) {
      if (std::chrono::steady_clock::now() > liveDeadline) fail("clients did not all go live");
      std::this_thread::sleep_for(5ms);
    }
  }
  std::this_thread::sleep_for(1s);  // the subscriptions' own revalidations land
  const double rssAfter = admin.residentBytes();

  // Nothing changes: no client asks anything.
  admin.call("POST", "/admin/reset");
  std::this_thread::sleep_for(2s);
  const int idleRequests = admin.dataRequests(kPath);

  std::vector<double> latencies;
  int missed = 0;
  admin.call("POST", "/admin/reset");
  CpuMeter cpu(options.serverPid);
  // A round's sync may commit more than one change (the campaigns' statistics when they are
  // due, every 10 minutes): requests are counted per change the feed announced, not per round.
  const std::int64_t firstVersion = committer.version();
  for (int round = 0; round < options.rounds; ++round) {
    const std::vector<std::uint64_t> before = arrivals.startRound();
    const std::int64_t version = committer.version();
    committer.call("POST", "/admin/touch", {{"endpoint", "campaigns"}});
    const std::int64_t committedAt = committer.campaignsCommittedAfter(version);
    if (!waitForAll(arrivals, 30s)) ++missed;
    std::lock_guard<std::mutex> lock(arrivals.mutex);
    for (int i = 0; i < count; ++i) {
      if (arrivals.lastVersion[i] > before[i]) latencies.push_back(static_cast<double>(arrivals.lastAt[i] - committedAt));
    }
  }
  // What the rounds cost beyond the clients' work (admin calls, the sync's commit) is small
  // beside count clients' notices and refetches; it is counted in.
  const auto serverCpu = cpu.serverSeconds();
  const auto clientsCpu = cpu.selfSeconds();
  std::this_thread::sleep_for(500ms);
  const int requests = admin.dataRequests(kPath);
  const std::int64_t changes = std::max<std::int64_t>(1, committer.version() - firstVersion);
  watches.clear();
  clients.clear();
  Json result = summary(latencies);
  result["clients"] = count;
  result["rounds"] = options.rounds;
  result["missedRounds"] = missed;
  result["changes"] = changes;
  result["requestsPerChangePerClient"] = static_cast<double>(requests) / (static_cast<double>(changes) * count);
  result["idleRequests"] = idleRequests;
  result["rssBytesPerSubscriber"] = count > 0 ? (rssAfter - rssBefore) / count : 0;
  const double perChangePerClientUs = 1e6 / (static_cast<double>(options.rounds) * count);
  if (serverCpu) result["serverCpuUsPerChangePerClient"] = *serverCpu * perChangePerClientUs;
  if (clientsCpu) result["clientsCpuUsPerChangePerClient"] = *clientsCpu * perChangePerClientUs;
  return result;
}

// The baseline: one client polling every --poll-interval-ms, as refetchInterval would.
Json measurePolling(const Options& options, Admin& committer, livedata::ClientDependencies shared) {
  livedata::ClientConfig config;
  config.baseUrl = options.server;
  config.live.enabled = false;
  config.defaultTtlMs = 0;  // every poll asks the server (conditionally), whatever max-age says
  config.obeyCacheControl = false;
  auto created = livedata::Client::create(config, shared);
  if (!created) fail("cannot create the polling client");
  livedata::Client& client = *created.value();
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::uint64_t lastVersion = 0;
  std::int64_t lastAt = 0;
  std::thread poller([&] {
    while (!stop.load()) {
      const auto result = livedata::native::fetchBlocking([&](livedata::FetchCallback done) {
        livedata::FetchOptions fetch;
        fetch.query = kQuery;
        client.fetchFromAPI(kPath, fetch, std::move(done));
      });
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (result.ok() && result.version > lastVersion) {
          lastVersion = result.version;
          lastAt = wallClockMs();
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(options.pollIntervalMs));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(options.pollIntervalMs * 2));
  std::vector<double> latencies;
  for (int round = 0; round < options.rounds; ++round) {
    // Changes land at a random point of the poll cycle, as they do in life.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::rand() % options.pollIntervalMs));
    // Read after the wait, just before the change: a poll that lands during the wait with
    // data from before (the previous round's, late) must not count as this round's.
    std::uint64_t before;
    {
      std::lock_guard<std::mutex> lock(mutex);
      before = lastVersion;
    }
    const std::int64_t version = committer.version();
    committer.call("POST", "/admin/touch", {{"endpoint", "campaigns"}});
    const std::int64_t committedAt = committer.campaignsCommittedAfter(version);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.pollIntervalMs * 5);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (lastVersion > before) break;
      }
      std::this_thread::sleep_for(2ms);
    }
    std::lock_guard<std::mutex> lock(mutex);
    if (lastVersion > before) latencies.push_back(static_cast<double>(lastAt - committedAt));
  }
  stop.store(true);
  poller.join();
  Json result = summary(latencies);
  result["intervalMs"] = options.pollIntervalMs;
  result["requestsPerSecondPerClient"] = 1000.0 / options.pollIntervalMs;
  return result;
}

// Opens `count` raw event streams and checks each one gets its subscription and then a
// heartbeat: how many the server holds at once.
Json measureHolding(const Options& options, Admin& admin, int count) {
  const auto colon = options.server.rfind(':');
  const int port = std::stoi(options.server.substr(colon + 1));
  const double rssBefore = admin.residentBytes();
  std::vector<int> sockets;
  const std::string request = "GET /api/changes HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
  int refused = 0;
  for (int i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      if (fd >= 0) ::close(fd);
      ++refused;
      continue;
    }
    sockets.push_back(fd);
  }
  // Every stream must answer 200 with its subscription, then a heartbeat (the server runs
  // with a short heartbeat for this).
  std::vector<bool> subscribed(sockets.size()), beating(sockets.size());
  std::vector<std::string> received(sockets.size());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::size_t done = 0;
  while (done < sockets.size() && std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> waiting;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < sockets.size(); ++i) {
      if (beating[i]) continue;
      waiting.push_back({sockets[i], POLLIN, 0});
      which.push_back(i);
    }
    if (::poll(waiting.data(), waiting.size(), 200) <= 0) continue;
    for (std::size_t k = 0; k < waiting.size(); ++k) {
      if (!(waiting[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const std::size_t i = which[k];
      char buffer[4096];
      const ssize_t got = ::recv(sockets[i], buffer, sizeof buffer, 0);
      if (got <= 0) {
        beating[i] = true;  // closed: counted as not held below
        ++done;
        continue;
      }
      received[i].append(buffer, static_cast<std::size_t>(got));
      if (!subscribed[i] && received[i].find("event: subscribed") != std::string::npos) subscribed[i] = true;
      if (subscribed[i] && received[i].find(": heartbeat") != std::string::npos) {
        beating[i] = true;
        ++done;
      }
    }
  }
  int held = 0;
  int overLimit = 0;
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    if (subscribed[i] && received[i].find(": heartbeat") != std::string::npos) ++held;
    if (received[i].rfind("HTTP/1.1 503", 0) == 0) ++overLimit;
  }
  const double rssHolding = admin.residentBytes();
  // Data requests still answer while they are all held.
  httplib::Client probe(options.server);
  probe.set_read_timeout(10, 0);
  const auto start = std::chrono::steady_clock::now();
  const auto answered = probe.Get(kPath);
  const double probeMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  for (const int fd : sockets) ::close(fd);
  return {{"opened", count},       {"connectRefused", refused}, {"heldWithHeartbeats", held},
          {"refused503", overLimit}, {"rssBytesPerStream", held > 0 ? (rssHolding - rssBefore) / held : 0},
          {"dataRequestWhileHeldOk", answered && answered->status == 200}, {"dataRequestWhileHeldMs", probeMs}};
}

void raiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  raiseFileLimit();
  Admin admin(options.server, options.token);
  Admin committer(options.commitServer.empty() ? options.server : options.commitServer, options.token);
  livedata::native::NativeOptions native;
  native.workerThreads = 16;
  native.minLogLevel = livedata::LogLevel::error;
  livedata::ClientDependencies shared = livedata::native::makeNativeDependencies(native);
  shared.stream = nullptr;  // each watching client gets its own stream (one per browser, in life)

  Json results;
  results["polling"] = measurePolling(options, committer, shared);
  std::cerr << "polling every " << options.pollIntervalMs << " ms: p50 " << results["polling"]["p50"] << " ms\n";
  std::stringstream counts(options.clients);
  for (std::string count; std::getline(counts, count, ',');) {
    admin.waitForNoSubscribers();  // each count starts from none, with the last one's slots free
    const Json run = measureWatching(options, admin, committer, std::stoi(count), shared);
    std::cerr << count << " watching clients: p50 " << run["p50"] << " ms, p99 " << run["p99"] << " ms, "
              << run["requestsPerChangePerClient"] << " requests per change per client\n";
    results["watching"].push_back(run);
  }
  if (options.hold > 0) {
    admin.waitForNoSubscribers();  // the hold test starts from none
    results["holding"] = measureHolding(options, admin, options.hold);
    std::cerr << "held " << results["holding"]["heldWithHeartbeats"] << " of " << options.hold << " streams\n";
  }
  const std::string text = results.dump(2);
  if (!options.jsonFile.empty()) {
    std::ofstream(options.jsonFile) << text << "\n";
  } else {
    std::cout << text << "\n";
  }
  return 0;
}
