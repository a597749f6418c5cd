// Where the sync reads the upstream marketing account from: one page of one entity's records
// changed since a time, and the statistics of an entity's records. KlaviyoUpstream in this
// folder implements it over Klaviyo's API (docs/upstream.md); unit tests of the sync may
// script it.
//
// Threading: implementations are safe to call from any number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "livedata/expected.h"
#include "model/entity.h"

namespace livedata::server {

// The largest page the sync asks for. Each Klaviyo collection takes less (its own page[size]
// maximum, klaviyo/operations.h), and gets the smaller of the two.
inline constexpr int kMaxPageSize = 1000;

// One page of an entity's change feed, records ordered by (updatedAt, id) ascending.
struct UpstreamPage {
  EntityRows rows;
  // Pass to the next fetchPage to continue; nullopt on the last page.
  std::optional<std::string> nextCursor;
};

struct UpstreamFailure {
  enum class Kind {
    network,       // could not connect, or the connection broke
    timeout,       // no complete answer in time
    http,          // a status other than 200 and 429 (see `status`)
    rate_limited,  // 429; `retryAfterMs` from its Retry-After when present
    malformed,     // 200 with a body that is not a valid page, or past the transport's bound
  };
  Kind kind = Kind::network;
  int status = 0;                             // HTTP status when there was one
  std::optional<std::int64_t> retryAfterMs;   // from Retry-After (seconds or HTTP date)
  std::string message;                        // for logs: what, where, why

  // Whether trying again later may succeed: everything but a 4xx other than 408 and 429.
  bool retryable() const;
};

using UpstreamResult = Expected<UpstreamPage, UpstreamFailure>;

// How much of a budgeted operation's daily allowance is spent (Klaviyo's values reports).
struct BudgetUse {
  std::string operation;  // "POST /api/campaign-values-reports"
  int usedToday = 0;      // calls sent since 00:00 UTC
  int dailyLimit = 0;
  std::int64_t resetsAt = 0;  // Unix ms when usedToday starts again from zero (the next 00:00 UTC)
};

class UpstreamSource {
 public:
  virtual ~UpstreamSource() = default;

  // Blocks until the page or a failure is known (bounded by the implementation's timeouts).
  // Returns records of `entity` with updatedAt >= `updatedSince`, continuing after `cursor`
  // when given (then `updatedSince` must be the value of the call that produced it).
  virtual UpstreamResult fetchPage(Entity entity, UnixSeconds updatedSince,
                                   const std::optional<std::string>& cursor, int pageSize) = 0;

  // The statistics of `entity`'s records (FieldGroup::statistics of model/record_fields.h) as
  // rows carrying the id and those fields, the rest unset: one budgeted report call. Only for
  // entities with statistics (not metrics).
  virtual Expected<EntityRows, UpstreamFailure> fetchStatistics(Entity entity) = 0;

  // The budgeted operations' use today; empty when nothing is budgeted.
  virtual std::vector<BudgetUse> budget() const { return {}; }

  // The use today of the budgeted operation fetchStatistics(entity) calls; nullopt when that
  // operation has no daily budget.
  virtual std::optional<BudgetUse> statisticsBudget(Entity) const { return std::nullopt; }
};

}  // namespace livedata::server
