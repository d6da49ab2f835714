#!/usr/bin/env bash
# What a hub connection costs the server in resident memory (VmRSS), against the embedded server this script
# starts (SQLite, fresh for every run, so runs do not inherit each other's heap).
#   bench/connection-memory.sh [idle|relay|nonreaders|all]      (default: all)
# idle: CONNECTIONS (18000) idle, authenticated device connections (accounts of 6 devices), held DURATION;
#   the load tool's `connections` scenario; KiB per connection = VmRSS delta / connections.
# relay: the same number of idle connections to the bare SignalR relay (bench/relay-baseline: no auth, no store,
#   the same SERVER_ENV), one warm-up connection first: what the framework alone costs per connection, the floor
#   under the idle figure.
# nonreaders: NONREADERS (100) connections that complete the handshake and then never read, each sent
#   NONREADER_ENVELOPES (96) envelopes of NONREADER_SIZE (65536) bytes, 6 MiB each, far beyond its budget and the
#   buffers; the server (Messages__SlowConsumerTimeout=SLOW_CONSUMER_TIMEOUT, 10 s) cuts each off; the load tool's
#   `nonreaders` scenario; VmRSS before, at its peak and after, and KiB per non-reading connection.
# Environment: REPEAT (3), DURATION (20s), SERVER_ENV ("SETTING=value ..." added to the server's
#   environment, e.g. "DOTNET_gcServer=0" to compare GC settings), SERVER_DLL (another build of the server,
#   e.g. main's, to compare against).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
target=${1:-all}
connections=${CONNECTIONS:-18000}
nonreaders=${NONREADERS:-100}
server_dll=${SERVER_DLL:-$server_dll}
# Creating 18,000 devices can outlast the default 15-minute access token on a busy machine.
read -r -a server_env <<<"Auth__AccessTokenLifetime=02:00:00 ${SERVER_ENV:-}"
results="$repo/bench/results/connection-memory-$(date -u +%Y%m%d-%H%M%S)"
out="$results"

run_idle() {
  for run_index in $(seq 1 "$repeat"); do
    start_server "${server_env[@]}"
    load "idle-$connections" connections --url "$server_url" --connections "$connections" --devices 6 \
      --duration "$duration" --parallelism 32
    stop_server
  done
  echo "idle: median server KiB per connection $(median "idle-$connections" server.kiBPerConnection)" >&2
}

run_relay() {
  build_relay
  relay_env=("${server_env[@]}")
  mkdir -p "$out"
  for run_index in $(seq 1 "$repeat"); do
    start_relay "$out/relay-server-$run_index.log"
    echo "== relay-idle-$connections, run $run_index of $repeat (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    dotnet "$relay_dll" hold --url "$relay_url" --server-pid "$relay_pid" --connections "$connections" \
      --duration "$duration" | tee "$out/relay-idle-$run_index.json" >&2
    kill "$relay_pid"
    wait "$relay_pid" || true
  done
  echo "relay: median server KiB per connection $(json_median kiBPerConnection "$out"/relay-idle-*.json)" >&2
}

run_nonreaders() {
  for run_index in $(seq 1 "$repeat"); do
    start_server "${server_env[@]}" "Messages__SlowConsumerTimeout=${SLOW_CONSUMER_TIMEOUT:-00:00:10}"
    load "nonreaders-$nonreaders" nonreaders --url "$server_url" --connections "$nonreaders" \
      --envelopes "${NONREADER_ENVELOPES:-96}" --size "${NONREADER_SIZE:-65536}" --parallelism 16 --settle 120s
    stop_server
  done
  echo "nonreaders: median server KiB per non-reading connection at the peak $(median "nonreaders-$nonreaders" server.kiBPerConnection)" >&2
}

build
raise_open_files
case "$target" in
  idle) run_idle ;;
  relay) run_relay ;;
  nonreaders) run_nonreaders ;;
  all) run_idle; run_relay; run_nonreaders ;;
  *) echo "usage: $0 [idle|relay|nonreaders|all]" >&2; exit 2 ;;
esac
[ "$target" = relay ] || summarize
echo "results: $results" >&2
