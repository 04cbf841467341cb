"""Driver of bench/propagation.sh (stdlib only): how long a credential change made through one instance's management
API takes to reach the others (docs/rules.md: "within a second on every instance"). Three instances started together
on one PostgreSQL database, each under a little token load. Each cycle, through instance 1, creates a secret, disables
it, enables it and deletes it; after each change, instances 2 and 3 are watched until they show it: a token request
with the new secret succeeds; /connectivity with a token of that secret is refused (disabled, deleted) or accepted
(enabled). Prints one JSON object with the median, 90th percentile and maximum per change and whether the slowest
showed within a second; exits 1 when a change did not show within 10 s or the background load saw a failure (a figure
over a second is a finding to report, not a broken script: the machine may be busy)."""
import argparse, json, sys, threading, time
from instances import Cluster, Instance, call, percentile, token

parser = argparse.ArgumentParser()
parser.add_argument("--dll", required=True)
parser.add_argument("--work", required=True)
parser.add_argument("--cycles", type=int, default=20)
parser.add_argument("--poll", type=float, default=0.01, help="seconds between a watcher's attempts")
args = parser.parse_args()

database = Cluster(args.work, "postgres").init().start()
settings = dict(Database__Provider="PostgreSql", ConnectionStrings__CredentialPortal=database.connection_string())
instances = [Instance(n, args.dll, args.work, settings) for n in (1, 2, 3)]
instances[0].launch("--seed-demo")
for instance in instances[1:]:
    instance.launch()
for instance in instances:
    instance.wait_ready()

client_id, secret = instances[0].demo_credential("Partner-NL-DemoOrg-DM")
load_client = instances[0].demo_credential("PartnerAlternative-NL-DemoOrg-SMC")
status, body = token(instances[0].url, client_id, secret, "credentials.self")
api = f"{instances[0].url}/api/v1/applications/{client_id}/secrets"
bearer = {"Authorization": "Bearer " + json.loads(body)["access_token"], "Content-Type": "application/json"}
stop = threading.Event()
load_failures = []


def token_load(instance):
    """A partner system's steady traffic on every instance: its client stays cached, as in production."""
    while not stop.is_set():
        status, _ = token(instance.url, *load_client)
        if status != 200:
            load_failures.append((instance.number, status))
        time.sleep(0.05)


def watch(instance, attempt, expected, results, key):
    """Calls attempt(instance) until it answers expected; records the seconds taken and the attempts."""
    started, attempts = time.monotonic(), 0
    while time.monotonic() - started < 10:
        attempts += 1
        status = attempt(instance)
        if status == expected:
            results[key].append(time.monotonic() - started)
            return
        time.sleep(args.poll)
    results[key].append(float("inf"))
    print(f"instance {instance.number}: {key} not seen within 10 s (last answer {status})", file=sys.stderr)


def change_and_watch(change, attempt, expected, results, key):
    """Makes the change through instance 1, then watches instances 2 and 3 at once from the moment it was answered."""
    status, body = change()
    if status not in (200, 201, 204):
        sys.exit(f"{key}: the management API answered {status} {body[:300]!r}")
    watchers = [threading.Thread(target=watch, args=(i, attempt, expected, results, key)) for i in instances[1:]]
    for watcher in watchers:
        watcher.start()
    for watcher in watchers:
        watcher.join()
    return body


def connectivity(access_token):
    return lambda instance: call(f"{instance.url}/connectivity", headers={"Authorization": "Bearer " + access_token})[0]


loads = [threading.Thread(target=token_load, args=(i,), daemon=True) for i in instances]
for thread in loads:
    thread.start()
results = {"created": [], "disabled": [], "enabled": [], "deleted": []}
expires = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
for cycle in range(args.cycles):
    new = {}

    def create():
        status, body = call(api, json.dumps({"name": f"propagation {cycle}", "expiresAt": expires}).encode(), bearer)
        new.update(json.loads(body) if status == 201 else {})
        return status, body

    change_and_watch(create, lambda i: token(i.url, client_id, new["value"])[0], 200, results, "created")
    status, body = token(instances[1].url, client_id, new["value"])
    access = connectivity(json.loads(body)["access_token"])
    secret_url = f"{api}/{new['id']}"
    change_and_watch(lambda: call(f"{secret_url}/disable", b"", bearer), access, 401, results, "disabled")
    change_and_watch(lambda: call(f"{secret_url}/enable", b"", bearer), access, 200, results, "enabled")
    change_and_watch(lambda: call(secret_url, headers=bearer, method="DELETE"), access, 401, results, "deleted")
stop.set()
for instance in instances:
    instance.stop()
database.stop()

summary = {key: {"n": len(values), "median_ms": round(percentile(values, 0.5) * 1000), "p90_ms": round(percentile(values, 0.9) * 1000),
                 "max_ms": round(max(values) * 1000) if max(values) != float("inf") else None}
           for key, values in results.items()}
slowest = max(max(values) for values in results.values())
print(json.dumps({"cycles": args.cycles, "changes": summary, "load_failures": len(load_failures),
                  "slowest_ms": None if slowest == float("inf") else round(slowest * 1000),
                  "within_a_second": slowest < 1 and not load_failures}, indent=1))
sys.exit(0 if slowest != float("inf") and not load_failures else 1)
