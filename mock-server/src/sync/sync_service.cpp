#include "livedata/expected.h"
#include "sync/sync_service.h"

#include <algorithm>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "livedata/retry.h"
#include "model/record_fields.h"

namespace livedata::server {

namespace {

using Json = nlohmann::ordered_json;

// REQUIRES: rows is not empty.
SyncCursor cursorOfLastRow(const EntityRows& rows) {
  return std::visit([](const auto& list) { return cursorOf(list.back()); }, rows);
}

void addKeysOf(const EntityRows& rows, std::unordered_set<std::string>& keys) {
  std::visit([&](const auto& list) {
    for (const auto& record : list) keys.insert(keyOf(record));
  }, rows);
}

// The feed's order, (updatedAt, id).
bool isBefore(const SyncCursor& a, const SyncCursor& b) {
  return std::tie(a.updatedAt, a.id) < std::tie(b.updatedAt, b.id);
}

const char* nameOf(UpstreamFailure::Kind kind) {
  switch (kind) {
    case UpstreamFailure::Kind::network: return "network";
    case UpstreamFailure::Kind::timeout: return "timeout";
    case UpstreamFailure::Kind::http: return "http";
    case UpstreamFailure::Kind::rate_limited: return "rate_limited";
    case UpstreamFailure::Kind::malformed: return "malformed";
  }
  return "network";
}

std::string describe(const UpstreamFailure& failure) {
  std::string text = nameOf(failure.kind);
  if (failure.status != 0) text += " " + std::to_string(failure.status);
  if (!failure.message.empty()) text += ": " + failure.message;
  return text;
}

// The client's retry rule (core's decideRetry) with the upstream's own notion of what is
// retryable (UpstreamFailure::retryable: a malformed page is worth another try here, a bad
// body from our API is not), handed to the core as an error kind it retries or not.
std::optional<Millis> retryDelay(const BackoffPolicy& policy, const UpstreamFailure& failure,
                                 int attemptsMade, double random01) {
  Error error;
  error.kind = failure.retryable() ? ErrorKind::http_server : ErrorKind::http_client;
  const RetryDecision decision = decideRetry(policy, error, attemptsMade, failure.retryAfterMs, random01);
  if (!decision.retry) return std::nullopt;
  return decision.delayMs;
}

// One more call of a budgeted operation leaves a call for each turn of the schedule due
// before the budget resets (`intervalMs` apart, the next one `intervalMs` from now; a turn at
// the reset itself spends the next day's budget).
bool oneMoreCallLeavesThePlan(const BudgetUse& use, Millis now, Millis intervalMs) {
  const Millis untilReset = use.resetsAt - now;
  const std::int64_t plannedTurns = untilReset > 0 ? (untilReset - 1) / intervalMs : 0;
  return use.usedToday + 1 + plannedTurns <= use.dailyLimit;
}

}  // namespace

const char* nameOf(SyncAcceptance acceptance) {
  switch (acceptance) {
    case SyncAcceptance::queued: return "queued";
    case SyncAcceptance::merged: return "merged";
    case SyncAcceptance::stopping: return "stopping";
  }
  return "stopping";
}

std::optional<std::string> validate(const SyncOptions& options) {
  if (options.entities.empty()) return "entities: at least one entity";
  if (options.pageSize < 1 || options.pageSize > kMaxPageSize) {
    return "pageSize: expected 1.." + std::to_string(kMaxPageSize) + ", got " + std::to_string(options.pageSize);
  }
  if (options.lookbackSeconds < 0) {
    return "lookbackSeconds: expected >= 0, got " + std::to_string(options.lookbackSeconds);
  }
  if (options.fullPassIntervalSeconds < 0) {
    return "fullPassIntervalSeconds: expected >= 0 (0: only first and forced syncs), got " +
           std::to_string(options.fullPassIntervalSeconds);
  }
  if (options.statisticsIntervalSeconds < 1) {
    return "statisticsIntervalSeconds: expected >= 1, got " + std::to_string(options.statisticsIntervalSeconds);
  }
  if (options.scheduleIntervalSeconds < 0) {
    return "scheduleIntervalSeconds: expected >= 0 (0: no schedule), got " +
           std::to_string(options.scheduleIntervalSeconds);
  }
  const BackoffPolicy& retry = options.retry;
  if (retry.maxAttempts < 1) return "retry.maxAttempts: expected >= 1, got " + std::to_string(retry.maxAttempts);
  if (retry.baseDelayMs < 0) return "retry.baseDelayMs: expected >= 0, got " + std::to_string(retry.baseDelayMs);
  if (retry.maxDelayMs < retry.baseDelayMs) {
    return "retry.maxDelayMs: expected >= retry.baseDelayMs, got " + std::to_string(retry.maxDelayMs);
  }
  if (retry.maxRetryAfterMs < 0) {
    return "retry.maxRetryAfterMs: expected >= 0, got " + std::to_string(retry.maxRetryAfterMs);
  }
  return std::nullopt;
}

void SyncService::RunPlan::add(const SyncRequest& request, const std::vector<Entity>& defaults) {
  const std::vector<Entity>& requested = request.entities.empty() ? defaults : request.entities;
  entities.insert(requested.begin(), requested.end());
  if (request.force) forced.insert(requested.begin(), requested.end());
}

Expected<std::unique_ptr<SyncService>, std::string> SyncService::create(
    Store& store, UpstreamSource& upstream, SyncOptions options, SyncDependencies dependencies) {
  if (auto problem = validate(options)) return *std::move(problem);
  return std::unique_ptr<SyncService>(
      new SyncService(store, upstream, std::move(options), std::move(dependencies)));
}

SyncService::SyncService(Store& store, UpstreamSource& upstream, SyncOptions options,
                         SyncDependencies dependencies)
    : store_(store),
      upstream_(upstream),
      options_(std::move(options)),
      dependencies_(std::move(dependencies)),
      scheduleFrom_(std::chrono::steady_clock::now()),
      random_(options_.jitterSeed ? *options_.jitterSeed : std::random_device{}()) {
  for (const Entity entity : kAllEntities) {
    status_.entities[entity].cursor = store_.cursor(entity);
    if (hasStatistics(entity)) status_.entities[entity].statistics.emplace();
  }
  worker_ = std::thread([this] { workerLoop(); });
}

SyncService::~SyncService() { stop(); }

SyncAcceptance SyncService::requestSync(SyncRequest request) {
  SyncAcceptance acceptance = SyncAcceptance::queued;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return SyncAcceptance::stopping;
    if (pending_) acceptance = SyncAcceptance::merged;
    else pending_.emplace();
    pending_->add(request, options_.entities);
  }
  changed_.notify_all();
  return acceptance;
}

SyncRunReport SyncService::runNow(SyncRequest request) {
  RunPlan plan;
  plan.add(request, options_.entities);
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !running_ || stopping_; });
    if (stopping_) {
      SyncRunReport report;
      report.startedAt = report.finishedAt = now();
      report.stopped = true;
      return report;
    }
    running_ = true;
  }
  return execute(plan);
}

void SyncService::stop() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  pending_.reset();
  changed_.notify_all();
  changed_.wait(lock, [this] { return !running_; });
  lock.unlock();
  if (worker_.joinable()) worker_.join();
}

SyncStatus SyncService::status() const {
  std::vector<BudgetUse> budget = upstream_.budget();
  std::lock_guard lock(mutex_);
  SyncStatus status = status_;
  status.reportBudget = std::move(budget);
  status.fencingToken = store_.fencingToken();
  status.leader = status.fencingToken > 0;
  if (status.fencingToken != leaseSeen_) {  // a new lease, or none
    leaseSeen_ = status.fencingToken;
    leaderSince_ = status.leader ? std::optional<Millis>(now()) : std::nullopt;
  }
  status.leaderSince = leaderSince_;
  return status;
}

void SyncService::workerLoop() {
  const auto interval = std::chrono::seconds(options_.scheduleIntervalSeconds);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (pending_ && !running_) {
      const RunPlan plan = *std::move(pending_);
      pending_.reset();
      running_ = true;
      lock.unlock();
      execute(plan);
      lock.lock();
      continue;
    }
    if (interval.count() == 0) {
      changed_.wait(lock);
      continue;
    }
    const auto due = scheduleFrom_ + interval;
    if (std::chrono::steady_clock::now() < due) {
      changed_.wait_until(lock, due);
      continue;
    }
    // Due: fold a scheduled run into the next one, and count the interval from now so a
    // run longer than the interval is not followed by a burst of catch-up runs.
    if (!pending_) pending_.emplace();
    pending_->add(SyncRequest{}, options_.entities);
    scheduleFrom_ = std::chrono::steady_clock::now();
  }
}

SyncRunReport SyncService::execute(const RunPlan& plan) {
  SyncRunReport report;
  report.startedAt = now();
  // One sync leader (docs/backend.md): a run starts only with the store's write lease. The
  // store refuses a write without it anyway; this saves the upstream calls.
  if (!store_.holdWriteLease()) {
    report.skippedAsFollower = true;
    report.finishedAt = now();
    log(LogLevel::debug, "sync run skipped: another instance holds the write lease", {});
    std::lock_guard lock(mutex_);
    running_ = false;
    scheduleFrom_ = std::chrono::steady_clock::now();
    changed_.notify_all();
    return report;
  }
  {
    std::lock_guard lock(mutex_);
    status_.state = SyncState::running;
    ++status_.counters.runs;
  }
  Json requested = Json::array();
  Json forced = Json::array();
  for (const Entity entity : plan.entities) requested.push_back(nameOf(entity));
  for (const Entity entity : plan.forced) forced.push_back(nameOf(entity));
  log(LogLevel::info, "sync run started", {{"entities", requested}, {"forced", forced}});

  // std::set<Entity> iterates in kAllEntities order.
  for (const Entity entity : plan.entities) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        report.stopped = true;
        break;
      }
      status_.progress = SyncProgress{entity, 0, 0, std::nullopt};
    }
    EntityRunReport& entityReport = report.entities.emplace_back();
    entityReport.entity = entity;
    syncEntity(entity, plan.forced.count(entity) > 0, entityReport);
    if (!entityReport.completed && !entityReport.error) {
      report.stopped = true;
      break;
    }
  }
  finishRun(report);
  return report;
}

void SyncService::syncEntity(Entity entity, bool force, EntityRunReport& report) {
  const Millis startedAt = now();
  // The daily metrics are not a collection: their days are never deleted upstream.
  const bool removesAbsent = entity != Entity::metrics;
  const bool fullPassDue = removesAbsent && wholePassDue(entity, startedAt);
  if (force) {
    if (auto error = store_.resetCursor(entity)) {
      recordFailure(entity, report, "resetting the cursor: " + *error);
      return;
    }
    std::lock_guard lock(mutex_);
    status_.entities[entity].cursor.reset();
  }
  std::optional<SyncCursor> saved = store_.cursor(entity);
  const bool wholePass = !saved || fullPassDue;
  const UnixSeconds updatedSince = wholePass ? 0 : std::max<UnixSeconds>(0, saved->updatedAt - options_.lookbackSeconds);
  std::unordered_set<std::string> seen;  // a whole pass's ids
  if (wholePass && removesAbsent) lastFullPassAt_[entity] = startedAt;  // attempts count: a failing pass is not retried at once
  if (wholePass) {
    // A pass from the start re-reads every record: about as many as the store holds.
    auto stored = store_.rowCount(entity);
    if (stored && stored.value() > 0) {
      std::lock_guard lock(mutex_);
      if (status_.progress) status_.progress->estimate = static_cast<std::size_t>(stored.value());
    }
  }
  std::optional<std::string> pageCursor;
  while (true) {
    Outcome<UpstreamPage> fetched = withRetry<UpstreamPage>(
        entity, "page", report, [&] { return upstream_.fetchPage(entity, updatedSince, pageCursor, options_.pageSize); },
        [] { return true; });  // the collections' limits are per second and minute: waiting is enough
    if (std::holds_alternative<Stopped>(fetched)) return;
    if (auto* failure = std::get_if<UpstreamFailure>(&fetched)) {
      recordFailure(entity, report, describe(*failure));
      return;
    }
    UpstreamPage& page = std::get<UpstreamPage>(fetched);
    const std::size_t records = rowCount(page.rows);
    if (records > 0) {
      if (wholePass && removesAbsent) addKeysOf(page.rows, seen);
      const SyncCursor last = cursorOfLastRow(page.rows);
      std::optional<SyncCursor> advance;
      if (!saved || isBefore(*saved, last)) advance = last;
      auto committed = store_.commitPage(entity, page.rows, advance);
      if (!committed) {
        recordFailure(entity, report, "committing a page: " + committed.error());
        return;
      }
      const std::size_t changed = committed.value().changedRows;
      if (advance) saved = advance;
      ++report.pages;
      report.records += records;
      report.changedRows += changed;
      {
        std::lock_guard lock(mutex_);
        EntitySyncStatus& entityStatus = status_.entities[entity];
        entityStatus.cursor = saved;
        entityStatus.recordsSynced += records;
        entityStatus.rowsChanged += changed;
        ++status_.counters.pages;
        status_.counters.records += records;
        if (status_.progress) {
          SyncProgress& progress = *status_.progress;
          ++progress.pagesDone;
          progress.recordsDone += records;
          // The upstream holds more than the store did: the estimate is wrong, and unknown
          // is truer than a progress past 100%.
          if (progress.estimate && progress.recordsDone > *progress.estimate) progress.estimate.reset();
        }
      }
      log(LogLevel::debug, "sync page committed",
          {{"entity", nameOf(entity)}, {"page", report.pages}, {"records", records},
           {"changed", changed}, {"cursor", saved ? Json(*saved) : Json(nullptr)}});
      if (committed.value().change && dependencies_.onCommitted) {
        dependencies_.onCommitted(*committed.value().change, changed);
      }
    }
    if (!page.nextCursor) break;
    if (page.nextCursor == pageCursor) {
      recordFailure(entity, report, "the upstream answered with the cursor it was given: " + *page.nextCursor);
      return;
    }
    pageCursor = std::move(page.nextCursor);
  }
  if (wholePass && removesAbsent && !removeRecordsMissedTwice(entity, seen, report)) return;
  report.completed = true;
  const Millis at = now();
  {
    std::lock_guard lock(mutex_);
    status_.entities[entity].lastSuccessAt = at;
  }
  log(LogLevel::info, "sync entity done",
      {{"entity", nameOf(entity)}, {"pages", report.pages}, {"records", report.records},
       {"changed", report.changedRows}, {"removed", report.removedRows}, {"retries", report.retries}});
  if (hasStatistics(entity)) syncStatistics(entity, report);
}

bool SyncService::wholePassDue(Entity entity, Millis at) {
  const auto [last, first] = lastFullPassAt_.try_emplace(entity, at);
  if (first || options_.fullPassIntervalSeconds == 0) return false;
  const Millis intervalMs = static_cast<Millis>(options_.fullPassIntervalSeconds) * 1000;
  const Millis waitMs = suspects_[entity].empty() ? intervalMs : std::min(intervalMs, kSuspectsRecheckMs);
  return at - last->second >= waitMs;
}

bool SyncService::removeRecordsMissedTwice(Entity entity, const std::unordered_set<std::string>& seen,
                                           EntityRunReport& report) {
  if (seen.empty()) {
    log(LogLevel::warn, "sync whole pass saw no records: nothing removed", {{"entity", nameOf(entity)}});
    return true;
  }
  auto absent = store_.absentIds(entity, seen);
  if (!absent) {
    recordFailure(entity, report, "finding records gone from the upstream: " + absent.error());
    return false;
  }
  std::unordered_set<std::string>& suspects = suspects_[entity];
  std::vector<std::string> missedTwice;
  std::unordered_set<std::string> missedOnce;
  for (std::string& id : absent.value()) {
    if (suspects.count(id) > 0) missedTwice.push_back(std::move(id));
    else missedOnce.insert(std::move(id));
  }
  suspects = std::move(missedOnce);
  if (!suspects.empty()) {
    log(LogLevel::info, "sync whole pass missed records: checked again by the next one",
        {{"entity", nameOf(entity)}, {"missed", suspects.size()}});
  }
  if (missedTwice.empty()) return true;
  auto removed = store_.removeRows(entity, missedTwice);
  if (!removed) {
    recordFailure(entity, report, "removing records gone from the upstream: " + removed.error());
    return false;
  }
  report.removedRows = removed.value().changedRows;
  report.changedRows += report.removedRows;
  if (!removed.value().change) return true;
  {
    std::lock_guard lock(mutex_);
    status_.entities[entity].rowsChanged += report.removedRows;
  }
  log(LogLevel::info, "sync removed records gone from the upstream", {{"entity", nameOf(entity)}, {"removed", report.removedRows}});
  if (dependencies_.onCommitted) dependencies_.onCommitted(*removed.value().change, report.removedRows);
  return true;
}

void SyncService::syncStatistics(Entity entity, EntityRunReport& report) {
  const Millis started = now();
  {
    std::lock_guard lock(mutex_);
    const auto due = statisticsDueAt_.find(entity);
    if (due != statisticsDueAt_.end() && started < due->second) return;
  }
  Outcome<EntityRows> fetched = withRetry<EntityRows>(
      entity, "statistics", report, [&] { return upstream_.fetchStatistics(entity); },
      [&] { return statisticsRetryFitsBudget(entity); });
  if (std::holds_alternative<Stopped>(fetched)) return;
  const Millis interval = static_cast<Millis>(options_.statisticsIntervalSeconds) * 1000;
  const auto scheduleNext = [&](Millis wait) {
    std::lock_guard lock(mutex_);
    statisticsDueAt_[entity] = now() + wait;
    status_.entities[entity].statistics->nextRunAt = statisticsDueAt_[entity];
  };
  if (auto* failure = std::get_if<UpstreamFailure>(&fetched)) {
    scheduleNext(std::max(interval, failure->retryAfterMs.value_or(0)));
    recordFailure(entity, report, "statistics: " + describe(*failure));
    return;
  }
  const EntityRows& rows = std::get<EntityRows>(fetched);
  auto committed = store_.commitPage(entity, rows, std::nullopt, FieldGroup::statistics);
  if (!committed) {
    scheduleNext(interval);
    recordFailure(entity, report, "statistics: committing: " + committed.error());
    return;
  }
  const std::size_t changed = committed.value().changedRows;
  report.statisticsFetched = true;
  report.changedRows += changed;
  {
    std::lock_guard lock(mutex_);
    EntitySyncStatus& entityStatus = status_.entities[entity];
    entityStatus.statistics->asOf = started;
    entityStatus.rowsChanged += changed;
  }
  scheduleNext(interval);
  log(LogLevel::info, "sync statistics committed",
      {{"entity", nameOf(entity)}, {"records", rowCount(rows)}, {"changed", changed}});
  if (committed.value().change && dependencies_.onCommitted) {
    dependencies_.onCommitted(*committed.value().change, changed);
  }
}

bool SyncService::statisticsRetryFitsBudget(Entity entity) const {
  const std::optional<BudgetUse> use = upstream_.statisticsBudget(entity);
  if (!use) return true;
  return oneMoreCallLeavesThePlan(*use, now(), static_cast<Millis>(options_.statisticsIntervalSeconds) * 1000);
}

template <typename Value, typename Fetch, typename MayRetry>
SyncService::Outcome<Value> SyncService::withRetry(Entity entity, const char* what, EntityRunReport& report, Fetch fetch,
                                                   MayRetry mayRetry) {
  for (int attempt = 1;; ++attempt) {
    {
      // The page boundary: a stop lets the committed pages stand and starts no other.
      std::lock_guard lock(mutex_);
      if (stopping_) return Stopped{};
    }
    auto result = fetch();
    if (result) return std::move(result).value();
    UpstreamFailure& failure = result.error();
    const std::optional<Millis> delay = retryDelay(options_.retry, failure, attempt, random01());
    if (!delay) return std::move(failure);
    if (!mayRetry()) {
      failure.message += " (not retried: the retry would spend a call the day's planned runs need)";
      return std::move(failure);
    }
    ++report.retries;
    {
      std::lock_guard lock(mutex_);
      ++status_.counters.retries;
      if (failure.kind == UpstreamFailure::Kind::rate_limited) ++status_.counters.rateLimitedRetries;
    }
    // Rate limits that say when to come back (the upstream's 429 with Retry-After, or the
    // client's own pacing within them) are the pace its limits promise: expected, so info;
    // any other failure retried is a warning.
    const bool paced = failure.kind == UpstreamFailure::Kind::rate_limited && failure.retryAfterMs;
    log(paced ? LogLevel::info : LogLevel::warn, "sync page retry",
        {{"entity", nameOf(entity)}, {"fetch", what}, {"attempt", attempt}, {"delayMs", *delay}, {"error", describe(failure)}});
    sleepBeforeRetry(*delay);
  }
}

void SyncService::sleepBeforeRetry(Millis delayMs) {
  if (dependencies_.sleepFor) {
    dependencies_.sleepFor(delayMs);
    return;
  }
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(delayMs), [this] { return stopping_; });
}

void SyncService::recordFailure(Entity entity, EntityRunReport& report, std::string message) {
  const Millis at = now();
  log(LogLevel::error, "sync entity failed",
      {{"entity", nameOf(entity)}, {"pages", report.pages}, {"retries", report.retries}, {"error", message}});
  std::lock_guard lock(mutex_);
  status_.entities[entity].lastError = SyncFailure{message, at};
  status_.lastError = SyncStatus::LastError{entity, SyncFailure{message, at}};
  report.error = std::move(message);
}

void SyncService::finishRun(SyncRunReport& report) {
  report.finishedAt = now();
  const bool failed = report.failed();
  {
    std::lock_guard lock(mutex_);
    status_.progress.reset();
    status_.state = failed ? SyncState::failed : SyncState::idle;
    status_.lastRunDurationMs = report.finishedAt - report.startedAt;
    if (failed) ++status_.counters.failures;
    else if (report.succeeded()) ++status_.counters.successes;
  }
  Json changed = Json::array();
  for (const Entity entity : report.changedEntities()) changed.push_back(nameOf(entity));
  log(failed ? LogLevel::warn : LogLevel::info, "sync run finished",
      {{"outcome", failed ? "failed" : report.stopped ? "stopped" : "succeeded"},
       {"durationMs", report.finishedAt - report.startedAt},
       {"changed", changed}});
  if (dependencies_.onRunFinished) dependencies_.onRunFinished(report);
  {
    std::lock_guard lock(mutex_);
    running_ = false;
    scheduleFrom_ = std::chrono::steady_clock::now();
  }
  changed_.notify_all();
}

Millis SyncService::now() const {
  if (dependencies_.nowMs) return dependencies_.nowMs();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double SyncService::random01() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

void SyncService::log(LogLevel level, std::string_view message, const Json& fields) const {
  if (dependencies_.log) dependencies_.log(level, message, fields);
}

}  // namespace livedata::server
