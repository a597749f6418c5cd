#!/usr/bin/env bash
# Runs every benchmark and writes BENCHMARKS.md: each figure beside a baseline measured in
# the same run (these machines are shared and noisy, so only ratios carry over).
#
#   bench/run.sh [--quick] [--build-dir DIR] [--out FILE] [--fuzz-seconds N]
#
# --quick       a short version of everything (what CI runs, so the harness never rots);
#               its report goes to DIR/bench-results/BENCHMARKS.md unless --out is given
# --build-dir   the CMake build tree to use (default build-release; a new one is configured
#               as Release)
# --out         where to write the report (default BENCHMARKS.md at the root, full runs only)
# --fuzz-seconds how long each fuzz harness runs (default 120; quick runs: 0, CI fuzzes in
#               the test command); 0 leaves the fuzzing section out
#
# Needs what `scripts/setup.sh --test` installs (wrk, curl, valgrind, redis-server, node and npm).
# Sections, each with its baseline:
#   micro      Google Benchmark: the core's key building, lookup, insert with eviction,
#              event dispatch, backoff, cached read, each against the plain-library version
#   http       wrk on mock-server's cached path against a bare tuned cpp-httplib server
#              and Fastify serving the same bytes; also 304, Redis-backed, cold (SQLite),
#              and mock-server without its monitoring middleware; and callgrind's exact
#              count of instructions per request, mock-server against the bare server
#   stampede   100 concurrent requests on a cold key: renders counted by the server
#   sync       full and incremental sync against a plain batched SQLite insert
#   loadgen    dashboard users on the native client, memory and Redis caches
#   live       commit to client cache through the change feed for 1 to 5,000 watching
#              clients, against a client polling every second; streams one server holds;
#              commit to screen on a dashboard in Chromium
#   data-layer the WASM module against @tanstack/query-core under node; bundle sizes
#   cluster    three instances on PostgreSQL and Redis: the cached path through nginx with 1,
#              2 and 3 instances against one instance without the hop; commit on the leader
#              to client cache on another instance
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

quick=false
build_dir=build-release
out=""
fuzz_override=""
while (($#)); do
  case "$1" in
    --quick) quick=true; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --fuzz-seconds) fuzz_override=$2; shift 2 ;;
    *) echo "usage: $0 [--quick] [--build-dir DIR] [--out FILE] [--fuzz-seconds N]" >&2; exit 2 ;;
  esac
done
for tool in cmake ninja wrk curl valgrind redis-server redis-cli node npm chromium nginx; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing: run scripts/setup.sh --test" >&2; exit 1; }
done

if $quick; then
  wrk_seconds=2 wrk_rounds=1
  micro_args=(--benchmark_min_time=0.01)
  sync_records=(5000)
  sync_repetitions=3
  loadgen_args=(--users 8 --duration 8 --warmup 2 --sync-interval 2)
  stampede_rounds=2
  data_layer_args=(--quick)
  live_args=(--clients 1,100 --rounds 2 --hold 500)
  cluster_live_args=(--clients 1,100 --rounds 2 --hold 0)
  screen_rounds=5
  fuzz_seconds=0  # CI fuzzes in the test command (scripts/test.sh)
else
  wrk_seconds=5 wrk_rounds=3
  micro_args=()
  sync_records=(100000 1000000)
  sync_repetitions=1  # a million records take minutes; one run each
  loadgen_args=(--users 50 --duration 70 --warmup 10 --sync-interval 10)
  stampede_rounds=5
  data_layer_args=()
  # 5,000: as many watching clients as the hold test shows one instance holding.
  live_args=(--clients 1,100,1000,5000 --rounds 5 --hold 5000)
  cluster_live_args=(--clients 1,100,1000 --rounds 5 --hold 0)
  screen_rounds=30
  fuzz_seconds=120
fi
[ -n "$fuzz_override" ] && fuzz_seconds=$fuzz_override
wrk_connections=32
# The standard dashboard workload: each user watches its five calls on the live feed and
# re-reads them every 2 s, Refresh pressed on 1% of reads, the
# server syncing every 10 s (2 s in quick runs) from an upstream that changes once a second
# and fails 2% of its requests.
loadgen_args+=(--refresh-interval 2000 --force-fresh-rate 0.01 --changes-per-minute 60 --fault-rate 0.02)

build="$root/$build_dir"
# A full run's raw results are kept beside BENCHMARKS.md (bench/results, committed with it);
# a quick run's stay in the build tree.
if $quick; then results="$build/bench-results"; else results="$root/bench/results"; fi
if [ -z "$out" ]; then
  if $quick; then out="$results/BENCHMARKS.md"; else out="$root/BENCHMARKS.md"; fi
fi
rm -rf "$results"
mkdir -p "$results/http"
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
started_seconds=$SECONDS

# A new build tree is configured as Release; an existing one (CI passes its test build) is
# used as it is configured, so nothing is rebuilt for another build type.
echo "== build ($build_dir)"
if [ -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" >/dev/null
else
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target mock-server bare-httplib-server livedata-stampede \
  livedata-loadgen livedata-sync-bench livedata_micro_bench livedata-live-bench
# The dashboard for the Chromium bench, and the module for the data-layer bench (built with it).
[ -f "$root/web/dist/index.html" ] && [ -f "$root/wasm/dist/livedata.js" ] || "$root/scripts/build-web.sh"
(cd "$root/bench/js" && npm ci --no-audit --no-fund --loglevel=error)

work=$(mktemp -d)
source "$root/bench/lib.sh"
trap 'stop_all; stop_postgres_all; rm -rf "$work"' EXIT
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
mock_server="$build/mock-server/mock-server"
bin="$build/bench"

# record COMMAND...: notes COMMAND in commands.txt for the report, with this run's scratch
# directory, token and checkout shown as $WORK, $TOKEN and "." (lib.sh records the servers
# it starts too). measured COMMAND...: records COMMAND and runs it.
record() {
  { printf '%q ' "$@" | sed -e "s|$work|\$WORK|g" -e "s|$token|\$TOKEN|g" -e "s|$root/|./|g"; echo; } \
    >>"$results/commands.txt"
}
measured() {
  record "$@"
  "$@"
}

echo "== machine"
measured node "$root/bench/report/machine.mjs" --build "$build" >"$results/machine.json"

echo "== micro-benchmarks (Google Benchmark)"
measured "$bin/livedata_micro_bench" "${micro_args[@]}" --benchmark_format=json --benchmark_out="$results/micro.json" \
  --benchmark_out_format=json >/dev/null

echo "== http: the cached path against the floor"
start_redis redis
start_mock_server memory
start_mock_server nometrics --request-metrics=false
start_mock_server redis --redis "$url_redis"
# One entry of response cache: with the Lua script's rotating keys every request renders.
start_mock_server cold --cache-max-entries 1
path="/api/campaigns?limit=50"
curl -sf -D "$work/headers" -o "$results/http-body.json" "$url_memory$path"
header() { sed -n "s/^$1: *//Ip" "$work/headers" | tr -d '\r' | head -n 1; }
etag=$(header ETag)
cache_control=$(header Cache-Control)
content_type=$(header Content-Type)
peer_args=(--body "$results/http-body.json" --path /api/campaigns --etag "$etag" --cache-control "$cache_control"
  --content-type "$content_type")
start_listening bare "$bin/bare-httplib-server" "${peer_args[@]}"
start_listening fastify node "$root/bench/js/fastify-server.mjs" "${peer_args[@]}"
# The servers must answer the same bytes, or the comparison means nothing. Each mock-server
# committed its statistics at its own moment: statisticsAsOf alone may differ among them.
same_time() { sed -E 's/"statisticsAsOf":"[^"]*"/"statisticsAsOf":"T"/'; }
for peer in bare fastify redis nometrics; do
  url_var="url_$peer"
  cmp -s <(same_time <"$results/http-body.json") <(curl -sf "${!url_var}$path" | same_time) ||
    { echo "bench: $peer serves other bytes" >&2; exit 1; }
done

# wrk_case NAME URL [wrk options...]: one wrk run, its JSON line in http/NAME-ROUND.json.
wrk_case() {
  local name=$1 url=$2
  shift 2
  local command=(wrk -t1 -c"$wrk_connections" -d"${wrk_seconds}s" -s "$root/bench/wrk/report.lua" "$@" "$url")
  if [ "$round" = 1 ]; then
    record "${command[@]}"
  fi
  "${command[@]}" | sed -n 's/^WRK_JSON //p' >"$results/http/$name-$round.json"
}
cases=(mock-server bare-httplib fastify mock-server-no-metrics mock-server-304 bare-httplib-304 mock-server-redis
  mock-server-cold)
run_case() {
  case "$1" in
    mock-server) wrk_case "$1" "$url_memory$path" ;;
    bare-httplib) wrk_case "$1" "$url_bare$path" ;;
    fastify) wrk_case "$1" "$url_fastify$path" ;;
    mock-server-no-metrics) wrk_case "$1" "$url_nometrics$path" ;;
    mock-server-304) wrk_case "$1" "$url_memory$path" -H "If-None-Match: $etag" ;;
    bare-httplib-304) wrk_case "$1" "$url_bare$path" -H "If-None-Match: $etag" ;;
    mock-server-redis) wrk_case "$1" "$url_redis$path" ;;
    mock-server-cold) BENCH_COLD_PATH=/api/campaigns wrk_case "$1" "$url_cold" ;;
  esac
}
echo "   wrk -t1 -c$wrk_connections -d${wrk_seconds}s, $wrk_rounds round(s), cases in rotating order"
round=0
for name in "${cases[@]}"; do run_case "$name" >/dev/null; done  # warm-up, not recorded
for round in $(seq 1 "$wrk_rounds"); do
  # Rotate the order each round, so drift on a shared machine does not favour one case.
  for i in "${!cases[@]}"; do
    name=${cases[$(((i + round) % ${#cases[@]}))]}
    run_case "$name"
  done
done
rm -f "$results"/http/*-0.json
for server in memory cold; do
  url_var="url_$server"
  curl -sf -H "Authorization: Bearer $token" "${!url_var}/api/cache/stats" >"$results/http/cache-stats-$server.json"
done

echo "== stampede: 100 concurrent requests on a cold key"
measured "$bin/livedata-stampede" --server "$url_memory" --token "$token" --concurrency 100 --rounds "$stampede_rounds" \
  --json "$results/stampede-memory.json"
measured "$bin/livedata-stampede" --server "$url_redis" --token "$token" --concurrency 100 --rounds "$stampede_rounds" \
  --json "$results/stampede-redis.json"
stop_all

echo "== http: instructions per request under callgrind, against the floor"
# wrk's ratios move by a tenth from round to round on a shared machine; the instructions a
# server executes per request do not. Each server runs under callgrind twice and answers
# 300, then 3,300 requests on one kept-alive connection (curl, after a warm-up request); the
# difference over the 3,000 requests between the runs leaves start-up and shutdown out
# (mock-server's start-up, its first sync included, varies by a million instructions or so
# from one process to the next: over 3,000 requests that is a few hundred each).
# Instructions are user-space only: the system calls, the same for both, are not in them.
# cg_count NAME CONDITIONAL PATH COMMAND...: sets instructions_NAME to the instructions per
# request; with CONDITIONAL=yes the requests carry the ETag of the server's first answer
# (the 304 path). mock-server's background threads (sync, monitoring) add work now and then
# to one run and not the other: the pair of runs is made twice and the lower count kept.
cg_count() {
  local name=$1 conditional=$2 path=$3
  shift 3
  local best="" pair n
  for pair in 1 2; do
    local totals=()
    for n in 300 3300; do
      start_listening "$name" valgrind --tool=callgrind --callgrind-out-file="$work/$name-$n.callgrind" "$@"
      local url_var="url_$name" pid=${pids[-1]}
      local url="${!url_var}$path" header=()
      # Counting starts once the server answers and, for mock-server, its first sync is over.
      for _ in $(seq 1 600); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
      if [ "$name" != "${name#mock}" ]; then
        for _ in $(seq 1 600); do
          curl -sf -H "Authorization: Bearer $token" "${!url_var}/api/sync/status" | grep -qE '"successes":[1-9]' && break
          sleep 0.1
        done
      fi
      if [ "$conditional" = yes ]; then
        header=(-H "If-None-Match: $(curl -sf -D - -o /dev/null "$url" | sed -n 's/^ETag: *//Ip' | tr -d '\r')")
      fi
      curl -sf "${header[@]}" $(for _ in $(seq 1 "$n"); do printf '%s ' "$url"; done) >/dev/null
      kill -INT "$pid"
      wait "$pid" 2>/dev/null || true
      unset 'pids[-1]'
      totals+=("$(sed -n 's/^\(summary\|totals\): *//p' "$work/$name-$n.callgrind" | head -n 1)")
    done
    local count=$(((totals[1] - totals[0]) / 3000))
    if [ -z "$best" ] || ((count < best)); then best=$count; fi
  done
  printf -v "instructions_$name" '%s' "$best"
}
if $quick; then
  echo "   skipped in quick runs"
else
  # A file of its own (the "memory" server holds its file: one server per SQLite file), synced
  # once beforehand by a server outside callgrind, so that every counted run's start-up sync is
  # the same incremental one: a full sync in one run of a pair would be subtracted from the other.
  start_mock_server callgrind
  kill -INT "${pids[-1]}"
  wait "${pids[-1]}" 2>/dev/null || true
  unset 'pids[-1]'
  mock_args=(--port 0 --admin-token "$token" --db "$work/callgrind.db" --changes-per-minute 0 --sync-interval 0
    --history-end "$history_end" --log-level warn)
  cg_count mock no "$path" "$mock_server" "${mock_args[@]}"
  cg_count bare no "$path" "$bin/bare-httplib-server" "${peer_args[@]}" --port 0
  cg_count mock304 yes "$path" "$mock_server" "${mock_args[@]}"
  cg_count bare304 yes "$path" "$bin/bare-httplib-server" "${peer_args[@]}" --port 0
  printf '{"mock-server": %s, "bare-httplib": %s, "mock-server-304": %s, "bare-httplib-304": %s}\n' \
    "$instructions_mock" "$instructions_bare" "$instructions_mock304" "$instructions_bare304" |
    tee "$results/instructions.json"
fi

echo "== sync: full and incremental against a plain batched insert"
sync_args=(--repetitions "$sync_repetitions")
for records in "${sync_records[@]}"; do sync_args+=(--records "$records"); done
(cd "$work" && measured "$bin/livedata-sync-bench" "${sync_args[@]}" --json "$results/sync.json")

echo "== load generator: dashboard users on the live feed, memory then Redis; then polling users"
measured "$bin/livedata-loadgen" --mock-server "$mock_server" --cache memory "${loadgen_args[@]}" \
  --json "$results/loadgen-memory.json"
measured "$bin/livedata-loadgen" --mock-server "$mock_server" --cache redis "${loadgen_args[@]}" \
  --json "$results/loadgen-redis.json"
# The baseline of freshness: the same users without the live feed, only polling.
measured "$bin/livedata-loadgen" --mock-server "$mock_server" --cache memory --poll "${loadgen_args[@]}" \
  --json "$results/loadgen-memory-poll.json"

echo "== live feed: commit to client cache for watching clients, against polling"
# Heartbeats every 2 s, so the held streams show theirs within the bench's wait.
start_mock_server live --max-subscribers 6000 --heartbeat-seconds 2
measured "$bin/livedata-live-bench" --server "$url_live" --token "$token" "${live_args[@]}" --server-pid "${pids[-1]}" \
  --json "$results/live.json"
stop_all
echo "== live feed: commit to screen, a dashboard in Chromium"
start_mock_server screen --web-root "$root/web/dist"
measured node "$root/bench/js/commit-to-screen.mjs" --server "$url_screen" --token "$token" --rounds "$screen_rounds" \
  >"$results/screen.json"
stop_all

echo "== cluster: three instances on PostgreSQL and Redis, behind nginx"
# Each instance runs its in-process upstream (the same seeded account); only the leader
# syncs, so the leader's /admin/touch commits the changes the others announce.
start_postgres pg
start_redis cluster_redis
start_mock_server leader --db "$url_pg" --redis "$url_cluster_redis"
start_mock_server follower1 --db "$url_pg" --redis "$url_cluster_redis"
start_mock_server follower2 --db "$url_pg" --redis "$url_cluster_redis"
port_of() { echo "${1##*:}"; }
start_nginx nginx1 "$(port_of "$url_leader")"
start_nginx nginx2 "$(port_of "$url_leader")" "$(port_of "$url_follower1")"
start_nginx nginx3 "$(port_of "$url_leader")" "$(port_of "$url_follower1")" "$(port_of "$url_follower2")"
for peer in nginx1 nginx3 follower2; do
  url_var="url_$peer"
  cmp -s <(same_time <"$results/http-body.json") <(curl -sf "${!url_var}$path" | same_time) ||
    { echo "bench: $peer serves other bytes than the single instance" >&2; exit 1; }
done
mkdir -p "$results/cluster"
cluster_cases=(direct nginx-1 nginx-2 nginx-3)
run_cluster_case() {
  local url
  case "$1" in
    direct) url=$url_leader ;;
    nginx-1) url=$url_nginx1 ;;
    nginx-2) url=$url_nginx2 ;;
    nginx-3) url=$url_nginx3 ;;
  esac
  local command=(wrk -t1 -c"$wrk_connections" -d"${wrk_seconds}s" -s "$root/bench/wrk/report.lua" "$url$path")
  [ "$round" = 1 ] && record "${command[@]}"
  "${command[@]}" | sed -n 's/^WRK_JSON //p' >"$results/cluster/$1-$round.json"
}
round=0
for name in "${cluster_cases[@]}"; do run_cluster_case "$name" >/dev/null; done  # warm-up
for round in $(seq 1 "$wrk_rounds"); do
  for i in "${!cluster_cases[@]}"; do run_cluster_case "${cluster_cases[$(((i + round) % ${#cluster_cases[@]}))]}"; done
done
rm -f "$results"/cluster/*-0.json
measured "$bin/livedata-live-bench" --server "$url_follower1" --commit-server "$url_leader" --token "$token" \
  "${cluster_live_args[@]}" --json "$results/live-cluster.json"
stop_all
stop_postgres_all
# The fault tests' figures (takeover times, requests through nginx while an instance, Redis
# or PostgreSQL goes away), from the test binary when this build tree has one (full runs:
# the test command runs these tests already).
if ! $quick && [ -x "$build/tests/livedata_integration_tests" ]; then
  measured "$build/tests/livedata_integration_tests" --gtest_filter='Cluster.*:ClusterBehindNginx.*' |
    sed -n 's/^\[ figure   \] //p' >"$results/cluster-faults.txt"
fi

echo "== data layer under node: the WASM module against @tanstack/query-core"
measured node "$root/bench/js/data-layer.mjs" "${data_layer_args[@]}" --body "$results/http-body.json" >"$results/data-layer.json"
measured node "$root/bench/js/bundle-size.mjs" >"$results/bundle-size.json"

if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== fuzzing: every parser's harness for ${fuzz_seconds} s (libFuzzer with ASan and UBSan)"
  # The sanitizer build of the test command carries the harnesses: brought up to date here
  # (only the harnesses and what they link), its fuzz folder emptied first so that no binary
  # of a harness since removed is fuzzed and reported.
  cmake -S "$root" -B "$root/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DLIVEDATA_SANITIZE=ON -DLIVEDATA_FUZZ=ON >/dev/null
  rm -f "$root"/build-asan/fuzz/*_fuzzer
  cmake --build "$root/build-asan" --target fuzzers -j "$(nproc)"
  measured "$root/scripts/fuzz.sh" build-asan "$fuzz_seconds" "$results/fuzz.json"
fi

echo "== report"
node "$root/bench/report/report.mjs" --results "$results" --out "$out" --started "$started_at" \
  --seconds "$((SECONDS - started_seconds))" --mode "$($quick && echo quick || echo full)"
echo "bench: wrote $out"
