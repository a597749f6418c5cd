// The simulated account's journal: what lets a restarted server resume its account where it
// stopped, instead of starting again from the seed (whose totals are lower than the ones the
// store and the open dashboards already hold).
//
// The account is a function of its seed, its sizes (with the moment its history ends) and
// its changes, each batch a count made at a time (account.h; the time a batch is stamped
// from, already past every page served, so readers leave no trace in it). The journal keeps
// exactly that: a first line with the seed and sizes, then one line per batch,
// "<time> <count>". Replaying the batches on the same generated history gives the same
// records, stamps and figures.
//
// A batch is appended before it is made, so the journal is never behind the account a reader
// saw: after a kill -9 the account comes back at, or just past, where it was. A line cut off
// by a crash is dropped (it was never made). Lines reach the kernel at once; they are not
// fsync'ed: a power cut may lose the last ones, which a simulated account can afford.
//
// Not thread-safe: the account appends under its own lock.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "livedata/expected.h"
#include "simulated_upstream/data_generator.h"

namespace livedata::server {

struct JournalBatch {
  UnixSeconds at = 0;
  int count = 0;
};

// What an account is generated from: the journal's first line.
struct JournalOrigin {
  std::uint64_t seed = 0;
  DatasetSizes sizes;  // with asOf set: the moment the history ends
};

class AccountJournal {
 public:
  struct Opened;

  // Opens the journal at `path`, locked for this process. When the file is absent (or
  // empty), starts one for `origin`. Otherwise it must be a journal of the same seed and
  // sizes (anything else is refused, never overwritten); with `historyEndsNow`, its own end
  // of history is taken (the first start's "now"), since a restart's "now" would generate a
  // different history. The error names the file and what does not match or cannot be read.
  static Expected<Opened, std::string> open(const std::string& path, const JournalOrigin& origin, bool historyEndsNow);

  // Appends one batch; false when it could not be written (the account goes on regardless:
  // an upstream does not stop for its journal).
  bool append(const JournalBatch& batch);

  const std::string& path() const { return path_; }

  ~AccountJournal();
  AccountJournal(const AccountJournal&) = delete;
  AccountJournal& operator=(const AccountJournal&) = delete;

 private:
  AccountJournal(std::string path, std::ofstream out, int lock)
      : path_(std::move(path)), out_(std::move(out)), lock_(lock) {}

  std::string path_;
  std::ofstream out_;
  int lock_;  // a descriptor holding flock(LOCK_EX) on the file while the journal is open
};

struct AccountJournal::Opened {
  std::unique_ptr<AccountJournal> journal;
  JournalOrigin origin;              // the one to generate from: the journal's, when it had one
  std::vector<JournalBatch> replay;  // the batches to make again, in order
  std::uintmax_t droppedBytes = 0;   // a last line cut off by a crash, dropped
};

}  // namespace livedata::server
