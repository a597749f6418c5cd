#include "load_report.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace livedata::loadgen {
namespace {

double ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

double throughputPerSecond(const LoadReport& report) {
  return report.elapsedSeconds > 0 ? static_cast<double>(report.requests.requests) / report.elapsedSeconds : 0.0;
}

// printf into a std::string: the table's columns are easier to read as format strings.
std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* pattern, ...) {
  char buffer[512];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(buffer, sizeof buffer, pattern, args);
  va_end(args);
  return buffer;
}

nlohmann::json latencyJson(const LatencySummary& s) {
  return {{"avg", s.averageMs}, {"p50", s.p50Ms}, {"p95", s.p95Ms}, {"p99", s.p99Ms}, {"max", s.maxMs}};
}

std::string latencyRow(const char* label, const LatencySummary& s) {
  return format("  %-30s avg %8.3f  p50 %8.3f  p95 %8.3f  p99 %8.3f  max %8.3f  (%zu)\n", label, s.averageMs,
                s.p50Ms, s.p95Ms, s.p99Ms, s.maxMs, s.count);
}

std::string percent(double fraction) { return format("%.2f%%", 100.0 * fraction); }

// The share of user reads no one had to render from SQLite: answered by the user's own
// cache, or by the server's (a hit, or a 304 from it). The product's cache hit rate, which
// neither cache's own rate shows alone. A render is only charged to a user read that went to
// the network: the server's misses also count the live feed's refetches of changed data,
// which no user read made. At most min(misses, such reads) reads were rendered for; counted
// as that many, the rate is a lower bound.
std::optional<double> endToEndHitRate(const LoadReport& report) {
  if (!report.server || report.requests.requests == 0) return std::nullopt;
  const auto rendered = std::min({report.server->cacheMisses, report.requests.network, report.requests.requests});
  return 1.0 - ratio(rendered, report.requests.requests);
}

// Rates of nothing (no lookups reached the server's cache, no sync run ended) are nullopt,
// not 0%: they are not measured, and miss no target.
// The share of user reads the user's own cache answered, with no request. The client cache's
// own hit rate (ClientStats) also counts the refetches the live feed starts when watched data
// changes, which no user waits for: it falls with every change, however well reads are served.
std::optional<double> userReadHitRate(const LoadReport& report) {
  if (report.requests.requests == 0) return std::nullopt;
  return 1.0 - ratio(report.requests.network, report.requests.requests);
}

std::optional<double> serverHitRate(const LoadReport& report) {
  if (!report.server || report.server->cacheHits + report.server->cacheMisses == 0) return std::nullopt;
  return report.server->cacheHitRate;
}

std::optional<double> syncSuccessRate(const LoadReport& report) {
  if (!report.server || report.server->syncSuccesses + report.server->syncFailures == 0) return std::nullopt;
  return report.server->syncSuccessRate;
}

}  // namespace

bool TargetCheck::met() const {
  if (!value) return false;
  return comparison == ">" ? *value > target : *value < target;
}

std::vector<TargetCheck> checkTargets(const LoadReport& report) {
  return {
      {"endToEndHitRate", "reads served by a cache", ">", true, 0.99, endToEndHitRate(report)},
      {"userReadHitRate", "reads from the client cache", ">", true, 0.90, userReadHitRate(report)},
      {"clientHitRate", "client cache hit rate", ">", true, 0.90, report.client.hitRate()},
      {"serverHitRate", "server cache hit rate", ">", true, 0.90, serverHitRate(report)},
      {"syncSuccessRate", "sync success rate", ">", true, 0.99, syncSuccessRate(report)},
      {"userErrorRate", "error rate seen by users", "<", true, 0.01,
       ratio(report.requests.errors, report.requests.requests)},
      {"averageResponseMs", "average response (ms)", "<", false, 200.0, report.requests.latency.averageMs},
  };
}

void to_json(nlohmann::json& json, const LoadReport& report) {
  const LoadgenOptions& o = report.options;
  const RequestTotals& r = report.requests;
  const ClientStats& c = report.client;
  json = {
      {"users", o.users},
      {"durationSeconds", report.elapsedSeconds},
      {"requestedDurationSeconds", o.durationSeconds},
      {"warmupSeconds", o.warmupSeconds},
      {"refreshIntervalMs", o.refreshIntervalMs},
      {"forceFreshRate", o.forceFreshRate},
      {"syncIntervalSeconds", o.syncIntervalSeconds},
      {"changesPerMinute", o.changesPerMinute},
      {"faultRate", o.faultRate},
      {"seed", o.seed},
      {"cache", toString(o.cache)},
      {"transportWorkers", o.transportWorkers},
      {"clientTtlMs", o.clientTtlMs ? nlohmann::json(*o.clientTtlMs) : nlohmann::json(nullptr)},
      {"mode", o.poll ? "poll" : "live"},
      {"freshnessMs", latencyJson(report.freshness)},
      {"freshnessSamples", report.freshness.count},
      {"unseenChanges", report.unseenChanges},
      {"changesMeasured", report.changesMeasured},
      {"screensMeasured", report.screensMeasured},
      {"interrupted", report.interrupted},
      {"unfinishedRequests", report.unfinished},

      {"requests", r.requests},
      {"throughputPerSecond", throughputPerSecond(report)},
      {"networkRequests", r.network},
      {"forcedRequests", r.forced},
      {"errors", r.errors},
      {"userErrorRate", ratio(r.errors, r.requests)},
      {"staleServed", r.staleServed},
      {"staleServedRate", ratio(r.staleServed, r.requests)},
      {"fallbacks", r.fallbacks},
      {"fallbackRate", ratio(r.fallbacks, r.requests)},
      {"latencyMs", latencyJson(r.latency)},
      {"networkLatencyMs", latencyJson(r.networkLatency)},

      {"userReadHitRate", userReadHitRate(report).value_or(0.0)},
      {"clientHitRate", c.hitRate()},
      {"clientHits", c.hits},
      {"clientMisses", c.misses},
      {"clientRevalidations", c.revalidations},
      {"clientNotModified", c.notModified},
      {"clientNetworkAttempts", c.networkRequests},
      {"clientRetries", c.retries},
  };
  if (const auto& s = report.server) {
    json.update({
        {"serverCacheBackend", s->cacheBackend},
        {"serverHitRate", s->cacheHitRate},
        {"endToEndHitRate", endToEndHitRate(report).value_or(0.0)},
        {"serverCacheHits", s->cacheHits},
        {"serverCacheMisses", s->cacheMisses},
        {"serverCacheRenders", s->cacheRenders},
        {"serverCacheCoalesced", s->cacheCoalesced},
        {"syncRuns", s->syncRuns},
        {"syncSuccesses", s->syncSuccesses},
        {"syncFailures", s->syncFailures},
        {"syncRetries", s->syncRetries},
        {"syncSuccessRate", s->syncSuccessRate},
        {"serverRequests", s->requests},
        {"serverErrors", s->serverErrors},
        {"serverLatencyMs",
         {{"avg", s->latencyAverageMs}, {"p50", s->latencyP50Ms}, {"p95", s->latencyP95Ms}, {"p99", s->latencyP99Ms}}},
    });
  } else {
    for (const char* key : {"serverCacheBackend", "serverHitRate", "endToEndHitRate", "serverCacheHits", "serverCacheMisses", "serverCacheRenders",
                            "serverCacheCoalesced", "syncRuns",
                            "syncSuccesses", "syncFailures", "syncRetries", "syncSuccessRate", "serverRequests",
                            "serverErrors", "serverLatencyMs"}) {
      json[key] = nullptr;
    }
  }
  nlohmann::json targets = nlohmann::json::object();
  bool allMet = true;
  for (const TargetCheck& check : checkTargets(report)) {
    // null: not measured (no server figures, or nothing to judge), which fails no target.
    targets[check.name] = check.value ? nlohmann::json(check.met()) : nlohmann::json(nullptr);
    allMet = allMet && (!check.value || check.met());
  }
  json["targets"] = targets;
  json["targetsMet"] = allMet;
}

void printTable(std::ostream& out, const LoadReport& report) {
  const LoadgenOptions& o = report.options;
  const RequestTotals& r = report.requests;
  const ClientStats& c = report.client;
  out << format("livedata-loadgen: %d users for %.1f s%s, %s cache, upstream fault rate %g, sync every %d s,\n"
                "refresh every %lld ms (%g%% forced), %zu transport workers\n\n",
                o.users, report.elapsedSeconds, report.interrupted ? " (interrupted)" : "", toString(o.cache),
                o.faultRate, o.syncIntervalSeconds, static_cast<long long>(o.refreshIntervalMs),
                100.0 * o.forceFreshRate, o.transportWorkers);

  out << "Requests seen by users\n";
  out << format("  %-30s %llu (%.1f/s)\n", "requests", static_cast<unsigned long long>(r.requests),
                throughputPerSecond(report));
  out << format("  %-30s %llu (%s), %llu of them forced\n", "went to the network",
                static_cast<unsigned long long>(r.network), percent(ratio(r.network, r.requests)).c_str(),
                static_cast<unsigned long long>(r.forced));
  out << format("  %-30s %llu (%s): stale data %llu (%s), empty fallback %llu\n", "errors",
                static_cast<unsigned long long>(r.errors), percent(ratio(r.errors, r.requests)).c_str(),
                static_cast<unsigned long long>(r.staleServed), percent(ratio(r.staleServed, r.requests)).c_str(),
                static_cast<unsigned long long>(r.fallbacks));
  if (report.unfinished > 0) out << format("  %-30s %zu\n", "unfinished at the end", report.unfinished);
  out << "Latency seen by users (ms)\n";
  out << latencyRow("all requests", r.latency);
  out << latencyRow("network only", r.networkLatency);
  out << format("Freshness (%s: commit of a campaigns change to new data on %zu newest-first screens, ms)\n",
                o.poll ? "polling users" : "users on the live feed", report.screensMeasured);
  out << latencyRow("commit to screen", report.freshness);
  out << format("  %-30s %zu changes, %zu screen updates missing at the end\n", "measured", report.changesMeasured,
                report.unseenChanges);
  out << "Client caches (summed over users)\n";
  out << format("  %-30s %s (%llu hits, %llu misses; %llu revalidations, %llu answered 304; %llu retries)\n",
                "hit rate", percent(c.hitRate()).c_str(), static_cast<unsigned long long>(c.hits),
                static_cast<unsigned long long>(c.misses), static_cast<unsigned long long>(c.revalidations),
                static_cast<unsigned long long>(c.notModified), static_cast<unsigned long long>(c.retries));

  if (const auto& s = report.server) {
    out << format("Server (mock-server's own figures, %s)\n",
                  o.warmupSeconds > 0 ? "after the warm-up; latency since its start" : "since its start");
    out << format("  %-30s %s (%s; %llu hits, %llu misses: %llu rendered, %llu waited for a render)\n",
                  "cache hit rate", percent(s->cacheHitRate).c_str(), s->cacheBackend.c_str(),
                  static_cast<unsigned long long>(s->cacheHits), static_cast<unsigned long long>(s->cacheMisses),
                  static_cast<unsigned long long>(s->cacheRenders), static_cast<unsigned long long>(s->cacheCoalesced));
    out << format("  %-30s %s (%llu runs: %llu ok, %llu failed; %llu page retries)\n", "sync success rate",
                  percent(s->syncSuccessRate).c_str(), static_cast<unsigned long long>(s->syncRuns),
                  static_cast<unsigned long long>(s->syncSuccesses), static_cast<unsigned long long>(s->syncFailures),
                  static_cast<unsigned long long>(s->syncRetries));
    out << format("  %-30s avg %8.3f  p50 %8.3f  p95 %8.3f  p99 %8.3f  (%llu, %llu 5xx)\n", "data routes latency (ms)",
                  s->latencyAverageMs, s->latencyP50Ms, s->latencyP95Ms, s->latencyP99Ms,
                  static_cast<unsigned long long>(s->requests), static_cast<unsigned long long>(s->serverErrors));
  } else {
    out << "Server figures: not available\n";
  }

  if (const auto rate = endToEndHitRate(report)) {
    out << format("  %-30s %s (user reads not rendered from SQLite)\n", "served by a cache", percent(*rate).c_str());
  }

  out << "\nTargets\n";
  for (const TargetCheck& check : checkTargets(report)) {
    const std::string target = check.fraction ? percent(check.target) : format("%g", check.target);
    const std::string value = !check.value       ? "n/a"
                              : check.fraction ? percent(*check.value)
                                               : format("%.3f", *check.value);
    out << format("  %-30s %s %-8s %10s   %s\n", check.label.c_str(), check.comparison.c_str(), target.c_str(),
                  value.c_str(), !check.value ? "not measured" : check.met() ? "met" : "MISSED");
  }
}

}  // namespace livedata::loadgen
