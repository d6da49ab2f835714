# Sourced by the load bench scripts. Builds the server and the load tool (Release), starts the
# embedded server or PostgreSQL on free loopback ports in temp directories, runs the tool, and stops
# whatever it started when the script exits. Results go under bench/results/ (git-ignored).
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
tool_dll="$repo/src/E2eeChat.LoadTest/bin/Release/net10.0/E2eeChat.LoadTest.dll"
server_dll="$repo/src/E2eeChat.Server/bin/Release/net10.0/E2eeChat.Server.dll"
repeat=${REPEAT:-3}
duration=${DURATION:-20s}
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
