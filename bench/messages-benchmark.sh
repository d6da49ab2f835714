#!/usr/bin/env bash
# The Messages benchmark (issue #4): one server instance in cluster mode on a durable PostgreSQL,
# both started here on free loopback ports. Workload: one sender → a partner with 2 devices, 1 KiB of
# content per envelope, over the hub.
#   1. Saturation: closed loop on delivery at rising concurrency; the best median delivered envelopes/s.
#   2. Latency: the same workload offered (open loop) at half the saturation rate; p50/p99 send → device.
# Each figure is run REPEAT times (3); summary.md has the medians, each run its own report.html.
# Environment: REPEAT, DURATION (20s), WARMUP (30s), SATURATION_PAIRS ("8 32 96"), HALF_RATE_PAIRS (32).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
out="$repo/bench/results/messages-$(date -u +%Y%m%d-%H%M%S)"

build
raise_open_files
start_postgres
cluster_certificates
start_server Storage__Provider=Postgres "Storage__ConnectionString=$pg_connection" \
  "Auth__SigningKey=$(head -c 32 /dev/urandom | base64)" "${certificate_settings[@]}"
cpu_of=(--cpu-of "postgres=$(head -n 1 "$pg_data/postmaster.pid")")
messages_workload "$server_url"
summarize
{
  echo
  echo "Saturation (best median): $saturation delivered envelopes/s with ${best#messages-closed-} pairs (cores: server $(median "$best" cpu.serverCores), PostgreSQL $(median "$best" cpu.processes.postgres), tool $(median "$best" cpu.toolCores), machine $(median "$best" cpu.machineBusyCores))."
  echo "Half rate offered: $rate msgs/s per sender × $half_rate_pairs senders × 2 devices: p50 $(median messages-half-rate latency.p50Ms) ms, p99 $(median messages-half-rate latency.p99Ms) ms."
} | tee -a "$out/summary.md"
