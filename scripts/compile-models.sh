#!/usr/bin/env bash
# Regenerates each provider's compiled EF Core model (src/CredentialPortal.Migrations.<provider>/CompiledModel), which
# the app loads at start instead of building the model from CredentialPortalDbContext's code. Run it whenever the model
# changes (scripts/add-migration.sh runs it after adding a migration):
#   scripts/compile-models.sh           builds, then regenerates the three models in place
#   scripts/compile-models.sh --check   generates them from the Release build into a temporary folder and fails if a
#                                       committed one differs (test.sh runs this after its build)
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = --check ] && check=true
dotnet tool restore >/dev/null
options=()
$check && options=(--no-build --configuration Release)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for provider in Sqlite PostgreSql SqlServer; do
  project="src/CredentialPortal.Migrations.$provider"
  generated="$scratch/$provider"
  if ! out=$(dotnet ef dbcontext optimize "${options[@]}" --project "$project" --startup-project "$project" \
      --output-dir "$generated" --namespace "CredentialPortal.Migrations.$provider.CompiledModel" 2>&1); then
    echo "$out"
    exit 1
  fi
  if $check; then
    # Each generation draws a new model id; nothing else may differ.
    if diff -r -q -I 'modelId: new Guid' "$project/CompiledModel" "$generated" >/dev/null; then
      echo "   $provider: the compiled model is current"
    else
      diff -r -I 'modelId: new Guid' "$project/CompiledModel" "$generated" | head -n 20
      echo "   $provider: the compiled model is out of date; run scripts/compile-models.sh"
      status=1
    fi
  else
    rm -rf "$project/CompiledModel"
    cp -r "$generated" "$project/CompiledModel"
    echo "   $provider: $project/CompiledModel regenerated"
  fi
done
exit $status
