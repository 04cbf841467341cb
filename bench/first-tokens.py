#!/usr/bin/python3
"""Requests one token for each client_id in a file (all with one secret), in order, over one keep-alive connection, and
prints the latency of each client's first token (p50, p99, max). For bench/memory.sh: none of the clients is cached in
the app yet, so each request loads its client from the database.

Usage: bench/first-tokens.py BASE_URL CLIENT_IDS_FILE SECRET
"""
import base64
import http.client
import sys
import time
import urllib.parse

base, ids_file, secret = sys.argv[1], sys.argv[2], sys.argv[3]
url = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(url.hostname, url.port)
times, failed = [], 0
for client_id in open(ids_file).read().split():
    auth = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    started = time.perf_counter()
    connection.request("POST", "/connect/token", body="grant_type=client_credentials",
                       headers={"Authorization": "Basic " + auth, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    times.append((time.perf_counter() - started) * 1000)
    failed += response.status != 200
times.sort()
pick = lambda p: times[min(len(times) - 1, int(len(times) * p / 100))]
print(f"RESULT first_token clients={len(times)} p50_ms={pick(50):.2f} p99_ms={pick(99):.2f} max_ms={times[-1]:.2f} failed={failed}")
sys.exit(1 if failed else 0)
