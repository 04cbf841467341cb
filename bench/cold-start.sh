#!/usr/bin/env bash
# Cold start (docs/development.md, Benchmarks): publishes the app as the Dockerfile does (Release; the project's publish
# settings, ReadyToRun included), then times, RUNS times each, from `dotnet CredentialPortal.Web.dll --seed-demo` to the
# first access token, in Production:
#   fresh    - a new SQLite database: migrations, first-start seeding, signing key and Data Protection key creation;
#   restart  - the same database again: what an upgrade or a crash restart costs.
# Prints each time, the median and the minimum. NO_READY_TO_RUN=1 publishes without ReadyToRun (the figure without it).
# PROFILE=1 also records the fresh starts with perf(1) and prints where the CPU went (bench/perf-breakdown.py; needs
# `apt-get install -y linux-perf`).
# Usage: bench/cold-start.sh [runs, default 5]; SKIP_BUILD=1 times what an earlier Release build left instead of
# publishing (no ReadyToRun: a check that the script runs, not a figure).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-5}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d /tmp/credentialportal-cold.XXXXXX)
app_pid=""
stop_app() { if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; app_pid=""; fi; }
trap 'stop_app; rm -rf "$work"' EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

ready_to_run=true
[ "${NO_READY_TO_RUN:-0}" = 1 ] && ready_to_run=false
if [ "${SKIP_BUILD:-0}" = 1 ]; then
  app="$root/src/CredentialPortal.Web/bin/Release/net10.0"
else
  echo "== publish (Release, ReadyToRun=$ready_to_run)"
  dotnet publish src/CredentialPortal.Web -c Release -o "$work/publish" -p:PublishReadyToRun=$ready_to_run -nologo -v quiet >/dev/null
  app="$work/publish"
fi
profile_env=()
if [ "${PROFILE:-0}" = 1 ]; then
  command -v perf >/dev/null || { echo "perf is missing: apt-get install -y linux-perf" >&2; exit 1; }
  profile_env=(DOTNET_PerfMapEnabled=1)
fi

# time_start <data folder> [perf output]: prints the seconds from the process start to its first token.
time_start() {
  local data=$1 port url started line
  port=$(free_port)
  url="http://127.0.0.1:$port"
  mkdir -p "$data"
  started=$(date +%s.%N)
  if [ -n "${2:-}" ]; then
    env "${profile_env[@]}" ASPNETCORE_ENVIRONMENT=Production perf record -F 999 -g -o "$2" -- \
      dotnet "$app/CredentialPortal.Web.dll" --seed-demo --urls "$url" --Bootstrap:AdminEmail=admin@bench.example \
      --Database:DataDirectory="$data" --TokenService:Issuer="$url" --Portal:BaseUrl="$url" --DataProtection:AllowUnprotectedKeys=true \
      > "$data/app.log" 2>&1 &
  else
    ASPNETCORE_ENVIRONMENT=Production dotnet "$app/CredentialPortal.Web.dll" --seed-demo --urls "$url" \
      --Bootstrap:AdminEmail=admin@bench.example --Database:DataDirectory="$data" --TokenService:Issuer="$url" \
      --Portal:BaseUrl="$url" --DataProtection:AllowUnprotectedKeys=true > "$data/app.log" 2>&1 &
  fi
  app_pid=$!
  for _ in $(seq 1 3000); do
    line=$(grep -m1 "demo credential: application=Partner-NL" "$data/app.log" 2>/dev/null) && break
    sleep 0.005
  done
  [ -n "$line" ] || { cat "$data/app.log" >&2; exit 1; }
  local id secret
  id=$(echo "$line" | sed -E 's/.*client_id=([^ ]+).*/\1/') secret=$(echo "$line" | sed -E 's/.*client_secret=([^ ]+).*/\1/')
  until curl -fs -u "$id:$secret" -d grant_type=client_credentials "$url/connect/token" >/dev/null 2>&1; do sleep 0.005; done
  awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }'
  if [ -n "${2:-}" ]; then kill -INT "$app_pid" 2>/dev/null || true; fi
  stop_app
}

summary() { sort -n | awk '{ t[NR] = $1 } END { printf "median %.2f s, min %.2f s (%d runs)", (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), t[1], NR }'; }

fresh=() restart=()
for i in $(seq 1 "$runs"); do
  fresh+=("$(time_start "$work/data-$i")")
  restart+=("$(time_start "$work/data-$i")")
  echo "   run $i: fresh ${fresh[-1]} s, restart ${restart[-1]} s (load average $(cut -d' ' -f1 /proc/loadavg))"
done
echo "RESULT fresh: $(printf '%s\n' "${fresh[@]}" | summary)"
echo "RESULT restart: $(printf '%s\n' "${restart[@]}" | summary)"
echo "target: fresh <= 2 s on a quiet machine"

if [ "${PROFILE:-0}" = 1 ]; then
  echo
  echo "== where a fresh start's CPU went (perf samples, whole process, until the first token)"
  echo "   $(time_start "$work/data-profile" "$work/start.perf") s under perf"
  perf script -i "$work/start.perf" 2>/dev/null | bench/perf-breakdown.py 1 "fresh start" | sed 's/ per request (1 requests)//'
fi
