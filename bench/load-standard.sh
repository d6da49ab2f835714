#!/usr/bin/env bash
# The standard load workloads (README, "Load testing"), against the embedded server this script starts
# (SQLite, in a temp directory, on a free port) and against a 3-instance cluster behind nginx
# (deploy/local-cluster.sh). Each figure is run REPEAT times; summary.md has the medians.
#   bench/load-standard.sh [embedded|cluster|all]        (default: all)
# Environment: REPEAT (3), DURATION (20s, measured, after WARMUP: 30s), SATURATION_PAIRS ("8 32 96"),
#   HALF_RATE_PAIRS (32), CONNECTIONS (3000), ENVELOPES (10000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
target=${1:-all}
connections=${CONNECTIONS:-3000}
envelopes=${ENVELOPES:-10000}
results="$repo/bench/results/standard-$(date -u +%Y%m%d-%H%M%S)"

workloads() { # url
  local url=$1
  # 1–2. Pairs: the Messages benchmark's workload (1 → 2 devices, 1 KiB): saturation, then latency at half of it.
  messages_workload "$url"
  for run_index in $(seq 1 "$repeat"); do
    # 3. Room fan-out: 50 members × 2 devices = 100 devices; 2 senders, closed loop on delivery.
    load "room-100-devices" room --url "$url" --members 50 --devices 2 --senders 2 --closed-loop delivery \
      --duration "$duration" --warmup "$warmup"
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
  out="$results/cluster"
  start_cluster 3
  workloads "$cluster_url"
  summarize
  stop_cluster
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
