#include "livedata/expected.h"
#include "http/fault_injector.h"

#include "model/strict_json.h"

#include <algorithm>
#include <chrono>

namespace livedata::server {
namespace {

using Json = nlohmann::json;

Expected<FaultRule, ApiError> parseRule(const Json& json, const std::string& where) {
  if (!json.is_object()) return invalidBody(where + " must be an object");
  static const std::vector<std::string> kFields{"path", "status", "times", "delayMs", "retryAfter", "malformed"};
  for (const auto& [name, value] : json.items()) {
    if (std::find(kFields.begin(), kFields.end(), name) == kFields.end()) {
      return invalidBody(where + "." + name + " is not a rule field (path, status, times, delayMs, "
                              "retryAfter, malformed)");
    }
  }
  auto integer = [&](const char* name, std::int64_t low, std::int64_t high, std::int64_t fallback,
                     const std::string& expected) -> Expected<int, ApiError> {
    if (!json.contains(name)) return static_cast<int>(fallback);
    const Json& value = json.at(name);
    if (!value.is_number_integer() || value.get<std::int64_t>() < low || value.get<std::int64_t>() > high) {
      return invalidBody(where + "." + name + " must be " + expected);
    }
    return static_cast<int>(value.get<std::int64_t>());
  };

  FaultRule rule;
  if (!json.contains("path") || !json.at("path").is_string() ||
      json.at("path").get<std::string>().empty() || json.at("path").get<std::string>()[0] != '/') {
    return invalidBody(where + ".path is required: a request path starting with '/'");
  }
  rule.path = json.at("path").get<std::string>();

  if (json.contains("malformed")) {
    if (!json.at("malformed").is_boolean()) return invalidBody(where + ".malformed must be true or false");
    rule.malformed = json.at("malformed").get<bool>();
  }
  auto delay = integer("delayMs", 0, kMaxFaultDelayMs, 0, "an integer from 0 to " + std::to_string(kMaxFaultDelayMs));
  if (!delay) return delay.error();
  rule.delayMs = delay.value();

  auto times = integer("times", -1, 1000000000, 1, "-1 (for ever) or an integer of 1 or more");
  if (!times) return times.error();
  rule.times = times.value();
  if (rule.times == 0) return invalidBody(where + ".times must be -1 (for ever) or an integer of 1 or more");

  const int defaultStatus = rule.malformed || rule.delayMs > 0 ? 200 : 503;
  auto status = integer("status", 200, 599, defaultStatus, "an HTTP status from 200 to 599");
  if (!status) return status.error();
  rule.status = status.value();

  if (json.contains("retryAfter")) {
    const Json& value = json.at("retryAfter");
    if (value.is_string() && !value.get<std::string>().empty()) {
      rule.retryAfter = value.get<std::string>();
    } else if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
      rule.retryAfter = std::to_string(value.get<std::int64_t>());
    } else if (!value.is_null()) {
      return invalidBody(where + ".retryAfter must be a Retry-After value such as \"1\"");
    }
    if (rule.retryAfter && rule.retryAfter->find_first_of("\r\n") != std::string::npos) {
      return invalidBody(where + ".retryAfter must not contain line breaks");
    }
  }
  return rule;
}

}  // namespace

void to_json(nlohmann::ordered_json& json, const FaultRule& rule) {
  json = {{"path", rule.path},     {"status", rule.status},       {"times", rule.times},
          {"delayMs", rule.delayMs}, {"retryAfter", nullptr}, {"malformed", rule.malformed}};
  if (rule.retryAfter) json["retryAfter"] = *rule.retryAfter;
}

Expected<std::vector<FaultRule>, ApiError> parseFaultRules(const std::string& body) {
  const auto parsed = parseJsonStrictly(body);
  if (!parsed) return invalidBody("the request body " + parsed.error() + "; it must be {\"rules\": [Rule, ...]}");
  const Json& json = parsed.value();
  if (!json.is_object() || !json.contains("rules") || !json.at("rules").is_array()) {
    return invalidBody("rules is required: {\"rules\": [Rule, ...]}");
  }
  std::vector<FaultRule> rules;
  for (std::size_t i = 0; i < json.at("rules").size(); ++i) {
    auto rule = parseRule(json.at("rules").at(i), "rules[" + std::to_string(i) + "]");
    if (!rule) return rule.error();
    rules.push_back(std::move(rule).value());
  }
  return rules;
}

void FaultInjector::add(std::vector<FaultRule> rules) {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.insert(rules_.end(), std::make_move_iterator(rules.begin()), std::make_move_iterator(rules.end()));
}

void FaultInjector::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
}

std::vector<FaultRule> FaultInjector::rules() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rules_;
}

std::optional<FaultRule> FaultInjector::take(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto rule = rules_.begin(); rule != rules_.end(); ++rule) {
    if (rule->path != path) continue;
    FaultRule applied = *rule;
    if (rule->times > 0 && --rule->times == 0) rules_.erase(rule);
    return applied;
  }
  return std::nullopt;
}

void FaultInjector::delay(int delayMs) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(delayMs), [this] { return shuttingDown_; });
}

void FaultInjector::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shuttingDown_ = true;
  }
  wake_.notify_all();
}

}  // namespace livedata::server
