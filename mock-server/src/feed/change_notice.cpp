#include "feed/change_notice.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "model/civil_time.h"

namespace livedata::server {
namespace {

using Json = nlohmann::ordered_json;

// "2026-12-03T07:00:00.123Z": the second's ISO form with the milliseconds inserted.
std::string isoTimestampWithMillis(std::int64_t unixMs) {
  const std::int64_t seconds = unixMs >= 0 ? unixMs / 1000 : (unixMs - 999) / 1000;
  std::string text = formatIsoTimestamp(seconds);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(unixMs - seconds * 1000));
  text.insert(text.size() - 1, millis);
  return text;
}

Json noticeOf(const Change& change) {
  Json endpoint{{"name", endpointNameOf(change.entity)}};
  if (!change.keys.empty()) endpoint["ids"] = change.keys;
  return Json{{"version", change.version},
              {"committedAt", isoTimestampWithMillis(change.committedAtMs)},
              {"endpoints", Json::array({endpoint})}};
}

std::string event(std::int64_t id, const char* type, const std::string& data) {
  return "id: " + std::to_string(id) + "\nevent: " + type + "\ndata: " + data + "\n\n";
}

}  // namespace

std::string changeNoticeJson(const Change& change) { return noticeOf(change).dump(); }

std::string subscribedEvent(std::int64_t clientVersion, std::int64_t currentVersion, int retryMs) {
  return "retry: " + std::to_string(retryMs) + "\n" +
         event(clientVersion, "subscribed", Json{{"version", currentVersion}}.dump());
}

std::string changeEvent(const Change& change) { return event(change.version, "change", changeNoticeJson(change)); }

std::string resetEvent(std::int64_t currentVersion) {
  return event(currentVersion, "reset", Json{{"version", currentVersion}}.dump());
}

std::string heartbeatComment() { return ": heartbeat\n\n"; }

std::string longPollJson(const Catchup& catchup) {
  // The version the client is at once it has read the answer: the last change's when the
  // answer holds changes (it may hold fewer than there are), else the current one.
  const std::int64_t version = catchup.changes.empty() ? catchup.version : catchup.changes.back()->change.version;
  std::string out = R"({"version":)" + std::to_string(version) + R"(,"reset":)" +
                    (catchup.kind == Catchup::Kind::reset ? "true" : "false") + R"(,"changes":[)";
  for (const PublishedChangePtr& published : catchup.changes) {
    if (out.back() != '[') out += ',';
    out += published->noticeJson;  // encoded once when published
  }
  return out + "]}";
}

}  // namespace livedata::server
