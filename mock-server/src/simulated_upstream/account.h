// The simulated marketing account behind the upstream API: a generated Dataset that keeps
// changing, and each entity's change feed (records ordered by (updatedAt, id)).
//
// Changes. applyChanges(count, now) makes `count` changes drawn from the account's own
// seeded stream, so the same seed and the same calls give the same account, whatever the
// timing: new draft campaigns; campaigns moving draft -> scheduled -> sending -> sent (or
// scheduled -> cancelled, one in eight) with
// their opens, clicks and revenue growing while sending (and a little after); flows and
// forms switching live <-> draft or gaining recipients / views; segments gaining or losing
// members; the last day's metrics growing. Every changed record gets a new updatedAt.
//
// Stamps. A change is stamped `now`, raised when needed so that
//   - stamps never decrease (a clock that steps back does not make a change older), and
//   - a change sorts after every position a feed page has already reached: it is stamped
//     at least one second past the newest updatedAt served on a page of any entity (any,
//     not only its own: then a batch's stamps depend on nothing a reader did, and a journal
//     replays them exactly).
// Together these give the feed its guarantee: a walk that starts before a change and pages
// on from its cursor meets the changed record later, so nothing is missed; a record that
// does not change during a walk appears in it exactly once.
//
// Restarts. With a journal (options.journalPath), an account created again resumes the one
// that stopped: same history, same changes (account_journal.h). Without one, it starts anew
// from its seed, with lower totals than the ones it had reached.
//
// Scale. Records live in one vector per entity; each entity's feed order is an ordered set
// of (updatedAt, row) kept up to date on every change: a page is O(log n + page size), a
// change O(log n). A million campaigns take about a second to generate and index.
//
// Threading: every public member is safe to call from any number of threads; feed reads
// share a lock, changes take it exclusively.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <variant>

#include "livedata/expected.h"
#include "livedata/types.h"
#include "simulated_upstream/account_journal.h"
#include "simulated_upstream/data_generator.h"
#include "model/entity.h"

namespace livedata::server {

struct UpstreamAccountOptions {
  // Seeds the generated dataset and the stream of changes. Default 42.
  std::uint64_t seed = 42;
  // How much data to generate (data_generator.h). Every size >= 0, days >= 1.
  DatasetSizes sizes;
  // Changes per minute made by the background ticker while it runs (start()/stop());
  // 0 leaves the account frozen even when started. >= 0. Default 0.
  double changesPerMinute = 0;
  // The time the ticker and changesNow() stamp changes with; default: the system clock.
  std::function<UnixSeconds()> clock;
  // The history ends at the clock's time when the account is created (sizes.lastDay becomes
  // its day, sizes.asOf the moment: today's metrics so far), rather than at sizes.lastDay's
  // end; the ticker's changes then carry today's figures on. Default false (tests that want
  // a fixed date).
  bool historyEndsNow = false;
  // The account's time zone, as a fixed offset from UTC in seconds, between
  // klaviyo::kWestmostUtcOffset and kEastmostUtcOffset: the values reports read their
  // timeframes' wall times there (klaviyo_reports.h). Default 0 (UTC).
  UnixSeconds utcOffsetSeconds = 0;
  // A file where the account journals its changes (account_journal.h), so that an account
  // created again with the same options resumes where the last one stopped, history end
  // included. Empty (the default): every account starts from its seed.
  std::string journalPath;
  // Told what the journal met: a cut-off last line dropped at start (info), and the first
  // batch it could not keep (error: the account goes on, as an upstream does not stop for
  // its journal, but a restart would lose what follows). Optional; called under the
  // account's lock, so it must not call the account.
  std::function<void(LogLevel level, const std::string& message)> journalLog;
};

// One page of a change feed, as UpstreamAccount::readFeed answers it.
struct FeedPage {
  EntityRows rows;       // ordered by (updatedAt, id)
  bool hasMore = false;  // records remain after the last one
};

class UpstreamAccount {
 public:
  // Generates the dataset and its indexes; the error names the bad option.
  static Expected<std::unique_ptr<UpstreamAccount>, std::string> create(UpstreamAccountOptions options);

  ~UpstreamAccount();  // stops the ticker
  UpstreamAccount(const UpstreamAccount&) = delete;
  UpstreamAccount& operator=(const UpstreamAccount&) = delete;

  // Records of `entity` with updatedAt >= `updatedSince` and, when `after` is given, with
  // (updatedAt, id) > *after; at most `limit` (>= 1) of them, in (updatedAt, id) order.
  FeedPage readFeed(Entity entity, UnixSeconds updatedSince, const std::optional<SyncCursor>& after,
                    int limit) const;

  // Every record of `entity`, ordered by id (metrics by date).
  EntityRows snapshot(Entity entity) const;
  std::size_t recordCount(Entity entity) const;

  // Makes `count` changes stamped `now` (see Stamps above). Returns the stamp of the last one.
  UnixSeconds applyChanges(int count, UnixSeconds now);
  // The same, at options.clock's time.
  UnixSeconds changesNow(int count);
  // Changes made to the account: by applyChanges and the ticker, and those replayed from its journal.
  std::uint64_t changeCount() const;

  // The background ticker: options.changesPerMinute changes a minute, stamped by
  // options.clock, spread evenly. start() on a running ticker and stop() on a stopped one
  // do nothing.
  void start();
  void stop();

  const UpstreamAccountOptions& options() const { return options_; }

 private:
  struct Tables;  // the records and their feed indexes; defined in account.cpp

  UpstreamAccount(UpstreamAccountOptions options, std::unique_ptr<AccountJournal> journal);
  void runTicker();
  // applyChanges without the journal. REQUIRES: mutex_ held exclusively, or the account not
  // yet shared (the replay in create()).
  UnixSeconds makeChanges(int count, UnixSeconds now);

  const UpstreamAccountOptions options_;
  std::unique_ptr<Tables> tables_;  // GUARDED_BY(mutex_), except its atomics
  std::unique_ptr<AccountJournal> journal_;  // GUARDED_BY(mutex_); null without journalPath
  bool journalFailed_ = false;               // GUARDED_BY(mutex_): said once
  mutable std::shared_mutex mutex_;

  std::mutex tickerMutex_;
  std::condition_variable tickerWake_;
  bool tickerStopping_ = false;  // GUARDED_BY(tickerMutex_)
  std::thread ticker_;           // GUARDED_BY(tickerMutex_)
};

}  // namespace livedata::server
