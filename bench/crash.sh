#!/usr/bin/env bash
# Instances crashing under load (issue 31, item 6): three instances on one PostgreSQL database started by this script,
# under token and management-API load; every KILL_EVERY seconds (default 5) one of them in turn is killed with SIGKILL
# and started again at once, for DURATION seconds (default 120). Prints one JSON object: requests to the instances that
# were up and their failures, restart-to-ready times, error lines a restarted instance logged, emails queued vs written.
# Exits 1 when a request to an instance that was up failed, a restarted instance logged an error, or an email was lost
# or sent twice more often than once per kill (docs/operations.md, Email delivery).
# Usage: bench/crash.sh [duration in seconds]; KILL_EVERY; SKIP_BUILD=1 runs what an earlier Release build left.
# Needs PostgreSQL 15 server binaries and psql; run as root (the cluster runs as postgres) or as a user who may run initdb.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/credentialportal-crash.XXXXXX)
chmod 777 "$work"
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
cleanup() {
  pkill -f "$work" 2>/dev/null || true
  [ -d "$work/postgres" ] && { [ "$(id -u)" -eq 0 ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/postgres" -m immediate stop >/dev/null 2>&1 || /usr/lib/postgresql/15/bin/pg_ctl -D "$work/postgres" -m immediate stop >/dev/null 2>&1 || true; }
  rm -rf /tmp/credentialportal-crash-logs && mkdir -p /tmp/credentialportal-crash-logs
  cp "$work"/*.log /tmp/credentialportal-crash-logs/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
fi
/usr/bin/python3 bench/crash.py --dll "$PWD/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll" \
  --work "$work" --duration "${1:-120}" --kill-every "${KILL_EVERY:-5}"
