// Outside bytes as the answer to each report the sync posts (a values report of each kind, a
// metric aggregate), then through the mapping into records: every step answers with a value
// or an error that says what was wrong.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "klaviyo/report_json.h"
#include "upstream_client/klaviyo_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace livedata::server;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const struct {
    klaviyo::Report report;
    Entity entity;
  } kinds[] = {{klaviyo::Report::campaign_values, Entity::campaigns},
               {klaviyo::Report::flow_values, Entity::flows},
               {klaviyo::Report::form_values, Entity::forms},
               {klaviyo::Report::segment_values, Entity::segments}};
  for (const auto& kind : kinds) {
    const auto results = klaviyo::parseValuesReport(body, kind.report);
    if (!results) {
      if (results.error().empty()) std::abort();
      continue;
    }
    const auto rows = statisticsOf(kind.entity, results.value());
    if (rows ? rows.value().index() != static_cast<std::size_t>(kind.entity) : rows.error().empty()) std::abort();
  }
  const auto aggregate = klaviyo::parseMetricAggregate(body);
  if (!aggregate) {
    if (aggregate.error().empty()) std::abort();
    return 0;
  }
  for (const auto& [name, values] : aggregate.value().values) {
    if (values.size() != aggregate.value().dates.size()) std::abort();  // one value per date
  }
  const auto days = dailyMetricsOf({aggregate.value(), aggregate.value(), aggregate.value(), aggregate.value()});
  if (!days || days.value().size() != aggregate.value().dates.size()) std::abort();
  return 0;
}
