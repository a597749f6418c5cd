// The sync end to end: the real upstream server in process on loopback, answering 30% of
// requests with errors, some with malformed pages and bursts of 429s, read through
// HttpUpstreamSource into a real Store while the account changes between runs.
#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "livedata/expected.h"
#include "sync/sync_service.h"
#include "sync_test_support.h"
#include "simulated_upstream/account.h"
#include "upstream_client/http_upstream_source.h"
#include "simulated_upstream/upstream_server.h"

namespace livedata::server {
namespace {

using testing::rowsById;
using testing::storedRows;

constexpr UnixSeconds kNow = 1'793'491'200;  // 2026-11-01T00:00:00Z, after the generated data

template <typename T>
std::unique_ptr<T> created(Expected<std::unique_ptr<T>, std::string> result) {
  if (!result) {
    ADD_FAILURE() << result.error();
    return nullptr;
  }
  return std::move(result.value());
}

TEST(SyncEndToEnd, TheStoreEqualsTheUpstreamAccountAfterEachRunDespiteFaults) {
  UpstreamAccountOptions accountOptions;
  accountOptions.seed = 42;
  accountOptions.sizes.campaigns = 400;
  accountOptions.sizes.flows = 40;
  accountOptions.sizes.forms = 25;
  accountOptions.sizes.segments = 30;
  accountOptions.sizes.days = 120;
  accountOptions.clock = [] { return kNow; };
  auto account = created(UpstreamAccount::create(accountOptions));
  ASSERT_NE(account, nullptr);

  UpstreamServerOptions serverOptions;
  serverOptions.faults.errorRate = 0.3;
  serverOptions.faults.malformedRate = 0.05;
  serverOptions.faults.rateLimitBurst = 3;
  serverOptions.faults.retryAfterSeconds = 1;
  serverOptions.faults.seed = 7;
  auto server = created(UpstreamServer::create(*account, serverOptions));
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->start());

  HttpUpstreamOptions sourceOptions;
  sourceOptions.baseUrl = server->baseUrl();
  auto source = created(HttpUpstreamSource::create(sourceOptions));
  ASSERT_NE(source, nullptr);

  testing::TempDir dir;
  auto store = testing::openStore(dir);
  ASSERT_NE(store, nullptr);

  SyncOptions options;
  options.pageSize = 50;
  options.retry.maxAttempts = 12;  // 0.35^12: no page exhausts its attempts in practice
  options.jitterSeed = 3;
  std::mutex mutex;
  std::vector<Millis> delays;
  SyncDependencies dependencies;
  // The faults are drawn per request, not per second: retrying at once loses nothing.
  dependencies.sleepFor = [&](Millis delay) {
    std::lock_guard lock(mutex);
    delays.push_back(delay);
  };
  auto sync = created(SyncService::create(*store, *source, options, dependencies));
  ASSERT_NE(sync, nullptr);

  auto expectStoreEqualsAccount = [&](const char* when) {
    for (const Entity entity : kAllEntities) {
      EXPECT_EQ(rowsById(storedRows(*store, entity)), rowsById(account->snapshot(entity)))
          << nameOf(entity) << " " << when;
    }
  };

  SyncRunReport first = sync->runNow({});
  ASSERT_TRUE(first.succeeded()) << nlohmann::ordered_json(first).dump();
  expectStoreEqualsAccount("after the first run");

  for (int round = 1; round <= 3; ++round) {
    account->applyChanges(60, kNow + round * 60);
    UpstreamFaults faults = server->faults();
    faults.rateLimitBurst = 3;
    ASSERT_EQ(server->setFaults(faults), std::nullopt);

    const SyncRunReport run = sync->runNow({});

    ASSERT_TRUE(run.succeeded()) << nlohmann::ordered_json(run).dump();
    EXPECT_FALSE(run.changedEntities().empty());
    // Incremental: far fewer records than the account holds.
    std::size_t records = 0;
    for (const EntityRunReport& entity : run.entities) records += entity.records;
    EXPECT_LT(records, account->recordCount(Entity::campaigns));
    expectStoreEqualsAccount(("after round " + std::to_string(round)).c_str());
  }

  const SyncRunReport forced = sync->runNow({true, {}});
  ASSERT_TRUE(forced.succeeded());
  EXPECT_TRUE(forced.changedEntities().empty());
  expectStoreEqualsAccount("after a forced run");

  const SyncStatus status = sync->status();
  EXPECT_EQ(status.state, SyncState::idle);
  EXPECT_EQ(status.counters.successes, 5u);
  EXPECT_GT(status.counters.retries, 0u);
  EXPECT_GT(server->counters().faults, 0u);
  EXPECT_GT(server->counters().rateLimited, 0u);
  std::lock_guard lock(mutex);
  // The 429s' Retry-After: 1 was waited for.
  EXPECT_GE(*std::max_element(delays.begin(), delays.end()), 1000);
  EXPECT_EQ(delays.size(), status.counters.retries);
}

}  // namespace
}  // namespace livedata::server
