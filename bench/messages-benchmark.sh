#!/usr/bin/env bash
# The Messages benchmark (issue #4): one server instance in cluster mode on a durable PostgreSQL,
# both started here on free loopback ports. Workload: one sender → a partner with 2 devices, 1 KiB of
# content per envelope, over the hub.
#   1. Saturation: closed loop on delivery at rising concurrency; the best median delivered envelopes/s.
#   2. Latency: the same workload offered (open loop) at half the saturation rate; p50/p99 send → device.
# Each figure is run REPEAT times (3); summary.md has the medians, each run its own report.html.
# Environment: REPEAT, DURATION (20s), SATURATION_PAIRS ("8 32 96"), HALF_RATE_PAIRS (32).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
duration=${DURATION:-20s}
saturation_pairs=${SATURATION_PAIRS:-8 32 96}
half_rate_pairs=${HALF_RATE_PAIRS:-32}
out="$repo/bench/results/messages-$(date -u +%Y%m%d-%H%M%S)"

build
raise_open_files
start_postgres
start_server Storage__Provider=Postgres "Storage__ConnectionString=$pg_connection" \
  "Auth__SigningKey=$(head -c 32 /dev/urandom | base64)"

labels=()
for pairs in $saturation_pairs; do
  labels+=("messages-closed-$pairs")
done
for run_index in $(seq 1 "$repeat"); do
  for pairs in $saturation_pairs; do
    load "messages-closed-$pairs" pairs --url "$server_url" --pairs "$pairs" --devices 2 --size 1024 \
      --closed-loop delivery --duration "$duration" --warmup 5s
  done
done
best=$(best_label "${labels[@]}")
saturation=$(median "$best" measured.deliveredPerSecond)
echo "saturation: $saturation delivered envelopes/s ($best)" >&2

rate=$(per_sender_rate "$(awk -v s="$saturation" 'BEGIN { print s / 2 }')" 2 "$half_rate_pairs")
for run_index in $(seq 1 "$repeat"); do
  load "messages-half-rate" pairs --url "$server_url" --pairs "$half_rate_pairs" --devices 2 --size 1024 \
    --rate "$rate" --duration "$duration" --warmup 5s
done

summarize
echo "saturation (best median): $saturation delivered envelopes/s with ${best#messages-closed-} pairs; half rate offered: $rate msgs/s per sender × $half_rate_pairs senders × 2 devices" | tee -a "$out/summary.md"
