// The sync benchmark's baseline: the campaigns of an upstream account written into a fresh
// SQLite file the plainest way, straight from the account's memory (no HTTP, no JSON, no
// upsert, no cursor): one prepared INSERT, one transaction per batch, with the store's
// schema and writer pragmas. What the sync does beyond this is its overhead.
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include "livedata/expected.h"
#include "simulated_upstream/account.h"

namespace livedata::bench {

struct BaselineInsertResult {
  std::size_t rows = 0;
  // Time inside the insert transactions only (BEGIN to COMMIT of every batch).
  double insertMs = 0;
  // Time reading the batches from the account's feed (in memory), excluded from insertMs.
  double feedReadMs = 0;
};

// Inserts every campaign of `account`, in feed order ((updatedAt, id), as the sync receives
// them), `batchRows` rows per transaction, into a new database at `path` (which must not
// exist). REQUIRES: nothing changes the account meanwhile. On failure, the SQLite error.
Expected<BaselineInsertResult, std::string> insertCampaignsPlainly(const server::UpstreamAccount& account,
                                                                       const std::string& path, int batchRows);

}  // namespace livedata::bench
