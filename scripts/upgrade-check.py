#!/usr/bin/python3
"""What a running release does on a database, as a person and a partner system would (scripts/upgrade-check.sh).

Signs in as the first administrator (enrolling the authenticator on the first run and keeping its key in STATE),
reads the administrator's and the credential manager's pages, gets a token with CLIENT_ID/CLIENT_SECRET and calls
/connectivity with it. Prints one line per check; exits 1 on the first failure.

usage: upgrade-check.py BASE_URL STATE ADMIN_EMAIL ADMIN_PASSWORD CLIENT_ID CLIENT_SECRET
"""
import base64, hashlib, hmac, html, http.cookiejar, json, os, re, struct, sys, time, urllib.error, urllib.parse, urllib.request

base, state_path, email, password, client_id, client_secret = sys.argv[1:7]


class LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Sends Secure cookies (the session cookie is __Host-) to the loopback server over http, as browsers do for localhost."""

    def return_ok_secure(self, cookie, request):
        return True


jar = http.cookiejar.CookieJar(LoopbackCookies())
browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def fail(message):
    print(f"FAILED: {message}")
    sys.exit(1)


def request(path, data=None, headers=None, opener=browser):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(base + path, data=body, headers=headers or {})
    try:
        with opener.open(req, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.geturl(), error.read().decode(errors="replace")


def form_post(page_url, page, fields):
    token = re.search(r'name="__RequestVerificationToken"[^>]*value="([^"]+)"', page)
    if not token:
        fail(f"no form on {page_url}")
    path = urllib.parse.urlparse(page_url)
    return request(path.path + (f"?{path.query}" if path.query else ""), {**fields, "__RequestVerificationToken": html.unescape(token.group(1))})


def totp(key, state):
    """RFC 6238 code for a 30-second step the portal has not seen yet (it refuses a code used twice)."""
    while int(time.time()) // 30 <= state.get("last_step", -1):
        time.sleep(1)
    step = int(time.time()) // 30
    state["last_step"] = step
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


state = json.load(open(state_path)) if os.path.exists(state_path) else {}
status, url, page = request("/Account/Login")
status, url, page = form_post(url, page, {"Input.Email": email, "Input.Password": password})
if "/Account/Enrol" in url:
    key = re.search(r'id="authenticator-key"[^>]*>([^<]+)<', page)
    if not key:
        fail("enrolment page without a key")
    state["key"] = key.group(1).replace(" ", "").upper()
    status, url, page = form_post(url, page, {"Code": totp(state["key"], state)})
    if 'id="recovery-codes"' not in page:
        fail(f"enrolment refused: {url}")
elif "/Account/LoginWithCode" in url:
    status, url, page = form_post(url, page, {"Code": totp(state["key"], state)})
else:
    fail(f"password step ended on {url} ({status})")
json.dump(state, open(state_path, "w"))
print("ok   sign-in with password and authenticator code")


def read(path):
    status, url, page = request(path)
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

machine = urllib.request.build_opener()
basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
status, _, body = request("/connect/token", {"grant_type": "client_credentials"}, {"Authorization": f"Basic {basic}"}, machine)
if status != 200:
    fail(f"POST /connect/token: {status} {body[:300]}")
token = json.loads(body)["access_token"]
print("ok   POST /connect/token (client_credentials with a client secret)")
status, _, body = request("/connectivity", headers={"Authorization": f"Bearer {token}"}, opener=machine)
if status != 200:
    fail(f"GET /connectivity: {status} {body[:300]}")
print("ok   GET /connectivity with the token")
