-- wrk script for bench/run.sh: prints one JSON line (prefixed "WRK_JSON ") with throughput,
-- errors and latency percentiles in microseconds, so no figure is scraped from wrk's text.
-- With BENCH_COLD_PATH set (e.g. "/api/campaigns"), every request asks for a page no earlier
-- request asked for (limit 1..500 x offset 0..99: 50,000 keys); against a server whose cache
-- holds one entry, every request is rendered from SQLite: the cold path.
local coldPath = os.getenv("BENCH_COLD_PATH")
local counter = 0

if coldPath then
  request = function()
    local limit = 1 + counter % 500
    local offset = math.floor(counter / 500) % 100
    counter = counter + 1
    return wrk.format("GET", coldPath .. "?limit=" .. limit .. "&offset=" .. offset)
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.timeout + errors.status
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "requestsPerSecond": %.1f, "failed": %d, ' ..
    '"non2xx3xx": %d, "latencyUs": {"mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, ' ..
    '"p999": %d, "max": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, failed, errors.status, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
