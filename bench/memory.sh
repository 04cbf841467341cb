#!/usr/bin/env bash
# Memory (docs/development.md, Benchmarks): starts the app as shipped (Release, Production, default settings, SQLite,
# --seed-demo; rate limiting off) and prints its resident set (VmRSS)
#   1. at idle after start,
#   2. each minute of MINUTES (default 10) of full token load (wrk, 32 connections), and idle again after it,
#   3. after CLIENTS (default 100000) more applications are added and each gets one token, so all are in the client
#      cache; meanwhile the latency of each client's first token (not cached yet: loaded from the database).
# Usage: bench/memory.sh; MINUTES and CLIENTS scale it, STEP_SECONDS (default 60: a minute) is the length of a load
# step and SETTLE_SECONDS (default 5 after the start, 10 after the load) the idle waits; SKIP_BUILD=1 runs what an
# earlier Release build left.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
minutes=${MINUTES:-10}
clients=${CLIENTS:-100000}
step=${STEP_SECONDS:-60}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== build (Release)"
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
  dotnet build bench/CredentialPortal.Benchmarks.Tokens -c Release -nologo -v quiet >/dev/null
fi
dll="$root/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll"
tool="$root/bench/CredentialPortal.Benchmarks.Tokens/bin/Release/net10.0/CredentialPortal.Benchmarks.Tokens.dll"

work=$(mktemp -d /tmp/credentialportal-memory.XXXXXX)
app_pid=""
trap 'if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"
ASPNETCORE_ENVIRONMENT=Production dotnet "$dll" --seed-demo --urls "$url" --Bootstrap:AdminEmail=admin@bench.example \
  --Database:DataDirectory="$work" --TokenService:Issuer="$url" --Portal:BaseUrl="$url" \
  --TokenService:RateLimit:PermitsPerSecond=0 --DataProtection:AllowUnprotectedKeys=true > "$work/app.log" 2>&1 &
app_pid=$!
line=""
for _ in $(seq 1 600); do line=$(grep -m1 "demo credential: application=Partner-NL" "$work/app.log" 2>/dev/null) && break; sleep 0.05; done
[ -n "$line" ] || { cat "$work/app.log"; exit 1; }
export CLIENT_ID=$(echo "$line" | sed -E 's/.*client_id=([^ ]+).*/\1/') CLIENT_SECRET=$(echo "$line" | sed -E 's/.*client_secret=([^ ]+).*/\1/')
until curl -fs -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$url/connect/token" >/dev/null 2>&1; do sleep 0.05; done
rss() { awk '/^VmRSS/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$app_pid/status"; }

sleep "${SETTLE_SECONDS:-5}"
echo "RESULT idle after start: $(rss)"
for minute in $(seq 1 "$minutes"); do
  out=$(wrk -t2 -c32 -d"${step}s" -s bench/token-endpoint.lua "$url/connect/token" | grep '^RESULT')
  echo "   minute $minute of full load: $(rss)  (${out#RESULT })"
  echo "$out" | grep -q 'non2xx=0 errors=0' || { echo "   requests failed"; exit 1; }
done
echo "RESULT after $minutes min of full token load: $(rss)"
settle=${SETTLE_SECONDS:-10}
sleep "$settle"
echo "RESULT idle $settle s after the load: $(rss)"

echo "== $clients more applications"
secret=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
dotnet "$tool" clients "$work/credentialportal.db" "$clients" "$secret" "$work/clients.txt"
/usr/bin/python3 bench/first-tokens.py "$url" "$work/clients.txt" "$secret"
echo "RESULT with $((clients + 2)) applications in the client cache: $(rss)"
