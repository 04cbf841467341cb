#!/usr/bin/env bash
# Change propagation (issue 31, item 5; docs/rules.md "within a second on every instance"): three instances started
# together on one PostgreSQL database started by this script, each under a little token load; CYCLES times, a secret is
# created, disabled, enabled and deleted through instance 1's management API while instances 2 and 3 are watched until
# they show the change. Prints the median, 90th percentile and maximum per change as one JSON object, with
# "within_a_second" for the slowest; exits 1 when a change did not show within 10 s or the background load saw a failure.
# Usage: bench/propagation.sh [cycles, default 20]; POLL (seconds between a watcher's attempts, default 0.01);
# SKIP_BUILD=1 runs what an earlier Release build left. Needs PostgreSQL 15 server binaries and psql; run as root
# (the cluster runs as postgres) or as a user who may run initdb.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/credentialportal-propagation.XXXXXX)
chmod 777 "$work"
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
cleanup() {
  pkill -f "$work" 2>/dev/null || true
  [ -d "$work/postgres" ] && { [ "$(id -u)" -eq 0 ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/postgres" -m immediate stop >/dev/null 2>&1 || /usr/lib/postgresql/15/bin/pg_ctl -D "$work/postgres" -m immediate stop >/dev/null 2>&1 || true; }
  rm -rf /tmp/credentialportal-propagation-logs && mkdir -p /tmp/credentialportal-propagation-logs
  cp "$work"/*.log /tmp/credentialportal-propagation-logs/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
fi
/usr/bin/python3 bench/propagation.py --dll "$PWD/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll" \
  --work "$work" --cycles "${1:-20}" --poll "${POLL:-0.01}"
