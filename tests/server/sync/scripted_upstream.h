// A scripted UpstreamSource for the sync's unit tests: an in-memory account served page by
// page (records ordered by (updatedAt, id), pages linked by an opaque cursor) with its
// statistics, plus failures queued for chosen fetches and a hook into each fetch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "model/entity.h"
#include "upstream_client/upstream_source.h"

namespace livedata::server::testing {

struct FetchCall {
  Entity entity = Entity::campaigns;
  UnixSeconds updatedSince = 0;
  std::optional<std::string> cursor;
  int pageSize = 0;
};

inline std::string idOf(const DailyMetrics& metrics) { return formatIsoDate(metrics.day); }
template <typename Record>
std::string idOf(const Record& record) {
  return record.id;
}

// Cursors compare as the feed's order: a zero-padded updatedAt, then the id.
template <typename Record>
std::string cursorKeyOf(const Record& record) {
  std::string time = std::to_string(record.updatedAt);
  return std::string(20 - time.size(), '0') + time + "|" + idOf(record);
}

class ScriptedUpstream : public UpstreamSource {
 public:
  // Replaces an entity's records (the entity is the variant's alternative).
  void setRows(EntityRows rows) {
    std::lock_guard lock(mutex_);
    rows_[static_cast<Entity>(rows.index())] = std::move(rows);
  }

  // Inserts or replaces one record by id, as an upstream change would.
  template <typename Record>
  void upsert(const Record& record) {
    std::lock_guard lock(mutex_);
    const Entity entity = static_cast<Entity>(EntityRows(std::vector<Record>{}).index());
    auto [it, inserted] = rows_.try_emplace(entity, std::vector<Record>{});
    auto& list = std::get<std::vector<Record>>(it->second);
    auto same = std::find_if(list.begin(), list.end(), [&](const Record& r) { return idOf(r) == idOf(record); });
    if (same == list.end()) list.push_back(record);
    else *same = record;
  }

  // Deletes one record of `entity` by id, as a deletion upstream would (no trace in the feed).
  void erase(Entity entity, const std::string& id) {
    std::lock_guard lock(mutex_);
    std::visit([&](auto& list) {
      list.erase(std::remove_if(list.begin(), list.end(), [&](const auto& r) { return idOf(r) == id; }), list.end());
    }, rows_.at(entity));
  }

  // Fetches number firstCall .. firstCall + times - 1 (the first fetch is number 1, and
  // clearCalls starts the count over) answer `failure` instead of a page.
  void failCalls(std::size_t firstCall, std::size_t times, const UpstreamFailure& failure) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < times; ++i) failures_[firstCall + i] = failure;
  }
  // The next `times` fetches fail.
  void failNext(std::size_t times, const UpstreamFailure& failure) {
    std::size_t next;
    {
      std::lock_guard lock(mutex_);
      next = calls_.size() + 1;
    }
    failCalls(next, times, failure);
  }

  // Called at the start of every fetch, with the fetch's number (1 for the first), outside
  // the lock: tests stop the service or read its status from here.
  void setOnFetch(std::function<void(std::size_t callNumber, const FetchCall& call)> hook) {
    std::lock_guard lock(mutex_);
    onFetch_ = std::move(hook);
  }

  std::vector<FetchCall> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  void clearCalls() {
    std::lock_guard lock(mutex_);
    calls_.clear();
    failures_.clear();
  }

  // The account's records of `entity` in feed order, (updatedAt, id).
  EntityRows feed(Entity entity) const {
    std::lock_guard lock(mutex_);
    return feedLocked(entity);
  }

  UpstreamResult fetchPage(Entity entity, UnixSeconds updatedSince, const std::optional<std::string>& cursor,
                           int pageSize) override {
    std::size_t callNumber;
    std::function<void(std::size_t, const FetchCall&)> hook;
    const FetchCall call{entity, updatedSince, cursor, pageSize};
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(call);
      callNumber = calls_.size();
      hook = onFetch_;
    }
    if (hook) hook(callNumber, call);
    std::lock_guard lock(mutex_);
    if (auto failure = failures_.find(callNumber); failure != failures_.end()) return failure->second;
    return std::visit(
        [&](const auto& sorted) -> UpstreamResult {
          using List = std::decay_t<decltype(sorted)>;
          List page;
          std::optional<std::string> next;
          for (const auto& record : sorted) {
            if (record.updatedAt < updatedSince) continue;
            if (cursor && !(cursorKeyOf(record) > *cursor)) continue;
            if (page.size() == static_cast<std::size_t>(pageSize)) {
              next = cursorKeyOf(page.back());
              break;
            }
            page.push_back(record);
          }
          return UpstreamPage{EntityRows(std::move(page)), std::move(next)};
        },
        feedLocked(entity));
  }

  // The records of `entity` whole: the sync commits their statistics. Counted apart from
  // fetchPage's calls; the next `statisticsFailures` calls fail with `failure`.
  Expected<EntityRows, UpstreamFailure> fetchStatistics(Entity entity) override {
    std::lock_guard lock(mutex_);
    statisticsCalls_.push_back(entity);
    if (statisticsBudget_) ++statisticsBudget_->usedToday;
    if (!statisticsFailures_.empty()) {
      UpstreamFailure failure = statisticsFailures_.front();
      statisticsFailures_.erase(statisticsFailures_.begin());
      return failure;
    }
    return feedLocked(entity);
  }
  void failStatistics(std::size_t times, const UpstreamFailure& failure) {
    std::lock_guard lock(mutex_);
    statisticsFailures_.insert(statisticsFailures_.end(), times, failure);
  }
  std::vector<Entity> statisticsCalls() const {
    std::lock_guard lock(mutex_);
    return statisticsCalls_;
  }
  // From now on every entity's statistics spend one budget of `dailyLimit` calls, which the
  // test resets (at `resetsAt`) by calling this again.
  void budgetStatistics(int dailyLimit, std::int64_t resetsAt) {
    std::lock_guard lock(mutex_);
    statisticsBudget_ = BudgetUse{"statistics", 0, dailyLimit, resetsAt};
  }
  std::optional<BudgetUse> statisticsBudget(Entity) const override {
    std::lock_guard lock(mutex_);
    return statisticsBudget_;
  }

 private:
  EntityRows feedLocked(Entity entity) const {
    auto it = rows_.find(entity);
    EntityRows rows = it != rows_.end() ? it->second : emptyRows(entity);
    std::visit(
        [](auto& list) {
          std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
            return std::make_tuple(a.updatedAt, idOf(a)) < std::make_tuple(b.updatedAt, idOf(b));
          });
        },
        rows);
    return rows;
  }

  static EntityRows emptyRows(Entity entity) {
    switch (entity) {
      case Entity::campaigns: return std::vector<Campaign>{};
      case Entity::flows: return std::vector<Flow>{};
      case Entity::forms: return std::vector<Form>{};
      case Entity::segments: return std::vector<Segment>{};
      case Entity::metrics: return std::vector<DailyMetrics>{};
    }
    return std::vector<Campaign>{};
  }

  mutable std::mutex mutex_;
  std::map<Entity, EntityRows> rows_;
  std::map<std::size_t, UpstreamFailure> failures_;
  std::vector<FetchCall> calls_;
  std::function<void(std::size_t, const FetchCall&)> onFetch_;
  std::vector<Entity> statisticsCalls_;
  std::vector<UpstreamFailure> statisticsFailures_;
  std::optional<BudgetUse> statisticsBudget_;
};

}  // namespace livedata::server::testing
