#include "livedata/expected.h"
#include "sync_scenario.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "stopwatch.h"
#include "store/store.h"
#include "sync/sync_service.h"
#include "simulated_upstream/account.h"
#include "upstream_client/klaviyo_upstream.h"
#include "simulated_upstream/upstream_server.h"

namespace livedata::bench {
namespace {

using server::Entity;
using server::UnixSeconds;

constexpr std::uint64_t kAccountSeed = 42;  // the tests' seed: the same account they check

// A folder made with mkdtemp, removed with everything in it at destruction.
class TempDir {
 public:
  static Expected<std::unique_ptr<TempDir>, std::string> create(const std::string& parent) {
    std::string pattern = (std::filesystem::path(parent) / "livedata-sync-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return "cannot create a temporary folder in " + parent;
    return std::unique_ptr<TempDir>(new TempDir(pattern));
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// The object of a create() that answers an object or an error, or the error prefixed by `what`.
template <typename T>
std::unique_ptr<T> take(Expected<std::unique_ptr<T>, std::string> created, const char* what, std::string& error) {
  if (!created) {
    error = std::string(what) + ": " + created.error();
    return nullptr;
  }
  return std::move(created.value());
}

double peakResidentMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

Expected<SyncPassResult, std::string> syncCampaigns(server::SyncService& sync, const char* what) {
  const Stopwatch stopwatch;
  const server::SyncRunReport report = sync.runNow(server::SyncRequest{false, {Entity::campaigns}});
  SyncPassResult result;
  result.ms = stopwatch.elapsedMs();
  if (!report.succeeded() || report.entities.size() != 1) {
    const auto& error = report.entities.empty() ? std::optional<std::string>{} : report.entities[0].error;
    return std::string(what) + " failed: " + error.value_or("stopped");
  }
  const server::EntityRunReport& campaigns = report.entities[0];
  result.pages = campaigns.pages;
  result.recordsRead = campaigns.records;
  result.rowsWritten = campaigns.changedRows;
  return result;
}

// Every page of the campaigns' feed fetched and parsed as the sync does, and dropped.
Expected<FeedWalkResult, std::string> walkFeed(server::UpstreamSource& source, int pageSize) {
  FeedWalkResult result;
  const Stopwatch stopwatch;
  std::optional<std::string> cursor;
  do {
    server::UpstreamResult fetched = source.fetchPage(Entity::campaigns, 0, cursor, pageSize);
    if (!fetched) return "feed walk: " + fetched.error().message;
    auto& page = fetched.value();
    ++result.pages;
    result.records += server::rowCount(page.rows);
    cursor = std::move(page.nextCursor);
  } while (cursor);
  result.ms = stopwatch.elapsedMs();
  return result;
}

// Distinct campaigns stamped at or after `since`: the feed holds each record once.
std::size_t campaignsChangedSince(const server::UpstreamAccount& account, UnixSeconds since) {
  std::size_t changed = 0;
  std::optional<server::SyncCursor> after;
  for (;;) {
    const server::FeedPage page = account.readFeed(Entity::campaigns, since, after, 1000);
    const auto& rows = std::get<std::vector<server::Campaign>>(page.rows);
    changed += rows.size();
    if (!page.hasMore || rows.empty()) return changed;
    after = server::SyncCursor{rows.back().updatedAt, rows.back().id};
  }
}

struct UpstreamChanges {
  std::size_t changedCampaigns = 0;
  int changesApplied = 0;
};

// Makes account changes (the account's own stream, as POST /admin/changes does) until at
// least `target` distinct campaigns changed. `at` lies after every generated stamp, so the
// changed campaigns are exactly those stamped at or after it (account.h, "Stamps").
UpstreamChanges changeCampaigns(server::UpstreamAccount& account, std::size_t target, UnixSeconds at) {
  UpstreamChanges made;
  while ((made.changedCampaigns = campaignsChangedSince(account, at)) < target) {
    // Some 45 in 100 changes touch a campaign (account.cpp, applyOne), a few of them one
    // already changed: asking for twice the shortfall lands just under it, then tops up.
    const int batch = static_cast<int>(2 * (target - made.changedCampaigns)) + 1;
    account.applyChanges(batch, at);
    made.changesApplied += batch;
  }
  return made;
}

// A Store on a new file and the SyncService that fills it from its own reader of the
// upstream (a process starting afresh: its report budget unspent, so repetitions measure the
// sync, not the client's rate windows). The service refers to the store and the reader, so
// it goes first: members are destroyed in reverse, and close() says so.
struct SyncTarget {
  std::unique_ptr<server::KlaviyoUpstream> source;
  std::unique_ptr<server::Store> store;
  std::unique_ptr<server::SyncService> sync;

  void close() {
    sync.reset();
    store.reset();
    source.reset();
  }
};

Expected<SyncTarget, std::string> openSyncTarget(const std::string& path, const server::KlaviyoUpstreamOptions& sourceOptions,
                                                     int pageSize) {
  std::string error;
  SyncTarget target;
  target.source = take(server::KlaviyoUpstream::create(sourceOptions), "upstream source", error);
  if (!target.source) return error;
  target.store = take(server::Store::open(path), "store", error);
  if (!target.store) return error;
  server::SyncOptions syncOptions;
  syncOptions.entities = {Entity::campaigns};
  syncOptions.pageSize = pageSize;
  target.sync = take(server::SyncService::create(*target.store, *target.source, syncOptions), "sync service", error);
  if (!target.sync) return error;
  return target;
}

// A database file and its WAL companions, so repetitions do not fill the disk.
void removeDatabase(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ignored);
}

// Steps 1-3 of sync_scenario.h into `storePath` (left in place, with its open service in
// `target`) and a baseline file (removed).
Expected<FullSyncRepetition, std::string> measureFullSync(const server::UpstreamAccount& account,
                                                              const server::KlaviyoUpstreamOptions& sourceOptions,
                                                              server::UpstreamSource& source, const TempDir& dir,
                                                              const std::string& storePath, int pageSize,
                                                              SyncTarget& target) {
  FullSyncRepetition repetition;
  target.close();
  auto opened = openSyncTarget(storePath, sourceOptions, pageSize);
  if (!opened) return opened.error();
  target = std::move(opened).value();

  auto full = syncCampaigns(*target.sync, "full sync");
  if (!full) return full.error();
  repetition.fullSync = full.value();

  auto walk = walkFeed(source, pageSize);
  if (!walk) return walk.error();
  repetition.feedWalk = walk.value();

  const std::string baselinePath = dir.file("baseline.db");
  auto baseline = insertCampaignsPlainly(account, baselinePath, pageSize);
  removeDatabase(baselinePath);
  if (!baseline) return baseline.error();
  repetition.baseline = baseline.value();
  return repetition;
}

}  // namespace

Expected<SyncBenchRun, std::string> runSyncBenchmark(int records, const SyncBenchOptions& options) {
  SyncBenchRun run;
  run.records = records;
  run.pageSize = options.pageSize;
  run.changedFraction = options.changedFraction;
  std::string error;

  auto dir = take(TempDir::create(options.workDir), "temporary folder", error);
  if (!dir) return error;

  server::UpstreamAccountOptions accountOptions;
  accountOptions.seed = kAccountSeed;
  accountOptions.sizes.campaigns = records;
  const Stopwatch creating;
  auto account = take(server::UpstreamAccount::create(accountOptions), "upstream account", error);
  if (!account) return error;
  run.accountCreateMs = creating.elapsedMs();
  // After the last generated stamp (data_generator.h: every one lies on or before lastDay).
  const UnixSeconds changesAt = (accountOptions.sizes.lastDay + 1) * server::kSecondsPerDay;

  // Declared before the source: destroyed after it, so the source's kept-alive connection
  // is closed before the server's stop() would wait out its keep-alive timeout.
  // Klaviyo's rate limits off: the benchmark measures the sync, not the limiter.
  server::UpstreamServerOptions serverOptions;
  serverOptions.apiKey = "bench-key";
  serverOptions.documentedRateLimits = false;
  auto server = take(server::UpstreamServer::create(*account, serverOptions), "upstream server", error);
  if (!server) return error;
  if (!server->start()) return std::string("upstream server: cannot listen on 127.0.0.1");
  server::KlaviyoUpstreamOptions sourceOptions;
  sourceOptions.source.http.baseUrl = server->baseUrl();
  // A values report of a million campaigns takes longer than the default 10 s to render and
  // read; timed out, it would be retried into the report's limit of 2 calls a minute.
  sourceOptions.source.http.readTimeoutMs = 300'000;
  sourceOptions.source.apiKey = serverOptions.apiKey;
  auto source = take(server::KlaviyoUpstream::create(sourceOptions), "upstream source", error);
  if (!source) return error;

  SyncTarget target;  // the last repetition's, kept for the incremental sync
  for (int i = 0; i < options.repetitions; ++i) {
    const std::string storePath = dir->file(("store-" + std::to_string(i) + ".db").c_str());
    auto repetition = measureFullSync(*account, sourceOptions, *source, *dir, storePath, options.pageSize, target);
    if (!repetition) return repetition.error();
    run.repetitions.push_back(repetition.value());
    if (i + 1 < options.repetitions) {
      target.close();
      removeDatabase(storePath);
    }
  }

  const auto wanted = static_cast<std::size_t>(static_cast<double>(records) * options.changedFraction + 0.5);
  const UpstreamChanges changes = changeCampaigns(*account, std::max<std::size_t>(wanted, 1), changesAt);
  run.changedCampaigns = changes.changedCampaigns;
  run.changesApplied = changes.changesApplied;

  auto incremental = syncCampaigns(*target.sync, "incremental sync");
  if (!incremental) return incremental.error();
  run.incremental = incremental.value();

  run.peakRssMiB = peakResidentMiB();
  return run;
}

}  // namespace livedata::bench
