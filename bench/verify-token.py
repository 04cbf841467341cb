#!/usr/bin/python3
"""Verifies an access token against a JWKS document independently of .NET (Debian's python3-cryptography).
Usage: verify-token.py <token> <jwks.json>; prints the header and claims, exits 1 if the signature does not verify."""
import base64
import json
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(value):
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def number(value):
    return int.from_bytes(b64(value), "big")


token, jwks_path = sys.argv[1], sys.argv[2]
header_part, payload_part, signature_part = token.split(".")
header = json.loads(b64(header_part))
claims = json.loads(b64(payload_part))
key = next(k for k in json.load(open(jwks_path))["keys"] if k["kid"] == header["kid"])
assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys(), "JWKS holds private members"
signed = f"{header_part}.{payload_part}".encode()
signature = b64(signature_part)
if header["alg"] == "RS256":
    public = rsa.RSAPublicNumbers(number(key["e"]), number(key["n"])).public_key()
    public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
else:
    public = ec.EllipticCurvePublicNumbers(number(key["x"]), number(key["y"]), ec.SECP256R1()).public_key()
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, signed, ec.ECDSA(hashes.SHA256()))
assert header["typ"] == "at+jwt" and claims["exp"] - claims["iat"] > 0
print("signature verifies against the published JWKS:", json.dumps(header), json.dumps(claims))
