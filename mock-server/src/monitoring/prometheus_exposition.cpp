#include "monitoring/prometheus_exposition.h"

#include "monitoring/prometheus_writer.h"

#include <algorithm>

namespace livedata::server::monitoring {

namespace {

double asDouble(std::uint64_t value) { return static_cast<double>(value); }

std::vector<PrometheusBucket> latencyBuckets(const LatencyHistogram& histogram) {
  std::vector<PrometheusBucket> buckets;
  buckets.reserve(kLatencyBucketBoundsMicros.size());
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBucketBoundsMicros.size(); ++i) {
    cumulative += histogram.bucketCounts[i];
    buckets.push_back({microsToSeconds(kLatencyBucketBoundsMicros[i]), cumulative});
  }
  return buckets;
}

void writeRequests(PrometheusWriter& out, const RequestMetricsSnapshot& requests) {
  for (const auto& route : requests.routes) {
    for (const auto& [status, count] : route.counts.statusCounts) {
      out.counter("livedata_http_requests_total", "HTTP requests by route template, method and status.", asDouble(count),
                  {{"route", route.route}, {"method", route.method}, {"status", std::to_string(status)}});
    }
  }
  for (const auto& route : requests.routes) {
    const LatencyHistogram& latency = route.counts.latency;
    out.histogram("livedata_http_request_duration_seconds", "HTTP request duration by route template and method.",
                  latencyBuckets(latency), latency.sumSeconds(), latency.count,
                  {{"route", route.route}, {"method", route.method}});
  }
  out.gauge("livedata_http_requests_in_flight", "HTTP requests being served.", static_cast<double>(requests.inFlight));
  out.counter("livedata_http_slow_requests_total", "HTTP requests slower than the slow-request threshold.",
              asDouble(requests.slowRequests));
}

void writeCache(PrometheusWriter& out, const CacheSnapshot& cache) {
  out.counter("livedata_cache_hits_total", "Response cache hits.", asDouble(cache.hits));
  out.counter("livedata_cache_misses_total", "Response cache misses.", asDouble(cache.misses));
  out.gauge("livedata_cache_keys", "Keys in the response cache.", asDouble(cache.keys));
  out.gauge("livedata_cache_bytes", "Approximate bytes held by the response cache.", asDouble(cache.bytes));
  out.gauge("livedata_cache_backend_info", "The cache backend serving now (value always 1).", 1,
            {{"backend", cache.backend}});
  out.gauge("livedata_cache_redis_configured", "1 when the server was given a Redis (--redis), 0 when it runs on memory by choice.",
            cache.redisConfigured ? 1 : 0);
  out.counter("livedata_cache_fallbacks_total", "Switches from Redis to the memory cache.", asDouble(cache.fallbacks));
  out.counter("livedata_cache_invalidations_total", "Cache invalidations.", asDouble(cache.invalidations));
}

void writeSync(PrometheusWriter& out, const SyncSnapshot& sync) {
  const char* help = "Sync runs by outcome.";
  out.counter("livedata_sync_runs_total", help, asDouble(sync.successes), {{"outcome", "success"}});
  out.counter("livedata_sync_runs_total", help, asDouble(sync.failures), {{"outcome", "failure"}});
  out.counter("livedata_sync_records_total", "Records written by sync runs.", asDouble(sync.records));
  const char* retryHelp =
      "Upstream fetches the sync repeated, by why the attempt before failed: rate_limited (a 429, or a call "
      "held back to keep within the upstream's limits) or other.";
  out.counter("livedata_sync_retries_total", retryHelp, asDouble(sync.rateLimitedRetries), {{"reason", "rate_limited"}});
  out.counter("livedata_sync_retries_total", retryHelp, asDouble(sync.retries - std::min(sync.retries, sync.rateLimitedRetries)),
              {{"reason", "other"}});
  for (const auto& calls : sync.reportCalls) {
    out.gauge("livedata_upstream_report_calls_today",
              "Calls of an upstream report operation spent today, of its daily limit (resets 00:00 UTC; the leader's alone).",
              asDouble(calls.today), {{"operation", calls.operation}});
    out.gauge("livedata_upstream_report_calls_daily_limit", "The calls an upstream report operation allows a day.",
              asDouble(calls.dailyLimit), {{"operation", calls.operation}});
  }
  out.gauge("livedata_sync_last_run_duration_seconds", "Duration of the last sync run.",
            static_cast<double>(sync.lastRunDurationMs) / 1000.0);
  if (sync.lastSuccessAgeMs) {
    out.gauge("livedata_sync_last_success_age_seconds", "Time since the stalest entity last synced, or since the process started while an entity has not synced since (absent on a follower).",
              static_cast<double>(*sync.lastSuccessAgeMs) / 1000.0);
  }
}

void writeSystem(PrometheusWriter& out, const SystemMetrics& system, double uptimeSeconds) {
  if (system.processCpuSeconds) {
    out.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                *system.processCpuSeconds);
  }
  if (system.processCpuPercent) {
    out.gauge("livedata_process_cpu_percent", "Process CPU use since the previous sample, percent of one core.",
              *system.processCpuPercent);
  }
  if (system.residentMemoryBytes) {
    out.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", asDouble(*system.residentMemoryBytes));
  }
  if (system.openFileDescriptors) {
    out.gauge("process_open_fds", "Number of open file descriptors.", asDouble(*system.openFileDescriptors));
  }
  if (system.threads) out.gauge("process_threads", "Number of OS threads in the process.", asDouble(*system.threads));
  out.gauge("livedata_uptime_seconds", "Time since the service started.", uptimeSeconds);
  if (system.hostMemory) {
    out.gauge("livedata_host_memory_total_bytes", "Host memory.", asDouble(system.hostMemory->totalBytes));
    out.gauge("livedata_host_memory_available_bytes", "Host memory available for new work.",
              asDouble(system.hostMemory->availableBytes));
  }
  if (system.load) {
    const char* help = "Host load average over the window.";
    out.gauge("livedata_host_load_average", help, system.load->one, {{"window", "1m"}});
    out.gauge("livedata_host_load_average", help, system.load->five, {{"window", "5m"}});
    out.gauge("livedata_host_load_average", help, system.load->fifteen, {{"window", "15m"}});
  }
  if (system.diskFreeBytes && system.diskTotalBytes) {
    out.gauge("livedata_disk_free_bytes", "Free bytes on the data folder's file system.", asDouble(*system.diskFreeBytes));
    out.gauge("livedata_disk_total_bytes", "Size of the data folder's file system.", asDouble(*system.diskTotalBytes));
  }
}

}  // namespace

std::string renderPrometheus(const ExpositionInputs& inputs) {
  PrometheusWriter out;
  out.gauge("livedata_build_info", "The running build (value always 1): which release a scrape came from.", 1,
            {{"version", inputs.service.releaseId}, {"api_version", inputs.service.version}});
  writeRequests(out, inputs.requests);
  out.counter("livedata_errors_total", "Errors captured from handlers and 5xx responses.", asDouble(inputs.errorsTotal));
  writeCache(out, inputs.cache);
  writeSync(out, inputs.sync);
  writeSystem(out, inputs.system, inputs.uptimeSeconds);
  for (const auto& target : inputs.targets) {
    out.gauge("livedata_slo_met", "Whether the service-level target is met (1) or not (0).", target.met ? 1 : 0,
              {{"target", target.name}});
  }
  out.gauge("livedata_alerts_open", "Service-level alerts open now.", asDouble(inputs.openAlerts));
  return out.text();
}

}  // namespace livedata::server::monitoring
