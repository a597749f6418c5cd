#!/usr/bin/env bash
# Builds what the browser gets: the WASM module (wasm/dist, Emscripten) and the dashboard
# that imports it (web/dist, Vite). npm ci installs exactly what the lock files name.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/wasm/build.sh"
cd "$root/web"
npm ci --no-audit --no-fund --loglevel=error
npm run build
