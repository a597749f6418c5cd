// Klaviyo's reporting operations over the simulated account, independent of the HTTP library:
// the values reports (POST /api/campaign-values-reports, /api/flow-values-reports,
// /api/form-values-reports, /api/segment-values-reports) and POST /api/metric-aggregates.
// Bodies are checked as the documents describe them (query_*.json); a refusal is Klaviyo's
// error object pointing into the body.
//
// What the statistics are, from the account's records:
//   campaigns (sent or sending, send time within the timeframe): recipients, delivered,
//     opens(_unique), clicks(_unique) and their rates, conversion_value (revenue),
//     conversions and conversion_uniques (revenue / 80, an average order), and the ratios of
//     these; statistics the account does not model (bounces, spam, SMS) are 0;
//   flows (every flow, lifetime): recipients, delivered, conversion_value, conversion_rate,
//     conversions and conversion_uniques, revenue_per_recipient;
//   forms (lifetime): viewed_form(_uniques), submits, submit_rate;
//   segments: total_members, net_members_changed over the segment's growth, members_added or
//     members_removed;
//   metric aggregates, per UTC day: Received Email counts sends, Opened Email opens, Clicked
//     Email clicks, Placed Order orders (count) and revenue (sum_value); other metrics 0.
// A values report's timeframe (a key's days, a custom start and end) is read as wall times in
// the account's time zone (UpstreamAccountOptions::utcOffsetSeconds), as Klaviyo reads it in the
// company's; metric aggregates are in UTC.
// Not simulated, refused with a 400 that says so: group-bys other than the ids, names and
// send_channel, filters other than on ids and send_channel, aggregates by other intervals,
// time zones or dimensions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "klaviyo/error_document.h"
#include "klaviyo/operations.h"
#include "livedata/expected.h"
#include "simulated_upstream/account.h"

namespace livedata::server {

// The report behind a path ("/api/flow-values-reports"), if any.
std::optional<klaviyo::Report> reportAt(std::string_view path);

// The 200 body for `body`, computed at `now` (relative timeframes end there). `origin` makes
// the links.
Expected<std::string, klaviyo::ErrorObject> answerReport(const UpstreamAccount& account, klaviyo::Report report,
                                                         std::string_view body, UnixSeconds now, const std::string& origin);

}  // namespace livedata::server
