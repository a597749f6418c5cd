#include "livedata/expected.h"
#include "simulated_upstream/upstream_faults.h"

#include "model/strict_json.h"

#include <cmath>
#include <functional>
#include <limits>
#include <map>

namespace livedata::server {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDelayMs = 600000;

bool isRate(double value) { return std::isfinite(value) && value >= 0 && value <= 1; }

// Reads one JSON field into `faults`; returns the message when the value does not fit.
using FieldParser = std::function<std::optional<std::string>(const Json& value, UpstreamFaults& faults)>;

FieldParser rateField(double UpstreamFaults::*member) {
  return [member](const Json& value, UpstreamFaults& faults) -> std::optional<std::string> {
    if (!value.is_number() || !isRate(value.get<double>())) return "must be a number from 0 to 1";
    faults.*member = value.get<double>();
    return std::nullopt;
  };
}

// A JSON integer that fits in 64 signed bits (non-negative ones parse as unsigned).
std::optional<std::int64_t> integerOf(const Json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  if (!value.is_number_unsigned()) return value.get<std::int64_t>();
  const auto unsignedValue = value.get<std::uint64_t>();
  if (unsignedValue > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  return static_cast<std::int64_t>(unsignedValue);
}

FieldParser intField(int UpstreamFaults::*member, int low, int high) {
  return [member, low, high](const Json& value, UpstreamFaults& faults) -> std::optional<std::string> {
    const auto integer = integerOf(value);
    if (!integer || *integer < low || *integer > high) {
      return "must be an integer from " + std::to_string(low) + " to " + std::to_string(high);
    }
    faults.*member = static_cast<int>(*integer);
    return std::nullopt;
  };
}

const std::map<std::string, FieldParser>& fieldParsers() {
  static const std::map<std::string, FieldParser> parsers{
      {"errorRate", rateField(&UpstreamFaults::errorRate)},
      {"errorStatuses",
       [](const Json& value, UpstreamFaults& faults) -> std::optional<std::string> {
         const char* expected = "must be a non-empty array of statuses from 400 to 599";
         if (!value.is_array() || value.empty()) return expected;
         std::vector<int> statuses;
         for (const Json& status : value) {
           const auto integer = integerOf(status);
           if (!integer || *integer < 400 || *integer > 599) return expected;
           statuses.push_back(static_cast<int>(*integer));
         }
         faults.errorStatuses = std::move(statuses);
         return std::nullopt;
       }},
      {"latencyMs", intField(&UpstreamFaults::latencyMs, 0, kMaxDelayMs)},
      {"timeoutRate", rateField(&UpstreamFaults::timeoutRate)},
      {"timeoutMs", intField(&UpstreamFaults::timeoutMs, 1, kMaxDelayMs)},
      {"malformedRate", rateField(&UpstreamFaults::malformedRate)},
      {"rateLimitBurst", intField(&UpstreamFaults::rateLimitBurst, 0, std::numeric_limits<int>::max())},
      {"retryAfterSeconds", intField(&UpstreamFaults::retryAfterSeconds, 0, 86400)},
      {"seed",
       [](const Json& value, UpstreamFaults& faults) -> std::optional<std::string> {
         if (!value.is_number_unsigned()) return "must be an integer of 0 or more";
         faults.seed = value.get<std::uint64_t>();
         return std::nullopt;
       }},
  };
  return parsers;
}

std::string acceptedFields() {
  std::string list;
  for (const auto& [name, parser] : fieldParsers()) list += (list.empty() ? "" : ", ") + name;
  return list;
}

}  // namespace

std::optional<std::string> validateFaults(const UpstreamFaults& f) {
  // The same checks as a PUT body's, so the two ways in agree.
  if (!isRate(f.errorRate)) return std::string("errorRate must be a number from 0 to 1");
  if (!isRate(f.timeoutRate)) return std::string("timeoutRate must be a number from 0 to 1");
  if (!isRate(f.malformedRate)) return std::string("malformedRate must be a number from 0 to 1");
  if (f.errorRate + f.timeoutRate + f.malformedRate > 1) {
    return std::string("errorRate + timeoutRate + malformedRate must not exceed 1");
  }
  if (f.errorStatuses.empty()) return std::string("errorStatuses must be a non-empty array of statuses from 400 to 599");
  for (const int status : f.errorStatuses) {
    if (status < 400 || status > 599) return std::string("errorStatuses must be a non-empty array of statuses from 400 to 599");
  }
  if (f.latencyMs < 0 || f.latencyMs > kMaxDelayMs) return "latencyMs must be an integer from 0 to " + std::to_string(kMaxDelayMs);
  if (f.timeoutMs < 1 || f.timeoutMs > kMaxDelayMs) return "timeoutMs must be an integer from 1 to " + std::to_string(kMaxDelayMs);
  if (f.rateLimitBurst < 0) return std::string("rateLimitBurst must be an integer of 0 or more");
  if (f.retryAfterSeconds < 0 || f.retryAfterSeconds > 86400) return std::string("retryAfterSeconds must be an integer from 0 to 86400");
  return std::nullopt;
}

void to_json(nlohmann::ordered_json& json, const UpstreamFaults& f) {
  json = {{"errorRate", f.errorRate},         {"errorStatuses", f.errorStatuses},
          {"latencyMs", f.latencyMs},         {"timeoutRate", f.timeoutRate},
          {"timeoutMs", f.timeoutMs},         {"malformedRate", f.malformedRate},
          {"rateLimitBurst", f.rateLimitBurst}, {"retryAfterSeconds", f.retryAfterSeconds},
          {"seed", f.seed}};
}

Expected<UpstreamFaults, ApiError> parseFaults(const std::string& body) {
  const auto json = parseJsonStrictly(body);
  const std::string expected = "a JSON object of fault fields (" + acceptedFields() + ")";
  if (!json) return invalidBody("the request body " + json.error() + "; it must be " + expected);
  if (!json.value().is_object()) return invalidBody("the request body must be " + expected);
  UpstreamFaults faults;
  for (const auto& [name, value] : json.value().items()) {
    const auto parser = fieldParsers().find(name);
    if (parser == fieldParsers().end()) {
      return invalidBody("'" + name + "' is not a fault field (accepted: " + acceptedFields() + ")");
    }
    if (auto problem = parser->second(value, faults)) return invalidBody(name + " " + *problem);
  }
  if (auto problem = validateFaults(faults)) return invalidBody(*problem);
  return faults;
}

FaultPlan::FaultPlan(UpstreamFaults faults) : faults_(std::move(faults)), random_(faults_.seed) {}

void FaultPlan::set(UpstreamFaults faults) {
  std::lock_guard lock(mutex_);
  faults_ = std::move(faults);
  random_ = SplitMix64(faults_.seed);
}

UpstreamFaults FaultPlan::current() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

FaultDecision FaultPlan::next() {
  std::lock_guard lock(mutex_);
  FaultDecision decision;
  decision.latencyMs = faults_.latencyMs;
  if (faults_.rateLimitBurst > 0) {
    --faults_.rateLimitBurst;
    decision.kind = FaultDecision::Kind::rateLimited;
    decision.retryAfterSeconds = faults_.retryAfterSeconds;
    return decision;
  }
  if (faults_.errorRate + faults_.timeoutRate + faults_.malformedRate <= 0) return decision;
  // One draw picks among the three rates; a second picks an error's status.
  const double roll = random_.nextUnit();
  if (roll < faults_.errorRate) {
    decision.kind = FaultDecision::Kind::error;
    const auto last = static_cast<std::int64_t>(faults_.errorStatuses.size()) - 1;
    decision.status = faults_.errorStatuses[static_cast<std::size_t>(random_.intBetween(0, last))];
  } else if (roll < faults_.errorRate + faults_.timeoutRate) {
    decision.kind = FaultDecision::Kind::timeout;
    decision.holdMs = faults_.timeoutMs;
  } else if (roll < faults_.errorRate + faults_.timeoutRate + faults_.malformedRate) {
    decision.kind = FaultDecision::Kind::malformed;
  }
  return decision;
}

}  // namespace livedata::server
