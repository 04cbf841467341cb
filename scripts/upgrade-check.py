#!/usr/bin/python3
"""What a running release does on a database, as a person and a partner system would (scripts/upgrade-check.sh).

Signs in as the first administrator (enrolling the authenticator on the first run and keeping its key in STATE),
reads the administrator's and the credential manager's pages, gets a token with CLIENT_ID/CLIENT_SECRET and calls
/connectivity with it. Prints one line per check; exits 1 on the first failure.

usage: upgrade-check.py BASE_URL STATE ADMIN_EMAIL ADMIN_PASSWORD CLIENT_ID CLIENT_SECRET
"""
import json, os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from instances import PortalSession, call, token as request_token  # noqa: E402 (the shared bench helpers)

base, state_path, email, password, client_id, client_secret = sys.argv[1:7]


def fail(message):
    print(f"FAILED: {message}")
    sys.exit(1)


state = json.load(open(state_path)) if os.path.exists(state_path) else {}
person = PortalSession(base, state)
try:
    person.sign_in(email, password)
except RuntimeError as error:
    fail(str(error))
json.dump(state, open(state_path, "w"))
print("ok   sign-in with password and authenticator code")


def read(path):
    status, url, page = person.request(path)
    if status != 200 or "/Account/Login" in url:
        fail(f"GET {path}: {status} at {url}")
    print(f"ok   GET {path}")
    return page


for path in ["/admin", "/admin/organisations", "/admin/users", "/admin/audit", "/webhooks"]:
    read(path)
applications = read("/admin/applications")
first = re.search(r'href="/admin/applications/(\d+)"', applications)
if not first:
    fail("no application listed on /admin/applications")
read(f"/admin/applications/{first.group(1)}")
manage = read("/manage-api-credentials")
history = re.search(r'href="(/manage-api-credentials/\d+/history)"', manage)
if history:
    read(history.group(1))

status, body = request_token(base, client_id, client_secret)
if status != 200:
    fail(f"POST /connect/token: {status} {body[:300]}")
token = json.loads(body)["access_token"]
print("ok   POST /connect/token (client_credentials with a client secret)")
status, body = call(f"{base}/connectivity", headers={"Authorization": f"Bearer {token}"})
if status != 200:
    fail(f"GET /connectivity: {status} {body[:300]}")
print("ok   GET /connectivity with the token")
