#!/usr/bin/env python3
"""The Atom feed on a large index: latency and the server's memory across many polls.

Starts `praxis serve` on an existing data directory (e.g. the 100,000-document benchmark index,
see BENCHMARKS.md), polls each feed URL `--requests` times one after another over loopback,
and prints p50/p99/max per URL and the server's resident memory before and after.

    python3 bench/reliability/feed.py --bin target/release/praxis --data target/tmp/d100k
"""
import argparse
import os
import statistics
import subprocess
import time
import urllib.request

URLS = [
    "/feed.atom",
    "/feed.atom?type=law",
    "/feed.atom?q=early+warning&region=africa",
]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/praxis")
    parser.add_argument("--data", required=True)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    server = subprocess.Popen(
        [args.bin, "--data", args.data, "serve", "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = server.stdout.readline()
        base = line.strip().split("listening on ")[1]
        for _ in range(200):
            try:
                if urllib.request.urlopen(base + "/readyz", timeout=5).status == 200:
                    break
            except Exception:
                time.sleep(0.1)
        for url in URLS:  # warm the caches once
            urllib.request.urlopen(base + url, timeout=30).read()
        before = rss_mb(server.pid)
        print(f"server RSS after warm-up: {before:.0f} MB")
        for url in URLS:
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                body = urllib.request.urlopen(base + url, timeout=30).read()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(
                f"{url:45} n={len(times)} p50 {statistics.median(times):6.1f} ms"
                f"  p99 {p99:6.1f} ms  max {times[-1]:6.1f} ms  ({len(body)} bytes, {body.count(b'<entry>')} entries)"
            )
        after = rss_mb(server.pid)
        print(f"server RSS after {args.requests * len(URLS)} polls: {after:.0f} MB ({after - before:+.0f} MB)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
