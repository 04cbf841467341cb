#!/usr/bin/env bash
# List-page benchmark (issue 14; docs/development.md, Benchmarks: p95 <= 50 ms on every list page). For each provider:
# seeds a fresh database through the product's EF model (bench/CredentialPortal.Benchmarks.Pages: 300 organisations,
# 10,000 applications, 100,000 secrets, 402 users, 500,000 audit events), starts the app as shipped (published,
# Production, default logging) on a loopback port, with reminders and the outbox off (their first pass over the seeded
# expiries would queue and send thousands of reminders during the timing, which a steady-state instance sent long ago),
# signs in as an administrator and as a credential manager of three applications (password + authenticator), times 30
# sequential requests per list page and prints p50/p95 per page, user and provider, and the worst p95.
# Usage: bench/pages.sh [providers, default "Sqlite PostgreSql"]; PostgreSQL comes from CREDENTIALPORTAL_BENCH_POSTGRES
# (or CREDENTIALPORTAL_TEST_POSTGRES), a server connection string whose database "credentialportal_pages" is replaced.
# APPLICATIONS (default 10000; secrets x10, audit events x50) and REQUESTS (default 30) scale the run. The timing starts
# with the first requests after the app starts (nothing warmed, no manual ANALYZE on SQLite); WARM_UP=40 first sends
# 40 untimed requests per page, the steady state of a portal that has run for a while. SKIP_BUILD=1 runs what an
# earlier Release build left (no ReadyToRun: a check that the script runs, not a figure). EACH_REQUEST=1 also prints
# every request's time, in order (which requests make a p95). A page that fails to load fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
providers=${1:-"Sqlite PostgreSql"}
applications=${APPLICATIONS:-10000}
requests=${REQUESTS:-30}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d /tmp/credentialportal-pages.XXXXXX)
app_pid=""
stop_app() { if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; app_pid=""; fi; }
trap 'stop_app; rm -rf "$work"' EXIT

# The app as shipped: published as the Dockerfile publishes it (ReadyToRun included), since the first requests after
# a start are what this times and ReadyToRun is what spares them most of the JIT.
if [ "${SKIP_BUILD:-0}" = 1 ]; then
  app="$root/src/CredentialPortal.Web/bin/Release/net10.0"
else
  echo "== publish (Release, as the Dockerfile does)"
  dotnet publish src/CredentialPortal.Web -c Release -o "$work/publish" -nologo -v quiet >/dev/null
  dotnet build bench/CredentialPortal.Benchmarks.Pages -c Release -nologo -v quiet >/dev/null
  app="$work/publish"
fi
bench() { dotnet "$root/bench/CredentialPortal.Benchmarks.Pages/bin/Release/net10.0/CredentialPortal.Benchmarks.Pages.dll" "$@"; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

results="$work/results"
: > "$results"
for provider in $providers; do
  echo "== $provider"
  case $provider in
    Sqlite) connection="Data Source=$work/pages.db" ;;
    PostgreSql)
      server=${CREDENTIALPORTAL_BENCH_POSTGRES:-${CREDENTIALPORTAL_TEST_POSTGRES:-}}
      [ -n "$server" ] || { echo "   skipped: set CREDENTIALPORTAL_BENCH_POSTGRES to a PostgreSQL server connection string"; continue; }
      connection=$(echo "$server" | sed -E 's/(^|;)Database=[^;]*//I');connection="$connection;Database=credentialportal_pages" ;;
    *) echo "unknown provider $provider" >&2; exit 2 ;;
  esac
  bench seed "$provider" "$connection" "$applications" | sed 's/^/   /'
  port=$(free_port)
  url="http://127.0.0.1:$port"
  ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$app/CredentialPortal.Web.dll" --urls "$url" \
    --Bootstrap:AdminEmail=admin@bench.example \
    --Database:Provider="$provider" \
    --ConnectionStrings:CredentialPortal="$connection" \
    --Database:DataDirectory="$work/data" \
    --Portal:BaseUrl="$url" \
    --TokenService:Issuer="$url" \
    --DataProtection:AllowUnprotectedKeys=true \
    --Email:PickupDirectory="$work/mail" \
    --Reminders:Enabled=false --Email:Outbox:Enabled=false \
    > "$work/app-$provider.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 600); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "$url/healthz" >/dev/null || { cat "$work/app-$provider.log"; exit 1; }
  echo "   load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"
  bench measure "$url" "$provider" "$requests" "${WARM_UP:-0}" > "$work/measured"
  grep '^RESULT' "$work/measured" >> "$results"
  grep -E '^(RESULT|EACH)' "$work/measured" | sed -E 's/^RESULT /   /; s/^EACH ([^ ]+ [^ ]+ [^ ]+) /   \1 each request (ms): /'
  stop_app
done

[ -s "$results" ] || { echo "no page was timed" >&2; exit 1; }
echo
printf '%-11s %-14s %-24s %8s %8s\n' provider user page p50_ms p95_ms
awk '{ printf "%-11s %-14s %-24s %8s %8s\n", $2, $3, $4, $5, $6 }' "$results"
awk 'BEGIN { worst = -1 } $6 + 0 > worst { worst = $6 + 0; what = $2 " " $3 " " $4 }
  END { if (worst >= 0) printf "worst p95: %.1f ms (%s); target <= 50 ms: %s\n", worst, what, worst <= 50 ? "met" : "NOT met" }' "$results"
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
