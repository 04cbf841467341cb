#!/usr/bin/env bash
# Days of running, compressed (issue 31, item 4): one instance as shipped (Release, Production, the embedded SQLite
# database; only the per-client rate limit is off, so that one client can carry the load), its maximum token rate
# measured, then MINUTES (default 30) of tokens at half that rate beside portal and management-API traffic. Prints a line
# a minute (tokens/s, p99, errors, resident memory) and a RESULT line; exits 1 when a request failed, resident memory
# moved more than 10 % after the first WARMUP minutes (default 5), or a minute's p99 exceeded three times the median's.
# Usage: bench/soak.sh [minutes]; MINUTE (seconds per sample, default 60); SKIP_BUILD=1 runs what an earlier Release
# build left. Needs wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d /tmp/credentialportal-soak.XXXXXX)
trap 'pkill -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
fi
/usr/bin/python3 bench/soak.py --dll "$PWD/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll" \
  --work "$work" --minutes "${1:-30}" --minute "${MINUTE:-60}" --warmup "${WARMUP:-5}"
