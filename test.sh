#!/usr/bin/env bash
# Runs every test of E2eeChat against real engines. Installs what is missing first
# (Debian/Ubuntu packages through apt), then runs the .NET and Node suites and prints
# one closing line: "total: N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The test runner kills a test host that has not exited 100 ms after its last test; ours stop the PostgreSQL, Redis and
# nginx servers they started on the way out, which takes longer.
export VSTEST_TESTHOST_SHUTDOWN_TIMEOUT=20000

# --- 1. System packages the tests start or load (DESIGN §8) -------------------
packages=(postgresql redis-server nginx libsodium23 coturn prometheus chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# The Node suites (clients/js) need node and npm; they are written for Node 20 (Debian bookworm ships 18).
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "Installing missing packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The tests start their own servers on free ports: keep apt from starting the system services.
  policy=/usr/sbin/policy-rc.d
  created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    created_policy=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$created_policy" ] || $sudo rm -f "$policy"
fi

# --- 2. .NET tests ----------------------------------------------------------------
# The JS clients first: .NET tests ask real libsignal (clients/js/tools/libsignal-oracle.js) too.
# npm records the installed tree in node_modules/.package-lock.json; reinstall when the lock is newer.
(
  cd clients/js
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test E2eeChat.sln --nologo 2>&1 | tee "$log" || status=$?

# --- 3. Node tests: libsignal and SignalR SDK compatibility against the built server ---
node_log=$(mktemp)
trap 'rm -f "$log" "$node_log"' EXIT
# The Node tests start the built server (clients/js/lib/server.js) and run the built load tool (its report's test).
dotnet build src/E2eeChat.Server --nologo -v quiet || status=$?
dotnet build src/E2eeChat.LoadTest --nologo -v quiet || status=$?
(
  cd clients/js
  node --test --test-reporter=tap
) 2>&1 | tee "$node_log" || status=$?

# --- 4. Summary -----------------------------------------------------------------
dotnet_passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
dotnet_failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
node_passed=$(grep -oE '^# pass [0-9]+' "$node_log" | awk '{s+=$3} END {print s+0}')
node_failed=$(grep -oE '^# fail [0-9]+' "$node_log" | awk '{s+=$3} END {print s+0}')
echo ".NET: ${dotnet_passed} passed, ${dotnet_failed} failed; Node: ${node_passed} passed, ${node_failed} failed"
passed=$((dotnet_passed + node_passed))
failed=$((dotnet_failed + node_failed))
echo "total: ${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$dotnet_passed" -eq 0 ] || [ "$node_passed" -eq 0 ]; then
  exit 1
fi
