#!/usr/bin/env bash
# Rewrites the InitialSchema.sql scripts of both providers from the EF model.
# Only while the initial schema is unreleased: after a release, add a new SqlScriptMigration per provider with
# the ALTER statements instead (the schema-script command shows the target schema; MigrationSchemaTests checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/CredentialPortal.Web -v quiet -nologo
web=(dotnet run --no-build --no-launch-profile --project src/CredentialPortal.Web -- schema-script)
"${web[@]}" > src/CredentialPortal.Migrations.Sqlite/Migrations/InitialSchema.sql
"${web[@]}" --Database:Provider=PostgreSql "--ConnectionStrings:CredentialPortal=Host=localhost;Database=schema" \
  > src/CredentialPortal.Migrations.PostgreSql/Migrations/InitialSchema.sql
echo "InitialSchema.sql regenerated for SQLite and PostgreSQL."
