#!/usr/bin/env bash
# Installs what livedata needs on Debian 12, from Debian's packages only, and only what is
# missing. Safe to run again. Used by demo.sh and test.sh (and so by CI).
#   scripts/setup.sh          what building and running the demo needs
#   scripts/setup.sh --test   also the tools the tests and benchmarks drive (promtool, chromium, wrk)
#   scripts/setup.sh --cluster also the servers of the several-instance demo (PostgreSQL, nginx)
set -euo pipefail

with_test_tools=false
with_cluster=false
for argument in "$@"; do
  case "$argument" in
    --test) with_test_tools=true ;;
    --cluster) with_cluster=true ;;
    *) echo "setup: unknown option $argument (use --test or --cluster)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libcpp-httplib-dev nlohmann-json3-dev libsimdjson-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhiredis-dev redis-server libsqlite3-dev libpq-dev
  emscripten brotli
)
# promtool checks the /metrics exposition (it comes with Debian's Prometheus server); the
# browser tests drive Debian's Chromium; wrk, curl and valgrind (callgrind's exact
# instruction counts) drive the benchmarks; Clang and its
# runtime (libFuzzer, the sanitizers) build the sanitizer suites and the fuzz harnesses;
# PostgreSQL's server binaries run the clusters the tests make in temporary folders.
test_packages=(prometheus chromium wrk curl valgrind clang libclang-rt-14-dev postgresql nginx)
$with_test_tools && packages+=("${test_packages[@]}")
# scripts/demo.sh --cluster: the shared store and the load balancer (docs/deploy.md).
cluster_packages=(postgresql nginx)
$with_cluster && packages+=("${cluster_packages[@]}")
# Node.js for the WASM module and the dashboard: Debian's (18 on Debian 12) when the machine
# has none; a newer one already there is used as it is.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Only promtool is wanted: do not leave a Prometheus server running that we started.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  # Nor the cluster Debian's postgresql package makes and starts, nor its nginx on port 80:
  # the tests and the cluster demo start their own.
  for service in postgresql nginx; do
    if [[ " ${missing[*]} " == *" $service "* ]] && [ -d /run/systemd/system ]; then
      $sudo systemctl disable --now "$service" >/dev/null 2>&1 || true
    fi
  done
else
  echo "setup: all Debian packages present" >&2
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "setup: Node.js 18 or newer is needed, found $(node --version)" >&2
  exit 1
fi
