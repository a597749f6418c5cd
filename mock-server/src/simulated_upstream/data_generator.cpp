#include "simulated_upstream/data_generator.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace livedata::server {
namespace {

// Each kind of data draws from its own stream, so changing one size leaves the others alone.
constexpr std::uint64_t kCampaignStream = 0x636d70;  // "cmp"
constexpr std::uint64_t kFlowStream = 0x666c77;      // "flw"
constexpr std::uint64_t kFormStream = 0x66726d;      // "frm"
constexpr std::uint64_t kSegmentStream = 0x736567;   // "seg"
constexpr std::uint64_t kDailyStream = 0x646179;     // "day"

constexpr UnixSeconds kHour = 3600;

template <std::size_t N>
const char* pick(SplitMix64& random, const std::array<const char*, N>& choices) {
  return choices[static_cast<std::size_t>(random.intBetween(0, static_cast<std::int64_t>(N) - 1))];
}

std::string makeId(const char* prefix, int index) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s_%04d", prefix, index + 1);
  return buffer;
}

double rate(std::int64_t part, std::int64_t whole) {
  return whole <= 0 ? 0.0 : roundTo(static_cast<double>(part) / static_cast<double>(whole), 4);
}

std::int64_t share(std::int64_t whole, double fraction) {
  return static_cast<std::int64_t>(static_cast<double>(whole) * fraction);
}

Campaign makeCampaign(SplitMix64& random, int index, const TimeFrame& frame) {
  static constexpr std::array<const char*, 12> kThemes{
      "Autumn Sale", "Black Friday", "New Arrivals", "Weekly Digest", "VIP Early Access",
      "Holiday Gift Guide", "Back in Stock", "Flash Sale", "Product Launch", "Customer Stories",
      "Loyalty Rewards", "Clearance"};
  static constexpr std::array<const char*, 5> kKinds{"Newsletter", "Announcement", "Reminder",
                                                     "Promo", "Update"};
  Campaign c;
  c.id = makeId("cmp", index);
  // Draws go into named locals: the operands of + are unsequenced, and the order of draws
  // must not depend on the compiler.
  const std::string theme = pick(random, kThemes);
  const std::string kind = pick(random, kKinds);
  c.name = theme + " " + kind + " #" + std::to_string(index + 1);
  const std::int64_t roll = random.intBetween(0, 99);
  c.status = roll < 72   ? CampaignStatus::sent
             : roll < 75 ? CampaignStatus::sending
             : roll < 87 ? CampaignStatus::scheduled
                         : CampaignStatus::draft;
  c.recipients = random.intBetween(1000, 250000);
  if (c.status == CampaignStatus::sent || c.status == CampaignStatus::sending) {
    c.sendTime = c.status == CampaignStatus::sent ? random.intBetween(frame.start, frame.end - 2 * kHour)
                                    : frame.end - random.intBetween(kHour, 6 * kHour);
    const double progress = c.status == CampaignStatus::sent ? 1.0 : random.realBetween(0.2, 0.9);
    c.opens = share(c.recipients, random.realBetween(0.12, 0.55) * progress);
    c.clicks = share(c.opens, random.realBetween(0.04, 0.30));
    c.revenue = roundTo(static_cast<double>(c.clicks) * random.realBetween(0.5, 9.0), 2);
    c.updatedAt = std::min(frame.end, c.sendTime + random.intBetween(0, 48 * kHour));
  } else {
    const UnixSeconds horizon = c.status == CampaignStatus::scheduled ? 30 * kSecondsPerDay : 90 * kSecondsPerDay;
    c.sendTime = frame.end + 1 + random.intBetween(kHour, horizon) / kHour * kHour;
    c.updatedAt = frame.end - random.intBetween(0, 60 * kSecondsPerDay);
  }
  c.openRate = rate(c.opens, c.recipients);
  c.clickRate = rate(c.clicks, c.recipients);
  return c;
}

Flow makeFlow(SplitMix64& random, int index, const TimeFrame& frame) {
  static constexpr std::array<const char*, 10> kNames{
      "Welcome Series", "Abandoned Cart", "Browse Abandonment", "Post-Purchase Thank You",
      "Win-Back", "Birthday", "Price Drop Alert", "Back in Stock", "Sunset Unengaged",
      "Review Request"};
  // Klaviyo's trigger types (get_flows.json), weighted as an account uses them: metric
  // triggers (added to cart, checkout started, placed order, viewed product) most.
  static constexpr std::array<const char*, 8> kTriggers{
      "Added to List", "Metric", "Metric", "Metric", "Metric", "Added to List", "Date Based", "Price Drop"};
  Flow f;
  f.id = makeId("flw", index);
  f.name = std::string(pick(random, kNames)) + " " + std::to_string(index + 1);
  const std::int64_t roll = random.intBetween(0, 99);
  f.status = roll < 60 ? FlowStatus::live : roll < 85 ? FlowStatus::draft : FlowStatus::manual;
  f.trigger = pick(random, kTriggers);
  if (f.status != FlowStatus::draft) {
    f.recipients = random.intBetween(200, 120000);
    f.conversionRate = roundTo(random.realBetween(0.005, 0.15), 4);
    f.revenue = roundTo(static_cast<double>(share(f.recipients, f.conversionRate)) *
                            random.realBetween(20.0, 120.0), 2);
  }
  f.updatedAt = random.intBetween(frame.start, frame.end);
  return f;
}

Form makeForm(SplitMix64& random, int index, const TimeFrame& frame) {
  static constexpr std::array<const char*, 4> kKinds{"Popup", "Flyout", "Embedded", "Full Page"};
  static constexpr std::array<const char*, 6> kOffers{"10% Off Signup", "Newsletter Signup",
                                                      "Free Shipping", "Spin to Win",
                                                      "Early Access", "SMS Opt-In"};
  Form f;
  f.id = makeId("frm", index);
  const std::string kind = pick(random, kKinds);
  const std::string offer = pick(random, kOffers);
  f.name = kind + " - " + offer + " " + std::to_string(index + 1);
  f.status = random.intBetween(0, 99) < 70 ? FormStatus::live : FormStatus::draft;
  if (f.status == FormStatus::live) {
    f.views = random.intBetween(500, 400000);
    f.submissions = share(f.views, random.realBetween(0.005, 0.12));
  }
  f.submitRate = rate(f.submissions, f.views);
  f.updatedAt = random.intBetween(frame.start, frame.end);
  return f;
}

Segment makeSegment(SplitMix64& random, int index, const TimeFrame& frame) {
  static constexpr std::array<const char*, 10> kNames{
      "Engaged (90 days)", "VIP Customers", "Repeat Buyers", "Never Purchased", "Lapsed Customers",
      "High AOV", "Newsletter Subscribers", "SMS Subscribers", "Cart Abandoners", "Local Shoppers"};
  Segment s;
  s.id = makeId("seg", index);
  s.name = std::string(pick(random, kNames)) + " " + std::to_string(index + 1);
  s.status = random.intBetween(0, 99) < 80 ? SegmentStatus::active : SegmentStatus::archived;
  s.members = random.intBetween(50, 500000);
  s.growth = s.status == SegmentStatus::active ? roundTo(random.realBetween(-0.05, 0.25), 4) : 0.0;
  s.updatedAt = random.intBetween(frame.start, frame.end);
  return s;
}

// `dayShare`: the part of the day generated (the last day, as of a moment within it).
DailyMetrics makeDay(SplitMix64& random, DayNumber day, int index, int days, double dayShare) {
  // Sends grow linearly over the year and dip at weekends; day 0 (1970-01-01) was a Thursday.
  static constexpr std::array<double, 7> kWeekdayFactor{1.05, 1.0, 0.6, 0.55, 0.95, 1.1, 1.15};
  const double trend = 1.0 + 0.5 * static_cast<double>(index) / static_cast<double>(days);
  const double weekday = kWeekdayFactor[static_cast<std::size_t>(((day % 7) + 7) % 7)];
  DailyMetrics m;
  m.day = day;
  m.sends = static_cast<std::int64_t>(40000.0 * trend * weekday * random.realBetween(0.8, 1.2) * dayShare);
  m.opens = share(m.sends, random.realBetween(0.28, 0.46));
  m.clicks = share(m.opens, random.realBetween(0.06, 0.16));
  m.revenue = roundTo(static_cast<double>(m.clicks) * random.realBetween(1.5, 6.5), 2);
  return m;
}

}  // namespace

TimeFrame timeFrameOf(const DatasetSizes& sizes) {
  const UnixSeconds endOfLastDay = (sizes.lastDay + 1) * kSecondsPerDay - 1;
  return {(sizes.lastDay - sizes.days + 1) * kSecondsPerDay, std::min(endOfLastDay, sizes.asOf.value_or(endOfLastDay))};
}

std::uint64_t SplitMix64::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double SplitMix64::nextUnit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::int64_t SplitMix64::intBetween(std::int64_t low, std::int64_t high) {
  const auto span = static_cast<std::uint64_t>(high - low) + 1;
  return low + static_cast<std::int64_t>(next() % span);
}

double SplitMix64::realBetween(double low, double high) { return low + (high - low) * nextUnit(); }

Dataset generateDataset(std::uint64_t seed, const DatasetSizes& sizes) {
  const TimeFrame frame = timeFrameOf(sizes);
  Dataset data;

  SplitMix64 campaigns(seed ^ kCampaignStream);
  for (int i = 0; i < sizes.campaigns; ++i) data.campaigns.push_back(makeCampaign(campaigns, i, frame));

  SplitMix64 flows(seed ^ kFlowStream);
  for (int i = 0; i < sizes.flows; ++i) data.flows.push_back(makeFlow(flows, i, frame));

  SplitMix64 forms(seed ^ kFormStream);
  for (int i = 0; i < sizes.forms; ++i) data.forms.push_back(makeForm(forms, i, frame));

  SplitMix64 segments(seed ^ kSegmentStream);
  for (int i = 0; i < sizes.segments; ++i) data.segments.push_back(makeSegment(segments, i, frame));

  SplitMix64 daily(seed ^ kDailyStream);
  for (int i = 0; i < sizes.days; ++i) {
    const bool last = i == sizes.days - 1;
    const double dayShare =
        last ? static_cast<double>(frame.end + 1 - sizes.lastDay * kSecondsPerDay) / static_cast<double>(kSecondsPerDay) : 1.0;
    data.daily.push_back(makeDay(daily, sizes.lastDay - sizes.days + 1 + i, i, sizes.days, dayShare));
  }
  return data;
}

}  // namespace livedata::server
