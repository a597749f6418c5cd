#include "livedata/fallback.h"

#include "livedata/endpoints.h"

namespace livedata {

std::string emptyBodyFor(std::string_view endpoint) {
  const auto known = endpointFromName(endpoint);
  if (!known) return "{}";
  if (*known == Endpoint::overview) {
    return R"({"range":{"from":null,"to":null},)"
           R"("totals":{"sends":0,"opens":0,"clicks":0,"revenue":0,"openRate":0,"clickRate":0},)"
           R"("series":[]})";
  }
  // The API's default page (limit 50 from offset 0), and no statistics committed yet.
  return R"({"items":[],"total":0,"limit":50,"offset":0,"statisticsAsOf":null})";
}

}  // namespace livedata
