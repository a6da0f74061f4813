#!/usr/bin/env python3
"""The slow-client and unread-export attacks, on loopback, bounded in count and time.

Starts `praxis serve` on a fresh data directory (the shipped corpus is ingested on first
start), waits until it is ready, then opens EXPORTS connections that each ask for a CSV
export and never read a byte (with a tiny receive buffer, so the server's writes stall at
once), and HALF_OPEN connections that send half a request head and stall (replacing each one the server closes,
so that HALF_OPEN stay open throughout). While they are open it measures /healthz and a search, each on a fresh connection, once a second for
--seconds, and records the server's threads and open descriptors. Then it closes everything
and stops the server (the process it started, by its id).

The issue's "Done when": with 600 non-reading export clients and 3,000 half-open
connections, /healthz and a search still answer within 1 s. Exit status 1 if not.

    python3 bench/reliability/attack.py --bin target/release/praxis
    python3 bench/reliability/attack.py --bin /path/to/baseline/praxis   # the same, before

Only 127.0.0.1. Needs about EXPORTS + HALF_OPEN + 200 descriptors: the script raises its own
open-file limit (the equivalent of `ulimit -n`), which the server inherits.
"""

import argparse
import json
import os
import resource
import selectors
import socket
import subprocess
import sys
import tempfile
import time


def request(port, path, timeout=5.0):
    """GET on a fresh connection: (status, seconds), status 0 when it failed or timed out."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    except (OSError, ValueError, IndexError):
        status = 0
    return status, time.monotonic() - started


def proc_stats(pid):
    threads = fds = rss_kb = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    threads = int(line.split()[1])
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return {"threads": threads, "open_fds": fds, "rss_mb": rss_kb and round(rss_kb / 1024, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the praxis binary")
    parser.add_argument("--exports", type=int, default=600)
    parser.add_argument("--half-open", type=int, default=3000)
    parser.add_argument("--seconds", type=int, default=15, help="how long to measure under attack")
    parser.add_argument("--nofile", type=int, default=8192, help="open-file limit for the script and server")
    args = parser.parse_args()
    args.exports = min(args.exports, 2000)
    args.half_open = min(args.half_open, 6000)
    args.seconds = min(args.seconds, 120)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(args.nofile, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    data = tempfile.mkdtemp(prefix="praxis-attack-")
    server = subprocess.Popen(
        [args.bin, "--data", data, "serve", "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PRAXIS_LOG": "error"},
        text=True,
    )
    sockets = []
    try:
        line = server.stdout.readline()
        port = int(line.strip().rsplit(":", 1)[1])
        deadline = time.monotonic() + 300
        while request(port, "/readyz")[0] != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("the server did not become ready")
            time.sleep(0.5)
        search = "/api/search?q=early+warning"
        before = {"healthz_s": round(request(port, "/healthz")[1], 4), "search_s": round(request(port, search)[1], 4)}
        before.update(proc_stats(server.pid))

        opened = {"exports": 0, "half_open": 0, "refused": 0, "closed_by_server": 0}
        watch = selectors.DefaultSelector()

        def open_export():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /api/search?format=csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return s

        def open_half():
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            return s

        def attack(kind, opener):
            try:
                s = opener()
                sockets.append(s)
                opened[kind] += 1
                # Half-open ones are watched for the server closing them, to be replaced;
                # export ones are never read, so they are not watched.
                if kind == "half_open":
                    watch.register(s, selectors.EVENT_READ, kind)
            except OSError:
                opened["refused"] += 1

        for _ in range(args.exports):
            attack("exports", open_export)
        for _ in range(args.half_open):
            attack("half_open", open_half)
        attack_open = time.monotonic()

        samples = []
        while time.monotonic() - attack_open < args.seconds:
            tick = time.monotonic()
            # Keep the attack up: replace the half-open connections the server has closed.
            for key, _ in watch.select(timeout=0):
                s = key.fileobj
                watch.unregister(s)
                sockets.remove(s)
                s.close()
                opened["closed_by_server"] += 1
                attack("half_open", open_half)
            health, health_s = request(port, "/healthz")
            found, search_s = request(port, search)
            stats = proc_stats(server.pid)
            samples.append({"t": round(tick - attack_open, 1), "healthz": health, "healthz_s": round(health_s, 4),
                            "search": found, "search_s": round(search_s, 4), **stats})
            time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))

        ok = all(s["healthz"] == 200 and s["search"] == 200 and s["healthz_s"] < 1 and s["search_s"] < 1 for s in samples)
        result = {
            "binary": args.bin,
            "open_file_limit": wanted,
            "opened": opened,
            "before_attack": before,
            "under_attack": samples,
            "worst_healthz_s": max(s["healthz_s"] for s in samples),
            "worst_search_s": max(s["search_s"] for s in samples),
            "failed_samples": sum(1 for s in samples if s["healthz"] != 200 or s["search"] != 200),
            "max_threads": max((s["threads"] or 0) for s in samples),
            "done_when_met": ok,
        }
        print(json.dumps(result, indent=1))
        return 0 if ok else 1
    finally:
        for s in sockets:
            try:
                s.close()
            except OSError:
                pass
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
