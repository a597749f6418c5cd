#!/usr/bin/env bash
# Runs every libFuzzer harness of a fuzz build for a bounded time each, from its seed corpus
# (tests/fuzz/corpus/<harness>/, copied: the committed seeds are never written), and prints
# each one's executions; any crash, leak, sanitizer report or timeout fails the run and
# leaves its reproducer in the scratch folder printed.
#   scripts/fuzz.sh BUILD_DIR SECONDS [REPORT.json]
# The build: scripts/build.sh BUILD_DIR -DCMAKE_CXX_COMPILER=clang++ -DLIVEDATA_SANITIZE=ON -DLIVEDATA_FUZZ=ON
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
seconds=$2
report=${3:-}
harnesses=("$root/$build"/fuzz/*_fuzzer)
[ -x "${harnesses[0]}" ] || { echo "fuzz: no harnesses in $build/fuzz (build with -DLIVEDATA_FUZZ=ON)" >&2; exit 2; }
scratch=$(mktemp -d)
failed=0
json="["
printf '%-24s %12s %10s %8s  %s\n' harness executions "exec/s" corpus outcome
for harness in "${harnesses[@]}"; do
  name=$(basename "$harness")
  corpus="$scratch/$name/corpus"
  mkdir -p "$corpus"
  cp "$root/tests/fuzz/corpus/$name/"* "$corpus/" 2>/dev/null || true
  log="$scratch/$name/log"
  set +e
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$harness" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$scratch/$name/" "$corpus" >"$log" 2>&1
  status=$?
  set -e
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  files=$(find "$corpus" -type f | wc -l)
  outcome=ok
  if [ "$status" -ne 0 ]; then
    outcome="FAILED (exit $status): $(ls "$scratch/$name" | grep -E '^(crash|leak|timeout|oom)-' | head -n 1)"
    failed=1
    tail -n 40 "$log" >&2
  fi
  printf '%-24s %12s %10s %8s  %s\n' "$name" "${executions:-?}" "${rate:-?}" "$files" "$outcome"
  json+="{\"harness\":\"$name\",\"seconds\":$seconds,\"executions\":${executions:-0},\"execPerSecond\":${rate:-0},\"corpusFiles\":$files,\"ok\":$([ "$status" -eq 0 ] && echo true || echo false)},"
done
json="${json%,}]"
[ -z "$report" ] || echo "$json" >"$report"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a harness failed; reproducers are in $scratch" >&2
  exit 1
fi
rm -rf "$scratch"
