#!/usr/bin/env bash
# Installs everything and runs every test: the normal build; the WASM module under node and
# the dashboard (Vitest, then end to end in Chromium) against the server of that build, under
# the machine's node and under Debian 12's Node 18 (scripts/js-tests.sh); the API contract
# (Spectral and Prism, scripts/contract-tests.sh); the benchmarks' quick version
# (bench/run.sh --quick); then the native suites again, built by Clang under AddressSanitizer
# and UndefinedBehaviorSanitizer, and that build's libFuzzer harnesses for 20 s each
# (scripts/fuzz.sh). This is what CI runs (.ci/run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Each step's heading carries the minutes since the start: CI is to finish well inside its
# budget (45 minutes on two cores, installs included), and the log shows where time goes.
step() { echo "== [$((SECONDS / 60)) min] $*"; }

step "set-up: Debian packages and npm"
scripts/setup.sh --test
# A test that needs a tool the set-up installs fails instead of skipping without it.
export LIVEDATA_REQUIRE_TOOLS=1

step "build and test (RelWithDebInfo)"
scripts/build.sh build
ctest --test-dir build --output-on-failure -j "$(nproc)"

step "WASM module and dashboard: build (Emscripten, Vite)"
scripts/build-web.sh
export LIVEDATA_MOCK_SERVER="$root/build/mock-server/mock-server"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
# The JavaScript suites run under the machine's node and under Debian 12's own Node 18 (what
# the README promises; unpacked beside the machine's, which stays as it is). Where the
# machine's node is 18 already, once.
node_versions=("$(command -v node)")
if [ "$(node -p 'process.versions.node.split(".")[0]')" != 18 ]; then
  node_versions+=("$(scripts/debian-node.sh build/debian-node)")
fi
for node in "${node_versions[@]}"; do scripts/js-tests.sh "$node"; done
step "JavaScript suites passed under node $(for node in "${node_versions[@]}"; do "$node" --version; done | paste -sd' ' | sed 's/ / and /g')"

step "the API contract: Spectral on docs/openapi.yaml, every route through Prism's validating proxy"
scripts/contract-tests.sh

step "benchmarks, quick version (so the harness never rots; report in build/bench-results)"
bench/run.sh --quick --build-dir build

step "build and test (Clang, AddressSanitizer + UndefinedBehaviorSanitizer, with the fuzz harnesses)"
# One build serves both: the suites run on libraries instrumented for libFuzzer too.
scripts/build.sh build-asan -DCMAKE_CXX_COMPILER=clang++ -DLIVEDATA_SANITIZE=ON -DLIVEDATA_FUZZ=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"

step "fuzzing: every parser that takes outside bytes, 20 s each (bench/run.sh runs them longer)"
scripts/fuzz.sh build-asan 20
step "every test passed"
