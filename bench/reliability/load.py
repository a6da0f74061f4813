#!/usr/bin/env python3
"""A bounded load test on loopback: searches, exports and feeds in parallel.

Starts `praxis serve` on a fresh data directory (the shipped corpus), waits until ready,
records its RSS, then for --seconds runs SEARCHERS threads issuing searches (a fixed list of
queries and filters), EXPORTERS threads reading whole CSV/NDJSON exports, and FEEDERS threads
polling /feed.atom, each request on a kept-alive connection with a 10 s timeout. Prints, per
kind, the count by status and the p50/p99 latency, and the server's RSS and threads before and
after. Stops the server it started (by its id).

    python3 bench/reliability/load.py --bin target/release/praxis --seconds 20
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

QUERIES = [
    "early warning", "hate speech", "genocide prevention", "national committee", "R2P",
    "ombudsman", "incitement law", "transitional justice", "focal point", "NHRI",
    "q=&region=africa", "q=&type=law", "q=police&sort=newest", "q=commission&page=2",
]


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000, 1)


def rss(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return round(int(fields["VmRSS"].split()[0]) / 1024, 1), int(fields["Threads"])
    except (OSError, KeyError, ValueError):
        return None, None


def worker(port, kind, paths, stop, results, lock):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    i = 0
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        started = time.monotonic()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        elapsed = time.monotonic() - started
        with lock:
            entry = results.setdefault(kind, {"statuses": {}, "latencies": []})
            entry["statuses"][status] = entry["statuses"].get(status, 0) + 1
            if status == 200:
                entry["latencies"].append(elapsed)
        if status in (429, 503):
            time.sleep(0.2)
    conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--searchers", type=int, default=4)
    parser.add_argument("--exporters", type=int, default=2)
    parser.add_argument("--feeders", type=int, default=2)
    args = parser.parse_args()
    args.seconds = min(args.seconds, 120)

    data = tempfile.mkdtemp(prefix="praxis-load-")
    server = subprocess.Popen(
        [args.bin, "--data", data, "serve", "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**os.environ, "PRAXIS_LOG": "error"}, text=True,
    )
    try:
        port = int(server.stdout.readline().strip().rsplit(":", 1)[1])
        deadline = time.monotonic() + 300
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("the server did not become ready")
            time.sleep(0.5)
        rss_before, threads_before = rss(server.pid)
        searches = ["/api/search?" + (q if q.startswith("q=") else "q=" + q.replace(" ", "+")) for q in QUERIES]
        exports = ["/api/search?format=csv", "/api/search?q=law&format=ndjson", "/api/search?region=africa&format=csv"]
        feeds = ["/feed.atom", "/feed.atom?type=law", "/feed.atom?region=africa"]
        stop = threading.Event()
        lock = threading.Lock()
        results = {}
        threads = []
        for kind, count, paths in [("search", args.searchers, searches), ("export", args.exporters, exports),
                                   ("feed", args.feeders, feeds)]:
            for _ in range(count):
                t = threading.Thread(target=worker, args=(port, kind, paths, stop, results, lock))
                t.start()
                threads.append(t)
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        rss_after, threads_after = rss(server.pid)
        summary = {
            "binary": args.bin,
            "seconds": args.seconds,
            "rss_mb_before": rss_before, "rss_mb_after": rss_after,
            "threads_before": threads_before, "threads_after": threads_after,
        }
        for kind, entry in sorted(results.items()):
            summary[kind] = {
                "statuses": {str(k): v for k, v in sorted(entry["statuses"].items())},
                "p50_ms": percentile(entry["latencies"], 50),
                "p99_ms": percentile(entry["latencies"], 99),
            }
        print(json.dumps(summary, indent=1))
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
