#!/usr/bin/env bash
# Times the reminder pass over a fresh SQLite database of 1,000,000 secrets (or the count given as the first argument)
# and prints the figures: the first pass (every credential looked at once, as after the upgrade that added
# NextReminderAt) and the steady-state pass. Target (docs/development.md, Benchmarks): steady-state pass <= 0.5 s,
# constant memory. SKIP_BUILD=1 runs what an earlier Release build left (test.sh's smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ "${SKIP_BUILD:-0}" = 1 ] || dotnet build bench/CredentialPortal.Benchmarks.Reminders -c Release -nologo -v quiet >/dev/null
dotnet bench/CredentialPortal.Benchmarks.Reminders/bin/Release/net10.0/CredentialPortal.Benchmarks.Reminders.dll "$@"
