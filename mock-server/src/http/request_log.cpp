#include "http/request_log.h"

#include "http/secret_redaction.h"

namespace livedata::server {

void to_json(nlohmann::ordered_json& json, const RequestRecord& r) {
  json = {{"method", r.method},
          {"path", r.path},
          {"query", redactSecretParameters(r.query)},
          {"ifNoneMatch", r.ifNoneMatch},
          {"cacheControl", r.cacheControl},
          {"status", r.status}};
}

void RequestLog::record(const RequestRecordView& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto counted = counts_.find(request.route);
  if (counted != counts_.end()) ++counted->second;
  else counts_.emplace(request.route, 1);
  // next_ is the new record's index while the ring fills, and the oldest's once it is full.
  if (records_.size() < kMaxRecords) records_.emplace_back();
  RequestRecord& slot = records_[next_];
  slot.method.assign(request.method);
  slot.path.assign(request.path);
  slot.query.assign(request.query);
  slot.ifNoneMatch.assign(request.ifNoneMatch);
  slot.cacheControl.assign(request.cacheControl);
  slot.status = request.status;
  next_ = (next_ + 1) % kMaxRecords;
}

void RequestLog::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  counts_.clear();
  records_.clear();
  next_ = 0;
}

nlohmann::ordered_json RequestLog::toJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::ordered_json json;
  json["counts"] = nlohmann::ordered_json::object();
  for (const auto& [path, count] : counts_) json["counts"][path] = count;
  json["log"] = nlohmann::ordered_json::array();
  // Oldest first: from next_ once the ring is full (before, next_ is records_.size()).
  const std::size_t oldest = records_.size() < kMaxRecords ? 0 : next_;
  for (std::size_t i = 0; i < records_.size(); ++i) json["log"].push_back(records_[(oldest + i) % records_.size()]);
  return json;
}

}  // namespace livedata::server
