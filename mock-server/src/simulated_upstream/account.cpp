#include "livedata/expected.h"
#include "simulated_upstream/account.h"
#include "simulated_upstream/stable_hash.h"
#include "klaviyo/iso_datetime.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace livedata::server {
namespace {

// The changes draw from their own stream, apart from the generator's.
constexpr std::uint64_t kChangeStream = 0x636867;  // "chg"
constexpr UnixSeconds kHour = 3600;

// --- identity and feed order ------------------------------------------------------------

// A record's id orders records within one second of updatedAt; a day's id is its ISO
// date, which orders as its day number does.
template <typename Record>
bool idLess(const Record& a, const Record& b) {
  return a.id < b.id;
}
bool idLess(const DailyMetrics& a, const DailyMetrics& b) { return a.day < b.day; }

template <typename Record>
int compareId(const Record& record, std::string_view id) {
  return std::string_view(record.id).compare(id);
}
int compareId(const DailyMetrics& metrics, std::string_view id) { return formatIsoDate(metrics.day).compare(id); }

// An entry of the feed index: the row's updatedAt when it was indexed, and where it is.
struct FeedKey {
  UnixSeconds updatedAt;
  std::uint32_t row;
};

// A position to search from; an empty id sorts before every record of its second.
struct FeedProbe {
  UnixSeconds updatedAt;
  std::string_view id;
};

// (updatedAt, id) order over rows of `rows`. Ids never change, so an entry's place only
// moves when its updatedAt does, and then it is erased and inserted again.
template <typename Record>
struct FeedOrder {
  using is_transparent = void;
  const std::vector<Record>* rows;

  bool operator()(const FeedKey& a, const FeedKey& b) const {
    if (a.updatedAt != b.updatedAt) return a.updatedAt < b.updatedAt;
    return idLess((*rows)[a.row], (*rows)[b.row]);
  }
  bool operator()(const FeedKey& a, const FeedProbe& b) const {
    if (a.updatedAt != b.updatedAt) return a.updatedAt < b.updatedAt;
    return compareId((*rows)[a.row], b.id) < 0;
  }
  bool operator()(const FeedProbe& a, const FeedKey& b) const {
    if (a.updatedAt != b.updatedAt) return a.updatedAt < b.updatedAt;
    return compareId((*rows)[b.row], a.id) > 0;
  }
};

// One entity's records and their feed index.
template <typename Record>
class Table {
 public:
  explicit Table(std::vector<Record> records) : rows_(std::move(records)) {
    std::vector<FeedKey> keys;
    keys.reserve(rows_.size());
    for (std::size_t row = 0; row < rows_.size(); ++row) {
      keys.push_back({rows_[row].updatedAt, static_cast<std::uint32_t>(row)});
    }
    std::sort(keys.begin(), keys.end(), feed_.key_comp());
    feed_.insert(keys.begin(), keys.end());  // linear for sorted input
  }
  Table(const Table&) = delete;  // feed_'s order points at rows_
  Table& operator=(const Table&) = delete;

  std::size_t size() const { return rows_.size(); }
  const Record& at(std::size_t row) const { return rows_[row]; }
  UnixSeconds newest() const { return feed_.empty() ? 0 : feed_.rbegin()->updatedAt; }

  // Runs `change` on a row and stamps it, keeping the index in step.
  template <typename Change>
  void update(std::size_t row, UnixSeconds stamp, Change&& change) {
    Record& record = rows_[row];
    feed_.erase(FeedKey{record.updatedAt, static_cast<std::uint32_t>(row)});
    change(record);
    record.updatedAt = stamp;
    feed_.insert(FeedKey{stamp, static_cast<std::uint32_t>(row)});
  }

  void append(Record record) {
    rows_.push_back(std::move(record));
    const auto row = static_cast<std::uint32_t>(rows_.size() - 1);
    feed_.insert(FeedKey{rows_[row].updatedAt, row});
  }

  FeedPage read(UnixSeconds updatedSince, const std::optional<SyncCursor>& after, int limit) const {
    // Start after the cursor when it lies at or past updated_since, else at updated_since.
    auto it = after && after->updatedAt >= updatedSince ? feed_.upper_bound(FeedProbe{after->updatedAt, after->id})
                                                        : feed_.lower_bound(FeedProbe{updatedSince, {}});
    std::vector<Record> page;
    page.reserve(static_cast<std::size_t>(std::min<std::size_t>(limit, 1024)));
    for (; it != feed_.end() && page.size() < static_cast<std::size_t>(limit); ++it) page.push_back(rows_[it->row]);
    if (!page.empty()) noteServed(page.back().updatedAt);
    const bool hasMore = it != feed_.end();
    return {EntityRows(std::move(page)), hasMore};
  }

  std::vector<Record> byId() const {
    std::vector<Record> rows = rows_;
    std::sort(rows.begin(), rows.end(), [](const Record& a, const Record& b) { return idLess(a, b); });
    return rows;
  }

  // The newest updatedAt a page has served; a change is stamped after it.
  UnixSeconds servedHigh() const { return servedHigh_.load(); }

 private:
  // Pages are read under a shared lock, so the high-water mark is an atomic maximum.
  void noteServed(UnixSeconds updatedAt) const {
    UnixSeconds seen = servedHigh_.load();
    while (seen < updatedAt && !servedHigh_.compare_exchange_weak(seen, updatedAt)) {
    }
  }

  std::vector<Record> rows_;
  std::set<FeedKey, FeedOrder<Record>> feed_{FeedOrder<Record>{&rows_}};
  mutable std::atomic<UnixSeconds> servedHigh_{std::numeric_limits<UnixSeconds>::min()};
};

double rate(std::int64_t part, std::int64_t whole) {
  return whole <= 0 ? 0.0 : roundTo(static_cast<double>(part) / static_cast<double>(whole), 4);
}

std::int64_t share(std::int64_t whole, double fraction) {
  return static_cast<std::int64_t>(static_cast<double>(whole) * fraction);
}

// The generator leaves a day's updatedAt unset: a day's figures settle an hour after it
// ends; the last day is still counting, as of the end of the generated time frame.
void stampDays(std::vector<DailyMetrics>& days, const DatasetSizes& sizes) {
  const UnixSeconds frameEnd = timeFrameOf(sizes).end;
  for (DailyMetrics& day : days) day.updatedAt = std::min(frameEnd, (day.day + 1) * kSecondsPerDay + kHour);
}

std::optional<std::string> validate(const UpstreamAccountOptions& options) {
  const DatasetSizes& sizes = options.sizes;
  // Rows are indexed by 32-bit numbers; the bound leaves room for the campaigns added later.
  constexpr int kMaxRecords = 100'000'000;
  const std::array<std::pair<const char*, int>, 4> counts{
      {{"campaigns", sizes.campaigns}, {"flows", sizes.flows}, {"forms", sizes.forms}, {"segments", sizes.segments}}};
  for (const auto& [name, count] : counts) {
    if (count < 0 || count > kMaxRecords) {
      return std::string("sizes.") + name + " must be between 0 and " + std::to_string(kMaxRecords);
    }
  }
  if (sizes.days < 1 || sizes.days > 100000) return std::string("sizes.days must be between 1 and 100000");
  if (sizes.asOf && (*sizes.asOf < sizes.lastDay * kSecondsPerDay || *sizes.asOf >= (sizes.lastDay + 1) * kSecondsPerDay)) {
    return std::string("sizes.asOf must lie within sizes.lastDay");
  }
  if (!std::isfinite(options.changesPerMinute) || options.changesPerMinute < 0) {
    return std::string("changesPerMinute must be a number of 0 or more");
  }
  if (options.utcOffsetSeconds < klaviyo::kWestmostUtcOffset || options.utcOffsetSeconds > klaviyo::kEastmostUtcOffset) {
    return std::string("utcOffsetSeconds must be between -43200 (UTC-12:00) and 50400 (UTC+14:00)");
  }
  return std::nullopt;
}

UnixSeconds systemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct UpstreamAccount::Tables {
  Tables(Dataset data, std::uint64_t seed)
      : campaigns(std::move(data.campaigns)),
        flows(std::move(data.flows)),
        forms(std::move(data.forms)),
        segments(std::move(data.segments)),
        metrics(std::move(data.daily)),
        random(seed ^ kChangeStream),
        lastStamp(std::max({campaigns.newest(), flows.newest(), forms.newest(), segments.newest(), metrics.newest()})) {}

  Table<Campaign> campaigns;
  Table<Flow> flows;
  Table<Form> forms;
  Table<Segment> segments;
  Table<DailyMetrics> metrics;
  SplitMix64 random;
  UnixSeconds lastStamp;  // the newest stamp so far, generated or changed
  std::atomic<std::uint64_t> changes{0};

  // Calls `visit` with the table of `entity` (const or not, as `self` is).
  template <typename Self, typename Visit>
  static decltype(auto) with(Self& self, Entity entity, Visit&& visit) {
    switch (entity) {
      case Entity::campaigns: return visit(self.campaigns);
      case Entity::flows: return visit(self.flows);
      case Entity::forms: return visit(self.forms);
      case Entity::segments: return visit(self.segments);
      case Entity::metrics: break;
    }
    return visit(self.metrics);
  }

  // The time a batch of changes made at `now` is stamped from: past every position a page of
  // any entity has served (see "Stamps" in account.h). From there on stampFor depends on
  // nothing a reader did, so a batch replayed at this time is stamped exactly as it was.
  UnixSeconds batchTime(UnixSeconds now) const {
    UnixSeconds at = now;
    const auto pastServed = [&at](const auto& table) {
      const UnixSeconds served = table.servedHigh();
      if (served != std::numeric_limits<UnixSeconds>::min()) at = std::max(at, served + 1);
    };
    pastServed(campaigns);
    pastServed(flows);
    pastServed(forms);
    pastServed(segments);
    pastServed(metrics);
    return at;
  }

  // See "Stamps" in account.h.
  template <typename Record>
  UnixSeconds stampFor(const Table<Record>& table, UnixSeconds now) {
    const UnixSeconds served = table.servedHigh();
    const UnixSeconds afterServed = served == std::numeric_limits<UnixSeconds>::min() ? served : served + 1;
    lastStamp = std::max({now, lastStamp, afterServed});
    return lastStamp;
  }

  std::size_t pickRow(std::size_t size) { return static_cast<std::size_t>(random.intBetween(0, static_cast<std::int64_t>(size) - 1)); }

  void applyOne(UnixSeconds now) {
    // Draws go into named locals so their order never depends on the compiler.
    const std::int64_t roll = random.intBetween(0, 99);
    if (roll < 5) return addCampaign(now);
    if (roll < 45 && campaigns.size() > 0) return changeCampaign(now);
    if (roll < 60 && flows.size() > 0) return changeFlow(now);
    if (roll < 70 && forms.size() > 0) return changeForm(now);
    if (roll < 80 && segments.size() > 0) return changeSegment(now);
    changeLastDay(now);
  }

  void addCampaign(UnixSeconds now) {
    static constexpr std::array<const char*, 6> kThemes{"Weekend Sale",  "Product Update",  "Seasonal Picks",
                                                        "Member Exclusive", "Restock Alert", "Gift Ideas"};
    const UnixSeconds stamp = stampFor(campaigns, now);
    const auto number = campaigns.size() + 1;
    char id[32];
    std::snprintf(id, sizeof id, "cmp_%04zu", number);  // the generator's id format
    Campaign c;
    c.id = id;
    const std::int64_t theme = random.intBetween(0, static_cast<std::int64_t>(kThemes.size()) - 1);
    c.name = std::string(kThemes[static_cast<std::size_t>(theme)]) + " Draft #" + std::to_string(number);
    c.status = CampaignStatus::draft;
    c.recipients = random.intBetween(1000, 250000);
    const std::int64_t daysAhead = random.intBetween(1, 30);
    c.sendTime = (stamp / kHour + 1) * kHour + daysAhead * kSecondsPerDay;
    c.updatedAt = stamp;
    campaigns.append(std::move(c));
  }

  // draft -> scheduled -> sending -> sent; figures grow while sending, and a little after.
  // One scheduled campaign in eight (chosen by its id, not drawn) is cancelled instead of
  // sent, and stays so; its later changes draw nothing.
  void changeCampaign(UnixSeconds now) {
    const std::size_t row = pickRow(campaigns.size());
    const UnixSeconds stamp = stampFor(campaigns, now);
    campaigns.update(row, stamp, [&](Campaign& c) {
      if (c.status == CampaignStatus::draft) {
        const std::int64_t hoursAhead = random.intBetween(1, 72);
        c.status = CampaignStatus::scheduled;
        c.sendTime = (stamp / kHour + hoursAhead) * kHour;
      } else if (c.status == CampaignStatus::scheduled && stableHash(c.id) % 8 == 0) {
        c.status = CampaignStatus::cancelled;
      } else if (c.status == CampaignStatus::scheduled) {
        c.status = CampaignStatus::sending;
        c.sendTime = stamp;
      } else if (c.status == CampaignStatus::cancelled) {
        // Edited in Klaviyo (a new updated_at), nothing the dashboard reads moves.
      } else {
        const bool sending = c.status == CampaignStatus::sending;
        const double openShare = sending ? random.realBetween(0.01, 0.08) : random.realBetween(0.0, 0.002);
        const double clickShare = random.realBetween(0.04, 0.30);
        const double revenuePerClick = random.realBetween(0.5, 9.0);
        const std::int64_t finish = random.intBetween(0, 3);
        const std::int64_t opens = std::min(c.recipients - c.opens, share(c.recipients, openShare) + 1);
        const std::int64_t clicks = std::min(c.opens + opens - c.clicks, share(opens, clickShare));
        c.opens += opens;
        c.clicks += clicks;
        c.revenue = roundTo(c.revenue + static_cast<double>(clicks) * revenuePerClick, 2);
        if (sending && finish == 0) c.status = CampaignStatus::sent;
      }
      c.openRate = rate(c.opens, c.recipients);
      c.clickRate = rate(c.clicks, c.recipients);
    });
  }

  // live <-> draft, now and then; live and manual flows gain recipients and revenue.
  void changeFlow(UnixSeconds now) {
    const std::size_t row = pickRow(flows.size());
    const UnixSeconds stamp = stampFor(flows, now);
    flows.update(row, stamp, [&](Flow& f) {
      const std::int64_t toggle = random.intBetween(0, 4);
      if (f.status == FlowStatus::draft) {
        f.status = FlowStatus::live;
        if (f.conversionRate == 0) f.conversionRate = roundTo(random.realBetween(0.005, 0.15), 4);
        return;
      }
      if (f.status == FlowStatus::live && toggle == 0) {
        f.status = FlowStatus::draft;
        return;
      }
      const std::int64_t recipients = random.intBetween(1, 200);
      const double orderValue = random.realBetween(20.0, 120.0);
      f.recipients += recipients;
      f.revenue = roundTo(f.revenue + static_cast<double>(share(recipients, f.conversionRate)) * orderValue, 2);
    });
  }

  // live <-> draft, now and then; live forms gain views and submissions.
  void changeForm(UnixSeconds now) {
    const std::size_t row = pickRow(forms.size());
    const UnixSeconds stamp = stampFor(forms, now);
    forms.update(row, stamp, [&](Form& f) {
      const std::int64_t toggle = random.intBetween(0, 4);
      if (f.status == FormStatus::draft) {
        f.status = FormStatus::live;
      } else if (toggle == 0) {
        f.status = FormStatus::draft;
      } else {
        const std::int64_t views = random.intBetween(1, 500);
        const double submitShare = random.realBetween(0.005, 0.12);
        f.views += views;
        f.submissions += share(views, submitShare);
      }
      f.submitRate = rate(f.submissions, f.views);
    });
  }

  // Members come and go, mostly come; an archived segment is brought back.
  void changeSegment(UnixSeconds now) {
    const std::size_t row = pickRow(segments.size());
    const UnixSeconds stamp = stampFor(segments, now);
    segments.update(row, stamp, [&](Segment& s) {
      const std::int64_t delta = random.intBetween(-50, 500);
      if (s.status == SegmentStatus::archived) s.status = SegmentStatus::active;
      const std::int64_t before = s.members;
      s.members = std::max<std::int64_t>(0, s.members + delta);
      s.growth = roundTo(s.growth + static_cast<double>(s.members - before) / static_cast<double>(std::max<std::int64_t>(1, before)), 4);
    });
  }

  // Today's figures keep counting.
  void changeLastDay(UnixSeconds now) {
    const UnixSeconds stamp = stampFor(metrics, now);
    metrics.update(metrics.size() - 1, stamp, [&](DailyMetrics& m) {
      const std::int64_t sends = random.intBetween(50, 500);
      const double openShare = random.realBetween(0.28, 0.46);
      const double clickShare = random.realBetween(0.06, 0.16);
      const double revenuePerClick = random.realBetween(1.5, 6.5);
      const std::int64_t opens = share(sends, openShare);
      const std::int64_t clicks = share(opens, clickShare);
      m.sends += sends;
      m.opens += opens;
      m.clicks += clicks;
      m.revenue = roundTo(m.revenue + static_cast<double>(clicks) * revenuePerClick, 2);
    });
  }
};

Expected<std::unique_ptr<UpstreamAccount>, std::string> UpstreamAccount::create(UpstreamAccountOptions options) {
  if (auto error = validate(options)) return *error;
  if (!options.clock) options.clock = systemNow;
  if (options.historyEndsNow) {
    const UnixSeconds now = options.clock();
    options.sizes.lastDay = dayOf(now);
    options.sizes.asOf = now;
  }
  if (options.journalPath.empty()) {
    return std::unique_ptr<UpstreamAccount>(new UpstreamAccount(std::move(options), nullptr));
  }
  auto opened = AccountJournal::open(options.journalPath, {options.seed, options.sizes}, options.historyEndsNow);
  if (!opened) return std::move(opened).error();
  options.sizes = opened.value().origin.sizes;  // the journal's end of history, when it had one
  if (auto error = validate(options)) return "account journal " + options.journalPath + ": " + *error;
  if (opened.value().droppedBytes > 0 && options.journalLog) {
    options.journalLog(LogLevel::info, "account journal " + options.journalPath + ": dropped a last line cut off by a crash (" +
                                           std::to_string(opened.value().droppedBytes) + " bytes; that batch was never made)");
  }
  auto account = std::unique_ptr<UpstreamAccount>(new UpstreamAccount(std::move(options), std::move(opened.value().journal)));
  // Replayed as they were made: the same draws, stamped with the same times.
  for (const JournalBatch& batch : opened.value().replay) account->makeChanges(batch.count, batch.at);
  return account;
}

UpstreamAccount::UpstreamAccount(UpstreamAccountOptions options, std::unique_ptr<AccountJournal> journal)
    : options_(std::move(options)), journal_(std::move(journal)) {
  Dataset data = generateDataset(options_.seed, options_.sizes);
  stampDays(data.daily, options_.sizes);
  tables_ = std::make_unique<Tables>(std::move(data), options_.seed);
}

UpstreamAccount::~UpstreamAccount() { stop(); }

FeedPage UpstreamAccount::readFeed(Entity entity, UnixSeconds updatedSince, const std::optional<SyncCursor>& after,
                                   int limit) const {
  std::shared_lock lock(mutex_);
  return Tables::with(std::as_const(*tables_), entity, [&](const auto& table) { return table.read(updatedSince, after, std::max(limit, 1)); });
}

EntityRows UpstreamAccount::snapshot(Entity entity) const {
  std::shared_lock lock(mutex_);
  return Tables::with(std::as_const(*tables_), entity, [](const auto& table) { return EntityRows(table.byId()); });
}

std::size_t UpstreamAccount::recordCount(Entity entity) const {
  std::shared_lock lock(mutex_);
  return Tables::with(std::as_const(*tables_), entity, [](const auto& table) { return table.size(); });
}

UnixSeconds UpstreamAccount::applyChanges(int count, UnixSeconds now) {
  std::unique_lock lock(mutex_);  // no page is served meanwhile: batchTime holds for the batch
  const UnixSeconds at = tables_->batchTime(now);
  // Journaled first: the journal may be ahead of what readers saw, never behind it.
  if (journal_ && count > 0 && !journal_->append({at, count}) && !journalFailed_) {
    journalFailed_ = true;
    if (options_.journalLog) {
      options_.journalLog(LogLevel::error, "account journal " + journal_->path() +
                                               ": cannot be written; a restart will not resume the changes made from now on");
    }
  }
  return makeChanges(count, at);
}

UnixSeconds UpstreamAccount::makeChanges(int count, UnixSeconds now) {
  for (int i = 0; i < count; ++i) tables_->applyOne(now);
  if (count > 0) tables_->changes += static_cast<std::uint64_t>(count);
  return tables_->lastStamp;
}

UnixSeconds UpstreamAccount::changesNow(int count) { return applyChanges(count, options_.clock()); }

std::uint64_t UpstreamAccount::changeCount() const { return tables_->changes.load(); }

void UpstreamAccount::start() {
  std::lock_guard lock(tickerMutex_);
  if (ticker_.joinable() || options_.changesPerMinute <= 0) return;
  tickerStopping_ = false;
  ticker_ = std::thread([this] { runTicker(); });
}

void UpstreamAccount::stop() {
  std::thread ticker;
  {
    std::lock_guard lock(tickerMutex_);
    tickerStopping_ = true;
    ticker = std::move(ticker_);
  }
  tickerWake_.notify_all();
  if (ticker.joinable()) ticker.join();
}

void UpstreamAccount::runTicker() {
  using std::chrono::milliseconds;
  using Steady = std::chrono::steady_clock;
  // Changes owed by now are made at each tick; ticks come at most every second, so a slow
  // rate still changes something each minute, and at least every 10 ms.
  const double perMs = options_.changesPerMinute / 60000.0;
  const auto tick = milliseconds(std::clamp<std::int64_t>(static_cast<std::int64_t>(1.0 / perMs), 10, 1000));
  const auto started = Steady::now();
  std::int64_t made = 0;
  std::unique_lock lock(tickerMutex_);
  while (!tickerWake_.wait_for(lock, tick, [this] { return tickerStopping_; })) {
    const auto elapsedMs = std::chrono::duration_cast<milliseconds>(Steady::now() - started).count();
    const auto owed = static_cast<std::int64_t>(static_cast<double>(elapsedMs) * perMs) - made;
    if (owed <= 0) continue;
    lock.unlock();
    changesNow(static_cast<int>(std::min<std::int64_t>(owed, std::numeric_limits<int>::max())));
    lock.lock();
    made += owed;
  }
}

}  // namespace livedata::server
