"""Driver of bench/crash.sh (stdlib only): three instances on one PostgreSQL database under token and management-API
load; every KILL_EVERY seconds one of them (in turn) is killed with SIGKILL and started again at once. Prints one JSON
object: requests to the instances that were up and how many failed, how long each restart took to be ready, error
lines a restarted instance logged, emails queued vs written (lost, sent twice). Exits 1 when a request to an instance
that was up failed, a restart did not become ready, or an email was lost or sent twice beyond the documented window
(one message per kill: written out, its "sent" mark not yet committed)."""
import argparse, email, email.policy, glob, json, sys, threading, time
from instances import Cluster, Instance, call, percentile, token

parser = argparse.ArgumentParser()
parser.add_argument("--dll", required=True)
parser.add_argument("--work", required=True)
parser.add_argument("--duration", type=float, default=120)
parser.add_argument("--kill-every", type=float, default=5)
args = parser.parse_args()

database = Cluster(args.work, "postgres").init().start()
# A short claim lease (and SMTP timeout under it), so that a message claimed by a killed instance is sent by another
# within the run (default 5 min).
settings = dict(Database__Provider="PostgreSql", ConnectionStrings__CredentialPortal=database.connection_string(),
                Email__Outbox__PollInterval="00:00:01", Email__Outbox__ClaimLease="00:00:10",
                Email__Smtp__TimeoutMilliseconds="5000")
instances = [Instance(n, args.dll, args.work, settings) for n in (1, 2, 3)]
instances[0].start("--seed-demo")
for instance in instances[1:]:
    instance.start()
load_client = instances[0].demo_credential("PartnerAlternative-NL-DemoOrg-SMC")
client_id, secret = instances[0].demo_credential("Partner-NL-DemoOrg-DM")
lock = threading.Lock()
down = set()  # numbers of the instances being killed or restarted
kills = {i.number: 0 for i in instances}
stop = threading.Event()
requests = {"tokens": 0, "writes": 0}
failures = []  # (instance, what, status) to an instance that was up before and after the request


def up_throughout(instance, attempt):
    """Runs attempt(); its answer counts only when the instance was up, and not killed meanwhile, from start to end."""
    with lock:
        kills_before = None if instance.number in down else kills[instance.number]
    result = attempt()
    with lock:
        counted = kills_before is not None and instance.number not in down and kills[instance.number] == kills_before
    return counted, result


def token_load(instance):
    while not stop.is_set():
        counted, (status, body) = up_throughout(instance, lambda: token(instance.url, *load_client))
        if counted:
            requests["tokens"] += 1
            if status != 200:
                failures.append((instance.number, "token", status, body[:200].decode(errors="replace")))
        time.sleep(0.1)  # 10 a second per instance: under the per-client rate limit


def write_load(instance, created):
    """Creates and deletes secrets of the self-rotating demo application through this instance's management API."""
    expires = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
    bearer = None
    while not stop.is_set():
        if bearer is None:
            counted, (status, body) = up_throughout(instance, lambda: token(instance.url, client_id, secret, "credentials.self"))
            bearer = {"Authorization": "Bearer " + json.loads(body)["access_token"], "Content-Type": "application/json"} if status == 200 else None
            time.sleep(0.2)
            continue
        api = f"{instance.url}/api/v1/applications/{client_id}/secrets"
        clean_up_after_kills(instance, api, bearer)
        counted, (status, body) = up_throughout(instance, lambda: call(api, json.dumps(
            {"name": f"crash {instance.number} {len(created)}", "expiresAt": expires}).encode(), bearer))
        if status == 201:
            created.append(json.loads(body)["id"])
            counted, (status, body) = up_throughout(instance, lambda: call(f"{api}/{created[-1]}", headers=bearer, method="DELETE"))
        if counted:
            requests["writes"] += 1
            # 412: another instance changed the application between this one's read and write (optimistic concurrency).
            if status not in (201, 204, 412):
                failures.append((instance.number, "write", status, body[:200].decode(errors="replace")))
        time.sleep(0.3)


def clean_up_after_kills(instance, api, bearer):
    """Deletes this writer's secrets that a kill left behind (created, but the instance died before the delete), or the
    application's credential limit would refuse the next ones. Each writer names its secrets after its instance."""
    status, body = call(api.rsplit("/", 1)[0], headers=bearer)
    if status != 200:
        return
    for leftover in json.loads(body)["secrets"]:
        if leftover["name"].startswith(f"crash {instance.number} "):
            call(f"{api}/{leftover['id']}", headers=bearer, method="DELETE")


created = []
threads = [threading.Thread(target=token_load, args=(i,), daemon=True) for i in instances]
threads += [threading.Thread(target=write_load, args=(i, created), daemon=True) for i in instances]
for thread in threads:
    thread.start()
restarts, log_offsets = [], {}
started = time.monotonic()
victim = 0
while time.monotonic() - started < args.duration:
    time.sleep(args.kill_every)
    instance = instances[victim % 3]
    victim += 1
    with lock:
        down.add(instance.number)
        kills[instance.number] += 1
    instance.kill()
    log_offsets.setdefault(instance.number, []).append(open(instance.log, "rb").seek(0, 2))
    killed_at = time.monotonic()
    instance.start()
    restarts.append(time.monotonic() - killed_at)
    with lock:
        down.discard(instance.number)
stop.set()
for thread in threads:
    thread.join(15)

# Let the outbox drain (a message claimed by a killed instance waits for its lease), then compare.
deadline, quiet = time.time() + 60, 0
while time.time() < deadline and quiet < 3:
    quiet = quiet + 1 if database.psql('SELECT count(*) FROM "OutboxMessages" WHERE "Status" = 0') == "0" else 0
    time.sleep(1)
for instance in instances:
    instance.stop()
files = [f for i in instances for f in glob.glob(f"{i.data}/mail/*.eml")]
ids = [str(email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)["Message-ID"]) for f in files]
sent = int(database.psql('SELECT count(*) FROM "OutboxMessages" WHERE "Channel" = 0 AND "Status" = 1'))
pending = int(database.psql('SELECT count(*) FROM "OutboxMessages" WHERE "Status" = 0'))
# Error lines a restarted instance wrote from its restart on (a clean restart writes none).
restart_errors = []
for instance in instances:
    data = open(instance.log, "rb").read()
    for offset in log_offsets.get(instance.number, []):
        restart_errors += [line.decode(errors="replace")[:200] for line in data[offset:].splitlines() if b" ERR " in line or b" FTL " in line]
restart_errors = sorted(set(restart_errors))
total_kills = sum(kills.values())
duplicates = len(ids) - len(set(ids))
result = {
    "seconds": args.duration, "kills": total_kills, "token_requests_to_live_instances": requests["tokens"],
    "writes_to_live_instances": requests["writes"], "failures": len(failures), "first_failures": failures[:5],
    "secrets_created": len(created),
    "restart_to_ready_s": {"median": round(percentile(restarts, 0.5), 2), "max": round(max(restarts), 2)} if restarts else None,
    "restart_error_lines": restart_errors[:10],
    "emails_sent_rows": sent, "emails_pending": pending, "email_files": len(files), "emails_sent_twice": duplicates,
}
broken = []
if failures:
    broken.append(f"{len(failures)} requests to an instance that was up failed")
if restart_errors:
    broken.append(f"restarted instances logged {len(restart_errors)} distinct error lines")
if pending or len(set(ids)) < sent:
    broken.append("emails lost or stuck")
if duplicates > total_kills:
    broken.append(f"{duplicates} emails sent twice, more than one per kill")
result["broken"] = broken
print(json.dumps(result, indent=1))
sys.exit(1 if broken else 0)
