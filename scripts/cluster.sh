#!/usr/bin/env bash
# Runs N livedata instances behind nginx on one machine, as a team would run them on several
# (docs/deploy.md): PostgreSQL (the shared store), Redis (the shared response cache), one
# simulated upstream account in a process of its own, N instances on one database, and
# Debian's nginx in front on $PORT. Everything lives under data/cluster/ and stops with Ctrl-C.
# Called by `scripts/demo.sh --cluster N` after setup and build; not meant to be run alone.
#   scripts/cluster.sh N SERVER_BINARY
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

instances=${1:?usage: scripts/cluster.sh N SERVER_BINARY}
server=${2:?usage: scripts/cluster.sh N SERVER_BINARY}
[[ "$instances" =~ ^[1-9]$ ]] || { echo "cluster: N must be from 1 to 9" >&2; exit 2; }

port=${PORT:-8080}
pg_port=${PG_PORT:-5433}
redis_port=${REDIS_PORT:-6391}
upstream_port=${UPSTREAM_PORT:-8090}
first_instance_port=${INSTANCE_PORT:-8081}
pg_bin=${LIVEDATA_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
state="$root/data/cluster"
token=${LIVEDATA_ADMIN_TOKEN:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
mkdir -p "$state"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -f "$state/postgres/postmaster.pid" ] && as_postgres "$pg_bin/pg_ctl" -D "$state/postgres" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

# PostgreSQL refuses to run as root: as root, its files belong to the postgres user the
# Debian package makes, and its commands run as that user.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- PostgreSQL: a cluster of our own under data/cluster/postgres (made once, kept).
if [ ! -f "$state/postgres/PG_VERSION" ]; then
  mkdir -p "$state/postgres"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$state/postgres"
  as_postgres "$pg_bin/initdb" --pgdata "$state/postgres" --username livedata --auth trust --encoding UTF8 \
    --locale C --no-instructions >"$state/initdb.log"
fi
[ "$(id -u)" -eq 0 ] && chown postgres: "$state"  # the server's socket and log go here
as_postgres "$pg_bin/pg_ctl" -D "$state/postgres" -l "$state/postgres.log" -w \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$state -c max_connections=200" start >/dev/null
as_postgres "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U livedata -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'livedata'" | grep -q 1 ||
  as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U livedata livedata
database="postgres://livedata@127.0.0.1:$pg_port/livedata"

# --- Redis: the shared response cache.
mkdir -p "$state/redis"
redis-server config/redis.conf --port "$redis_port" --dir "$state/redis" >"$state/redis/redis.log" 2>&1 &
pids+=($!)

# --- The upstream: one simulated account every instance syncs from, with a key made up here.
key_file="$state/upstream.key"
[ -f "$key_file" ] || { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/pk_/' >"$key_file"; chmod 600 "$key_file"; }
# Its journal lets it resume after a restart, as the database it feeds is kept too.
LIVEDATA_ADMIN_TOKEN=$token "$server" --upstream-only --port "$upstream_port" --upstream-api-key-file "$key_file" \
  --account-journal "$state/simulated-account.journal" >"$state/upstream.log" 2>&1 &
pids+=($!)

# --- The instances: one database, one Redis, one upstream; whichever holds the write lease syncs.
servers=""
for ((i = 0; i < instances; i++)); do
  instance_port=$((first_instance_port + i))
  LIVEDATA_ADMIN_TOKEN=$token "$server" --port "$instance_port" --db "$database" --redis "redis://127.0.0.1:$redis_port" \
    --upstream "http://127.0.0.1:$upstream_port" --upstream-api-key-file "$key_file" --web-root web/dist \
    --log-format text >"$state/instance-$instance_port.log" 2>&1 &
  pids+=($!)
  servers+="    server 127.0.0.1:$instance_port max_fails=1 fail_timeout=2s;"$'\n'
done

# --- nginx in front.
mkdir -p "$state/nginx"
sed -e "s|@PREFIX@|$state/nginx|g" -e "s|@PORT@|$port|g" config/nginx-cluster.conf.in |
  awk -v servers="$servers" '{ if ($0 == "@UPSTREAM_SERVERS@") printf "%s", servers; else print }' >"$state/nginx/nginx.conf"
nginx -p "$state/nginx" -e "$state/nginx/error.log" -c "$state/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)

cat <<MSG

livedata cluster: $instances instances behind nginx
  dashboard:    http://127.0.0.1:$port/#token=$token
  instances:    127.0.0.1:$first_instance_port..$((first_instance_port + instances - 1)) (logs: data/cluster/instance-PORT.log)
  store:        $database
  cache:        redis://127.0.0.1:$redis_port
  leader:       curl -s -H 'Authorization: Bearer $token' http://127.0.0.1:$first_instance_port/api/sync/status | grep -o '"leader":[a-z]*'
  stop:         Ctrl-C

MSG
wait -n "${pids[@]}" || true
echo "cluster: a process exited; stopping the rest (logs in data/cluster/)" >&2
