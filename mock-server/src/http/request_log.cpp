#include "http/request_log.h"

namespace livedata::server {

void to_json(nlohmann::ordered_json& json, const RequestRecord& r) {
  json = {{"method", r.method},
          {"path", r.path},
          {"query", r.query},
          {"ifNoneMatch", r.ifNoneMatch},
          {"cacheControl", r.cacheControl},
          {"status", r.status}};
}

void RequestLog::record(RequestRecord record) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_[record.path];
  records_.push_back(std::move(record));
  if (records_.size() > kMaxRecords) records_.pop_front();
}

void RequestLog::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  counts_.clear();
  records_.clear();
}

nlohmann::ordered_json RequestLog::toJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::ordered_json json;
  json["counts"] = nlohmann::ordered_json::object();
  for (const auto& [path, count] : counts_) json["counts"][path] = count;
  json["log"] = nlohmann::ordered_json::array();
  for (const auto& record : records_) json["log"].push_back(record);
  return json;
}

}  // namespace livedata::server
