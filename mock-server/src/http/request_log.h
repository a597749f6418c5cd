// Counts and a bounded log of the requests to /api/* (GET /admin/requests in docs/api.md),
// so tests can assert what a client actually sent.
//
// Threading: every public member is safe to call from any number of threads.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace livedata::server {

struct RequestRecord {
  std::string method;
  std::string path;
  // The raw query string as sent, without '?'. Parameters named like secrets are redacted
  // when the log is shown (to_json), not on every request recorded.
  std::string query;
  // Strings even when the header was absent (then empty), so readers need no null checks.
  std::string ifNoneMatch;
  std::string cacheControl;
  int status = 0;           // the status the server answered with
};

void to_json(nlohmann::ordered_json& json, const RequestRecord& record);

// A request as RequestLog::record reads it: the log copies the text into a record of its own.
struct RequestRecordView {
  std::string_view method;
  std::string_view path;
  // What the count goes to: the route's path, or one name for every path no route serves,
  // so that requests for random paths cannot grow the counts.
  std::string_view route;
  std::string_view query;
  std::string_view ifNoneMatch;
  std::string_view cacheControl;
  int status = 0;
};

class RequestLog {
 public:
  static constexpr std::size_t kMaxRecords = 500;

  void record(const RequestRecordView& request);
  void clear();
  // {"counts": {route: n, ...}, "log": [RequestRecord, ...]}, oldest record first.
  nlohmann::ordered_json toJson() const;

 private:
  mutable std::mutex mutex_;
  // GUARDED_BY(mutex_); never trimmed, and bounded by the routes there are.
  std::map<std::string, std::size_t, std::less<>> counts_;
  // GUARDED_BY(mutex_): the last kMaxRecords, as a ring whose oldest record is at next_ once
  // it is full. A record is copied into the strings of the slot it replaces, which keep
  // their capacity: once the ring is full, recording allocates nothing (it runs on every
  // data request).
  std::vector<RequestRecord> records_;
  std::size_t next_ = 0;  // GUARDED_BY(mutex_)
};

}  // namespace livedata::server
