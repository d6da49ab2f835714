#!/usr/bin/env bash
# A native E2eeChat cluster on loopback: PostgreSQL, Redis, N hub instances and nginx.
#   deploy/local-cluster.sh up [N]   start (default N=3); prints one line per endpoint
#   deploy/local-cluster.sh down     stop everything and delete the state
#   deploy/local-cluster.sh status   print the endpoints of a running cluster
# Environment: E2EECHAT_CLUSTER_DIR (state, default /tmp/e2eechat-cluster),
#   E2EECHAT_BALANCE (least_conn | sticky, default least_conn); any other server setting
#   (e.g. RateLimits__SignupPerIp__PermitLimit) is passed to every instance as is.
# Needs: the .NET SDK, and Debian's postgresql, redis-server and nginx (./test.sh installs them).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${E2EECHAT_CLUSTER_DIR:-/tmp/e2eechat-cluster}"
balance="${E2EECHAT_BALANCE:-least_conn}"

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi
}

wait_http() { # url seconds
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for $1" >&2; return 1; }
    sleep 0.2
  done
}

status() {
  [ -f "$dir/endpoints" ] || { echo "no cluster in $dir" >&2; exit 1; }
  cat "$dir/endpoints"
}

up() {
  local count=${1:-3}
  [ ! -e "$dir/endpoints" ] || { echo "a cluster is already up in $dir (run down first)" >&2; exit 1; }
  mkdir -p "$dir"
  local pg_bin
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

  echo "building the server..." >&2
  dotnet publish "$repo/src/E2eeChat.Server" -c Release -o "$dir/app" --nologo -v quiet >&2

  # PostgreSQL, durable settings, as the postgres user when we are root.
  local pg_port; pg_port=$(free_port)
  mkdir -p "$dir/pg/socket"
  [ "$(id -u)" -ne 0 ] || chown -R postgres:postgres "$dir/pg"
  as_postgres "$pg_bin/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 >/dev/null
  as_postgres "$pg_bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
    -o "-p $pg_port -k $dir/pg/socket -h 127.0.0.1 -c max_connections=400" start >/dev/null
  as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres e2eechat
  local connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=e2eechat;Maximum Pool Size=90"

  # Redis, memory only: it carries fan-out, never state.
  local redis_port; redis_port=$(free_port)
  mkdir -p "$dir/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$dir/redis" --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/log"

  local key; key=$(head -c 32 /dev/urandom | base64)
  local upstreams=() lines=()
  lines+=("postgres $connection" "redis 127.0.0.1:$redis_port")
  for i in $(seq 1 "$count"); do
    local port; port=$(free_port)
    mkdir -p "$dir/instance-$i"
    (
      cd "$dir/instance-$i"
      Storage__Provider=Postgres Storage__ConnectionString="$connection" Auth__SigningKey="$key" \
        Redis__Configuration="127.0.0.1:$redis_port" Instance__Name="instance-$i" \
        ForwardedHeaders__KnownProxies__0=127.0.0.1 \
        nohup dotnet "$dir/app/E2eeChat.Server.dll" --urls "http://127.0.0.1:$port" >"$dir/instance-$i/log" 2>&1 &
      echo $! >"$dir/instance-$i/pid"
    )
    upstreams+=("127.0.0.1:$port")
    lines+=("instance $i http://127.0.0.1:$port")
  done
  for upstream in "${upstreams[@]}"; do
    wait_http "http://$upstream/health/ready" 60
  done

  local http_port https_port; http_port=$(free_port); https_port=$(free_port)
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
    -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
  "$repo/deploy/render-nginx.sh" "$dir/nginx" "127.0.0.1:$http_port" "127.0.0.1:$https_port" \
    "$dir/tls.crt" "$dir/tls.key" "$balance" "${upstreams[@]}" >/dev/null
  nginx -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log"
  wait_http "http://127.0.0.1:$http_port/health/ready" 30
  lines+=("nginx http://127.0.0.1:$http_port" "nginx-tls https://127.0.0.1:$https_port")

  printf '%s\n' "${lines[@]}" >"$dir/endpoints"
  cat "$dir/endpoints"
}

down() {
  [ -d "$dir" ] || return 0
  [ ! -f "$dir/nginx/nginx.pid" ] || nginx -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" -s stop 2>/dev/null || true
  local pids=()
  for pidfile in "$dir"/instance-*/pid; do
    [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")")
  done
  if ((${#pids[@]})); then
    kill "${pids[@]}" 2>/dev/null || true
    # Graceful shutdown first; whatever is left after 15 s is killed.
    for _ in $(seq 1 75); do
      local alive=""
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ -n "$alive" ] || break
      sleep 0.2
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  [ ! -f "$dir/redis/redis.pid" ] || kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true
  if [ -d "$dir/pg/data" ]; then
    local pg_bin; pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    as_postgres "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  up) up "${2:-3}" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up [N] | down | status" >&2; exit 2 ;;
esac
