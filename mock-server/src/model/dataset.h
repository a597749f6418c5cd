// The data the API serves: one value type per list item and per day of metrics, each with
// its JSON conversion (field names exactly as docs/api.md lists them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/civil_time.h"

namespace livedata::server {

struct Campaign {
  std::string id;
  std::string name;
  std::string status;  // draft | scheduled | sending | sent
  UnixSeconds sendTime = 0;
  std::int64_t recipients = 0;
  std::int64_t opens = 0;
  std::int64_t clicks = 0;
  double revenue = 0;
  double openRate = 0;   // opens / recipients
  double clickRate = 0;  // clicks / recipients
  UnixSeconds updatedAt = 0;
};

struct Flow {
  std::string id;
  std::string name;
  std::string status;  // live | draft | manual
  std::string trigger;
  std::int64_t recipients = 0;
  double revenue = 0;
  double conversionRate = 0;
  UnixSeconds updatedAt = 0;
};

struct Form {
  std::string id;
  std::string name;
  std::string status;  // live | draft
  std::int64_t views = 0;
  std::int64_t submissions = 0;
  double submitRate = 0;  // submissions / views
  UnixSeconds updatedAt = 0;
};

struct Segment {
  std::string id;
  std::string name;
  std::string status;  // active | archived
  std::int64_t members = 0;
  double growth = 0;  // change in members over the last 30 days, as a signed fraction
  UnixSeconds updatedAt = 0;
};

struct DailyMetrics {
  DayNumber day = 0;  // also its identity: one record per day
  std::int64_t sends = 0;
  std::int64_t opens = 0;
  std::int64_t clicks = 0;
  double revenue = 0;
  UnixSeconds updatedAt = 0;  // for incremental sync; not part of the API's day objects
};

struct Dataset {
  std::vector<Campaign> campaigns;
  std::vector<Flow> flows;
  std::vector<Form> forms;
  std::vector<Segment> segments;
  std::vector<DailyMetrics> daily;  // consecutive days, oldest first, never empty
};

// Rounds to a fixed number of decimals; the generator and the renderer both use it so
// numbers print the same everywhere.
double roundTo(double value, int decimals);

void to_json(nlohmann::ordered_json& json, const Campaign& campaign);
void to_json(nlohmann::ordered_json& json, const Flow& flow);
void to_json(nlohmann::ordered_json& json, const Form& form);
void to_json(nlohmann::ordered_json& json, const Segment& segment);
void to_json(nlohmann::ordered_json& json, const DailyMetrics& metrics);


}  // namespace livedata::server
