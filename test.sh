#!/usr/bin/env bash
# Runs every test of E2eeChat against real engines. Installs what is missing first
# (Debian/Ubuntu packages through apt), then runs the .NET and Node suites and prints
# one closing line: "total: N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- 1. System packages the tests start or load (DESIGN §8) -------------------
packages=(postgresql redis-server nginx libsodium23)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
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
# Garnet (a second Redis-protocol server the Redis client is tested against) is a repo-local dotnet tool.
dotnet tool restore >/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test E2eeChat.sln --nologo 2>&1 | tee "$log" || status=$?

# --- 3. Summary -----------------------------------------------------------------
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "total: ${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
