#!/usr/bin/env bash
# Builds what the browser gets: the WASM module (wasm/dist, Emscripten) and the dashboard
# that imports it (web/dist, Vite). npm ci installs exactly what the lock files name.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/wasm/build.sh"
cd "$root/web"
npm ci --no-audit --no-fund --loglevel=error
npm run build

# Precompressed beside each compressible file (the server sends the one the client accepts,
# and compresses nothing per request): brotli at its highest level, gzip at -9, each kept
# only where it is smaller.
find "$root/web/dist" -type f \( -name '*.html' -o -name '*.js' -o -name '*.mjs' -o -name '*.css' -o -name '*.wasm' \
  -o -name '*.json' -o -name '*.svg' -o -name '*.map' -o -name '*.txt' \) | while read -r file; do
  brotli --quality=11 --force --keep --output="$file.br" "$file"
  gzip -9 --no-name --force --keep "$file"
  for compressed in "$file.br" "$file.gz"; do
    [ "$(wc -c <"$compressed")" -lt "$(wc -c <"$file")" ] || rm -f "$compressed"
  done
done
