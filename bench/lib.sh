# Process helpers for bench/run.sh (sourced): start servers on free loopback ports, wait
# until they serve, and stop them all on exit.
#
# REQUIRES: `work` (a scratch directory) is set before any start_* call; the caller runs
# stop_all from its EXIT trap.

pids=()

stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

# A port nothing listens on now (the kernel's pick for an ephemeral socket). cpp-httplib
# sets SO_REUSEPORT, so a server must never share a port with a forgotten one.
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# start_listening NAME COMMAND...: runs COMMAND with stdout in $work/NAME.out and stderr in
# $work/NAME.log, and sets url_NAME from the "listening on http://..." line it prints.
start_listening() {
  local name=$1
  shift
  if declare -F record >/dev/null; then record "$@"; fi
  "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  local url=""
  for _ in $(seq 1 300); do
    url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/$name.out" | head -n 1)
    [ -n "$url" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$url" ]; then
    echo "bench: $name did not start: $(tail -n 5 "$work/$name.log")" >&2
    exit 1
  fi
  printf -v "url_$name" '%s' "$url"
}

# start_mock_server NAME ARGS...: a mock-server on its own database, frozen upstream and no
# scheduled sync (so every run serves the same data), once its first sync has finished (or,
# on a shared PostgreSQL store, once it says it follows: only the leader syncs).
# Needs `mock_server` (the binary) and `token`.
# Every server of a run generates the same account: its history ends at one moment.
history_end=${history_end:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
start_mock_server() {
  local name=$1
  shift
  start_listening "$name" "$mock_server" --port 0 --admin-token "$token" --db "$work/$name.db" \
    --changes-per-minute 0 --sync-interval 0 --history-end "$history_end" --log-level warn "$@"
  local url_var="url_$name"
  for _ in $(seq 1 600); do
    if curl -sf -H "Authorization: Bearer $token" "${!url_var}/api/sync/status" |
      grep -qE '"successes":[1-9]|"leader":false'; then
      return
    fi
    sleep 0.1
  done
  echo "bench: $name: the first sync did not finish" >&2
  exit 1
}

# start_redis NAME: a redis-server on a free port that keeps nothing on disk; sets url_NAME
# to redis://127.0.0.1:PORT.
start_redis() {
  local name=$1 port
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
      printf -v "url_$name" 'redis://127.0.0.1:%s' "$port"
      return
    fi
    sleep 0.05
  done
  echo "bench: redis-server did not start: $(tail -n 5 "$work/$name.log")" >&2
  exit 1
}

# start_postgres NAME: a PostgreSQL cluster in $work/NAME (initdb, the server on a free port,
# a database `livedata`); sets url_NAME to postgres://livedata@127.0.0.1:PORT/livedata. As
# root, the cluster belongs to the postgres user (PostgreSQL refuses to run as root).
start_postgres() {
  local name=$1 port bin=${LIVEDATA_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
  local as=()
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  port=$(free_port)
  mkdir -p "$work/$name"
  chmod 755 "$work"  # the postgres user (and nginx's workers) must reach their folders in it
  [ "$(id -u)" -eq 0 ] && chown postgres: "$work/$name"
  "${as[@]}" "$bin/initdb" --pgdata "$work/$name/data" --username livedata --auth trust --encoding UTF8 --locale C     --no-instructions --no-sync >"$work/$name.initdb.log"
  "${as[@]}" "$bin/pg_ctl" -D "$work/$name/data" -l "$work/$name/postgres.log" -w     -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/$name -c max_connections=300"     start >/dev/null
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U livedata livedata
  postgres_stops+=("${as[*]} $bin/pg_ctl -D $work/$name/data -m fast stop")
  printf -v "url_$name" 'postgres://livedata@127.0.0.1:%s/livedata' "$port"
}
postgres_stops=()
stop_postgres_all() {
  local stop
  for stop in "${postgres_stops[@]}"; do $stop >/dev/null 2>&1 || true; done
  postgres_stops=()
}

# start_nginx NAME PORT...: Debian's nginx from the shipped template
# (config/nginx-cluster.conf.in) in front of the instances on these ports; sets url_NAME.
start_nginx() {
  local name=$1 port servers=""
  shift
  for instance in "$@"; do servers+="    server 127.0.0.1:$instance max_fails=1 fail_timeout=2s;"$'\n'; done
  port=$(free_port)
  mkdir -p "$work/$name"
  chmod 755 "$work"
  sed -e "s|@PREFIX@|$work/$name|g" -e "s|@PORT@|$port|g" "$root/config/nginx-cluster.conf.in" |
    awk -v servers="$servers" '{ if ($0 == "@UPSTREAM_SERVERS@") printf "%s", servers; else print }' \
      >"$work/$name/nginx.conf"
  nginx -p "$work/$name" -e "$work/$name/error.log" -c "$work/$name/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.05
  done
  printf -v "url_$name" 'http://127.0.0.1:%s' "$port"
}
