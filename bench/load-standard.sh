#!/usr/bin/env bash
# The standard load workloads (README, "Load testing"), against the embedded server this script starts
# (SQLite, in a temp directory, on a free port) and, when deploy/local-cluster.sh is there, against a
# 3-instance cluster behind nginx. Each figure is run REPEAT times; summary.md has the medians.
#   bench/load-standard.sh [embedded|cluster|all]        (default: all)
# Environment: REPEAT (3), DURATION (20s, measured; plus 5s warm-up), SATURATION_PAIRS ("8 32 96"),
#   HALF_RATE_PAIRS (32), CONNECTIONS (3000), ENVELOPES (10000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
target=${1:-all}
duration=${DURATION:-20s}
saturation_pairs=${SATURATION_PAIRS:-8 32 96}
half_rate_pairs=${HALF_RATE_PAIRS:-32}
connections=${CONNECTIONS:-3000}
envelopes=${ENVELOPES:-10000}
results="$repo/bench/results/standard-$(date -u +%Y%m%d-%H%M%S)"

# POST /api/v1/rooms without a token: 401 where rooms exist, 404 where they do not (yet).
rooms_available() { # url
  [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$1/api/v1/rooms")" != 404 ]
}

workloads() { # url
  local url=$1 pairs labels=() best saturation rate rooms=yes
  rooms_available "$url" || { rooms=no; echo "rooms are not available on this server: no room workload" >&2; }
  for pairs in $saturation_pairs; do
    labels+=("pairs-closed-$pairs")
  done
  # 1. One sender → a partner with 2 devices, closed loop on delivery, at rising concurrency: the
  #    best median delivered envelopes/s is the saturation throughput.
  for run_index in $(seq 1 "$repeat"); do
    for pairs in $saturation_pairs; do
      load "pairs-closed-$pairs" pairs --url "$url" --pairs "$pairs" --devices 2 --closed-loop delivery \
        --duration "$duration" --warmup 5s
    done
  done
  best=$(best_label "${labels[@]}")
  saturation=$(median "$best" measured.deliveredPerSecond)
  echo "saturation: $saturation delivered envelopes/s ($best)" >&2
  rate=$(per_sender_rate "$(awk -v s="$saturation" 'BEGIN { print s / 2 }')" 2 "$half_rate_pairs")
  for run_index in $(seq 1 "$repeat"); do
    # 2. The same workload offered at half that rate (open loop): latency when not saturated.
    load "pairs-half-rate" pairs --url "$url" --pairs "$half_rate_pairs" --devices 2 --rate "$rate" \
      --duration "$duration" --warmup 5s
    # 3. Room fan-out: 50 members × 2 devices = 100 devices; 2 senders, closed loop on delivery.
    if [ "$rooms" = yes ]; then
      load "room-100-devices" room --url "$url" --members 50 --devices 2 --senders 2 --closed-loop delivery \
        --duration "$duration" --warmup 5s
    fi
    # 4. Idle connections, opened as fast as 32 handshakes at a time allow, then held.
    load "connections-$connections" connections --url "$url" --connections "$connections" --devices 6 \
      --duration "$duration" --parallelism 32
    # 5. A backlog of ENVELOPES envelopes drained on connect.
    load "drain-$envelopes" drain --url "$url" --envelopes "$envelopes" --parallelism 16 --settle 180s
  done
}

run_embedded() {
  out="$results/embedded"
  start_server
  workloads "$server_url"
  stop_server
  summarize
}

run_cluster() {
  local cluster="$repo/deploy/local-cluster.sh" url
  if [ ! -x "$cluster" ]; then
    echo "no deploy/local-cluster.sh: skipping the cluster" >&2
    return
  fi
  # Not under a mktemp directory: initdb runs as the postgres user, who must be able to reach it.
  export E2EECHAT_CLUSTER_DIR="/tmp/e2eechat-bench-cluster-$$"
  at_exit cluster_down
  # Into a file, not $(…): the script's background launchers keep its stdout open while instances run.
  if ! env "${load_env[@]}" "$cluster" up 3 >"$E2EECHAT_CLUSTER_DIR.endpoints"; then
    echo "the cluster did not start: skipping it" >&2
    return
  fi
  url=$(awk '$1 == "nginx" { print $2 }' "$E2EECHAT_CLUSTER_DIR.endpoints")
  echo "cluster behind nginx at $url" >&2
  out="$results/cluster"
  workloads "$url"
  summarize
  cluster_down
}

# local-cluster.sh down stops what its pid files name; these name the subshell that launched each
# instance, so the instances themselves are stopped here, by their pids, as well.
cluster_down() {
  local pidfile pid instances=()
  for pidfile in "$E2EECHAT_CLUSTER_DIR"/instance-*/pid; do
    [ -f "$pidfile" ] || continue
    for pid in $(pgrep -P "$(cat "$pidfile")" || true); do
      instances+=("$pid")
    done
  done
  "$repo/deploy/local-cluster.sh" down || true
  for pid in "${instances[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${instances[@]}"; do
    wait_gone "$pid"
  done
  rm -f "$E2EECHAT_CLUSTER_DIR.endpoints"
}

build
raise_open_files
case "$target" in
  embedded) run_embedded ;;
  cluster) run_cluster ;;
  all) run_embedded; run_cluster ;;
  *) echo "usage: $0 [embedded|cluster|all]" >&2; exit 2 ;;
esac
echo "results: $results" >&2
