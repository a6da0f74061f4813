#!/usr/bin/env python3
"""Ingest, store size, bytes written and CSV export of two praxis binaries, interleaved.

    bench/store/compare.py --corpus DIR --data target/perf-data OLD_BINARY NEW_BINARY [--rounds N]

For each round and each binary, in turn: ingest CORPUS into an empty DATA directory (timed; the
bytes the process wrote are read from this script's /proc/self/io, which adds a child's counts
once it is reaped), measure the store and the index on disk, serve DATA on the loopback and time
three full CSV exports with curl, then delete DATA. Only one data directory exists at a time.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request


def own_io():
    values = {}
    with open("/proc/self/io") as f:
        for line in f:
            key, value = line.split(":")
            values[key] = int(value)
    return values


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def export(binary, data, port):
    server = subprocess.Popen(
        [binary, "--data", data, "serve", "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except Exception:
                pass
            if time.time() > deadline:
                raise RuntimeError("the server did not get ready")
            time.sleep(0.2)
        times = []
        rows = None
        for _ in range(3):
            out = subprocess.run(
                ["curl", "-s", "-o", "/tmp/store-perf-export.csv", "-w", "%{time_total}",
                 f"http://127.0.0.1:{port}/api/search?format=csv"],
                check=True, capture_output=True, text=True,
            )
            times.append(float(out.stdout))
            with open("/tmp/store-perf-export.csv", "rb") as f:
                rows = sum(1 for _ in f) - 1
        with open(f"/proc/{server.pid}/status") as f:
            hwm = next(l for l in f if l.startswith("VmHWM")).split()[1]
        return times, rows, int(hwm) // 1024
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        os.remove("/tmp/store-perf-export.csv") if os.path.exists("/tmp/store-perf-export.csv") else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--port", type=int, default=18377)
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    print("| round | binary | ingest s | docs/s | written GB | store MB | index MB | write amplification | export s (3 runs) | rows | server peak RSS MB | load |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for round_ in range(1, args.rounds + 1):
        for binary in args.binaries:
            shutil.rmtree(args.data, ignore_errors=True)
            before = own_io()
            started = time.time()
            out = subprocess.run([binary, "--data", args.data, "ingest", args.corpus],
                                 capture_output=True, text=True)
            elapsed = time.time() - started
            after = own_io()
            if out.returncode != 0:
                print(out.stdout[-2000:], out.stderr[-2000:], file=sys.stderr)
                sys.exit(1)
            added = int(out.stdout.strip().splitlines()[-1].split(":")[1].split()[0])
            written = after["write_bytes"] - before["write_bytes"]
            store = du(os.path.join(args.data, "store"))
            index = du(os.path.join(args.data, "search"))
            load = loadavg()
            if args.no_export:
                times, rows, hwm = [], "", ""
            else:
                times, rows, hwm = export(binary, args.data, args.port)
            print(f"| {round_} | {binary} | {elapsed:.1f} | {added / elapsed:.0f} | "
                  f"{written / 1e9:.2f} | {store / 1e6:.0f} | {index / 1e6:.0f} | "
                  f"{written / max(store + index, 1):.1f}× | "
                  f"{' / '.join(f'{t:.2f}' for t in times)} | {rows} | {hwm} | {load} |",
                  flush=True)
            shutil.rmtree(args.data, ignore_errors=True)


if __name__ == "__main__":
    main()
