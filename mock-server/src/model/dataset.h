// The data the API serves: one value type per list item and per day of metrics. Their fields,
// with names and representations, are listed in record_fields.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/civil_time.h"
#include "model/enum_names.h"

namespace livedata::server {

enum class CampaignStatus { draft, scheduled, sending, sent, cancelled };
enum class FlowStatus { live, draft, manual };
enum class FormStatus { live, draft };
enum class SegmentStatus { active, archived };

template <>
struct EnumNames<CampaignStatus> {
  static constexpr std::array<const char*, 5> words{"draft", "scheduled", "sending", "sent", "cancelled"};
};
template <>
struct EnumNames<FlowStatus> {
  static constexpr std::array<const char*, 3> words{"live", "draft", "manual"};
};
template <>
struct EnumNames<FormStatus> {
  static constexpr std::array<const char*, 2> words{"live", "draft"};
};
template <>
struct EnumNames<SegmentStatus> {
  static constexpr std::array<const char*, 2> words{"active", "archived"};
};

struct Campaign {
  std::string id;
  std::string name;
  CampaignStatus status = CampaignStatus::draft;
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
  FlowStatus status = FlowStatus::draft;
  std::string trigger;
  std::int64_t recipients = 0;
  double revenue = 0;
  double conversionRate = 0;
  UnixSeconds updatedAt = 0;
};

struct Form {
  std::string id;
  std::string name;
  FormStatus status = FormStatus::draft;
  std::int64_t views = 0;
  std::int64_t submissions = 0;
  double submitRate = 0;  // submissions / views
  UnixSeconds updatedAt = 0;
};

struct Segment {
  std::string id;
  std::string name;
  SegmentStatus status = SegmentStatus::active;
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

}  // namespace livedata::server
