#!/usr/bin/env bash
# Builds the WASM module with Debian's Emscripten into wasm/dist/: the Emscripten glue
# (livedata-core.js, livedata-core.wasm), the JavaScript entry (livedata.js, host.js) and its
# TypeScript declarations; then reports the module's size, gzipped.
#   wasm/build.sh [build-dir]     (default build-wasm at the repository root)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-wasm}
# Emscripten's JS optimizer needs acorn, which Node 20 finds only through NODE_PATH.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

emcmake cmake -S "$root/wasm" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build"

dist=$root/wasm/dist
mkdir -p "$dist"
cp "$build/livedata-core.js" "$build/livedata-core.wasm" "$dist/"
cp "$root"/wasm/js/*.js "$root"/wasm/js/*.d.ts "$dist/"

wasm_gz=$(gzip -9c "$dist/livedata-core.wasm" | wc -c)
glue_gz=$(cat "$dist/livedata-core.js" "$dist/livedata.js" "$dist/host.js" | gzip -9c | wc -c)
total=$((wasm_gz + glue_gz))
printf 'wasm module: %d bytes wasm + %d bytes JS, gzipped %d + %d = %d bytes (%.1f KB)\n' \
  "$(wc -c <"$dist/livedata-core.wasm")" "$(cat "$dist"/livedata-core.js "$dist"/livedata.js "$dist"/host.js | wc -c)" \
  "$wasm_gz" "$glue_gz" "$total" "$(awk -v t="$total" 'BEGIN {print t / 1024}')"
echo "{\"wasmGzipBytes\": $wasm_gz, \"jsGzipBytes\": $glue_gz, \"totalGzipBytes\": $total}" >"$dist/size.json"
