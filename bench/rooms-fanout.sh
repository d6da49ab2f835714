#!/usr/bin/env bash
# Room fan-out benchmark: one message to a room of 50 users × 2 devices, time to the last device.
# Starts its own PostgreSQL (Debian's postgresql package; run ./test.sh once to install it) and server.
# Options pass through, e.g. ./bench/rooms-fanout.sh --runs 5 --repeats 100 --users 50 --devices 2 --bytes 1024
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet run -c Release --project bench/E2eeChat.Bench.RoomFanout -- "$@"
