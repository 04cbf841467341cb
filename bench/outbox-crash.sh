#!/usr/bin/env bash
# Crash test of the email outbox (issue 13): three instances on one PostgreSQL database, 1,000 reminders due (or the
# count given as the first argument), one instance killed with SIGKILL every ~1.5 s and restarted until the outbox is
# drained; then duplicates and losses per (secret, slot), counted from what a small SMTP sink accepted.
# Needs the .NET SDK, PostgreSQL 15 (server binaries, psql) and /usr/bin/python3 (stdlib only). The database is a
# throw-away cluster this script starts (run as root, the cluster runs as the postgres user, or as a user who may run
# initdb), or, with CREDENTIALPORTAL_BENCH_POSTGRES set to a server connection string, that server's database
# "credentialportal_outbox_crash", which is replaced. SKIP_BUILD=1 runs what an earlier Release build left.
# Prints one JSON object; exit 1 if a reminder was lost.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
pgbin=/usr/lib/postgresql/15/bin
work="$(mktemp -d /tmp/outbox-crash.XXXXXX)"
if [ -n "${CREDENTIALPORTAL_BENCH_POSTGRES:-}" ]; then
  server=$CREDENTIALPORTAL_BENCH_POSTGRES
  setting() { echo "$server" | tr ';' '\n' | sed -nE "s/^ *($1) *= *//Ip" | tail -n 1; }
  port=$(setting Port)
  server_url="postgresql://$(setting 'Username|User ID|User')@$(setting 'Host|Server'):${port:-5432}"
  psql "$server_url/postgres" -qc 'DROP DATABASE IF EXISTS credentialportal_outbox_crash WITH (FORCE)' >/dev/null
  psql "$server_url/postgres" -qc 'CREATE DATABASE credentialportal_outbox_crash' >/dev/null
  connection="$(echo "$server" | sed -E 's/(^|;)Database=[^;]*//I');Database=credentialportal_outbox_crash"
  psql_url="$server_url/credentialportal_outbox_crash"
else
  port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_pg=(); [ "$(id -u)" -eq 0 ] && { chown postgres "$work"; as_pg=(runuser -u postgres --); }
  "${as_pg[@]}" "$pgbin/initdb" -D "$work/data" -A trust -U postgres --no-sync >/dev/null
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  trap '"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
  "${as_pg[@]}" "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres bench
  connection="Host=127.0.0.1;Port=$port;Username=postgres;Database=bench"
  psql_url="postgresql://postgres@127.0.0.1:$port/bench"
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet build src/CredentialPortal.Web -c Release -nologo -v quiet >/dev/null
  dotnet build bench/CredentialPortal.Benchmarks.Reminders -c Release -nologo -v quiet >/dev/null
fi
chmod 777 "$work"
/usr/bin/python3 bench/outbox-crash.py --reminders "$count" --work "$work" \
  --dll "$PWD/src/CredentialPortal.Web/bin/Release/net10.0/CredentialPortal.Web.dll" \
  --seed-dll "$PWD/bench/CredentialPortal.Benchmarks.Reminders/bin/Release/net10.0/CredentialPortal.Benchmarks.Reminders.dll" \
  --connection "$connection" \
  --psql "$psql_url"
