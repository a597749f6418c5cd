// The incremental sync: copies the upstream marketing account (an UpstreamSource) into the
// Store, one page of one entity's change feed at a time.
//
// How an entity is synced. Its pages are read from updated_since = cursor.updatedAt -
// lookback (0 without a cursor), following the upstream's next cursor to the last page.
// Each page is committed with Store::commitPage together with the cursor of its last
// record, in ONE transaction.
//
// Invariant: the saved cursor never passes a row the store does not hold. Pages arrive in
// (updatedAt, id) order, and a page's rows and the cursor after them become durable
// together, so after a crash or a failure at any point the store holds every row up to
// the cursor; the next run resumes right after it and skips nothing. What it may do is
// read some rows twice (a page committed just before a crash, the look-back window):
// they come back as upserts of identical rows, which change nothing.
// The look-back catches writes that become visible upstream out of updatedAt order (one
// stamped t committed after a row stamped t + 1 was served, or one within the cursor's
// second with a smaller id); the price is a few re-read rows per run.
// The saved cursor only moves forward: a page that ends at or before it (inside the
// look-back window) is committed without a cursor. Only a forced (full) sync resets it.
//
// Deletions. The upstream's collections list what exists and say nothing of what was
// deleted, so a whole pass (from updated_since 0: the first sync, a forced run, and for a
// list entity every options.fullPassIntervalSeconds from the last one's start, its cursor
// kept) collects the ids it saw, and once it reaches the last page compares them with the
// store's (Store::absentIds). A stored record is removed (Store::removeRows, one more
// commit) when two whole passes in a row did not see it: one miss only makes it a suspect,
// and suspects make the next whole pass due after kSuspectsRecheckMs (or the interval, if
// shorter). So a record one walk skipped (a page answered short, a cursor that is not
// keyset-stable) is never lost, and a deletion upstream leaves the dashboard about ten
// minutes after the pass that first missed it. A pass that fails or is stopped removes
// nothing; one that saw no record at all (an empty answer) neither removes nor suspects.
//
// Failures. A retryable page failure (UpstreamFailure::retryable) is retried with
// exponential backoff and full jitter (core's livedata::backoffDelay, the client's code),
// waiting at least a 429's Retry-After; a Retry-After beyond retry.maxRetryAfterMs, a
// non-retryable failure, exhausted attempts or a store error end that entity's pass with
// its cursor at its last committed page. The run still goes on to the next entity: the
// entities' cursors are independent, so one broken feed does not hold back the others.
// The run then counts as failed, and the status names the last error.
//
// Statistics. An entity with statistics (model/record_fields.h, FieldGroup::statistics) has
// them fetched apart from its records (UpstreamSource::fetchStatistics: Klaviyo's values
// reports, a few hundred calls a day), after its records' pass completes in a run, when they
// are due: at the first run, then options.statisticsIntervalSeconds after each fetch, or
// after a failure (so a broken report cannot spend the day's budget one run after another;
// a rate_limited failure waits at least its Retry-After). A failed fetch is retried like a
// page, but only with the calls the schedule leaves over: while, after the retry, the
// operation's daily budget (UpstreamSource::statisticsBudget) still holds one call for each
// turn due before it resets. So a report that keeps failing spends at most the plan's calls
// plus that surplus, and never a later turn's call. A forced run does not make them
// due: refreshing the records is free, the reports' budget is not. They are committed with
// Store::commitPage(..., FieldGroup::statistics), which leaves the records' attributes alone,
// as the records' pages leave the statistics alone.
//
// Runs. One run at a time. requestSync queues a run on the service's worker thread and
// returns at once; runNow runs on the caller's thread and blocks. A schedule (when set)
// queues a non-forced run of options.entities every interval on the worker thread.
//
// Threading: every public member is safe to call from any thread, but not from the hooks
// (which run on the run's thread) except requestSync and status. The Store and the
// UpstreamSource must outlive the service.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <thread>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "livedata/expected.h"
#include "model/entity.h"
#include "livedata/config.h"
#include "livedata/types.h"
#include "model/structured_log.h"
#include "store/store.h"
#include "sync/sync_status.h"
#include "upstream_client/upstream_source.h"

namespace livedata::server {

// How soon after a whole pass that missed stored records the next whole pass checks them
// again (see "Deletions"), unless options.fullPassIntervalSeconds is shorter.
inline constexpr Millis kSuspectsRecheckMs = 10 * 60 * 1000;

struct SyncOptions {
  // What a run syncs when its request names no entity (scheduled runs too).
  std::vector<Entity> entities{kAllEntities.begin(), kAllEntities.end()};
  // Records per upstream page at most, and so per store transaction: 1..kMaxPageSize
  // (upstream_client/upstream_source.h). Each Klaviyo collection caps it at its own maximum.
  int pageSize = 100;
  // How far before its cursor an entity's feed is re-read, in seconds. >= 0.
  int lookbackSeconds = 10;
  // A scheduled run starts when this long has passed since the last run ended (or since
  // construction); 0: no schedule, runs only on request. >= 0.
  int scheduleIntervalSeconds = 0;
  // The shortest time between two fetches of an entity's statistics. >= 1. The default, 10
  // minutes, spends 144 of each values report's 225 calls a day, leaving room for retries.
  int statisticsIntervalSeconds = 600;
  // The longest time between two whole passes over a list entity's collection (the cursor
  // kept, the filter's time dropped), which find the records deleted upstream: Klaviyo's
  // collections only list what exists. 0: only the first sync and forced runs pass whole
  // (then a deletion needs two forced runs). >= 0. Each whole pass costs a page per
  // pageSize records of the collection.
  int fullPassIntervalSeconds = 6 * 3600;
  // Retries of one page: maxAttempts fetches in all, backoff between them. A 429's
  // Retry-After longer than maxRetryAfterMs is not waited for: the entity fails.
  BackoffPolicy retry{6, 200, 10000, 60000};
  // Seed of the jitter's random numbers; nullopt: seeded from std::random_device.
  std::optional<std::uint64_t> jitterSeed;
};

// The first problem with `options`, naming the field, or nullopt when they are valid.
std::optional<std::string> validate(const SyncOptions& options);

// Log lines: level, a fixed message ("sync page committed"), and structured fields; the
// same shape as the response cache's CacheLogger, so the server hands both one function.
using SyncLogger = StructuredLogger;

// What the service reaches the outside world through. Every member may be empty.
struct SyncDependencies {
  // Unix ms for status times and durations. Empty: the system clock.
  std::function<Millis()> nowMs;
  // Waits before a retry. Empty: a wait that stop() cuts short. An injected one should
  // return promptly (tests record the delays); stop() is checked when it returns.
  std::function<void(Millis delayMs)> sleepFor;
  SyncLogger log;
  // After each commit that inserted or changed rows, with its change log entry, on the
  // run's thread, before the next page is fetched: the server drops the entity's derived
  // responses from its cache, then announces the change to live clients. Runs are one at a
  // time, so calls come in version order.
  std::function<void(const Change& change, std::size_t changedRows)> onCommitted;
  // After each run, on the run's thread; report.changedEntities() names what changed.
  std::function<void(const SyncRunReport& report)> onRunFinished;
};

struct SyncRequest {
  // Reset the requested entities' cursors first, so they are re-read from the beginning.
  bool force = false;
  // Empty: options.entities. Duplicates are ignored; runs go in kAllEntities order.
  std::vector<Entity> entities;
};

enum class SyncAcceptance {
  queued,    // a new run will start on the worker thread (after the running one, if any)
  merged,    // folded into the run already waiting to start
  stopping,  // stop() was called: nothing will run
};
const char* nameOf(SyncAcceptance acceptance);

class SyncService {
 public:
  // Reads the store's cursors for the status, and starts the worker thread.
  // On invalid options, the message of validate().
  static Expected<std::unique_ptr<SyncService>, std::string> create(
      Store& store, UpstreamSource& upstream, SyncOptions options = {},
      SyncDependencies dependencies = {});

  ~SyncService();  // stop()
  SyncService(const SyncService&) = delete;
  SyncService& operator=(const SyncService&) = delete;

  // Returns at once. Requests that arrive while one waits to start fold into it (the union
  // of entities; forced entities stay forced), so a burst of requests costs one run.
  // They never fold into the running run, which may already have passed their entities.
  SyncAcceptance requestSync(SyncRequest request);

  // Runs on the caller's thread once no other run is in progress, and returns its report.
  // After stop(): runs nothing, returns a report with stopped = true.
  SyncRunReport runNow(SyncRequest request);

  // Stops taking work and ends the running run at a page boundary: a page being fetched or
  // committed completes, no further page starts, retry waits are cut short. Waits for the
  // run (also one in runNow on another thread) and joins the worker. Idempotent.
  void stop();

  SyncStatus status() const;

 private:
  // A run's work: which entities, which of them forced. Requests fold by set union.
  struct RunPlan {
    std::set<Entity> entities;
    std::set<Entity> forced;
    void add(const SyncRequest& request, const std::vector<Entity>& defaults);
  };
  // A page, a failure that ends the entity's pass, or nothing because stop() was called.
  struct Stopped {};
  template <typename Value>
  using Outcome = std::variant<Value, UpstreamFailure, Stopped>;

  SyncService(Store& store, UpstreamSource& upstream, SyncOptions options,
              SyncDependencies dependencies);

  void workerLoop();
  // REQUIRES: running_ was set by this thread.
  SyncRunReport execute(const RunPlan& plan);
  void syncEntity(Entity entity, bool force, EntityRunReport& report);
  void syncStatistics(Entity entity, EntityRunReport& report);
  // Whether a list entity's run at `now` passes whole for its deletions (not counting a
  // missing cursor).
  bool wholePassDue(Entity entity, Millis now);
  // After a whole pass that saw `seen`: removes the records missed twice in a row, and keeps
  // this pass's other misses as suspects. False (the failure recorded) when the store failed.
  bool removeRecordsMissedTwice(Entity entity, const std::unordered_set<std::string>& seen, EntityRunReport& report);
  // Calls fetch() until it gives a value, a failure not worth retrying (or one mayRetry()
  // refuses to retry), or stop() is called.
  template <typename Value, typename Fetch, typename MayRetry>
  Outcome<Value> withRetry(Entity entity, const char* what, EntityRunReport& report, Fetch fetch, MayRetry mayRetry);
  // Whether a failed statistics fetch of `entity` may be retried within the budget.
  bool statisticsRetryFitsBudget(Entity entity) const;
  void sleepBeforeRetry(Millis delayMs);
  void recordFailure(Entity entity, EntityRunReport& report, std::string message);
  void finishRun(SyncRunReport& report);
  Millis now() const;
  double random01();
  void log(LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) const;

  Store& store_;
  UpstreamSource& upstream_;
  const SyncOptions options_;
  const SyncDependencies dependencies_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;        // pending_, running_, stopping_ or a wait's end
  bool stopping_ = false;                  // GUARDED_BY(mutex_)
  bool running_ = false;                   // GUARDED_BY(mutex_); a run holds the service
  std::optional<RunPlan> pending_;         // GUARDED_BY(mutex_); the next run of the worker
  std::chrono::steady_clock::time_point scheduleFrom_;  // GUARDED_BY(mutex_); last run's end
  SyncStatus status_;                      // GUARDED_BY(mutex_)
  // The lease status() last saw and when it first saw it (SyncStatus::leaderSince).
  mutable std::int64_t leaseSeen_ = 0;                // GUARDED_BY(mutex_)
  mutable std::optional<Millis> leaderSince_;         // GUARDED_BY(mutex_)
  // Whether each entity's statistics are due: the service's clock at the last fetch.
  std::map<Entity, Millis> statisticsDueAt_;  // GUARDED_BY(mutex_)
  // Used only by the run holding running_: when each list entity's last whole pass started
  // (or its first run, for a store synced before), and the ids its last whole pass missed.
  std::map<Entity, Millis> lastFullPassAt_;
  std::map<Entity, std::unordered_set<std::string>> suspects_;

  std::mt19937_64 random_;  // used only by the run holding running_
  std::thread worker_;
};

}  // namespace livedata::server
