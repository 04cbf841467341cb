"""What the multi-instance scripts of bench/ share (stdlib only): throw-away PostgreSQL clusters, product instances
started as shipped (Release, Production) on one database, HTTP calls that never raise, and the demo credentials an
instance started with --seed-demo prints, and a person's signed-in portal session. Imported by failover.py,
propagation.py, crash.py, soak.py and scripts/upgrade-check.py."""
import base64, hashlib, hmac, html, http.cookiejar, json, os, re, signal, socket, struct, subprocess, sys, time
import urllib.error, urllib.parse, urllib.request

PGBIN = "/usr/lib/postgresql/15/bin"
AS_PG = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, data=None, headers=None, method=None, timeout=10):
    """(status, body); status 0 when no HTTP answer came (refused, reset, timed out)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return 0, str(error).encode()


def token(base_url, client_id, secret, scope=None):
    """A client_credentials request with client_secret_basic, as most partner libraries send it."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    body = "grant_type=client_credentials" + (f"&scope={scope}" if scope else "")
    return call(f"{base_url}/connect/token", body.encode(),
                {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"})


def access_token(base_url, client_id, secret, scope=None):
    status, body = token(base_url, client_id, secret, scope)
    if status != 200:
        sys.exit(f"no token for {client_id} at {base_url}: {status} {body[:300]!r}")
    return json.loads(body)["access_token"]


class Cluster:
    """A PostgreSQL cluster in WORK/NAME on a free loopback port, for the script's life only."""

    def __init__(self, work, name):
        self.work, self.name, self.port = work, name, free_port()
        self.data = f"{work}/{name}"

    def options(self):
        return f"-p {self.port} -k {self.work} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"

    def init(self):
        pg(f"{PGBIN}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self):
        pg(f"{PGBIN}/pg_ctl", "-D", self.data, "-l", f"{self.data}.log", "-w", "-o", self.options(), "start")
        return self

    def stop(self, mode="fast"):
        pg(f"{PGBIN}/pg_ctl", "-D", self.data, "-m", mode, "stop")

    def psql(self, sql, database="credentialportal"):
        return subprocess.run(["psql", f"postgresql://postgres@127.0.0.1:{self.port}/{database}", "-At", "-c", sql],
                              check=True, capture_output=True, text=True).stdout.strip()

    def connection_string(self):
        return f"Host=127.0.0.1;Port={self.port};Username=postgres;Database=credentialportal"


def pg(*command):
    subprocess.run(AS_PG + list(command), check=True, capture_output=True)


class Instance:
    """One product process, started as a user starts it (Production, default settings) plus SETTINGS (environment
    variables, e.g. Database__Provider). Its log is WORK/instanceN.log, its data directory WORK/instanceN."""

    def __init__(self, number, dll, work, settings):
        self.number, self.dll, self.port, self.process = number, dll, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = f"{work}/instance{number}"
        self.log = f"{self.data}.log"
        os.makedirs(self.data, exist_ok=True)
        self.env = dict(os.environ, ASPNETCORE_ENVIRONMENT="Production", Urls=self.url, Database__DataDirectory=self.data,
                        TokenService__Issuer="http://127.0.0.1", Portal__BaseUrl=self.url,
                        Bootstrap__AdminEmail="admin@bench.example", DataProtection__AllowUnprotectedKeys="true",
                        **settings)

    def launch(self, *extra):
        """Starts the process without waiting for it."""
        log = open(self.log, "ab")
        self.process = subprocess.Popen(["dotnet", self.dll, *extra], cwd=os.path.dirname(self.dll), env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, seconds=120):
        deadline = time.time() + seconds
        while time.time() < deadline and self.process.poll() is None:
            if call(f"{self.url}/healthz/ready", timeout=2)[0] == 200:
                return self
            time.sleep(0.05)
        sys.exit(f"instance {self.number} did not become ready; see {self.log}")

    def start(self, *extra):
        return self.launch(*extra).wait_ready()

    def kill(self):
        """SIGKILL, as the OOM killer or a lost machine would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self):
        """SIGTERM, as systemd or a container runtime stops it: a clean shutdown."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmRSS:")) / 1024

    def demo_manager(self):
        """(email, password) of the demo credential manager, from the log of an instance started with --seed-demo."""
        line = next(l for l in open(self.log) if "demo credential manager: email=" in l)
        return line.split("email=")[1].split()[0], line.split("password=")[1].split()[0]

    def demo_credential(self, application):
        """(client_id, client_secret) of a demo application, from the log of an instance started with --seed-demo."""
        line = next(l for l in open(self.log) if f"demo credential: application={application} " in l)
        return line.split("client_id=")[1].split()[0], line.split("client_secret=")[1].split()[0]


class LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Sends Secure cookies (the session cookie is __Host-) to the loopback server over http, as browsers do for localhost."""

    def return_ok_secure(self, cookie, request):
        return True


class PortalSession:
    """A person in the portal: cookies, forms with their antiforgery token, and sign-in with password and authenticator
    code (enrolling the authenticator on the first sign-in; its key and the last code's step are kept in STATE)."""

    def __init__(self, base_url, state=None):
        self.base, self.state = base_url, state if state is not None else {}
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(LoopbackCookies())))

    def request(self, path, data=None, headers=None, timeout=30):
        """(status, final URL, page); status 0 when no HTTP answer came."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body, headers=headers or {}), timeout=timeout) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode(errors="replace")
        except OSError as error:
            return 0, self.base + path, str(error)

    def form_post(self, page_url, page, fields):
        """Posts FIELDS to the page's form, with the antiforgery token the page carries."""
        token = re.search(r'name="__RequestVerificationToken"[^>]*value="([^"]+)"', page)
        if not token:
            raise RuntimeError(f"no form on {page_url}")
        path = urllib.parse.urlparse(page_url)
        return self.request(path.path + (f"?{path.query}" if path.query else ""),
                            {**fields, "__RequestVerificationToken": html.unescape(token.group(1))})

    def sign_in(self, email, password):
        """Signs in; returns the page it ended on. Raises when a step is refused."""
        status, url, page = self.request("/Account/Login")
        status, url, page = self.form_post(url, page, {"Input.Email": email, "Input.Password": password})
        if "/Account/Enrol" in url:
            key = re.search(r'id="authenticator-key"[^>]*>([^<]+)<', page)
            if not key:
                raise RuntimeError("enrolment page without a key")
            self.state["key"] = key.group(1).replace(" ", "").upper()
            status, url, page = self.form_post(url, page, {"Code": self.totp()})
            if 'id="recovery-codes"' not in page:
                raise RuntimeError(f"enrolment refused: {url}")
        elif "/Account/LoginWithCode" in url:
            status, url, page = self.form_post(url, page, {"Code": self.totp()})
        else:
            raise RuntimeError(f"password step ended on {url} ({status})")
        return page

    def totp(self):
        """RFC 6238 code for a 30-second step the portal has not seen yet (it refuses a code used twice)."""
        while int(time.time()) // 30 <= self.state.get("last_step", -1):
            time.sleep(1)
        step = int(time.time()) // 30
        self.state["last_step"] = step
        secret = base64.b32decode(self.state["key"] + "=" * (-len(self.state["key"]) % 8))
        digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
        offset = digest[-1] & 0x0F
        return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None
