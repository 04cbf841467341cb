#!/usr/bin/env bash
# Makes a self-signed certificate that encrypts the Data Protection key ring at rest, as a PFX:
#   scripts/make-dataprotection-cert.sh [out.pfx]        (password from $PFX_PASSWORD, or generated and printed)
# Keep the PFX and its password out of the database backup: together they unlock the key ring.
set -euo pipefail
out=${1:-secrets/dataprotection.pfx}
password=${PFX_PASSWORD:-$(openssl rand -base64 24)}
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes -subj "/CN=CredentialPortal Data Protection" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -out "$out" -passout "pass:$password"
# Readable by the container's non-root user (uid 1654, "app"); the directory is mounted read-only.
chmod 644 "$out"
echo "wrote $out"
[ -n "${PFX_PASSWORD:-}" ] || echo "password: $password   (set DATAPROTECTION_CERT_PASSWORD to it for docker compose)"
