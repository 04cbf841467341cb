#!/usr/bin/env bash
# Times the reminder pass's due-window query over a fresh SQLite database of 1,000,000 secrets (or the count given
# as the first argument) and prints the figures. Target (docs/development.md, Benchmarks): the query part <= 5 s, constant memory.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/CredentialPortal.Benchmarks.Reminders -- "$@"
