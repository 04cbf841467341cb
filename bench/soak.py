"""Driver of bench/soak.sh (stdlib only, wrk for the token load): one instance as shipped on the embedded database,
its maximum token rate measured first, then MINUTES of tokens at half that rate (wrk, one run a minute) beside portal
and management-API traffic (a thread: the sign-in page, the API's application list, a secret created and deleted).
Prints one line a minute (tokens/s, p99, errors, resident memory) and a RESULT line; exits 1 when a request failed, or,
over at least five minutes after the warm-up, resident memory moved more than 10 % or a minute's p99 exceeded three
times the median minute's."""
import argparse, json, re, subprocess, sys, threading, time
from instances import Instance, call, percentile, token

parser = argparse.ArgumentParser()
parser.add_argument("--dll", required=True)
parser.add_argument("--work", required=True)
parser.add_argument("--minutes", type=float, default=30)
parser.add_argument("--minute", type=float, default=60, help="seconds per sample (shorter for a smoke run)")
parser.add_argument("--warmup", type=int, default=5, help="samples left out of the memory comparison")
args = parser.parse_args()
ROOT = __file__.rsplit("/bench/", 1)[0]

# One client at thousands of tokens a second: its per-client rate limit is off, as in bench/token-endpoint.sh.
instance = Instance(1, args.dll, args.work, {"TokenService__RateLimit__PermitsPerSecond": "0"}).start("--seed-demo")
load_client = instance.demo_credential("PartnerAlternative-NL-DemoOrg-SMC")
api_client = instance.demo_credential("Partner-NL-DemoOrg-DM")


def wrk(seconds, delay_ms=0, connections=32):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", f"{ROOT}/bench/token-endpoint.lua",
                          f"{instance.url}/connect/token"], check=True, capture_output=True, text=True,
                         env={"CLIENT_ID": load_client[0], "CLIENT_SECRET": load_client[1], "DELAY_MS": str(delay_ms), "PATH": "/usr/bin:/bin"}).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}


wrk(3)  # warm-up: JIT, pools
maximum = wrk(10)["rate"]
paced_connections = 16
delay_ms = max(1, round(2000 * paced_connections / maximum))  # each connection waits this long: about half the maximum
stop = threading.Event()
other = {"requests": 0, "failures": []}


def portal_and_api():
    """What people and partner automations do meanwhile, a few times a second."""
    status, body = token(instance.url, *api_client, "credentials.self")
    bearer = {"Authorization": "Bearer " + json.loads(body)["access_token"], "Content-Type": "application/json"}
    api = f"{instance.url}/api/v1/applications/{api_client[0]}"
    expires = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
    while not stop.is_set():
        answers = [("sign-in page", call(f"{instance.url}/Account/Login"), 200),
                   ("application", call(api, headers=bearer), 200)]
        status, body = call(f"{api}/secrets", json.dumps({"name": "soak", "expiresAt": expires}).encode(), bearer)
        answers.append(("create secret", (status, body), 201))
        if status == 201:
            answers.append(("delete secret", call(f"{api}/secrets/{json.loads(body)['id']}", headers=bearer, method="DELETE"), 204))
        for what, (status, body), expected in answers:
            other["requests"] += 1
            if status != expected:
                other["failures"].append((what, status, body[:200].decode(errors="replace")))
        time.sleep(0.25)


traffic = threading.Thread(target=portal_and_api, daemon=True)
traffic.start()
print(f"maximum {maximum:.0f} tokens/s; soak at {delay_ms} ms between requests on {paced_connections} connections", flush=True)
samples = []
for minute in range(round(args.minutes * 60 / args.minute)):
    result = wrk(args.minute, delay_ms, paced_connections)
    sample = {"minute": minute + 1, "tokens_per_s": round(result["rate"]), "p99_ms": result["p99_ms"],
              "token_errors": int(result["non2xx"] + result["errors"]), "rss_mib": round(instance.rss_mib()),
              "other_requests": other["requests"], "other_failures": len(other["failures"])}
    samples.append(sample)
    print(json.dumps(sample), flush=True)
stop.set()
traffic.join(15)
instance.stop()

steady = samples[args.warmup:] or samples[-1:]
rss = [s["rss_mib"] for s in steady]
p99s = [s["p99_ms"] for s in samples]
token_errors = sum(s["token_errors"] for s in samples)
memory_drift = (max(rss) - min(rss)) / min(rss)
p99_spread = max(p99s) / percentile(p99s, 0.5)
broken = []
if token_errors or other["failures"]:
    broken.append(f"{token_errors} token errors, {len(other['failures'])} portal/API failures {other['failures'][:3]}")
# Memory and the tail are judged over five samples after the warm-up at least: a smoke run's two say nothing.
judged = len(samples) - args.warmup >= 5
if judged and memory_drift > 0.10:
    broken.append(f"resident memory moved {memory_drift:.0%} after the warm-up")
if judged and p99_spread > 3:
    broken.append(f"the slowest minute's p99 was {p99_spread:.1f} times the median minute's")
print(f"RESULT soak {len(samples)} samples at {percentile([s['tokens_per_s'] for s in samples], 0.5)} tokens/s "
      f"(maximum {maximum:.0f}): token errors {token_errors}, portal/API requests {other['requests']} failed {len(other['failures'])}, "
      f"rss {min(rss)}-{max(rss)} MiB after warm-up ({memory_drift:.1%}), p99 median {percentile(p99s, 0.5)} ms max {max(p99s)} ms; "
      f"{'' if judged else 'too short to judge memory and p99; '}broken: {broken or 'none'}")
sys.exit(1 if broken else 0)
