#!/usr/bin/env bash
# How the framework itself scales out on this machine: the bare SignalR relay (bench/relay-baseline) on the
# official Redis backplane, N instances behind nginx (the repo's template, least_conn), the same topology as
# bench/cluster-benchmark.sh gives E2eeChat, without auth, store or PostgreSQL. One size after the other; each
# prints the median messages/s of REPEAT closed-loop runs, and the last line the ratio of the last size to the first.
#   bench/relay-cluster.sh [N ...]        (default: 1 3)
# Environment: REPEAT (3), DURATION (20s), WARMUP (30s), RELAY_PAIRS (96), PROTOCOL (json | messagepack).
# Needs redis-server and nginx (./test.sh installs them).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1 3)
relay_pairs=${RELAY_PAIRS:-96}
protocol=${PROTOCOL:-json}
out="$repo/bench/results/relay-cluster-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
build_relay
raise_open_files

nginx_conf=""
stop_nginx() { [ -z "$nginx_conf" ] || nginx -c "$nginx_conf" -s stop 2>/dev/null || true; nginx_conf=""; }
stop_redis() { local d; for d in "${temp_dirs[@]}"; do [ ! -f "$d/redis.pid" ] || kill "$(cat "$d/redis.pid" 2>/dev/null)" 2>/dev/null || true; done; }
at_exit stop_nginx
at_exit stop_redis

medians=()
for size in "${sizes[@]}"; do
  new_temp_dir
  dir=$temp_dir
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
  instance_pids=()
  upstreams=()
  for i in $(seq 1 "$size"); do
    start_relay "$dir/relay-$i.log" --redis "127.0.0.1:$redis_port"
    instance_pids+=("$relay_pid")
    upstreams+=("${relay_url#http://}")
  done
  http_port=$(free_port)
  "$repo/deploy/render-nginx.sh" "$dir/nginx" "127.0.0.1:$http_port" "127.0.0.1:$(free_port)" none none least_conn \
    "${upstreams[@]}" >/dev/null 2>&1
  nginx_conf="$dir/nginx/nginx.conf"
  nginx -c "$nginx_conf" -e "$dir/nginx/error.log"
  until curl -s -o /dev/null "http://127.0.0.1:$http_port/"; do sleep 0.2; done

  for run_index in $(seq 1 "$repeat"); do
    echo "== relay, $size instance(s), $protocol, run $run_index of $repeat (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    dotnet "$relay_dll" drive --url "http://127.0.0.1:$http_port" --pairs "$relay_pairs" --size 1024 --duration "$duration" \
      --warmup "$warmup" --protocol "$protocol" | tee "$out/instances-$size-$run_index.json" >&2
  done
  medians+=("$(json_median messagesPerSecond "$out"/instances-"$size"-*.json)")
  echo "relay, $size instance(s): median ${medians[-1]} messages/s" | tee -a "$out/summary.txt"

  stop_nginx
  kill "${instance_pids[@]}" 2>/dev/null || true
  for pid in "${instance_pids[@]}"; do wait_gone "$pid"; done
  stop_redis
done
if [ "${#sizes[@]}" -gt 1 ]; then
  echo "ratio, ${sizes[-1]} instances to ${sizes[0]}: $(awk -v a="${medians[-1]}" -v b="${medians[0]}" 'BEGIN { printf "%.2f", a / b }')" \
    | tee -a "$out/summary.txt"
fi
echo "results: $out" >&2
