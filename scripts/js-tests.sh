#!/usr/bin/env bash
# Runs the JavaScript suites under one node binary: scripts/js-tests.sh NODE
#   the WASM module under node (node:test), the dashboard's components and hooks (Vitest), and
#   the dashboard end to end in Debian's Chromium (node:test with playwright-core).
# Expects what test.sh prepares first: the module and the dashboard built (build-web.sh), the
# browser tests' packages installed, and LIVEDATA_MOCK_SERVER naming the server to test against.
# npm is not used to start them: npm 11 itself needs Node 20, and the point is the node given.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
node=$1
version=$("$node" --version)

echo "== [node $version] WASM module under node, against $LIVEDATA_MOCK_SERVER"
(cd "$root/wasm" && "$node" --test test/*.test.js)
echo "== [node $version] dashboard: components and hooks (Vitest)"
(cd "$root/web" && "$node" node_modules/vitest/vitest.mjs run)
echo "== [node $version] dashboard end to end in Debian's Chromium (screenshots in build/browser-artifacts), with axe-core and layout shift"
(cd "$root/tests/browser" && "$node" --test dashboard.test.js accessibility.test.js)
