#!/usr/bin/env bash
# Database failover (issue 31, item 1; docs/operations.md, Failover): a PostgreSQL primary and a streaming-replication
# standby started by this script, two product instances on `Host=primary,standby;Target Session Attributes=primary`,
# each under token, management-API-write and readiness load; after BEFORE seconds the primary stops (immediate
# shutdown), GAP seconds later the standby is promoted, and the load goes on for AFTER seconds. Then the outbox drains.
# Prints one JSON object: per instance the token requests and failures, writes, how long after the promotion writes
# resumed and readiness recovered; secrets created vs found in the promoted database; emails queued, written, twice.
# Exit 1 when a cached client's token failed, writes took over 10 s to resume, readiness missed the outage or the
# recovery, a committed change was lost, or an email was lost or sent twice.
# Needs PostgreSQL 15 (server binaries, psql), /usr/bin/python3; run as root (clusters run as postgres) or as a user
# who may run initdb. SKIP_BUILD=1 runs what an earlier Release build left.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/credentialportal-failover.XXXXXX)
chmod 777 "$work"
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
pgbin=/usr/lib/postgresql/15/bin
as_pg=(); [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
cleanup() {
  pkill -f "$work" 2>/dev/null || true
  for cluster in primary standby; do
    [ -d "$work/$cluster" ] && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/$cluster" -m immediate stop >/dev/null 2>&1 || true
  done
  # The instances' logs stay for a look: /tmp/credentialportal-failover-logs.
  rm -rf /tmp/credentialportal-failover-logs && mkdir -p /tmp/credentialportal-failover-logs
  cp "$work"/*.log /tmp/credentialportal-failover-logs/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
fi
/usr/bin/python3 bench/failover.py --dll "$PWD/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll" \
  --work "$work" --before "${BEFORE:-10}" --gap "${GAP:-3}" --after "${AFTER:-20}" --recheck "${RECHECK:-}"
