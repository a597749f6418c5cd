#include "upstream_client/klaviyo_source.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "klaviyo/cursor_link.h"
#include "klaviyo/error_document.h"
#include "klaviyo/filter_expression.h"
#include "klaviyo/iso_datetime.h"
#include "livedata/cache.h"  // percentEncode

namespace livedata::server {
namespace {

using klaviyo::Collection;
using Kind = UpstreamFailure::Kind;

template <typename Resource>
constexpr Collection collectionOf();
template <>
constexpr Collection collectionOf<klaviyo::CampaignResource>() { return Collection::campaigns; }
template <>
constexpr Collection collectionOf<klaviyo::FlowResource>() { return Collection::flows; }
template <>
constexpr Collection collectionOf<klaviyo::FormResource>() { return Collection::forms; }
template <>
constexpr Collection collectionOf<klaviyo::SegmentResource>() { return Collection::segments; }
template <>
constexpr Collection collectionOf<klaviyo::MetricResource>() { return Collection::metrics; }

// The attributes the sync reads of each type: what it asks for as a sparse fieldset.
const char* fieldsOf(Collection collection) {
  switch (collection) {
    case Collection::campaigns: return "name,status,archived,send_time,created_at,updated_at";
    case Collection::flows: return "name,status,archived,trigger_type,created,updated";
    case Collection::forms: return "name,status,ab_test,created_at,updated_at";
    case Collection::segments: return "name,is_active,is_processing,is_starred,created,updated";
    case Collection::metrics: return "name,created,updated,integration";
  }
  return "";
}

// Records changed at or after `since`: greater-or-equal where the collection allows it, else
// greater-than the second before (segments allow greater-than only). Campaigns also need the
// channel, which Klaviyo requires.
// The page's filter; empty for none. A walk from the start (since 0, a whole pass) has no
// condition on the update time: Klaviyo documents `updated` as nullable for flows and
// segments, and a comparison with null is false, so such records would never be read.
std::string filterOf(const klaviyo::CollectionOperation& operation, UnixSeconds since) {
  klaviyo::FilterExpression filter;
  if (operation.collection == Collection::campaigns) {
    filter.conditions.push_back({"equals", "messages.channel", {{klaviyo::FilterValue::Kind::string, "email", 0, false}}, false});
  }
  if (since <= 0) return filter.conditions.empty() ? std::string() : klaviyo::printFilter(filter);
  const auto& allowed = operation.updateOperators;
  const bool inclusive = std::find(allowed.begin(), allowed.end(), "greater-or-equal") != allowed.end();
  filter.conditions.push_back({inclusive ? "greater-or-equal" : "greater-than", std::string(operation.updateField),
                               {{klaviyo::FilterValue::Kind::datetime, "", inclusive ? since : since - 1, false}}, false});
  return klaviyo::printFilter(filter);
}

// A collection page holds at most 100 records of a few hundred bytes each: one past this
// is no page, and is not read into memory (only the statistics reports, which cover every
// campaign at once, need the transport's own, far larger bound).
constexpr std::size_t kMaxPageBytes = 16u * 1024u * 1024u;

// A Klaviyo error document's code and detail, or the start of whatever the body is.
std::string describeBody(const std::string& body) {
  if (auto described = klaviyo::describeErrorDocument(body)) return *described;
  return body.size() > 200 ? body.substr(0, 200) + "..." : body;
}

}  // namespace

Expected<std::unique_ptr<KlaviyoSource>, std::string> KlaviyoSource::create(KlaviyoSourceOptions options) {
  if (options.apiKey.empty()) return std::string("the Klaviyo API key is empty");
  for (const char c : options.apiKey) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f') return std::string("the Klaviyo API key holds a space or a control character");
  }
  auto transport = UpstreamTransport::create(std::move(options.http));
  if (!transport) return transport.error();
  return std::unique_ptr<KlaviyoSource>(
      new KlaviyoSource(std::move(transport).value(), std::move(options.apiKey), std::move(options.nowMs),
                        std::move(options.sleepFor), std::move(options.reportCalls)));
}

void KlaviyoSource::catchUpWithLedger(const klaviyo::ReportOperation& operation, std::int64_t nowMs) const {
  if (!operation.rateLimit.perDay || !reportCalls_.callsOn) return;
  if (const std::optional<int> counted = reportCalls_.callsOn(operation.path, RateWindows::dayOf(nowMs))) {
    reportWindows_.countAtLeast(operation.path, *counted, nowMs);
  }
}

std::int64_t KlaviyoSource::nowMs() const {
  if (nowMs_) return nowMs_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

UpstreamRequest KlaviyoSource::requestTo(std::string target) const {
  UpstreamRequest request;
  request.target = std::move(target);
  request.headers = {{"Authorization", "Klaviyo-API-Key " + apiKey_},
                     {"revision", std::string(klaviyo::kRevision)},
                     {"Accept", std::string(klaviyo::kJsonApiContentType)}};
  return request;
}

UpstreamFailure KlaviyoSource::failureOf(const UpstreamAnswer& answer) {
  const std::string message = answer.what + ": " + std::to_string(answer.status) + " " + describeBody(answer.body);
  if (answer.status == 429) {
    UpstreamFailure limited = upstreamFailure(Kind::rate_limited, message, 429);
    limited.retryAfterMs = answer.retryAfterMs;
    return limited;
  }
  return upstreamFailure(Kind::http, message, answer.status);
}

template <typename Resource>
Expected<KlaviyoPage<Resource>, UpstreamFailure> KlaviyoSource::fetchCollection(UnixSeconds updatedSince,
                                                                                const std::optional<std::string>& cursor,
                                                                                int pageSize) {
  const klaviyo::CollectionOperation& operation = klaviyo::operationOf(collectionOf<Resource>());
  std::string target = std::string(operation.path) + "?";
  const auto add = [&](const std::string& name, const std::string& value) {
    target += (target.back() == '?' ? "" : "&") + percentEncode(name) + "=" + percentEncode(value);
  };
  if (!operation.updateField.empty()) {
    if (const std::string filter = filterOf(operation, updatedSince); !filter.empty()) add("filter", filter);
    add("sort", std::string(operation.updateField));
  }
  if (operation.maxPageSize > 0) add("page[size]", std::to_string(std::clamp(pageSize, 1, operation.maxPageSize)));
  add("fields[" + std::string(operation.resourceType) + "]", fieldsOf(operation.collection));
  if (cursor) add("page[cursor]", *cursor);

  UpstreamRequest request = requestTo(target);
  request.maxAnswerBytes = kMaxPageBytes;
  auto sent = transport_->send(request);
  if (!sent) return sent.error();
  const UpstreamAnswer& answer = sent.value();
  if (answer.status != 200) return failureOf(answer);
  auto page = klaviyo::parseCollection<Resource>(answer.body);
  if (!page) return upstreamFailure(Kind::malformed, answer.what + ": not a valid page: " + page.error(), 200);
  KlaviyoPage<Resource> result{std::move(page.value().resources), std::nullopt};
  if (page.value().nextLink) {
    auto next = klaviyo::cursorFromNextLink(*page.value().nextLink, transport_->origin(), transport_->pathPrefix() + std::string(operation.path));
    if (!next) return upstreamFailure(Kind::malformed, answer.what + ": " + next.error(), 200);
    if (cursor && next.value() == *cursor) {
      return upstreamFailure(Kind::malformed, answer.what + ": links.next repeats the page just read (a cursor loop)", 200);
    }
    result.nextCursor = std::move(next).value();
  }
  return result;
}

template Expected<KlaviyoPage<klaviyo::CampaignResource>, UpstreamFailure> KlaviyoSource::fetchCollection(UnixSeconds, const std::optional<std::string>&, int);
template Expected<KlaviyoPage<klaviyo::FlowResource>, UpstreamFailure> KlaviyoSource::fetchCollection(UnixSeconds, const std::optional<std::string>&, int);
template Expected<KlaviyoPage<klaviyo::FormResource>, UpstreamFailure> KlaviyoSource::fetchCollection(UnixSeconds, const std::optional<std::string>&, int);
template Expected<KlaviyoPage<klaviyo::SegmentResource>, UpstreamFailure> KlaviyoSource::fetchCollection(UnixSeconds, const std::optional<std::string>&, int);
template Expected<KlaviyoPage<klaviyo::MetricResource>, UpstreamFailure> KlaviyoSource::fetchCollection(UnixSeconds, const std::optional<std::string>&, int);

Expected<std::string, UpstreamFailure> KlaviyoSource::postReport(klaviyo::Report report, const std::string& body) {
  const klaviyo::ReportOperation& operation = klaviyo::operationOf(report);
  std::int64_t admittedAt = nowMs();
  catchUpWithLedger(operation, admittedAt);
  std::optional<std::int64_t> waitSeconds = reportWindows_.admit(operation.path, operation.rateLimit, admittedAt);
  if (waitSeconds && *waitSeconds <= 1) {
    // The second's burst is spent: pace into the next second.
    const std::int64_t untilNextSecond = 1000 - ((admittedAt % 1000) + 1000) % 1000;
    if (sleepFor_) sleepFor_(untilNextSecond);
    else std::this_thread::sleep_for(std::chrono::milliseconds(untilNextSecond));
    admittedAt = nowMs();
    waitSeconds = reportWindows_.admit(operation.path, operation.rateLimit, admittedAt);
  }
  if (waitSeconds) {
    const auto& perDay = operation.rateLimit.perDay;
    const bool daily = perDay && reportWindows_.usedToday(operation.path, nowMs()) >= *perDay;
    UpstreamFailure held = upstreamFailure(
        Kind::rate_limited,
        "POST " + std::string(operation.path) + " not sent: " +
            (daily ? "its daily budget of " + std::to_string(operation.rateLimit.perDay.value_or(0)) + " calls is spent until 00:00 UTC"
                   : std::string("its per-second or per-minute limit is reached")) +
            " (next call in " + std::to_string(*waitSeconds) + " s)");
    held.retryAfterMs = *waitSeconds * 1000;
    return held;
  }
  // Counted before it is sent: a call that fails on the way may still have been spent.
  if (operation.rateLimit.perDay && reportCalls_.countCall) {
    reportCalls_.countCall(operation.path, RateWindows::dayOf(admittedAt));
  }
  UpstreamRequest request = requestTo(std::string(operation.path));
  request.method = "POST";
  request.body = body;
  request.contentType = std::string(klaviyo::kJsonApiContentType);
  auto sent = transport_->send(request);
  if (!sent) return sent.error();
  if (sent.value().status != 200) return failureOf(sent.value());
  return std::move(sent.value().body);
}

std::vector<BudgetUse> KlaviyoSource::budget() const {
  std::vector<BudgetUse> uses;
  for (const klaviyo::Report report : klaviyo::kAllReports) {
    if (auto use = budgetOf(report)) uses.push_back(*std::move(use));
  }
  return uses;
}

std::optional<BudgetUse> KlaviyoSource::budgetOf(klaviyo::Report report) const {
  const klaviyo::ReportOperation& operation = klaviyo::operationOf(report);
  if (!operation.rateLimit.perDay) return std::nullopt;
  const std::int64_t at = nowMs();
  catchUpWithLedger(operation, at);
  return BudgetUse{"POST " + std::string(operation.path), reportWindows_.usedToday(operation.path, at),
                   *operation.rateLimit.perDay, RateWindows::dayEndsAt(at)};
}

}  // namespace livedata::server
