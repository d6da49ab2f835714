#!/usr/bin/env bash
# The delivery benchmark (issue 12): what E2eeChat delivers against what the framework and the engine allow,
# all measured in one run on this machine, so that every figure has its ceilings beside it.
#   1. PostgreSQL itself (pgbench, durable settings, 1 KiB rows): one row per commit (32 clients) and 100 rows
#      per commit (8 clients).
#   2. Per protocol (json, messagepack), round after round (REPEAT rounds):
#      - E2eeChat, one instance in cluster mode on that durable PostgreSQL: 1 → 2-device sends of 1 KiB over the
#        hub, closed loop on delivery, acks and receipts on (the load tool), at each of SATURATION_PAIRS; the best
#        median is E2eeChat's figure;
#      - the bare SignalR relay (bench/relay-baseline: no auth, no store), the same payload, RELAY_PAIRS pairs.
#      The ratio is ours / relay per protocol, from the medians of the same rounds.
#      Then, once per round, the seed-style server (bench/seed-node: Node, Socket.IO, one autocommitted INSERT per
#      message into the same PostgreSQL, then emit; no acks, no receipts), SEED_PAIRS pairs, the same content as
#      our JSON wire carries (base64 of 1 KiB); the ratio is ours / seed-style per protocol.
#   3. E2eeChat embedded (SQLite), json, at the best of SATURATION_PAIRS.
# Prints one table and writes it to bench/results/delivery-<time>/summary.md.
# Environment: REPEAT (3), DURATION (20s), WARMUP (30s), SATURATION_PAIRS ("32 96"), RELAY_PAIRS (50), PGBENCH_SECONDS (15),
# SEED_PAIRS (50), SEED_POOL (10, pg's default pool), SEED_NODE (1; 0 skips the seed-style server).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
out="$repo/bench/results/delivery-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
saturation_pairs=${SATURATION_PAIRS:-32 96}
relay_pairs=${RELAY_PAIRS:-50}
pgbench_seconds=${PGBENCH_SECONDS:-15}
seed_node=${SEED_NODE:-1}
seed_pairs=${SEED_PAIRS:-50}
seed_dir="$repo/bench/seed-node"

build
build_relay
if [ "$seed_node" != 0 ]; then
  # npm records the installed tree in node_modules/.package-lock.json; reinstall when the lock is newer.
  if [ ! -f "$seed_dir/node_modules/.package-lock.json" ] || [ "$seed_dir/package-lock.json" -nt "$seed_dir/node_modules/.package-lock.json" ]; then
    (cd "$seed_dir" && npm ci --no-audit --no-fund --silent)
  fi
fi
raise_open_files
start_postgres
pg_port=$(sed -E 's/.*Port=([0-9]+);.*/\1/' <<<"$pg_connection")

# --- 1. pgbench: the engine's own limits -------------------------------------------------------------
pgbench() { # clients script-file
  as_postgres "$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -n -c "$1" -j 2 -T "$pgbench_seconds" -f "$2" e2eechat \
    | awk '/^tps = / { printf "%.0f", $3 }'
}
as_postgres "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -q -d e2eechat \
  -c "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, payload bytea NOT NULL)"
new_temp_dir
chmod 755 "$temp_dir"
echo "INSERT INTO bench_rows (payload) VALUES (decode(repeat('a5', 1024), 'hex'));" >"$temp_dir/one.sql"
echo "INSERT INTO bench_rows (payload) SELECT decode(repeat('a5', 1024), 'hex') FROM generate_series(1, 100);" >"$temp_dir/hundred.sql"
echo "== pgbench, one 1 KiB row per commit, 32 clients" >&2
pg_one=$(pgbench 32 "$temp_dir/one.sql")
echo "== pgbench, 100 rows of 1 KiB per commit, 8 clients" >&2
pg_hundred=$(( $(pgbench 8 "$temp_dir/hundred.sql") * 100 ))
as_postgres "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -q -d e2eechat -c "DROP TABLE bench_rows"

# --- 2. E2eeChat on PostgreSQL against the bare relay, per protocol ---------------------------------------
cluster_certificates
start_server Storage__Provider=Postgres "Storage__ConnectionString=$pg_connection" \
  "Auth__SigningKey=$(head -c 32 /dev/urandom | base64)" "${certificate_settings[@]}"
cluster_url=$server_url
cpu_of=(--cpu-of "postgres=$(head -n 1 "$pg_data/postmaster.pid")")
start_relay "$out/relay.log"
if [ "$seed_node" != 0 ]; then
  as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres seed
  seed_port=$(free_port)
  node "$seed_dir/server.js" --port "$seed_port" --database "postgres://postgres@127.0.0.1:$pg_port/seed" \
    --pool "${SEED_POOL:-10}" >"$out/seed.log" 2>&1 &
  seed_pid=$!
  started_pids+=("$seed_pid")
  seed_url="http://127.0.0.1:$seed_port"
  until curl -s -o /dev/null "$seed_url/socket.io/?EIO=4&transport=polling"; do
    kill -0 "$seed_pid" 2>/dev/null || { cat "$out/seed.log" >&2; exit 1; }
    sleep 0.2
  done
fi

relay() { # protocol round
  echo "== relay, $1, run $2 of $repeat (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  dotnet "$relay_dll" drive --url "$relay_url" --pairs "$relay_pairs" --size 1024 --duration "$duration" --warmup "$warmup" \
    --protocol "$1" >"$out/relay-$1-$2.json"
}

# Each round starts on a vacuumed database, as pgbench's runs do by default. The mailbox tables are queues (every
# envelope inserted, then deleted on its ack, its status row updated), so each round leaves 100,000s of dead rows,
# which the next round would otherwise pay for.
vacuum() { # database
  as_postgres "$pg_bin/vacuumdb" -h 127.0.0.1 -p "$pg_port" -U postgres -q --analyze "$1"
}

seed() { # round
  vacuum seed
  echo "== seed-style server, run $1 of $repeat (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  node "$seed_dir/driver.js" --url "$seed_url" --pairs "$seed_pairs" --size 1024 --duration "$duration" --warmup "$warmup" \
    --cpu-of "server=$seed_pid" "${cpu_of[@]}" >"$out/seed-$1.json" || echo "(exit $?)" >&2
}

for run_index in $(seq 1 "$repeat"); do
  for protocol in json messagepack; do
    for pairs in $saturation_pairs; do
      vacuum e2eechat
      load "postgres-$protocol-$pairs" pairs --url "$cluster_url" --pairs "$pairs" --devices 2 --size 1024 \
        --closed-loop delivery --duration "$duration" --warmup "$warmup" --protocol "$protocol"
    done
    relay "$protocol" "$run_index"
  done
  [ "$seed_node" = 0 ] || seed "$run_index"
done
stop_server
cpu_of=()

# --- 3. Embedded (SQLite) ----------------------------------------------------------------------------------
start_server
for run_index in $(seq 1 "$repeat"); do
  for pairs in $saturation_pairs; do
    load "sqlite-json-$pairs" pairs --url "$server_url" --pairs "$pairs" --devices 2 --size 1024 \
      --closed-loop delivery --duration "$duration" --warmup "$warmup"
  done
done

# --- Summary --------------------------------------------------------------------------------------------------
best_of() { # prefix
  local pairs labels=()
  for pairs in $saturation_pairs; do labels+=("$1-$pairs"); done
  best_label "${labels[@]}"
}
{
  echo "# Delivery benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "One machine: $(nproc) cores; load average at the end $(cut -d' ' -f1-3 /proc/loadavg). Medians of $repeat runs of $duration."
  echo
  echo "| What | Figure |"
  echo "|---|---|"
  echo "| PostgreSQL (pgbench, fsync on), one 1 KiB row per commit, 32 clients | $pg_one commits/s |"
  echo "| PostgreSQL (pgbench, fsync on), 100 rows of 1 KiB per commit, 8 clients | $pg_hundred rows/s |"
  if [ "$seed_node" != 0 ]; then
    seed_files=("$out"/seed-*.json)
    seed_rate=$(json_median messagesPerSecond "${seed_files[@]}")
    echo "| Seed-style server (Node, Socket.IO, one autocommitted INSERT per message, then emit; no acks, no receipts), $seed_pairs pairs, 1,368-character content, closed loop on delivery | $seed_rate messages/s (p50 $(json_median p50Ms "${seed_files[@]}") ms, p99 $(json_median p99Ms "${seed_files[@]}") ms; cores: server $(json_median server "${seed_files[@]}"), PostgreSQL $(json_median postgres "${seed_files[@]}"), driver $(json_median driver "${seed_files[@]}")) |"
  fi
  for protocol in json messagepack; do
    best=$(best_of "postgres-$protocol")
    ours=$(median "$best" measured.deliveredPerSecond)
    ceiling=$(json_median messagesPerSecond "$out"/relay-"$protocol"-*.json)
    echo "| E2eeChat, $protocol, one instance on durable PostgreSQL, 1 → 2 devices, 1 KiB, closed loop on delivery (${best##*-} pairs) | **$ours delivered envelopes/s** (p50 $(median "$best" latency.p50Ms) ms; cores: server $(median "$best" cpu.serverCores), PostgreSQL $(median "$best" cpu.processes.postgres), tool $(median "$best" cpu.toolCores)) |"
    echo "| Bare SignalR relay, $protocol, $relay_pairs pairs, 1 KiB, closed loop | $ceiling messages/s |"
    echo "| Ratio E2eeChat / relay, $protocol | **$(awk -v a="$ours" -v b="$ceiling" 'BEGIN { printf "%.2f", a / b }')** |"
    if [ "$seed_node" != 0 ]; then
      echo "| Ratio E2eeChat / seed-style server, $protocol (target: above 1, with acks and receipts on) | **$(awk -v a="$ours" -v b="$seed_rate" 'BEGIN { printf "%.2f", a / b }')** |"
    fi
  done
  best=$(best_of "sqlite-json")
  echo "| E2eeChat embedded (SQLite), json (${best##*-} pairs) | **$(median "$best" measured.deliveredPerSecond) delivered envelopes/s** (p50 $(median "$best" latency.p50Ms) ms) |"
} | tee "$out/summary.md"
echo "summary: $out/summary.md" >&2
