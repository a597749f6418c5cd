// The sync's reader of Klaviyo's API (revision 2026-07-15) over an UpstreamTransport: every
// request carries `Authorization: Klaviyo-API-Key <key>`, `revision` and JSON:API's media type.
//   - fetchCollection: one page of a collection, changed at or after `updatedSince`, in the order
//     of its update field, at the collection's largest page size, with the attributes the sync
//     reads (sparse fieldsets); the next page's cursor is taken from links.next only when that
//     link stays on the API's origin and path (the key goes with every request).
//   - postReport: a values report or metric aggregate, its JSON:API body given. Reports are
//     held to Klaviyo's documented limits before they are sent (klaviyo/rate_windows.h): a
//     call over the second's allowance waits for the next second (a burst is paced, not
//     failed: the overview's four aggregates exceed the burst of three); a call over the
//     minute's or day's allowance is not sent but fails as rate_limited, with the wait until
//     that window ends as its Retry-After, so a retrying caller never spends more than the
//     budget.
// Answers map as upstream_source.h documents: 200 with a valid document -> the value; 200 with
// anything else -> malformed; 429 -> rate_limited with Retry-After; 401 and 403 -> http, not
// retryable (a wrong key is not fixed by waiting); other statuses -> http; no answer -> network or
// timeout. Messages carry Klaviyo's error document's code and detail, never the key.
//
// Threading: safe from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "klaviyo/jsonapi_collection.h"
#include "klaviyo/operations.h"
#include "klaviyo/rate_windows.h"
#include "livedata/expected.h"
#include "upstream_client/upstream_source.h"
#include "upstream_client/upstream_transport.h"

namespace livedata::server {

// Where the reports' calls of each UTC day are counted beyond this process (the store), so
// that a restart, or another instance taking the lead, spends only what is left of Klaviyo's
// daily budget. Empty functions: counted in this process only.
struct ReportCallLedger {
  // The calls counted for `operation` ("/api/form-values-reports") on `day`
  // (RateWindows::dayOf); nullopt when they cannot be read: this process's count then stands.
  std::function<std::optional<int>(std::string_view operation, std::int64_t day)> callsOn;
  // Counts one call, before it is sent.
  std::function<void(std::string_view operation, std::int64_t day)> countCall;
};

struct KlaviyoSourceOptions {
  HttpUpstreamOptions http;  // baseUrl: "https://a.klaviyo.com", or the simulated upstream's
  std::string apiKey;        // the private API key; not empty
  // Unix ms for the report budget's windows. Empty: the system clock.
  std::function<std::int64_t()> nowMs;
  // Waits while a burst is paced. Empty: std::this_thread::sleep_for.
  std::function<void(std::int64_t ms)> sleepFor;
  ReportCallLedger reportCalls;
};

template <typename Resource>
struct KlaviyoPage {
  std::vector<Resource> resources;
  std::optional<std::string> nextCursor;  // page[cursor] of the next page; nullopt on the last
};

class KlaviyoSource {
 public:
  // Checks the options; the error names the bad one (never the key's value).
  static Expected<std::unique_ptr<KlaviyoSource>, std::string> create(KlaviyoSourceOptions options);

  // Resource is the collection's: CampaignResource for campaigns, and so on. `cursor`: a
  // nextCursor of the walk that began with the same `updatedSince`.
  // `pageSize` caps the collection's own largest page.
  template <typename Resource>
  Expected<KlaviyoPage<Resource>, UpstreamFailure> fetchCollection(UnixSeconds updatedSince, const std::optional<std::string>& cursor,
                                                                   int pageSize = 1000);

  // The answer's body, a JSON:API document.
  Expected<std::string, UpstreamFailure> postReport(klaviyo::Report report, const std::string& body);

  // Report calls sent today, per operation with a daily limit.
  std::vector<BudgetUse> budget() const;
  // The same for one report; nullopt when it has no daily limit.
  std::optional<BudgetUse> budgetOf(klaviyo::Report report) const;

  // Unix ms by the options' clock (the system clock when none was given).
  std::int64_t nowMs() const;

 private:
  KlaviyoSource(std::unique_ptr<UpstreamTransport> transport, std::string apiKey, std::function<std::int64_t()> nowMs,
                std::function<void(std::int64_t)> sleepFor, ReportCallLedger reportCalls)
      : transport_(std::move(transport)),
        apiKey_(std::move(apiKey)),
        nowMs_(std::move(nowMs)),
        sleepFor_(std::move(sleepFor)),
        reportCalls_(std::move(reportCalls)) {}
  UpstreamRequest requestTo(std::string target) const;
  // The failure a non-200 answer is.
  static UpstreamFailure failureOf(const UpstreamAnswer& answer);
  // Raises the day's count of a budgeted report to what the ledger counted (other processes'
  // calls included).
  void catchUpWithLedger(const klaviyo::ReportOperation& operation, std::int64_t nowMs) const;

  const std::unique_ptr<UpstreamTransport> transport_;
  const std::string apiKey_;
  const std::function<std::int64_t()> nowMs_;
  const std::function<void(std::int64_t)> sleepFor_;
  const ReportCallLedger reportCalls_;
  // The reports' calls, counted as Klaviyo counts them; raised from the ledger when read.
  mutable RateWindows reportWindows_;
};

}  // namespace livedata::server
