#!/usr/bin/env bash
# DPoP benchmark (issue 33): builds Release, starts the app on SQLite with a demo client on a loopback port (ES256 tokens,
# rate limiting off, otherwise as shipped), and loads POST /connect/token with wrk twice in the same run: client_secret_basic
# alone (bearer tokens), then the same with a DPoP proof per request (ES256, as oauth4webapi and openid-client make by
# default; each proof used once). Prints tokens/s, p50/p99 and the app's CPU time per token (from /proc) for both, the
# ratio, and what a proof check costs per request: the CPU a DPoP token costs the app beyond a bearer one, and the proof
# check alone in process (bench/CredentialPortal.Benchmarks.Tokens dpop-check-rate) beside .NET's own ES256 signature
# check (verify-rate), both measured in the same run.
# The proofs are signed before the run, so the app accepts proofs up to 10 minutes old here (TokenService:Dpop:ProofMaxAgeSeconds).
# Usage: bench/dpop.sh [seconds per run, default 15]; WARMUP (seconds, default 3); SKIP_BUILD=1 runs what an earlier
# Release build left. Exits 1 when a request failed (a non-2xx answer or a connection error).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${1:-15}
warmup=${WARMUP:-3}
connections=${CONNECTIONS:-32}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== build (Release)"
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
  dotnet build bench/CredentialPortal.Benchmarks.Tokens -c Release -nologo -v quiet >/dev/null
fi
dll="$root/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll"
tool() { dotnet "$root/bench/CredentialPortal.Benchmarks.Tokens/bin/Release/net10.0/CredentialPortal.Benchmarks.Tokens.dll" "$@"; }

work=$(mktemp -d /tmp/credentialportal-dpop-bench.XXXXXX)
app_pid=""
trap 'if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"
ASPNETCORE_ENVIRONMENT=Production dotnet "$dll" --seed-demo --urls "$url" \
  --Bootstrap:AdminEmail=admin@bench.example --Database:DataDirectory="$work" \
  --TokenService:Algorithm=ES256 --TokenService:Issuer="$url" --Portal:BaseUrl="$url" \
  --TokenService:RateLimit:PermitsPerSecond=0 --TokenService:Dpop:ProofMaxAgeSeconds=600 \
  --DataProtection:AllowUnprotectedKeys=true > "$work/app.log" 2>&1 &
app_pid=$!
line=""
for _ in $(seq 1 3000); do
  line=$(grep -m1 "demo credential: application=Partner-NL" "$work/app.log" 2>/dev/null) && break
  sleep 0.01
done
[ -n "$line" ] || { cat "$work/app.log"; exit 1; }
CLIENT_ID=$(echo "$line" | sed -E 's/.*client_id=([^ ]+).*/\1/')
CLIENT_SECRET=$(echo "$line" | sed -E 's/.*client_secret=([^ ]+).*/\1/')
export CLIENT_ID CLIENT_SECRET BASIC_AUTH=$(printf '%s:%s' "$CLIENT_ID" "$CLIENT_SECRET" | base64 -w0)
until curl -fs -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$url/connect/token" >/dev/null 2>&1; do sleep 0.01; done

# The app's user + system CPU time so far, in microseconds.
cpu_us() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1e6 / hz }' "/proc/$app_pid/stat"; }
failed=0
# run_wrk <label> <wrk script> <seconds>: prints the result and sets rate, p50, p99 and cpu (app CPU-us per token).
run_wrk() {
  local before out requests
  before=$(cpu_us)
  out=$(wrk -t2 -c"$connections" -d"$3s" -s "$2" "$url/connect/token" | grep '^RESULT')
  requests=$(echo "$out" | sed -E 's/.*requests=([0-9]+).*/\1/')
  cpu=$(awk -v a="$before" -v b="$(cpu_us)" -v n="$requests" 'BEGIN { printf "%.0f", (b - a) / n }')
  rate=$(echo "$out" | sed -E 's/.*rate=([0-9.]+).*/\1/')
  p50=$(echo "$out" | sed -E 's/.*p50_ms=([0-9.]+).*/\1/')
  p99=$(echo "$out" | sed -E 's/.*p99_ms=([0-9.]+).*/\1/')
  echo "   $1: ${out#RESULT } app_cpu_us_per_token=$cpu"
  echo "$out" | grep -q 'non2xx=0 errors=0' || { echo "   (some requests failed)"; failed=1; }
}

echo "== bearer (client_secret_basic, no proof)"
wrk -t2 -c"$connections" -d"${warmup}s" -s bench/token-endpoint.lua "$url/connect/token" >/dev/null
run_wrk "max load ($connections connections)" bench/token-endpoint.lua "$duration"
bearer_rate=$rate bearer_p50=$p50 bearer_p99=$p99 bearer_cpu=$cpu

echo "== DPoP (the same, with an ES256 proof per request)"
# Proofs for 2.5 times the bearer rate: on a busy machine the DPoP run may get more CPU than the bearer run did, and a
# run that ran out would replay one and be refused (counted as failed requests).
warm_count=$(awk -v r="$bearer_rate" -v w="$warmup" 'BEGIN { printf "%d", r * w * 1.3 + 2000 }')
count=$(awk -v r="$bearer_rate" -v d="$duration" 'BEGIN { printf "%d", r * d * 2.5 + 5000 }')
tool dpop-proofs "$((warm_count + count))" "$url/connect/token" "$work/all.jwt"
head -n "$warm_count" "$work/all.jwt" > "$work/warm-up.jwt"
tail -n +"$((warm_count + 1))" "$work/all.jwt" > "$work/run.jwt"
token_type=$(curl -fs -u "$CLIENT_ID:$CLIENT_SECRET" -H "DPoP: $(tail -n1 "$work/warm-up.jwt")" -d grant_type=client_credentials "$url/connect/token" \
  | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["token_type"])')
[ "$token_type" = DPoP ] || { echo "a proof did not get a DPoP token (token_type $token_type)" >&2; exit 1; }
PROOFS_FILE="$work/warm-up.jwt" wrk -t2 -c"$connections" -d"${warmup}s" -s bench/token-endpoint-dpop.lua "$url/connect/token" >/dev/null
PROOFS_FILE="$work/run.jwt" run_wrk "max load ($connections connections)" bench/token-endpoint-dpop.lua "$duration"
dpop_rate=$rate dpop_p50=$p50 dpop_p99=$p99 dpop_cpu=$cpu
# The load carried the proofs: the run's third line (wrk calls request() once per thread before sending, so the first
# thread's first request sends line 3) is spent now and refused when sent again.
replay=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -H "DPoP: $(sed -n 3p "$work/run.jwt")" -d grant_type=client_credentials "$url/connect/token")
echo "$replay" | grep -q '"invalid_dpop_proof"' || { echo "a proof of the run was not spent: $replay" >&2; exit 1; }
echo "   a proof of the run, sent again: refused ($(echo "$replay" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["error_description"])'))"

verify_rate=$(tool verify-rate ES256 1 "${VERIFY_SECONDS:-2}")
echo "   .NET ES256 signature checks/s, 1 thread (in-process): $verify_rate"
check_rate=$(tool dpop-check-rate "${VERIFY_SECONDS:-2}")
echo "   DPoP proof checks/s, 1 thread (in-process, DpopProofValidator without HTTP): $check_rate"
echo
printf '%-8s %10s %8s %8s %8s\n' tokens tokens/s p50_ms p99_ms cpu_us
printf '%-8s %10s %8s %8s %8s\n' bearer "$bearer_rate" "$bearer_p50" "$bearer_p99" "$bearer_cpu"
printf '%-8s %10s %8s %8s %8s\n' DPoP "$dpop_rate" "$dpop_p50" "$dpop_p99" "$dpop_cpu"
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v d="$dpop_rate" -v b="$bearer_rate" -v dc="$dpop_cpu" -v bc="$bearer_cpu" -v v="$verify_rate" -v c="$check_rate" 'BEGIN {
  printf "DPoP tokens/s %.0f vs bearer %.0f: ratio %.2f; a DPoP token costs +%.0f CPU-us in the app; a proof check in process %.0f us (%.0f of it the ES256 signature check)\n",
    d, b, d / b, dc - bc, 1e6 / c, 1e6 / v }'
[ "$failed" = 0 ] || { echo "some requests failed (see above)" >&2; exit 1; }
