// Counts and a bounded log of the requests to /api/* (GET /admin/requests in docs/api.md),
// so tests can assert what a client actually sent.
//
// Threading: every public member is safe to call from any number of threads.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace livedata::server {

struct RequestRecord {
  std::string method;
  std::string path;
  std::string query;        // raw query string as sent, without '?'
  // Strings even when the header was absent (then empty), so readers need no null checks.
  std::string ifNoneMatch;
  std::string cacheControl;
  int status = 0;           // the status the server answered with
};

void to_json(nlohmann::ordered_json& json, const RequestRecord& record);

class RequestLog {
 public:
  static constexpr std::size_t kMaxRecords = 500;

  void record(RequestRecord record);
  void clear();
  // {"counts": {path: n, ...}, "log": [RequestRecord, ...]}, oldest record first.
  nlohmann::ordered_json toJson() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> counts_;  // GUARDED_BY(mutex_); never trimmed
  std::deque<RequestRecord> records_;          // GUARDED_BY(mutex_); the last kMaxRecords
};

}  // namespace livedata::server
