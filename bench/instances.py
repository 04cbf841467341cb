"""What the multi-instance scripts of bench/ share (stdlib only): throw-away PostgreSQL clusters, product instances
started as shipped (Release, Production) on one database, HTTP calls that never raise, and the demo credentials an
instance started with --seed-demo prints. Imported by failover.py, propagation.py, crash.py and soak.py."""
import base64, json, os, signal, socket, subprocess, sys, time, urllib.error, urllib.request

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

    def demo_credential(self, application):
        """(client_id, client_secret) of a demo application, from the log of an instance started with --seed-demo."""
        line = next(l for l in open(self.log) if f"demo credential: application={application} " in l)
        return line.split("client_id=")[1].split()[0], line.split("client_secret=")[1].split()[0]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None
