#!/usr/bin/env bash
# What the monitoring middleware costs on the server's cached path: two mock-servers on the
# same generated data, one with --request-metrics (the default) and one without, and wrk
# against each in turn on a cached endpoint. Rounds alternate so that drift on a shared
# machine hits both alike; the result is the median of the per-round throughput ratios
# (with / without: 1.00 means free, 0.95 means 5% fewer requests per second).
#
#   bench/monitoring_overhead.sh [--rounds N] [--duration SECONDS] [--connections N] [--path PATH]
#
# Needs wrk and curl (scripts/setup.sh --test); builds mock-server in build-release/ (Release).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=5 duration=5 connections=16 path="/api/campaigns?limit=50"
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--duration SECONDS] [--connections N] [--path PATH]" >&2; exit 2 ;;
  esac
done
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh --test" >&2; exit 1; }
done

cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build-release" --target mock-server >/dev/null
server="$root/build-release/mock-server/mock-server"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

# start NAME ARGS...: starts a server, sets url_NAME once its first sync has finished.
start() {
  local name=$1
  shift
  "$server" --port 0 --admin-token "$token" --db "$work/$name.db" --changes-per-minute 0 --sync-interval 0 \
    --log-level warn "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  local url=""
  for _ in $(seq 1 200); do
    url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/$name.out")
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "$name did not start: $(cat "$work/$name.log")" >&2; exit 1; }
  for _ in $(seq 1 600); do
    if curl -sf -H "Authorization: Bearer $token" "$url/api/sync/status" | grep -q '"successes":[1-9]'; then
      printf -v "url_$name" '%s' "$url"
      return
    fi
    sleep 0.1
  done
  echo "$name: the first sync did not finish" >&2
  exit 1
}

start with
start without --request-metrics=false

# requests/s of one wrk run against URL
throughput() {
  wrk -t1 -c"$connections" -d"${duration}s" "$1$path" | awk '/^Requests\/sec:/ {print $2}'
}

echo "cached path: GET $path, wrk -t1 -c$connections -d${duration}s, $rounds alternating rounds"
throughput "$url_with" >/dev/null  # warm both caches (and the CPU's)
throughput "$url_without" >/dev/null
ratios=()
for round in $(seq 1 "$rounds"); do
  if ((round % 2)); then
    with=$(throughput "$url_with"); without=$(throughput "$url_without")
  else
    without=$(throughput "$url_without"); with=$(throughput "$url_with")
  fi
  ratio=$(awk -v a="$with" -v b="$without" 'BEGIN {printf "%.3f", a / b}')
  ratios+=("$ratio")
  printf 'round %d: with middleware %10.0f req/s, without %10.0f req/s, ratio %s\n' "$round" "$with" "$without" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
echo "median throughput ratio (with / without middleware): $median"
