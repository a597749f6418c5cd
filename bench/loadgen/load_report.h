// The figures of one run against the project's targets (from the product's success
// metrics), as a table for people and as flat JSON for bench/run.sh.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "livedata/client.h"
#include "loadgen_options.h"
#include "request_recorder.h"
#include "server_figures.h"

namespace livedata::loadgen {

struct LoadReport {
  LoadgenOptions options;
  double elapsedSeconds = 0;    // the warm-up's end (or the first user's start) to the last request's end
  bool interrupted = false;     // stopped early by Ctrl-C or SIGTERM
  std::size_t unfinished = 0;   // requests still in flight when the run gave up waiting

  RequestTotals requests;
  ClientStats client;           // summed over users
  std::optional<ServerFigures> server;  // nullopt if they could not be read

  // From each committed change of campaigns to the new data on each measured screen
  // (freshness.h); changes no screen showed by the end are `unseenChanges`.
  LatencySummary freshness;
  std::size_t unseenChanges = 0;
  std::size_t changesMeasured = 0;
  std::size_t screensMeasured = 0;
};

// One target: "<name> <comparison> <target>", judged on `value`.
struct TargetCheck {
  std::string name;        // JSON key, e.g. "clientHitRate"
  std::string label;       // table text, e.g. "client cache hit rate"
  std::string comparison;  // ">" or "<"
  bool fraction = true;    // target and value are fractions, shown as percentages
  double target = 0;
  std::optional<double> value;  // nullopt: not measured (server figures missing)
  bool met() const;
};

// Hit rate > 90% (client and server caches), sync success > 99%, user error rate < 1%,
// average response < 200 ms.
std::vector<TargetCheck> checkTargets(const LoadReport& report);

void to_json(nlohmann::json& json, const LoadReport& report);
void printTable(std::ostream& out, const LoadReport& report);

}  // namespace livedata::loadgen
