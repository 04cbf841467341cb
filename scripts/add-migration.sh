#!/usr/bin/env bash
# Adds one EF Core migration, with the same name, to every provider's migrations project:
#   scripts/add-migration.sh AddKeyCredentials
# Each project carries a design-time factory that builds the context for its provider, so no database is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 MigrationName" >&2; exit 64; }
dotnet tool restore >/dev/null
for provider in Sqlite PostgreSql SqlServer; do
  project="src/CredentialPortal.Migrations.$provider"
  echo "== $provider"
  dotnet restore "$project" -v quiet >/dev/null
  dotnet ef migrations add "$1" --project "$project" --startup-project "$project" --output-dir Migrations
done
# A migration means the model changed: the compiled models the app loads must follow.
scripts/compile-models.sh
