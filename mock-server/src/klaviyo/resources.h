// The attributes of Klaviyo's resources that livedata reads, one struct per collection, with
// the optionality the documents give them (get_<collection>.json, <Type>ResponseObjectResource).
// Times are Unix seconds (iso_datetime.h); words (statuses, trigger types) are Klaviyo's own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/civil_time.h"

namespace livedata::server::klaviyo {

struct CampaignResource {
  std::string id;
  std::string name;
  std::string status;                      // "Draft", "Scheduled", "Sending", "Sent", "Cancelled", ...
  bool archived = false;
  std::optional<UnixSeconds> sendTime;
  UnixSeconds createdAt = 0;
  UnixSeconds updatedAt = 0;
};

struct FlowResource {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> status;       // "live", "draft", "manual" (no enum in the document)
  std::optional<bool> archived;
  std::optional<std::string> triggerType;  // "Added to List", "Date Based", "Low Inventory", "Metric", ...
  std::optional<UnixSeconds> created;
  std::optional<UnixSeconds> updated;
};

struct FormResource {
  std::string id;
  std::string name;
  std::string status;                      // "draft" or "live"
  bool abTest = false;
  UnixSeconds createdAt = 0;
  UnixSeconds updatedAt = 0;
};

struct SegmentResource {
  std::string id;
  std::optional<std::string> name;
  bool isActive = true;
  bool isProcessing = false;
  bool isStarred = false;
  std::optional<UnixSeconds> created;
  std::optional<UnixSeconds> updated;
  // additional-fields[segment]=profile_count: served only when asked for.
  std::optional<std::int64_t> profileCount;
};

struct MetricResource {
  std::string id;
  std::optional<std::string> name;         // "Received Email", "Placed Order", ...
  std::optional<std::string> created;      // date-times without a format in the document
  std::optional<std::string> updated;
  std::optional<std::string> integrationName;      // integration.name: "Klaviyo", "Shopify", ...
  std::optional<std::string> integrationCategory;  // integration.category
};

}  // namespace livedata::server::klaviyo
