"""Driver of bench/outbox-crash.sh (stdlib only): a tiny SMTP sink, three app instances on one PostgreSQL database,
N due reminders, one instance killed with SIGKILL again and again; then duplicates and losses per (secret, slot)."""
import argparse, atexit, email, email.policy, json, os, random, re, signal, socket, socketserver, subprocess, sys, threading, time
import urllib.request

SUBJECT = re.compile(r'Client secret "(bench-\d+)" of .* (?:expires (?:in (\d+) days?|today)|has expired)')


class Sink(socketserver.ThreadingTCPServer):
    """Records a message the moment it answers 250 to the end of DATA, like a real MTA taking responsibility."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay):
        self.delay, self.lock, self.messages = delay, threading.Lock(), []
        super().__init__(("127.0.0.1", 0), SmtpHandler)


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        try:
            self.reply("220 sink")
            while line := self.rfile.readline():
                verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                if verb == "EHLO":
                    self.reply("250-sink"); self.reply("250 8BITMIME")
                elif verb == "DATA":
                    self.reply("354 go ahead")
                    data = []
                    while (part := self.rfile.readline()) not in (b".\r\n", b""):
                        data.append(part[1:] if part.startswith(b"..") else part)
                    time.sleep(self.server.delay)  # the server's work before it accepts: the window a kill can hit
                    message = email.message_from_bytes(b"".join(data), policy=email.policy.default)
                    with self.server.lock:
                        self.server.messages.append((str(message["Subject"]), str(message["Message-ID"])))
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye"); return
                else:
                    self.reply("250 ok")
        except (ConnectionError, OSError):
            pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(args, sql):
    return subprocess.run(["psql", args.psql, "-At", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


class Instance:
    def __init__(self, number, args, smtp_port):
        self.number, self.args, self.port, self.process = number, args, free_port(), None
        self.env = dict(os.environ,
            Urls=f"http://127.0.0.1:{self.port}", Database__Provider="PostgreSql",
            ConnectionStrings__CredentialPortal=args.connection, Database__DataDirectory=f"{args.work}/instance{number}",
            TokenService__Issuer="http://127.0.0.1", Bootstrap__AdminEmail="admin@bench.example",
            Bootstrap__AdminPassword="bench admin password 4 outbox",
            Email__Smtp__Host="127.0.0.1", Email__Smtp__Port=str(smtp_port), Email__Smtp__Security="None",
            Email__Smtp__TimeoutMilliseconds="5000", Email__Outbox__ClaimLease="00:00:10", Email__Outbox__PollInterval="00:00:01",
            Reminders__Interval="00:00:05", DataProtection__AllowUnprotectedKeys="true", Portal__BaseUrl=f"http://127.0.0.1:{self.port}", DOTNET_USE_POLLING_FILE_WATCHER="true", DOTNET_hostBuilder__reloadConfigOnChange="false")

    def start(self):
        log = open(f"{self.args.work}/instance{self.number}.log", "ab")
        self.process = subprocess.Popen(["dotnet", self.args.dll], cwd=os.path.dirname(self.args.dll), env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds=120):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz/ready", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        sys.exit(f"instance {self.number} did not become ready ({'exited' if self.process.poll() is not None else 'timed out'}); "
                 f"see {self.args.work}/instance{self.number}.log")

    def kill(self):
        self.process.send_signal(signal.SIGKILL); self.process.wait()

    def stop(self):
        self.process.send_signal(signal.SIGTERM); self.process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    for name in ("dll", "seed_dll", "connection", "psql", "work"):
        parser.add_argument("--" + name.replace("_", "-"), required=True)
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--kill-every", type=float, default=1.5, help="seconds between kills (randomised ±50 %)")
    parser.add_argument("--accept-delay", type=float, default=0.01, help="sink's delay before accepting a message")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    random.seed(13)

    sink = Sink(args.accept_delay)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    instances = [Instance(n, args, sink.server_address[1]) for n in (1, 2, 3)]
    # No instance outlives the run, also when it ends early (an instance that does not become ready).
    atexit.register(lambda: [i.process.kill() for i in instances if i.process and i.process.poll() is None])
    instances[0].start(); instances[0].wait_ready()  # the first one migrates the empty database
    for instance in instances[1:]:
        instance.start()
    for instance in instances[1:]:
        instance.wait_ready()

    subprocess.run(["dotnet", args.seed_dll, "seed-reminders", "PostgreSql", args.connection, str(args.reminders)], check=True)
    started, kills, victim = time.time(), 0, instances[0]
    pending = "select count(*) from \"OutboxMessages\" where \"Status\" = 0"
    queued = "select count(*) from \"OutboxMessages\" where \"EmailKind\" = 4"
    while time.time() - started < args.timeout:
        time.sleep(args.kill_every * random.uniform(0.5, 1.5))
        if int(psql(args, queued)) >= args.reminders and int(psql(args, pending)) == 0:
            break
        victim.kill(); kills += 1
        victim.start()  # the same instance comes back, as under a supervisor; its leases wait out the 10 s
    drained = time.time() - started
    for instance in instances:
        instance.wait_ready(); instance.stop()

    delivered = {}
    for subject, message_id in sink.messages:
        if match := SUBJECT.search(subject):
            slot = f"{match.group(2)}d" if match.group(2) else ("0d" if "today" in subject else "expired")
            delivered.setdefault((match.group(1), slot), []).append(message_id)
    expected = {(f"bench-{i:05d}", "7d") for i in range(args.reminders)}
    duplicates = {key: ids for key, ids in delivered.items() if len(ids) > 1}
    result = {
        "reminders_due": len(expected),
        "instances": 3,
        "sigkills": kills,
        "seconds_until_drained": round(drained, 1),
        "messages_accepted_by_smtp": sum(len(ids) for ids in delivered.values()),
        "distinct_reminders_delivered": len(expected & delivered.keys()),
        "lost": len(expected - delivered.keys()),
        "duplicated_reminders": len(duplicates),
        "extra_copies": sum(len(ids) - 1 for ids in duplicates.values()),
        "duplicates_with_same_message_id": sum(1 for ids in duplicates.values() if len(set(ids)) == 1),
        "unexpected": len(delivered.keys() - expected),
        "outbox_status_counts": psql(args, "select string_agg(\"Status\" || ':' || n, ' ') from (select \"Status\", count(*) n from \"OutboxMessages\" where \"EmailKind\" = 4 group by 1 order by 1) s"),
    }
    print(json.dumps(result, indent=2))
    return 0 if result["lost"] == 0 and result["duplicates_with_same_message_id"] == result["duplicated_reminders"] else 1


if __name__ == "__main__":
    sys.exit(main())
