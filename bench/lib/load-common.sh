# Sourced by the load bench scripts. Builds the server and the load tool (Release), starts the
# embedded server or PostgreSQL on free loopback ports in temp directories, runs the tool, and stops
# whatever it started when the script exits. Results go under bench/results/ (git-ignored).
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
tool_dll="$repo/src/E2eeChat.LoadTest/bin/Release/net10.0/E2eeChat.LoadTest.dll"
server_dll="$repo/src/E2eeChat.Server/bin/Release/net10.0/E2eeChat.Server.dll"
repeat=${REPEAT:-3}
duration=${DURATION:-20s}
# Before each measured window. On this 2-core machine a freshly started server is still JIT-compiling for the
# first ~half minute under load (perf: libclrjit.so took 26 % of the server's samples 6 s into a run, 0.7 % at
# 50 s), and so are the load tool and the baselines: a 5 s warm-up measures start-up, not steady state.
warmup=${WARMUP:-30s}
saturation_pairs=${SATURATION_PAIRS:-8 32 96}
half_rate_pairs=${HALF_RATE_PAIRS:-32}

# What every server under load needs: one address creates all the accounts and sends far faster than
# people do (the rate-limit buckets of RateLimitHint in src/E2eeChat.LoadTest), and sign-up cost is not
# what is measured. Any of these can be overridden from the environment.
load_env=()
for bucket in SignupPerIp TokenPerIp TokenPerUsernameAndIp TokenPerUsername RefreshPerIp LinkPerIp LinkPerAccount \
    HubConnectsPerDevice UserLookupsPerAccount ReadsPerAccount MessagesPerAccount MessagesPerPair AcksPerDevice ReadMarksPerDevice \
    TypingPerDevice KeyUploadsPerDevice PrekeyFetchPerDevicePair RoomCreationsPerAccount RoomInvitationsPerAccount RoomChangesPerAccount; do
  setting="RateLimits__${bucket}__PermitLimit"
  load_env+=("$setting=${!setting:-1000000}")
done
load_env+=(
  "PasswordHashing__MemoryKiB=${PasswordHashing__MemoryKiB:-8192}"
  "PasswordHashing__Iterations=${PasswordHashing__Iterations:-1}"
  "Logging__LogLevel__Default=Warning"
)

started_pids=()
temp_dirs=()
cpu_of=()
exit_hooks=()
pg_data=""
pg_bin=""

# at_exit COMMAND...: runs when the script exits, before the processes it started are stopped.
at_exit() { exit_hooks+=("$*"); }

cleanup() {
  local pid hook
  for hook in "${exit_hooks[@]}"; do
    eval "$hook" || true
  done
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${started_pids[@]}"; do
    wait_gone "$pid"
  done
  if [ -n "$pg_data" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ "${#temp_dirs[@]}" -eq 0 ] || rm -rf "${temp_dirs[@]}"
}
trap cleanup EXIT

wait_gone() { # pid
  local deadline=$((SECONDS + 20))
  while kill -0 "$1" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
}

free_port() {
  local port
  while :; do
    # Below Linux's ephemeral range (32768-60999): a port an outgoing connection used may still be held in TIME-WAIT.
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

wait_ready() { # url seconds
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1/health/ready" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi
}

# new_temp_dir: a fresh directory in $temp_dir, deleted when the script exits.
new_temp_dir() {
  temp_dir=$(mktemp -d /tmp/e2eechat-bench-XXXXXX)
  temp_dirs+=("$temp_dir")
}

build() {
  echo "building the server and the load tool (Release)..." >&2
  local project log
  for project in E2eeChat.Server E2eeChat.LoadTest; do
    # Quiet when it builds; the compiler's output when it does not, instead of a silent stop.
    log=$(dotnet build "$repo/src/$project" -c Release -v quiet --nologo 2>&1) || { echo "$log" >&2; echo "build of $project failed" >&2; exit 1; }
  done
}

# A load run holds one socket per connection in the tool and one in the server.
raise_open_files() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  echo "open files limit (tool and servers it starts): $(ulimit -n)" >&2
}

# start_server [SETTING=value...]: the built server in a fresh directory (its SQLite database unless
# the settings say otherwise); sets server_url and server_pid.
start_server() {
  local dir port
  new_temp_dir
  dir=$temp_dir
  port=$(free_port)
  (cd "$dir" && exec env "${load_env[@]}" "$@" dotnet "$server_dll" --urls "http://127.0.0.1:$port" >"$dir/server.log" 2>&1) &
  server_pid=$!
  started_pids+=("$server_pid")
  server_url="http://127.0.0.1:$port"
  if ! wait_ready "$server_url" 90; then
    echo "the server did not become ready:" >&2
    cat "$dir/server.log" >&2
    exit 1
  fi
  echo "server pid $server_pid at $server_url" >&2
}

# cluster_certificates: a sealed-sender trust root and server certificate made with the server's own
# `certificates` commands, and a VAPID key pair made with `push create-vapid-keys`, as an operator does
# once; sets certificate_settings (SETTING=value words for start_server), which cluster mode requires.
cluster_certificates() {
  new_temp_dir
  dotnet "$server_dll" certificates create-trust-root --out "$temp_dir" >/dev/null
  dotnet "$server_dll" certificates create-server-certificate --trust-root-key "$temp_dir/trust-root.key" \
    --key-id 1 --out "$temp_dir" >/dev/null
  dotnet "$server_dll" push create-vapid-keys --out "$temp_dir" >/dev/null
  certificate_settings=(
    "Certificates__TrustRoot=$(cat "$temp_dir/trust-root.pub")"
    "Certificates__ServerCertificate=$(cat "$temp_dir/server-certificate")"
    "Certificates__ServerPrivateKey=$(cat "$temp_dir/server-certificate.key")"
    "Push__VapidPublicKey=$(cat "$temp_dir/vapid-public-key")"
    "Push__VapidPrivateKey=$(cat "$temp_dir/vapid-private-key")"
    "Push__VapidSubject=mailto:operator@e2eechat.invalid"
  )
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait_gone "$server_pid"
}

# start_postgres: Debian's PostgreSQL with its durable defaults (fsync, synchronous commit), as the
# postgres user when we are root; sets pg_connection.
start_postgres() {
  local dir port
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  new_temp_dir
  dir=$temp_dir
  port=$(free_port)
  mkdir -p "$dir/socket"
  [ "$(id -u)" -ne 0 ] || chown -R postgres:postgres "$dir"
  as_postgres "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  as_postgres "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir/socket -h 127.0.0.1 -c max_connections=300" start >/dev/null
  pg_data="$dir/data"
  as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres e2eechat
  pg_connection="Host=127.0.0.1;Port=$port;Username=postgres;Database=e2eechat;Maximum Pool Size=90"
  echo "postgres on port $port (durable settings)" >&2
}

# start_cluster N: deploy/local-cluster.sh up N (PostgreSQL, Redis, N instances, nginx) with the load
# settings, in a state directory of its own, stopped when the script exits; sets cluster_url (nginx) and
# cpu_of: the tool's --cpu-of arguments, so that each result says where the CPU went (every instance
# under "hub", PostgreSQL's postmaster with its backends, Redis, nginx with its workers).
start_cluster() {
  # Not under a mktemp directory: initdb runs as the postgres user, who must be able to reach it.
  export E2EECHAT_CLUSTER_DIR="/tmp/e2eechat-bench-cluster-$$"
  [ -n "${cluster_hooked:-}" ] || { at_exit stop_cluster; cluster_hooked=1; }
  # Into a file, not $(…): the instances the script starts in the background keep its stdout open.
  env "${load_env[@]}" "$repo/deploy/local-cluster.sh" up "$1" >"$E2EECHAT_CLUSTER_DIR.endpoints"
  cluster_url=$(awk '$1 == "nginx" { print $2 }' "$E2EECHAT_CLUSTER_DIR.endpoints")
  cpu_of=()
  local pidfile
  for pidfile in "$E2EECHAT_CLUSTER_DIR"/instance-*/pid; do
    cpu_of+=(--cpu-of "hub=$(cat "$pidfile")")
  done
  cpu_of+=(--cpu-of "postgres=$(head -n 1 "$E2EECHAT_CLUSTER_DIR/pg/data/postmaster.pid")")
  cpu_of+=(--cpu-of "redis=$(cat "$E2EECHAT_CLUSTER_DIR/redis/redis.pid")")
  cpu_of+=(--cpu-of "nginx=$(cat "$E2EECHAT_CLUSTER_DIR/nginx/nginx.pid")")
  mapfile -t metrics_urls < <(awk '$1 == "metrics" { print $3 }' "$E2EECHAT_CLUSTER_DIR.endpoints")
  echo "cluster of $1 behind nginx at $cluster_url" >&2
}

# compiled_methods: each instance's count of JIT-compiled methods so far (its /metrics), one per line.
compiled_methods() {
  local url
  for url in "${metrics_urls[@]}"; do
    curl -fsS "$url" | awk '/^dotnet_jit_compiled_methods_total/ { print $2 }'
  done
}

# settle_cluster URL PAIRS: the saturation workload in rounds of SETTLE_ROUND (20s) until no instance JIT-compiled
# more than SETTLE_METHODS (200) methods during the last round, for at most SETTLE_MAX seconds (300). Every instance
# compiles what one instance compiles, on the same cores: under this workload on the 2-core development machine one
# instance compiled 26,000 methods in its first 40-60 s and then about 2 a second, three instances each the same in
# 80-100 s, and three instances measured from 40 s on delivered 0.7 of their steady rate. Once per cluster: the
# runs after it find the instances compiled, and the tool's own warm-up covers the tool's.
settle_cluster() {
  local url=$1 pairs=$2 deadline=$((SECONDS + ${SETTLE_MAX:-300})) started=$SECONDS round=0 before after busiest i
  while :; do
    round=$((round + 1))
    mapfile -t before < <(compiled_methods)
    dotnet "$tool_dll" pairs --url "$url" --pairs "$pairs" --devices 2 --size 1024 --closed-loop delivery \
      --duration "${SETTLE_ROUND:-20s}" --warmup 0s --out "$out/settle/round-$round" --progress none >/dev/null || true
    mapfile -t after < <(compiled_methods)
    busiest=0
    for i in "${!after[@]}"; do
      busiest=$(awk -v a="${after[$i]}" -v b="${before[$i]:-0}" -v m="$busiest" 'BEGIN { d = a - b; print (d > m) ? d : m }')
    done
    echo "settling: round $round, at most $busiest methods compiled by one instance" >&2
    if awk -v b="$busiest" -v limit="${SETTLE_METHODS:-200}" 'BEGIN { exit !(b <= limit) }'; then
      echo "settled after $((SECONDS - started)) s of load" >&2
      settled="$((SECONDS - started)) s"
      return
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "not settled after $((SECONDS - started)) s; measuring anyway" >&2
      settled="not after $((SECONDS - started)) s"
      return
    fi
  done
}

stop_cluster() {
  [ -n "${E2EECHAT_CLUSTER_DIR:-}" ] || return 0
  "$repo/deploy/local-cluster.sh" down || true
  rm -f "$E2EECHAT_CLUSTER_DIR.endpoints"
  cpu_of=()
}

# messages_workload URL: the Messages benchmark's workload (issue #4), one sender → a partner with 2
# devices, 1 KiB per envelope, over the hub. 1. Saturation: closed loop on delivery at rising
# concurrency (SATURATION_PAIRS); the best median delivered envelopes/s. 2. Latency: the same workload
# offered (open loop) at half that rate by HALF_RATE_PAIRS senders; p50/p99 send → device. Sets
# saturation, best and rate.
messages_workload() {
  local url=$1 pairs labels=()
  for pairs in $saturation_pairs; do
    labels+=("messages-closed-$pairs")
  done
  for run_index in $(seq 1 "$repeat"); do
    for pairs in $saturation_pairs; do
      load "messages-closed-$pairs" pairs --url "$url" --pairs "$pairs" --devices 2 --size 1024 \
        --closed-loop delivery --duration "$duration" --warmup "$warmup"
    done
  done
  best=$(best_label "${labels[@]}")
  saturation=$(median "$best" measured.deliveredPerSecond)
  echo "saturation: $saturation delivered envelopes/s ($best)" >&2
  rate=$(per_sender_rate "$(awk -v s="$saturation" 'BEGIN { print s / 2 }')" 2 "$half_rate_pairs")
  for run_index in $(seq 1 "$repeat"); do
    load "messages-half-rate" pairs --url "$url" --pairs "$half_rate_pairs" --devices 2 --size 1024 \
      --rate "$rate" --duration "$duration" --warmup "$warmup"
  done
}

# load LABEL ARGS...: one run of the tool, number $run_index of LABEL, in $out/LABEL-$run_index; never
# stops the script (exit codes are in the results). Scripts repeat whole rounds of workloads REPEAT
# times rather than one workload REPEAT times in a row, so that a change in the machine's load (it is
# recorded in each result) spreads over every workload instead of landing on one.
load() {
  local label=$1; shift
  echo "== $label, run ${run_index:-1} of $repeat (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  dotnet "$tool_dll" "$@" "${cpu_of[@]}" --label "$label" --out "$out/$label-${run_index:-1}" --progress plain --progress-interval 10s \
    || echo "(exit $?)" >&2
}

# median LABEL PATH: the median of one figure over a label's runs.
median() {
  dotnet "$tool_dll" median "$2" "$out/$1"-*/result.json
}

# The bare SignalR relay (bench/relay-baseline): the framework's own figures beside ours.
relay_dll="$repo/bench/relay-baseline/bin/Release/net10.0/E2eeChat.Bench.Relay.dll"
relay_env=()

build_relay() {
  dotnet build "$repo/bench/relay-baseline" -c Release -v quiet --nologo >/dev/null
}

# start_relay LOG [SERVE_ARG...]: a relay on a free port (with relay_env in its environment), stopped when the script
# exits; sets relay_url and relay_pid once it answers.
start_relay() {
  local log=$1 port
  shift
  port=$(free_port)
  env "${relay_env[@]}" dotnet "$relay_dll" serve --urls "http://127.0.0.1:$port" "$@" >"$log" 2>&1 &
  relay_pid=$!
  started_pids+=("$relay_pid")
  relay_url="http://127.0.0.1:$port"
  until curl -s -o /dev/null "$relay_url/"; do sleep 0.2; done
}

# json_median FIELD FILE...: the median of a number field over one-line JSON files.
json_median() {
  local field=$1 file values=()
  shift
  for file in "$@"; do
    values+=("$(sed -E "s/.*\"$field\":([0-9.]+).*/\1/" "$file")")
  done
  printf '%s\n' "${values[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

summarize() {
  dotnet "$tool_dll" summarize "$out"/*/result.json | tee "$out/summary.md"
  echo "summary: $out/summary.md; one report.html per run under $out" >&2
}

# per_sender_rate ENVELOPES_PER_SECOND FANOUT SENDERS: the --rate that offers that many envelopes/s.
per_sender_rate() {
  awk -v total="$1" -v fanout="$2" -v senders="$3" 'BEGIN { printf "%.3f", total / fanout / senders }'
}

# best_label LABEL...: the label whose median delivered/s is highest.
best_label() {
  local best="" best_rate=-1 label rate
  for label in "$@"; do
    rate=$(median "$label" measured.deliveredPerSecond) || continue
    if awk -v a="$rate" -v b="$best_rate" 'BEGIN { exit !(a > b) }'; then
      best=$label best_rate=$rate
    fi
  done
  echo "$best"
}
