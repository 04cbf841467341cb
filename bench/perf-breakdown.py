#!/usr/bin/python3
"""Reads `perf script` output of the app (stdin) and prints where its CPU went, per request.

Usage: perf script -i app.perf | bench/perf-breakdown.py REQUESTS_DURING_RECORDING [LABEL]
Each sample is charged to one part: by the library its leaf frame is in (the kernel, OpenSSL, the JIT, the runtime),
or else by the assembly of its innermost managed frame (our code, IdentityModel, EF Core and DI, Serilog, Kestrel and
ASP.NET Core, ...). Samples inside the token endpoint's handler are also summed apart, so the pipeline's share shows.
"""
import re
import sys

OWNERS = [  # the innermost managed frame's assembly says whose code a sample ran
    ("our code", "[CredentialPortal."),
    ("IdentityModel (token building)", "[Microsoft.IdentityModel."),
    ("EF Core + DI", "[Microsoft.EntityFrameworkCore"),
    ("EF Core + DI", "[Microsoft.Extensions.DependencyInjection"),
    ("Serilog", "[Serilog"),
    ("System.Text.Json", "[System.Text.Json]"),
    ("Kestrel and ASP.NET Core", "[Microsoft.AspNetCore."),
    ("Kestrel and ASP.NET Core", "[Microsoft.Extensions."),
    ("sockets and thread pool", "[System.Net.Sockets]"),
    ("sockets and thread pool", "[System.Private.CoreLib]"),
]


def owner_of(frames):
    for _, sym, _ in frames:
        for owner, marker in OWNERS:
            if marker in sym:
                return owner
    return "no managed frame"


def part_of(frames):
    leaf = frames[0][2] if frames else ""
    if "kernel" in leaf:
        return "kernel (network, scheduling)"
    if leaf.startswith("libcrypto"):
        return "OpenSSL (signature, SHA-256, random)"
    if leaf.startswith("libclrjit"):
        return "JIT (warm-up, not per request)"
    if leaf.startswith(("libcoreclr", "libc.so", "ld-linux")):
        return "runtime (GC, allocation, casts, locks) under " + owner_of(frames)
    return owner_of(frames)


def samples(stream):
    frames = []
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                yield frames
            frames = []
            continue
        if not line.startswith((" ", "\t")):
            continue  # the sample's header line
        m = re.match(r"\s+[0-9a-f]+ (.*) \(([^)]*)\)$", line)
        if m:
            frames.append((None, m.group(1), m.group(2).rsplit("/", 1)[-1]))
    if frames:
        yield frames


def main():
    requests = int(sys.argv[1])
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    hz = 999
    totals, in_endpoint, count = {}, 0, 0
    for frames in samples(sys.stdin):
        count += 1
        part = part_of(frames)
        totals[part] = totals.get(part, 0) + 1
        if any("TokenEndpoint" in sym and "HandleAsync" in sym for _, sym, _ in frames):
            in_endpoint += 1
    us = lambda n: n / hz * 1e6 / requests
    print(f"{label}: {count} samples, {us(count):.1f} CPU-us per request ({requests} requests)")
    for part, n in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"   {us(n):7.1f} us {100 * n / count:5.1f}%  {part}")
    if in_endpoint:
        print(f"   inside the token endpoint's handler: {us(in_endpoint):.1f} us ({100 * in_endpoint / count:.1f}%)")


main()
