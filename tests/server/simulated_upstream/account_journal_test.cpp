// The account journal: an account created again on its journal is the one that stopped.
#include "simulated_upstream/account_journal.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "child_process.h"
#include "simulated_upstream/account.h"
#include "upstream_test_support.h"

namespace livedata::server {
namespace {

using testing::endOfData;
using testing::rowsOf;

class AccountJournalTest : public ::testing::Test {
 protected:
  void TearDown() override { livedata::testing::removeTree(dir_); }

  // A small account whose history ends "now", at the time `now` points to.
  UpstreamAccountOptions optionsAt(const UnixSeconds* now) const {
    UpstreamAccountOptions options;
    options.seed = 5;
    options.sizes.campaigns = 40;
    options.historyEndsNow = true;
    options.clock = [now] { return *now; };
    options.journalPath = path();
    return options;
  }

  std::unique_ptr<UpstreamAccount> create(UpstreamAccountOptions options) const {
    auto created = UpstreamAccount::create(std::move(options));
    if (!created) {
      ADD_FAILURE() << created.error();
      return nullptr;
    }
    return std::move(created).value();
  }

  const std::string& dir() const { return dir_; }
  std::string path() const { return dir_ + "/account.journal"; }

  std::string text() const {
    std::ifstream in(path());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  void appendText(const std::string& text) const { std::ofstream(path(), std::ios::app) << text; }

 private:
  std::string dir_ = livedata::testing::makeTempDir("livedata-journal");
};

std::vector<nlohmann::ordered_json> everything(const UpstreamAccount& account) {
  std::vector<nlohmann::ordered_json> rows;
  for (const Entity entity : kAllEntities) {
    auto entityRows = rowsOf(account.snapshot(entity));
    rows.insert(rows.end(), entityRows.begin(), entityRows.end());
  }
  return rows;
}

TEST_F(AccountJournalTest, AnAccountCreatedAgainResumesWhereTheLastStopped) {
  UnixSeconds now = endOfData() - 3600;
  std::vector<nlohmann::ordered_json> before;
  {
    auto first = create(optionsAt(&now));
    ASSERT_TRUE(first);
    for (int minute = 1; minute <= 20; ++minute) first->applyChanges(25, now + minute * 60);
    before = everything(*first);
    ASSERT_EQ(first->changeCount(), 500u);
  }

  // A day later: without the journal, "now" would move the history, and the changes be gone.
  now += 86400;
  auto again = create(optionsAt(&now));
  ASSERT_TRUE(again);
  EXPECT_EQ(everything(*again), before);
  EXPECT_EQ(again->changeCount(), 500u);

  // And it goes on as the first would have.
  UnixSeconds then = endOfData() - 3600;
  auto reference = create([&] {
    auto options = optionsAt(&then);
    options.journalPath = dir() + "/reference.journal";
    return options;
  }());
  for (int minute = 1; minute <= 20; ++minute) reference->applyChanges(25, then + minute * 60);
  reference->applyChanges(30, now);
  again->applyChanges(30, now);
  EXPECT_EQ(everything(*again), everything(*reference));
}

// A change made in the second a page was served is stamped past it; the replay, where no
// page has been served, stamps it the same, so a reader's cursor from before the restart
// still finds it ahead.
TEST_F(AccountJournalTest, ChangesMadeAfterAServedPageAreReplayedWithTheSameStamps) {
  UnixSeconds now = endOfData() - 600;
  std::vector<nlohmann::ordered_json> before;
  {
    auto first = create(optionsAt(&now));
    ASSERT_TRUE(first);
    first->applyChanges(30, now);
    ASSERT_FALSE(rowsOf(first->readFeed(Entity::flows, now, std::nullopt, 100).rows).empty());
    first->applyChanges(30, now);  // the same second as the page: stamped past it
    before = everything(*first);
  }
  auto again = create(optionsAt(&now));
  ASSERT_TRUE(again);
  EXPECT_EQ(everything(*again), before);
}

TEST_F(AccountJournalTest, ALineCutOffByACrashIsDroppedAndTheJournalGoesOn) {
  UnixSeconds now = endOfData();
  std::vector<nlohmann::ordered_json> before;
  {
    auto first = create(optionsAt(&now));
    first->applyChanges(40, now + 60);
    before = everything(*first);
  }
  appendText("1793491200 3");  // a batch whose line the crash cut short: never made
  {
    std::vector<std::string> said;
    auto options = optionsAt(&now);
    options.journalLog = [&said](LogLevel, const std::string& message) { said.push_back(message); };
    auto again = create(options);
    ASSERT_TRUE(again);
    EXPECT_EQ(everything(*again), before);
    ASSERT_EQ(said.size(), 1u);
    EXPECT_NE(said[0].find("dropped a last line cut off by a crash (12 bytes"), std::string::npos) << said[0];
    again->applyChanges(10, now + 120);
    before = everything(*again);
  }
  auto third = create(optionsAt(&now));
  ASSERT_TRUE(third);
  EXPECT_EQ(everything(*third), before);
  EXPECT_EQ(third->changeCount(), 50u);
}

TEST_F(AccountJournalTest, AJournalOfAnotherAccountIsRefusedNamingTheFile) {
  UnixSeconds now = endOfData();
  create(optionsAt(&now))->applyChanges(5, now);
  auto options = optionsAt(&now);
  options.seed = 6;
  auto created = UpstreamAccount::create(options);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().find(path()), std::string::npos) << created.error();
  EXPECT_NE(created.error().find("another account"), std::string::npos) << created.error();
  EXPECT_NE(text().find("\"seed\":5"), std::string::npos) << "the journal is left as it was";
}

// A mistyped path that names another file (a key, a database) is refused, never overwritten.
TEST_F(AccountJournalTest, AFileThatIsNoJournalIsRefusedAndLeftAsItWas) {
  std::ofstream(path(), std::ios::trunc) << "pk_0123456789abcdef";  // a key file: no newline
  UnixSeconds now = endOfData();
  auto created = UpstreamAccount::create(optionsAt(&now));
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().find("not an account journal"), std::string::npos) << created.error();
  EXPECT_EQ(text(), "pk_0123456789abcdef");
}

// Two accounts appending to one journal would interleave their batches.
TEST_F(AccountJournalTest, AJournalInUseIsRefused) {
  UnixSeconds now = endOfData();
  auto first = create(optionsAt(&now));
  ASSERT_TRUE(first);
  auto second = UpstreamAccount::create(optionsAt(&now));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
  first.reset();
  EXPECT_TRUE(create(optionsAt(&now))) << "free once the first is gone";
}

TEST_F(AccountJournalTest, AnUnreadableLineIsRefusedNamingIt) {
  UnixSeconds now = endOfData();
  create(optionsAt(&now))->applyChanges(5, now);
  appendText("yesterday 5\n");
  auto created = UpstreamAccount::create(optionsAt(&now));
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().find("line 3"), std::string::npos) << created.error();

  std::ofstream(path(), std::ios::trunc) << "";
  create(optionsAt(&now))->applyChanges(5, now);
  appendText("1793491200 2000000000\n");  // damaged: replaying it would take hours
  created = UpstreamAccount::create(optionsAt(&now));
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().find("line 3"), std::string::npos) << created.error();

  std::ofstream(path(), std::ios::trunc) << "not json\n";
  created = UpstreamAccount::create(optionsAt(&now));
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().find("line 1"), std::string::npos) << created.error();
}

}  // namespace
}  // namespace livedata::server
