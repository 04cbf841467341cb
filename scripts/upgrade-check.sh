#!/usr/bin/env bash
# Upgrade check (docs/operations.md, Upgrades): does the previous release keep working on a database this checkout has
# migrated? That is what a rolling upgrade needs, since old instances serve while the new ones migrate. It
#   1. builds <previous-ref> and this checkout (Release);
#   2. starts the previous build on a new database with --seed-demo, signs in (enrolling an authenticator), reads the
#      portal's pages and gets a token with a demo secret (scripts/upgrade-check.py), and stops it;
#   3. migrates that database with this checkout's build (`migrate`);
#   4. starts the previous build again on the migrated database and repeats the sign-in, the page reads and the token;
#   5. does the same with this checkout's build.
# Usage: scripts/upgrade-check.sh <previous-ref>   (e.g. the last released commit)
#   PROVIDER=postgresql runs it on a new database of the server CREDENTIALPORTAL_TEST_POSTGRES names (an Npgsql
#   connection string with Host, Port and Username); the default is SQLite. SKIP_BUILD=1 uses this checkout's last
#   Release build.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
cd "$(dirname "$0")/.."
root=$(pwd)
previous_ref=$1
previous_commit=$(git rev-parse --short "$previous_ref^{commit}")
current_commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo "+changes")
provider=${PROVIDER:-sqlite}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d /tmp/credentialportal-upgrade.XXXXXX)
app_pid=""
pg_database=""
stop_app() { if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; app_pid=""; fi; }
pg_field() { echo "$CREDENTIALPORTAL_TEST_POSTGRES" | tr ';' '\n' | sed -nE "s/^ *$1 *= *//Ip" | head -1; }
cleanup() {
  stop_app
  if [ -n "$pg_database" ]; then
    PGPASSWORD=$(pg_field Password) psql -q -h "$(pg_field Host)" -p "$(pg_field Port)" -U "$(pg_field Username)" -d postgres \
      -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

case "$provider" in
  sqlite) database=(--Database:DataDirectory="$work/data") ;;
  postgresql)
    [ -n "${CREDENTIALPORTAL_TEST_POSTGRES:-}" ] || { echo "PROVIDER=postgresql needs CREDENTIALPORTAL_TEST_POSTGRES" >&2; exit 64; }
    pg_database="upgrade_check_$$"
    database=(--Database:Provider=PostgreSql "--ConnectionStrings:CredentialPortal=$CREDENTIALPORTAL_TEST_POSTGRES;Database=$pg_database") ;;
  *) echo "PROVIDER must be sqlite or postgresql" >&2; exit 64 ;;
esac

echo "== build $previous_ref ($previous_commit) and this checkout ($current_commit)"
mkdir -p "$work/previous" "$work/data"
git archive "$previous_commit" | tar -x -C "$work/previous"
dotnet build "$work/previous/src/CredentialPortal.Web" -c Release -nologo -v quiet >/dev/null
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
fi
previous_app="$work/previous/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll"
current_app="$root/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll"

admin_email=admin@upgrade.example
admin_password=$(head -c 18 /dev/urandom | base64 | tr -d '+/=')
port=$(free_port)
url="http://127.0.0.1:$port"
settings=("${database[@]}" --urls "$url" --Bootstrap:AdminEmail="$admin_email" --Bootstrap:AdminPassword="$admin_password"
  --TokenService:Issuer="$url" --Portal:BaseUrl="$url" --DataProtection:AllowUnprotectedKeys=true)

# start <label> <app dll> [arguments...]: starts it in Production and waits until it reports ready.
start() {
  local label=$1 app=$2
  shift 2
  ASPNETCORE_ENVIRONMENT=Production dotnet "$app" "${settings[@]}" "$@" > "$work/$label.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 600); do
    curl -fs "$url/healthz/ready" >/dev/null 2>&1 && return 0
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAILED: $label did not become ready" >&2
  tail -30 "$work/$label.log" >&2
  exit 1
}

check() {
  /usr/bin/python3 scripts/upgrade-check.py "$url" "$work/state.json" "$admin_email" "$admin_password" "$client_id" "$client_secret" | sed 's/^/   /'
  [ "${PIPESTATUS[0]}" = 0 ] || { tail -30 "$work/$1.log" >&2; exit 1; }
}

echo "== $previous_commit on a new $provider database (--seed-demo)"
start previous-fresh "$previous_app" --seed-demo
line=""
for _ in $(seq 1 300); do
  line=$(grep -m1 "demo credential: application=Partner-NL" "$work/previous-fresh.log" 2>/dev/null) && break
  sleep 0.1
done
[ -n "$line" ] || { echo "FAILED: no demo credential printed" >&2; tail -30 "$work/previous-fresh.log" >&2; exit 1; }
client_id=$(echo "$line" | sed -E 's/.*client_id=([^ ]+).*/\1/')
client_secret=$(echo "$line" | sed -E 's/.*client_secret=([^ ]+).*/\1/')
check previous-fresh
stop_app

echo "== migrate it with $current_commit"
ASPNETCORE_ENVIRONMENT=Production dotnet "$current_app" migrate "${settings[@]}" > "$work/migrate.log" 2>&1 \
  || { tail -30 "$work/migrate.log" >&2; exit 1; }
applied=$(grep -oE 'Applying migrations \[[^]]*\]' "$work/migrate.log" | sed -E 's/Applying migrations \[(.*)\]/\1/' || true)
echo "   applied: ${applied:-nothing (no migration since $previous_commit)}"

echo "== $previous_commit again, on the migrated database"
start previous-migrated "$previous_app"
check previous-migrated
stop_app

echo "== $current_commit on the migrated database"
start current "$current_app"
check current
stop_app

echo "RESULT upgrade check $previous_commit -> $current_commit on $provider: the previous release works on the migrated database"
