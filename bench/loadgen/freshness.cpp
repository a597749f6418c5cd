#include "freshness.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

namespace livedata::loadgen {
void ScreenLog::record(std::size_t user, std::int64_t atMs) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (user < shown_.size()) shown_[user].push_back(atMs);
}

LatencySummary ScreenLog::freshness(const std::vector<std::int64_t>& changesAtMs, std::size_t& unseen) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<double> waits;
  unseen = 0;
  for (const std::int64_t change : changesAtMs) {
    for (const auto& times : shown_) {
      const auto first = std::lower_bound(times.begin(), times.end(), change);
      if (first == times.end()) {
        ++unseen;
      } else {
        waits.push_back(static_cast<double>(*first - change));
      }
    }
  }
  return summarize(std::move(waits));
}

ChangeObserver::ChangeObserver(std::string host, int port)
    : thread_([this, host = std::move(host), port] { follow(host, port); }) {}

ChangeObserver::~ChangeObserver() { stop(); }

void ChangeObserver::stop() {
  stopped_ = true;
  if (thread_.joinable()) thread_.join();
}

void ChangeObserver::follow(std::string host, int port) {
  httplib::Client http(host, port);
  http.set_read_timeout(10, 0);
  std::int64_t version = -1;
  while (!stopped_) {
    // Short waits, so stop() is prompt.
    const std::string target = version < 0 ? "/api/changes" : "/api/changes?since=" + std::to_string(version) + "&wait=1";
    const auto answer = http.Get(target);
    if (!answer || answer->status != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    const auto body = nlohmann::json::parse(answer->body, nullptr, false);
    if (!body.is_object()) continue;
    version = body.value("version", version);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& change : body["changes"]) {
      for (const auto& endpoint : change["endpoints"]) {
        if (endpoint["name"] == "campaigns") changes_.push_back(bench::parseIsoTimestampMs(change.value("committedAt", "")));
      }
    }
  }
}

std::vector<std::int64_t> ChangeObserver::campaignsChangesSince(std::int64_t fromMs) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::int64_t> since;
  for (const std::int64_t at : changes_) {
    if (at >= fromMs) since.push_back(at);
  }
  return since;
}

}  // namespace livedata::loadgen
