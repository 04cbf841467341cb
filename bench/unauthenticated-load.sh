#!/usr/bin/env bash
# Unauthenticated load on the token endpoint (issue 12, item 6). Builds Release, starts the app on SQLite with demo
# clients on a loopback port, and measures a legitimate client (one keep-alive connection from 127.0.0.2, a token
# every 10 ms) first alone, then while wrk sends made-up client_ids from 127.0.0.1 (bounded: SECONDS and
# MAX_REQUESTS per wrk thread). Prints the server's RSS before and after and the legitimate client's p50/p99 in both
# phases. Usage: bench/unauthenticated-load.sh [seconds per phase, default 20]; IDS=guid|random picks the ids, WARMUP
# (seconds, default 3) the legitimate client's warm-up; SKIP_BUILD=1 runs what an earlier Release build left. Exits 1
# when a legitimate request failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${1:-20}
connections=${CONNECTIONS:-32}
export IDS=${IDS:-guid} MAX_REQUESTS=${MAX_REQUESTS:-200000}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== build (Release)"
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
fi
dll="$root/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll"

work=$(mktemp -d /tmp/credentialportal-unauth.XXXXXX)
app_pid=""
stop_app() { if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; app_pid=""; fi; }
trap 'stop_app; rm -rf "$work"' EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"
ASPNETCORE_ENVIRONMENT=Production \
dotnet "$dll" --seed-demo --urls "$url" \
  --Bootstrap:AdminEmail=admin@bench.example \
  --Database:DataDirectory="$work" \
  --TokenService:Issuer="$url" \
  --Portal:BaseUrl="$url" \
  --TokenService:RateLimit:PermitsPerSecond=0 \
  --DataProtection:AllowUnprotectedKeys=true \
  --Serilog:MinimumLevel:Default=Warning \
  > "$work/app.log" 2>&1 &
app_pid=$!
line=""
for _ in $(seq 1 3000); do
  line=$(grep -m1 "demo credential: application=Partner-NL" "$work/app.log" 2>/dev/null) && break
  sleep 0.01
done
[ -n "$line" ] || { cat "$work/app.log"; exit 1; }
export CLIENT_ID=$(echo "$line" | sed -E 's/.*client_id=([^ ]+).*/\1/')
export CLIENT_SECRET=$(echo "$line" | sed -E 's/.*client_secret=([^ ]+).*/\1/')
until curl -fs -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$url/connect/token" >/dev/null 2>&1; do sleep 0.01; done

rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$app_pid/status"; }

# The legitimate client: prints "p50_ms p99_ms requests failures" after the given number of seconds.
legitimate() {
  /usr/bin/python3 - "$port" "$1" <<'PY'
import base64, http.client, os, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
auth = base64.b64encode(f"{os.environ['CLIENT_ID']}:{os.environ['CLIENT_SECRET']}".encode()).decode()
connection = http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.0.2", 0), timeout=10)
latencies, failures, end = [], 0, time.monotonic() + seconds
while time.monotonic() < end:
    start = time.perf_counter()
    connection.request("POST", "/connect/token", body="grant_type=client_credentials",
                       headers={"Authorization": "Basic " + auth, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    latencies.append((time.perf_counter() - start) * 1000)
    failures += response.status != 200
    time.sleep(0.01)
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"{pick(0.50):.2f} {pick(0.99):.2f} {len(latencies)} {failures}")
PY
}

echo "== warm-up and baseline (legitimate client alone, ${duration} s)"
legitimate "${WARMUP:-3}" >/dev/null
rss_before=$(rss_mb)
read -r base_p50 base_p99 base_n base_failed < <(legitimate "$duration")
echo "   legitimate client: p50 ${base_p50} ms, p99 ${base_p99} ms (${base_n} requests, ${base_failed} failed); server RSS ${rss_before} MB"

echo "== attack: wrk -t2 -c${connections} -d${duration}s with made-up client_ids (IDS=$IDS), legitimate client alongside"
legitimate "$duration" > "$work/legitimate.txt" &
legit_pid=$!
attack=$(wrk -t2 -c"$connections" -d"${duration}s" -s bench/unauthenticated-load.lua "$url/connect/token" | grep '^RESULT')
wait "$legit_pid"
read -r load_p50 load_p99 load_n load_failed < "$work/legitimate.txt"
rss_after=$(rss_mb)
peak=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$app_pid/status")
echo "   ${attack#RESULT }"
echo "   legitimate client: p50 ${load_p50} ms, p99 ${load_p99} ms (${load_n} requests, ${load_failed} failed)"
echo
echo "server RSS: ${rss_before} MB before, ${rss_after} MB after (peak ${peak} MB)"
echo "legitimate p50/p99: ${base_p50}/${base_p99} ms alone, ${load_p50}/${load_p99} ms under attack; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$base_failed" != 0 ] || [ "$load_failed" != 0 ]; then
  echo "the legitimate client's requests failed: ${base_failed} alone, ${load_failed} under attack" >&2
  exit 1
fi
