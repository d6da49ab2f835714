#!/usr/bin/env bash
# A native E2eeChat cluster on loopback: PostgreSQL, Redis, N hub instances and nginx.
#   deploy/local-cluster.sh up [N] [--redis-cluster]   start (default N=3); prints one line per endpoint;
#       --redis-cluster: a Redis Cluster of three primaries instead of one redis-server
#   deploy/local-cluster.sh down     stop everything and delete the state
#   deploy/local-cluster.sh status   print the endpoints of a running cluster
# Environment: E2EECHAT_CLUSTER_DIR (state, default /tmp/e2eechat-cluster),
#   E2EECHAT_BALANCE (least_conn | sticky, default least_conn); any other server setting
#   (e.g. RateLimits__SignupPerIp__PermitLimit) is passed to every instance as is.
# Needs: the .NET SDK, and Debian's postgresql, redis-server (with redis-cli) and nginx (./test.sh installs them).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${E2EECHAT_CLUSTER_DIR:-/tmp/e2eechat-cluster}"
balance="${E2EECHAT_BALANCE:-least_conn}"

free_port() {
  local port
  while :; do
    # Below Linux's ephemeral range (32768-60999): a port an outgoing connection used may still be held in TIME-WAIT.
    port=$((20000 + RANDOM % 12000))
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

start_redis() { # port directory [redis-server options...]
  local port=$1 directory=$2; shift 2
  mkdir -p "$directory"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$directory" --pidfile "$directory/redis.pid" --logfile "$directory/log" "$@"
}

# A Redis Cluster of three primaries, no replicas; prints its configuration string.
start_redis_cluster() {
  local nodes=()
  for i in 1 2 3; do
    local port bus_port; port=$(free_port); bus_port=$(free_port)
    # The bus port would default to port + 10000, which may not exist.
    start_redis "$port" "$dir/redis-node-$i" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-port "$bus_port"
    nodes+=("127.0.0.1:$port")
  done
  for node in "${nodes[@]}"; do
    local deadline=$((SECONDS + 10))
    until redis-cli -h 127.0.0.1 -p "${node#*:}" ping >/dev/null 2>&1; do
      [ $SECONDS -lt $deadline ] || { echo "redis node $node did not start" >&2; return 1; }
      sleep 0.1
    done
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$dir/redis-cluster-create.log"
  for node in "${nodes[@]}"; do
    local deadline=$((SECONDS + 30))
    until redis-cli -h 127.0.0.1 -p "${node#*:}" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; do
      [ $SECONDS -lt $deadline ] || { echo "redis node $node did not join the cluster" >&2; return 1; }
      sleep 0.2
    done
  done
  local IFS=,
  echo "${nodes[*]}"
}

up() {
  local count=3 redis_cluster=""
  for argument in "$@"; do
    case "$argument" in
      --redis-cluster) redis_cluster=1 ;;
      *[!0-9]* | "") echo "usage: $0 up [N] [--redis-cluster]" >&2; exit 2 ;;
      *) count=$argument ;;
    esac
  done
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
  local redis redis_line
  if [ -n "$redis_cluster" ]; then
    redis=$(start_redis_cluster)
    redis_line="redis-cluster $redis"
  else
    local redis_port; redis_port=$(free_port)
    start_redis "$redis_port" "$dir/redis"
    redis="127.0.0.1:$redis_port"
    redis_line="redis $redis"
  fi

  local key; key=$(head -c 32 /dev/urandom | base64)
  # Sealed-sender certificates, made once with the server's own commands, as an operator does offline.
  local certificates="$dir/certificates"
  dotnet "$dir/app/E2eeChat.Server.dll" certificates create-trust-root --out "$certificates" >/dev/null
  dotnet "$dir/app/E2eeChat.Server.dll" certificates create-server-certificate \
    --trust-root-key "$certificates/trust-root.key" --key-id 1 --out "$certificates" >/dev/null
  # The VAPID key pair push services check wake-ups against, the same on every instance.
  dotnet "$dir/app/E2eeChat.Server.dll" push create-vapid-keys --out "$certificates" >/dev/null
  local upstreams=() lines=() metrics=()
  lines+=("postgres $connection" "$redis_line")
  for i in $(seq 1 "$count"); do
    local port metrics_port; port=$(free_port); metrics_port=$(free_port)
    mkdir -p "$dir/instance-$i"
    (
      cd "$dir/instance-$i"
      Storage__Provider=Postgres Storage__ConnectionString="$connection" Auth__SigningKey="$key" \
        Certificates__TrustRoot="$(cat "$certificates/trust-root.pub")" \
        Certificates__ServerCertificate="$(cat "$certificates/server-certificate")" \
        Certificates__ServerPrivateKey="$(cat "$certificates/server-certificate.key")" \
        Push__VapidPublicKey="$(cat "$certificates/vapid-public-key")" \
        Push__VapidPrivateKey="$(cat "$certificates/vapid-private-key")" \
        Push__VapidSubject="mailto:operator@e2eechat.invalid" \
        Redis__Configuration="$redis" Instance__Name="instance-$i" \
        ForwardedHeaders__KnownProxies__0=127.0.0.1 \
        Metrics__Port="$metrics_port" Metrics__Host=127.0.0.1 Shutdown__DrainTimeout=00:00:10 \
        nohup dotnet "$dir/app/E2eeChat.Server.dll" --urls "http://127.0.0.1:$port" >"$dir/instance-$i/log" 2>&1 &
      echo $! >"$dir/instance-$i/pid"
    )
    upstreams+=("127.0.0.1:$port")
    lines+=("instance $i http://127.0.0.1:$port")
    # Off the public listener: nginx forwards to $port only.
    metrics+=("metrics $i http://127.0.0.1:$metrics_port/metrics")
  done
  lines+=("${metrics[@]}")
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
  for pidfile in "$dir"/redis/redis.pid "$dir"/redis-node-*/redis.pid; do
    [ ! -f "$pidfile" ] || kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  if [ -d "$dir/pg/data" ]; then
    local pg_bin; pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    as_postgres "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up [N] [--redis-cluster] | down | status" >&2; exit 2 ;;
esac
