#!/usr/bin/env bash
# Login throughput: POST /api/v1/auth/token requests/s against the embedded server built in Release,
# at the default password-hashing cost (Argon2id m=19456 KiB, t=2, p=1), from CONNECTIONS concurrent
# clients (wrk, Debian's package, installed when missing). Rate limits are raised by configuration.
# After WARMUP, REPEAT runs of DURATION; prints each run, the server's CPU per login (logins per
# server CPU-second = password hashes per core-second) and the medians, also into
# bench/results/login-<time>/summary.md.
#   bench/login-benchmark.sh
# Environment: REPEAT (3), DURATION (20s), WARMUP (5s), CONNECTIONS (8); PasswordHashing__MemoryKiB and
# PasswordHashing__Iterations measure another cost.
set -euo pipefail
export PasswordHashing__MemoryKiB=${PasswordHashing__MemoryKiB:-19456}
export PasswordHashing__Iterations=${PasswordHashing__Iterations:-2}
# shellcheck source=lib/load-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/load-common.sh"
connections=${CONNECTIONS:-8}
warmup=${WARMUP:-5s}
ticks_per_second=$(getconf CLK_TCK)

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)..." >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

echo "building the server (Release)..." >&2
dotnet build "$repo/src/E2eeChat.Server" -c Release -v quiet --nologo >/dev/null
start_server

username="bench_login"
password="correct horse battery staple"
identity_key=$(head -c 33 /dev/urandom | base64)
curl -fsS -o /dev/null -X POST "$server_url/api/v1/accounts" -H 'content-type: application/json' \
  -d "{\"username\":\"$username\",\"password\":\"$password\",\"identityKey\":\"$identity_key\",\"registrationId\":1,\"deviceName\":\"bench\"}"
new_temp_dir
script="$temp_dir/login.lua"
cat >"$script" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"$username","password":"$password","deviceId":1}'
EOF

server_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

# run_wrk SECONDS: one wrk run into $temp_dir/wrk.out; fails on any response that is not 2xx or any socket
# error (a timeout would be a login the server worked on but the count left out).
run_wrk() {
  wrk -t 1 -c "$connections" -d "$1" --timeout 60s --latency -s "$script" "$server_url/api/v1/auth/token" >"$temp_dir/wrk.out"
  if grep -qE 'Non-2xx|Socket errors' "$temp_dir/wrk.out"; then
    cat "$temp_dir/wrk.out" >&2
    echo "some logins failed: the figures would not be logins" >&2
    exit 1
  fi
}

echo "warm-up ($warmup)..." >&2
run_wrk "$warmup"

out="$repo/bench/results/login-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
rates=()
per_cpu=()
{
  echo "# Login benchmark"
  echo
  echo "POST /api/v1/auth/token, embedded server (Release, SQLite), Argon2id m=$PasswordHashing__MemoryKiB KiB, t=$PasswordHashing__Iterations, p=1;"
  echo "wrk -t 1 -c $connections -d $duration --timeout 60s; $(nproc) cores; commit $(git -C "$repo" rev-parse --short HEAD)."
  echo
  echo "| Run | Logins/s | p50 | p99 | Server cores busy | Logins per server CPU-second | Load average before → after |"
  echo "|---|---|---|---|---|---|---|"
} >"$out/summary.md"
for run in $(seq 1 "$repeat"); do
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  cpu_before=$(server_cpu_ticks)
  run_wrk "$duration"
  cpu_after=$(server_cpu_ticks)
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  cp "$temp_dir/wrk.out" "$out/wrk-$run.txt"
  # "  1234 requests in 20.01s, 1.2MB read"
  read -r requests seconds < <(awk '/requests in/ { sub(/s,$/, "", $4); print $1, $4 }' "$temp_dir/wrk.out")
  p50=$(awk '$1 == "50%" { print $2 }' "$temp_dir/wrk.out")
  p99=$(awk '$1 == "99%" { print $2 }' "$temp_dir/wrk.out")
  rate=$(awk -v r="$requests" -v s="$seconds" 'BEGIN { printf "%.1f", r / s }')
  cores=$(awk -v t="$((cpu_after - cpu_before))" -v hz="$ticks_per_second" -v s="$seconds" 'BEGIN { printf "%.2f", t / hz / s }')
  per_core=$(awk -v r="$requests" -v t="$((cpu_after - cpu_before))" -v hz="$ticks_per_second" 'BEGIN { printf "%.1f", r / (t / hz) }')
  rates+=("$rate")
  per_cpu+=("$per_core")
  echo "run $run: $rate logins/s (p50 $p50, p99 $p99), server $cores cores busy, $per_core logins per server CPU-second; load $load_before → $load_after" >&2
  echo "| $run | $rate | $p50 | $p99 | $cores | $per_core | $load_before → $load_after |" >>"$out/summary.md"
done

median_of() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
median_rate=$(median_of "${rates[@]}")
median_per_cpu=$(median_of "${per_cpu[@]}")
{
  echo
  echo "Median: **$median_rate logins/s**; $median_per_cpu logins (hashes) per server CPU-second."
} >>"$out/summary.md"
echo "median: $median_rate logins/s, $median_per_cpu logins per server CPU-second ($out/summary.md)" >&2
