#include "sample_data.h"

#include <array>

namespace livedata::bench {

namespace {

struct ListRoute {
  const char* endpoint;
  std::array<const char*, 2> statuses;  // two of the route's statuses (docs/api.md)
};

constexpr std::array<ListRoute, 4> kListRoutes{{
    {"campaigns", {"sent", "draft"}},
    {"flows", {"live", "manual"}},
    {"forms", {"live", "draft"}},
    {"segments", {"active", "archived"}},
}};

constexpr int kPageSize = 50;

std::string campaignItem(int id) {
  const std::string n = std::to_string(id);
  return R"({"id":"cmp_)" + n + R"(","name":"Autumn newsletter )" + n +
         R"( - weekly digest","status":"sent","sendTime":"2026-10-14T09:30:00Z",)"
         R"("recipients":48211,"opens":21904,"clicks":3412,"revenue":18234.55,)"
         R"("openRate":0.4543,"clickRate":0.0708,"updatedAt":"2026-10-15T11:02:43Z"})";
}

std::string buildListBody(std::size_t targetBytes) {
  std::string body = R"({"items":[)";
  int id = 1000;
  while (body.size() < targetBytes) {
    if (id != 1000) body += ',';
    body += campaignItem(id++);
  }
  body += R"(],"total":1250,"limit":50,"offset":100})";
  return body;
}

}  // namespace

Query dashboardQuery() {
  return {{"status", "sent"}, {"sort", "-updatedAt"}, {"limit", "50"}, {"offset", "100"}};
}

std::shared_ptr<const std::string> typicalBody() {
  static const auto body = std::make_shared<const std::string>(buildListBody(kTypicalBodyBytes));
  return body;
}

std::vector<SampleRequest> sampleRequests(std::size_t count) {
  std::vector<SampleRequest> requests;
  requests.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // Consecutive requests cycle through endpoints then statuses; the page advances once
    // every combination has been used, so no two requests share a key.
    const ListRoute& route = kListRoutes[i % kListRoutes.size()];
    const std::size_t combination = i / kListRoutes.size();
    const char* status = route.statuses[combination % route.statuses.size()];
    const std::size_t page = combination / route.statuses.size();
    SampleRequest request;
    request.endpoint = route.endpoint;
    request.path = std::string("/api/") + route.endpoint;
    request.query = {{"status", status},
                     {"sort", "-updatedAt"},
                     {"limit", std::to_string(kPageSize)},
                     {"offset", std::to_string(page * kPageSize)}};
    request.key = makeCacheKey("GET", request.path, request.query);
    requests.push_back(std::move(request));
  }
  return requests;
}

CacheEntry entryFor(const SampleRequest& request, std::shared_ptr<const std::string> body) {
  CacheEntry entry;
  entry.key = request.key;
  entry.endpoint = request.endpoint;
  entry.path = request.path;
  entry.query = request.query;
  entry.body = std::move(body);
  entry.etag = R"("5f2b9c1e")";
  entry.fetchedAtMs = 1'700'000'000'000;
  entry.expiresAtMs = entry.fetchedAtMs + 60'000;
  return entry;
}

CacheLimits limitsForEntries(std::size_t entries) {
  CacheLimits limits;
  limits.maxEntries = entries;
  limits.maxBytes = (entries + 1) * (kTypicalBodyBytes + 1024);
  return limits;
}

}  // namespace livedata::bench
