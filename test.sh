#!/usr/bin/env bash
# Runs every test of CredentialPortal on a fresh Debian 12 machine or a developer's:
#  1. installs what is missing (PostgreSQL, Chromium, oathtool, Node.js, authlib, wrk) with apt-get, and the interop tests' npm packages,
#  2. restores the solution and the local dotnet tools, builds with warnings as errors and checks that every
#     provider's migrations and compiled model match the model,
#  3. starts a throw-away PostgreSQL cluster on a free loopback port (removed on exit, also on failure or Ctrl-C),
#  4. runs every test project (provider-dependent tests on SQLite and on that PostgreSQL),
#  5. runs every benchmark script in bench/ once at a small size, so that none rots unnoticed (its figures mean nothing),
#  6. ends with the summary lines "Tests: N passed, N failed, N skipped" and "Benchmark scripts: N ran, N failed".
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin=/usr/lib/postgresql/15/bin
missing=()
[ -x "$pg_bin/initdb" ] || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/oathtool ] || missing+=(oathtool)
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
/usr/bin/python3 -c 'import authlib, requests' 2>/dev/null || missing+=(python3-authlib python3-requests)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== independent client libraries for the interop tests (tests/interop: npm ci from the pinned lock file)"
(cd tests/interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "== restore, local tools and build (warnings are errors)"
dotnet tool restore >/dev/null
dotnet build CredentialPortal.sln -c Release -warnaserror -nologo -v quiet

echo "== every provider's migrations match the model (dotnet ef migrations has-pending-model-changes)"
for provider in Sqlite PostgreSql SqlServer; do
  project="src/CredentialPortal.Migrations.$provider"
  if ! out=$(dotnet ef migrations has-pending-model-changes --no-build --configuration Release \
      --project "$project" --startup-project "$project" 2>&1); then
    echo "$out"
    echo "   $provider: the model changed since the last migration; run scripts/add-migration.sh NAME"
    exit 1
  fi
  echo "   $provider: $(echo "$out" | tail -n 1)"
done

echo "== every provider's compiled model matches the model (scripts/compile-models.sh --check)"
scripts/compile-models.sh --check

echo "== starting a throw-away PostgreSQL"
pg_dir=$(mktemp -d /tmp/credentialportal-pg.XXXXXX)
chmod 755 "$pg_dir"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --no-sync >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
export CREDENTIALPORTAL_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Include Error Detail=true"
echo "   PostgreSQL listening on 127.0.0.1:$port"

results="$root/TestResults"
rm -rf "$results"
passed=0 failed=0 skipped=0 status=0
for project in tests/*.UnitTests tests/*.IntegrationTests tests/*.BrowserTests; do
  [ -d "$project" ] || continue
  name=$(basename "$project")
  echo "== $name"
  log="$results/$name.log"
  mkdir -p "$results"
  if ! dotnet test "$project" -c Release --no-build --results-directory "$results/$name" 2>&1 | tee "$log"; then
    status=1
  fi
  summary=$(grep -E '(Passed|Failed)! +- +Failed: ' "$log" | tail -n 1 || true)
  if [ -z "$summary" ]; then
    echo "   no test summary from $name"
    status=1
    continue
  fi
  count() { echo "$summary" | sed -E "s/.*$1: +([0-9]+).*/\1/"; }
  passed=$((passed + $(count Passed))) failed=$((failed + $(count Failed))) skipped=$((skipped + $(count Skipped)))
done

echo "== benchmark scripts run (small size): each must finish and print its result line"
# Built above (Release), so the scripts skip their own build; PostgreSQL is the throw-away cluster.
export SKIP_BUILD=1 CREDENTIALPORTAL_BENCH_POSTGRES="$CREDENTIALPORTAL_TEST_POSTGRES"
bench_ran=0 bench_failed=0 bench_started=$(date +%s)
# bench_run <result line (extended regex)> <command...>: runs the script, its output in TestResults/bench-<script>.log.
bench_run() {
  local result=$1 script started log
  shift
  script=$(basename "$(printf '%s\n' "$@" | grep -m1 '^bench/')" .sh)
  log="$results/bench-$script.log" started=$(date +%s)
  bench_ran=$((bench_ran + 1))
  if "$@" > "$log" 2>&1 && grep -Eq "$result" "$log"; then
    echo "   $script: ok ($(( $(date +%s) - started )) s)"
  else
    bench_failed=$((bench_failed + 1))
    echo "   $script: FAILED ($(( $(date +%s) - started )) s; the last lines of $log:)"
    tail -n 15 "$log" | sed 's/^/     /'
  fi
}
# One algorithm, ES256 (it has the logging pair too): RS256 runs the same lines of the script. Then on PostgreSQL, for
# its replay store and databases; the logging pair, which reads no provider, only once.
bench_run '^ES256 default logging .* alternating rounds' env ALGORITHMS=ES256 WARMUP=1 SIGNING_SECONDS=1 LOGGING_ROUNDS=2 bench/token-endpoint.sh 1
bench_run '^ES256 tokens, ES256 assertion' env PROVIDER=PostgreSql ALGORITHMS=ES256 WARMUP=1 SIGNING_SECONDS=1 LOGGING_ROUNDS=0 bench/token-endpoint.sh 1
bench_run '^DPoP tokens/s .* ratio' env WARMUP=1 VERIFY_SECONDS=1 bench/dpop.sh 1
bench_run '^RESULT fresh' bench/cold-start.sh 1
bench_run '^RESULT with .* applications in the client cache' env MINUTES=1 STEP_SECONDS=1 SETTLE_SECONDS=1 CLIENTS=100 bench/memory.sh
bench_run '^legitimate p50/p99' env WARMUP=1 bench/unauthenticated-load.sh 1
bench_run '^worst p95' env APPLICATIONS=30 REQUESTS=3 bench/pages.sh
bench_run '^target: steady-state pass' bench/reminders.sh 2000
bench_run '"lost": 0,' bench/outbox-crash.sh 30
bench_run '"broken": \[\]' env BEFORE=4 GAP=1 AFTER=6 RECHECK=2 bench/failover.sh
bench_run '"within_a_second": ' bench/propagation.sh 2
bench_run '"broken": \[\]' env KILL_EVERY=2 bench/crash.sh 15
bench_run '^RESULT soak .*broken: none' env MINUTE=3 WARMUP=1 bench/soak.sh 0.1
# A script added to bench/ without a run here would rot unnoticed.
for script in bench/*.sh; do
  grep -q "^bench_run .* $script" "$root/test.sh" || { echo "   $script: not run here; add it to this section"; bench_failed=$((bench_failed + 1)); }
done

[ "$failed" -eq 0 ] && [ "$bench_failed" -eq 0 ] || status=1
echo
echo "Tests: $passed passed, $failed failed, $skipped skipped"
echo "Benchmark scripts: $bench_ran ran, $bench_failed failed ($(( $(date +%s) - bench_started )) s)"
exit $status
