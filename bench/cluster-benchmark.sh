#!/usr/bin/env bash
# The Messages benchmark through nginx (issue #6): the same workload as bench/messages-benchmark.sh, run
# against a local cluster (deploy/local-cluster.sh: PostgreSQL, Redis, N instances, nginx, all on this
# machine) of each size given, one after the other. Each result also records the CPU of the instances,
# PostgreSQL, Redis, nginx and the load tool; summary.md compares the sizes.
#   bench/cluster-benchmark.sh [N ...]        (default: 1 3)
# Each cluster first runs the workload until its instances stop JIT-compiling (settle_cluster in lib/load-common.sh).
# Environment: REPEAT (3), DURATION (20s), WARMUP (30s), SATURATION_PAIRS ("8 32 96"), HALF_RATE_PAIRS (32),
# SETTLE_ROUND (20s), SETTLE_METHODS (200), SETTLE_MAX (300).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1 3)
results="$repo/bench/results/cluster-$(date -u +%Y%m%d-%H%M%S)"

build
raise_open_files
# cpu_split LABEL: the median cores of each part of the cluster over a label's runs.
cpu_split() {
  local name split=""
  for name in hub postgres redis nginx; do
    split+="$name $(median "$1" "cpu.processes.$name"), "
  done
  echo "${split}tool $(median "$1" cpu.toolCores), machine $(median "$1" cpu.machineBusyCores)"
}

comparison=()
saturations=()
for size in "${sizes[@]}"; do
  out="$results/instances-$size"
  start_cluster "$size"
  settle_cluster "$cluster_url" "${saturation_pairs##* }"
  messages_workload "$cluster_url"
  summarize >/dev/null
  half=messages-half-rate
  comparison+=("| $size | $settled | $saturation (${best#messages-closed-} pairs) | $(cpu_split "$best") | $rate × $half_rate_pairs × 2 | $(median "$half" latency.p50Ms) | $(median "$half" latency.p99Ms) | $(cpu_split "$half") |")
  saturations+=("$saturation")
  stop_cluster
done

{
  echo "| Instances | Settled after | Saturation, delivered envelopes/s (best closed loop) | Cores at saturation | Half rate offered (msgs/s × senders × devices) | p50 ms | p99 ms | Cores at half rate |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${comparison[@]}"
  echo
  if [ "${#sizes[@]}" -gt 1 ]; then
    echo "Saturation ratio, ${sizes[-1]} instances to ${sizes[0]}: $(awk -v a="${saturations[-1]}" -v b="${saturations[0]}" 'BEGIN { printf "%.2f", a / b }')"
    echo
  fi
  echo "Medians of $repeat runs each (cores: average busy cores over the measured window; each run's"
  echo "load average is in instances-N/summary.md). Per-run reports under $results."
} | tee "$results/summary.md"
