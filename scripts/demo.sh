#!/usr/bin/env bash
# Installs everything, builds, and runs the demo: the dashboard at http://127.0.0.1:8080/,
# served by the backend on embedded defaults (SQLite file store under data/, in-memory
# response cache, the upstream simulated in-process).
#   scripts/demo.sh            # http://127.0.0.1:8080 (PORT=... to change)
#   scripts/demo.sh --redis    # also starts redis-server (config/redis.conf, AOF every second)
#   scripts/demo.sh --klaviyo FILE   # your Klaviyo account instead of the simulated one: FILE
#                                    # holds a private API key (docs/upstream.md)
#   scripts/demo.sh --cluster 3      # 3 instances on PostgreSQL and Redis behind nginx, one
#                                    # simulated account (scripts/cluster.sh, docs/deploy.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

use_redis=false
klaviyo_key_file=
cluster_size=
while [ $# -gt 0 ]; do
  case "$1" in
    --redis) use_redis=true ;;
    --klaviyo)
      [ $# -ge 2 ] && [ -r "$2" ] || { echo "demo: --klaviyo takes a readable file holding the API key" >&2; exit 2; }
      klaviyo_key_file=$2
      shift ;;
    --cluster)
      [ $# -ge 2 ] && [[ "$2" =~ ^[1-9]$ ]] || { echo "demo: --cluster takes a number of instances, 1 to 9" >&2; exit 2; }
      cluster_size=$2
      shift ;;
    *) echo "usage: scripts/demo.sh [--redis] [--klaviyo KEY_FILE] [--cluster N]" >&2; exit 2 ;;
  esac
  shift
done

if [ -n "$cluster_size" ]; then scripts/setup.sh --cluster; else scripts/setup.sh; fi
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release -DLIVEDATA_BUILD_TESTS=OFF
scripts/build-web.sh

if [ -n "$cluster_size" ]; then
  exec scripts/cluster.sh "$cluster_size" build-release/mock-server/mock-server
fi

port=${PORT:-8080}
token=${LIVEDATA_ADMIN_TOKEN:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
mkdir -p data
server_args=(--port "$port" --db data/livedata.db --web-root web/dist --log-format text)

if [ -n "$klaviyo_key_file" ]; then
  server_args+=(--upstream https://a.klaviyo.com --upstream-api-key-file "$klaviyo_key_file")
else
  # The simulated account resumes after a restart, as a real one would not have stopped.
  server_args+=(--account-journal data/simulated-account.journal)
fi

if $use_redis; then
  redis_port=${REDIS_PORT:-6390}
  mkdir -p data/redis
  redis-server config/redis.conf --port "$redis_port" --dir "$root/data/redis" >data/redis/redis.log 2>&1 &
  redis_pid=$!
  trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
  server_args+=(--redis "redis://127.0.0.1:$redis_port")
fi

cat <<MSG

livedata demo
  dashboard:    http://127.0.0.1:$port/#token=$token   (the token shows sync and monitoring; the
                page keeps it and takes it out of the address bar)
  API:          http://127.0.0.1:$port/api/overview  (campaigns, flows, forms, segments)
  admin token:  $token
  sync status:  curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/sync/status
  cache stats:  curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/cache/stats
  health:       curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/monitoring/health
  CLI:          build-release/native/livedata get campaigns --status sent --server http://127.0.0.1:$port
  stop:         Ctrl-C

MSG
LIVEDATA_ADMIN_TOKEN=$token build-release/mock-server/mock-server "${server_args[@]}"
