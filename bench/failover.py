"""Driver of bench/failover.sh (stdlib only): a PostgreSQL primary and a streaming-replication standby, two product
instances on a multi-host connection string (Target Session Attributes=primary), token, API-write, portal-write (the
demo credential manager's new-secret form) and readiness load, and "last used" watched in the database;
the primary stopped (immediate shutdown, as a crash), the standby promoted. Prints one JSON object with what each
instance saw; exits 1 when a promise was broken."""
import argparse, email, email.policy, glob, json, re, sys, threading, time
from instances import PGBIN, Cluster, Instance, PortalSession, call, pg, token

parser = argparse.ArgumentParser()
parser.add_argument("--dll", required=True)
parser.add_argument("--work", required=True)
parser.add_argument("--before", type=float, default=10, help="seconds of load before the primary stops")
parser.add_argument("--gap", type=float, default=3, help="seconds between the primary stopping and the promotion")
parser.add_argument("--recheck", default="", help="Host Recheck Seconds in the connection string (Npgsql's default: 10)")
parser.add_argument("--after", type=float, default=20, help="seconds of load after the promotion")
args = parser.parse_args()
started = time.monotonic()


def now():
    return round(time.monotonic() - started, 2)


# Two clusters: the standby is a base backup of the primary that follows it by streaming replication.
primary, standby = Cluster(args.work, "primary").init(), Cluster(args.work, "standby")
with open(f"{primary.data}/pg_hba.conf", "a") as hba:
    hba.write("host replication postgres 127.0.0.1/32 trust\n")
primary.start()
pg(f"{PGBIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D", standby.data, "-R", "-X", "stream")
standby.start()
connection = (f"Host=127.0.0.1:{primary.port},127.0.0.1:{standby.port};Username=postgres;Database=credentialportal;"
              "Target Session Attributes=primary" + (f";Host Recheck Seconds={args.recheck}" if args.recheck else ""))
settings = dict(Database__Provider="PostgreSql", ConnectionStrings__CredentialPortal=connection, Email__Outbox__PollInterval="00:00:01")


class Samples:
    """What the load threads saw at one instance: (time, ok, status) per request."""

    def __init__(self, instance):
        self.instance, self.number, self.url = instance, instance.number, instance.url
        self.tokens, self.writes, self.ready, self.portal = [], [], [], []


stop = threading.Event()


def token_load(instance, client_id, secret):
    while not stop.is_set():
        status, _ = token(instance.url, client_id, secret)
        instance.tokens.append((now(), status == 200, status))
        time.sleep(0.1)  # 10 a second: under the per-client rate limit


def write_load(instance, client_id, secret, created):
    """Creates and deletes a secret through the management API, as a self-rotating partner system would."""
    status, body = token(instance.url, client_id, secret, "credentials.self")
    bearer = {"Authorization": "Bearer " + json.loads(body)["access_token"], "Content-Type": "application/json"}
    api = f"{instance.url}/api/v1/applications/{client_id}/secrets"
    expires = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
    undeleted = []  # created, but the delete failed (an outage): deleted first next time, or the credential limit fills up
    while not stop.is_set():
        while undeleted and call(f"{api}/{undeleted[0]}", headers=bearer, method="DELETE")[0] in (204, 404):
            undeleted.pop(0)
        status, body = (503, b"") if undeleted else call(api, json.dumps(
            {"name": f"failover {instance.number} {len(instance.writes)}", "expiresAt": expires}).encode(), bearer)
        ok = status == 201
        if ok:
            secret_id = json.loads(body)["id"]
            created.append(secret_id)
            status, _ = call(f"{api}/{secret_id}", headers=bearer, method="DELETE")
            ok = status == 204
            if not ok:
                undeleted.append(secret_id)
        instance.writes.append((now(), ok, status))
        if status in (400, 500):
            print(f"instance {instance.number}: write {status} {body[:300]!r}", file=sys.stderr)
        time.sleep(0.2)


def readiness(instance):
    while not stop.is_set():
        instance.ready.append((now(), call(f"{instance.url}/healthz/ready")[0] == 200))
        time.sleep(0.2)


def portal_write_load(instance, person, application_id, client_id, secret):
    """The demo credential manager creates secrets in the portal (the new-secret form), each deleted again through the
    management API so that the application's credential limit never fills up."""
    status, body = token(instance.url, client_id, secret, "credentials.self")
    bearer = {"Authorization": "Bearer " + json.loads(body)["access_token"]}
    api = f"{instance.url}/api/v1/applications/{client_id}"
    expires = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
    while not stop.is_set():
        status, url, page = person.request(f"/manage-api-credentials/{application_id}/secrets/new", timeout=10)
        ok = False
        if status == 200:
            form = re.search(r'name="Input.FormId"[^>]*value="([^"]*)"', page)
            name = f"portal {len(instance.portal)}"
            status, url, page = person.form_post(url, page, {"Input.Name": name, "Input.ExpiresOn": expires,
                                                             "Input.FormId": form.group(1) if form else ""})
            ok = status == 200 and 'id="new-secret-value"' in page
            if ok:
                listed = call(api, headers=bearer)
                for made in json.loads(listed[1])["secrets"] if listed[0] == 200 else []:
                    if made["name"].startswith("portal "):
                        call(f"{api}/secrets/{made['id']}", headers=bearer, method="DELETE")
        instance.portal.append((now(), ok, status))
        time.sleep(0.3)


def last_used_after(client, since_epoch):
    """Seconds from the promotion until the promoted database held a "last used" time of CLIENT's secret from after it:
    the flush of "last used" resumed. Polls the promoted standby every half second, for 15 s at most."""
    deadline = time.time() + 15
    while time.time() < deadline:
        latest = standby.psql('SELECT COALESCE(EXTRACT(EPOCH FROM MAX(c."LastUsedAt")), 0) FROM "ClientCredentials" c '
                              f'JOIN "Applications" a ON a."Id" = c."ApplicationId" WHERE a."ClientId" = \'{client}\'')
        if float(latest) > since_epoch:
            return round(time.time() - since_epoch, 2)
        time.sleep(0.5)
    return None


dll = args.dll
processes = [Instance(1, dll, args.work, settings), Instance(2, dll, args.work, settings)]
processes[0].start("--seed-demo")
processes[1].start()
instances = [Samples(p) for p in processes]


# The writes rotate secrets of the self-rotating demo application; tokens go to the other, whose cache entry no change
# evicts (an evicted client is reloaded from the database, which it cannot be during the outage: 503 by design).
client_id, secret = processes[0].demo_credential("Partner-NL-DemoOrg-DM")
token_client_id, token_secret = processes[0].demo_credential("PartnerAlternative-NL-DemoOrg-SMC")
created = []
manager = PortalSession(processes[0].url)
manager.sign_in(*processes[0].demo_manager())
application_id = int(primary.psql(f'SELECT "Id" FROM "Applications" WHERE "ClientId" = \'{client_id}\''))
threads = [threading.Thread(target=f, args=a, daemon=True) for i in instances
           for f, a in ((token_load, (i, token_client_id, token_secret)), (write_load, (i, client_id, secret, created)), (readiness, (i,)))]
threads.append(threading.Thread(target=portal_write_load, args=(instances[0], manager, application_id, client_id, secret), daemon=True))
for thread in threads:
    thread.start()
time.sleep(args.before)
stopped_at = now()
primary.stop("immediate")
time.sleep(args.gap)
promoted_at, promoted_epoch = now(), time.time()
pg(f"{PGBIN}/pg_ctl", "-D", standby.data, "-w", "promote")
time.sleep(args.after)
stop.set()
for thread in threads:
    thread.join(15)
last_used_back = last_used_after(token_client_id, promoted_epoch)

# Let the outboxes drain, then compare what was queued with what was written out.
deadline, quiet = time.time() + 60, 0
while time.time() < deadline and quiet < 3:
    quiet = quiet + 1 if standby.psql('SELECT count(*) FROM "OutboxMessages" WHERE "Status" = 0') == "0" else 0
    time.sleep(1)
for process in processes:
    process.stop()
files = [f for p in processes for f in glob.glob(f"{p.data}/mail/*.eml")]
ids = [str(email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)["Message-ID"]) for f in files]
queued = int(standby.psql('SELECT count(*) FROM "OutboxMessages" WHERE "Channel" = 0 AND "Status" = 1'))
pending = int(standby.psql('SELECT count(*) FROM "OutboxMessages" WHERE "Status" = 0'))
pending_rows = standby.psql('SELECT "Id", "EmailKind", "ClaimedBy", "Attempts", "LastError" FROM "OutboxMessages" WHERE "Status" = 0')
audited = int(standby.psql("SELECT count(*) FROM \"AuditEvents\" WHERE \"EventType\" = 'secret.created' AND \"Details\" LIKE '%failover %'"))


def first(samples, after, ok=True):
    return next((t for t, good, *_ in samples if t >= after and good == ok), None)


def answered(samples, after):
    """The first write after the promotion that the database answered: done, or refused as a conflict with the other
    instance's concurrent change to the same application (412), but not 503."""
    return next((t for t, good, status in samples if t >= after and (good or status not in (0, 503))), None)


result = {"primary_stopped_at": stopped_at, "promoted_at": promoted_at, "instances": []}
broken = []
for instance in instances:
    failed_tokens = [(t, s) for t, good, s in instance.tokens if not good]
    write_back = answered(instance.writes, promoted_at)
    outage = first(instance.ready, stopped_at, ok=False)
    recovered = first(instance.ready, outage or stopped_at)
    figures = {
        "tokens": len(instance.tokens), "tokens_failed": len(failed_tokens), "token_failures": failed_tokens[:5],
        "writes_ok": sum(1 for _, good, _ in instance.writes if good),
        "writes_unavailable": sum(1 for _, good, status in instance.writes if status in (0, 503)),
        "writes_conflicting": sum(1 for _, good, status in instance.writes if status == 412),
        "write_other_statuses": sorted({s for _, good, s in instance.writes if not good and s not in (0, 412, 503)}),
        "writes_resumed_after_promotion_s": None if write_back is None else round(write_back - promoted_at, 2),
        "ready_reported_outage_at": outage, "ready_again_after_promotion_s": None if recovered is None else round(recovered - promoted_at, 2),
    }
    result["instances"].append(figures)
    if failed_tokens:
        broken.append(f"instance {instance.number}: {len(failed_tokens)} token requests of a cached client failed")
    if write_back is None or write_back - promoted_at > 10:
        broken.append(f"instance {instance.number}: writes did not resume within 10 s of the promotion")
    if outage is None or recovered is None:
        broken.append(f"instance {instance.number}: readiness did not report the outage and the recovery")
portal_back = first(instances[0].portal, promoted_at)
result["portal"] = {"writes_ok": sum(1 for _, good, _ in instances[0].portal if good), "writes_failed": sum(1 for _, good, _ in instances[0].portal if not good),
                    "statuses_failed": sorted({s for _, good, s in instances[0].portal if not good}),
                    "writes_resumed_after_promotion_s": None if portal_back is None else round(portal_back - promoted_at, 2)}
result["last_used_written_after_promotion_s"] = last_used_back
if portal_back is None or portal_back - promoted_at > 10:
    broken.append("portal writes did not resume within 10 s of the promotion")
if last_used_back is None or last_used_back > 10:
    broken.append("\"last used\" was not written within 10 s of the promotion")
result.update(pending_rows=pending_rows, secrets_created=len(created), secret_created_audited=audited, emails_sent_rows=queued, emails_pending=pending,
              email_files=len(files), duplicate_emails=len(ids) - len(set(ids)))
if audited < len(created):
    broken.append(f"{len(created) - audited} secrets created (201) are not in the promoted database")
# An email written out whose "sent" mark could not be committed because the database went away at that moment stays
# pending under its sender's lease, and goes out once more when the lease ends: the documented at-least-once window
# (docs/operations.md, Email delivery). Anything else pending, or fewer files than sent rows, is a loss.
result["emails_in_duplicate_window"] = len(files) - queued
if len(files) < queued or len(files) - queued != pending or len(ids) != len(set(ids)):
    broken.append("emails: lost, stuck or sent twice")
result["broken"] = broken
print(json.dumps(result, indent=1))
sys.exit(1 if broken else 0)
