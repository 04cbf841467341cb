"""A partner's system written with authlib (Debian's python3-authlib): discovery, then one client_credentials grant
with the chosen client authentication and authlib's defaults (PrivateKeyJWT: RS256, aud = the token endpoint, an
assertion that lives 3,600 s). Prints {"token_type", "access_token"} as one JSON line.

Environment: ISSUER, CLIENT_ID, AUTH (client_secret_basic | client_secret_post | private_key_jwt), CLIENT_SECRET or
PRIVATE_KEY_PEM, SCOPE. HTTPS is trusted through REQUESTS_CA_BUNDLE."""
import json
import os

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT

env = os.environ
metadata = requests.get(env["ISSUER"] + "/.well-known/openid-configuration", timeout=30).json()
token_endpoint = metadata["token_endpoint"]
if env["AUTH"] == "private_key_jwt":
    session = OAuth2Session(env["CLIENT_ID"], env["PRIVATE_KEY_PEM"], token_endpoint_auth_method=PrivateKeyJWT(token_endpoint), scope=env["SCOPE"])
else:
    session = OAuth2Session(env["CLIENT_ID"], env["CLIENT_SECRET"], token_endpoint_auth_method=env["AUTH"], scope=env["SCOPE"])
token = session.fetch_token(token_endpoint, grant_type="client_credentials")
print(json.dumps({"token_type": token["token_type"], "access_token": token["access_token"]}))
