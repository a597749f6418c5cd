#!/usr/bin/env bash
# Installs everything, builds, and runs the demo backend on embedded defaults (no Redis).
#   PORT=8080 scripts/demo.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release -DLIVEDATA_BUILD_TESTS=OFF

port=${PORT:-8080}
token=${LIVEDATA_ADMIN_TOKEN:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
cat <<MSG

livedata demo
  API:          http://127.0.0.1:$port/api/overview  (campaigns, flows, forms, segments)
  admin token:  $token
  try:          build-release/native/livedata get campaigns --status sent --server http://127.0.0.1:$port
  stop:         Ctrl-C

MSG
LIVEDATA_ADMIN_TOKEN=$token exec build-release/mock-server/mock-server --port "$port"
