#!/usr/bin/env python3
"""Ingest, store size, bytes written and CSV export of two praxis binaries, interleaved.

    bench/store/compare.py --corpus DIR --data target/perf-data OLD_BINARY NEW_BINARY [--rounds N]

For each round and each binary, in turn: ingest CORPUS into an empty DATA directory (timed; the
bytes the process wrote are read from this script's /proc/self/io, which adds a child's counts
once it is reaped), measure the store and the index on disk, serve DATA on the loopback and time
three full CSV exports with curl, then delete DATA. Only one data directory exists at a time.

Which part wrote what: while the ingest runs, each of its threads' /proc/PID/task/TID/io is read
every 0.1 s and the last reading of each thread is kept, by the thread's name: tantivy's threads
(indexing, merging, the doc store's compressor, the segment updater) are "index", sled's (its
I/O pool and log flusher) "store", the rest "main" (the main thread and the validation workers;
a store flush or an index commit called from the main thread is counted there). A thread's
writes after its last reading are missed, so the parts may add up to a little less than the
total, which is exact. CPU seconds (user + system) are the ingest's own, from the reaped child.
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


THREAD_PARTS = [
    ("index", ("thrd-tantivy", "merge_thread", "docstore", "segment_updat", "tantivy")),
    ("store", ("sled", "log flusher")),
]


def thread_part(comm):
    for part, prefixes in THREAD_PARTS:
        if comm.startswith(prefixes):
            return part
    return "main"


def thread_writes(pid, seen):
    """Updates `seen` (tid -> (part, write_bytes)) from the threads of `pid` alive now."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/io") as f:
                written = next(int(l.split(":")[1]) for l in f if l.startswith("write_bytes"))
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
        seen[tid] = (thread_part(comm), written)


def ingest(binary, data, corpus):
    """Runs the ingest; returns (stdout, stderr, returncode, elapsed s, cpu s, writes by part)."""
    started = time.time()
    usage_before = os.times()
    process = subprocess.Popen([binary, "--data", data, "ingest", corpus],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = {}
    # Pipes are drained by threads so that a chatty child never blocks on a full pipe.
    import threading
    out = {}
    readers = [threading.Thread(target=lambda k, f: out.__setitem__(k, f.read()), args=(k, f))
               for k, f in (("stdout", process.stdout), ("stderr", process.stderr))]
    for r in readers:
        r.start()
    while process.poll() is None:
        thread_writes(process.pid, seen)
        time.sleep(0.1)
    for r in readers:
        r.join()
    elapsed = time.time() - started
    usage_after = os.times()
    cpu = (usage_after.children_user - usage_before.children_user
           + usage_after.children_system - usage_before.children_system)
    parts = {"index": 0, "store": 0, "main": 0}
    for part, written in seen.values():
        parts[part] += written
    return out.get("stdout", ""), out.get("stderr", ""), process.returncode, elapsed, cpu, parts


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
    print("| round | binary | ingest s | CPU s | docs/s | written GB | of which index / store / main GB | store MB | index MB | write amplification | export s (3 runs) | rows | server peak RSS MB | load |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for round_ in range(1, args.rounds + 1):
        for binary in args.binaries:
            shutil.rmtree(args.data, ignore_errors=True)
            before = own_io()
            stdout, stderr, returncode, elapsed, cpu, parts = ingest(binary, args.data, args.corpus)
            after = own_io()
            if returncode != 0:
                print(stdout[-2000:], stderr[-2000:], file=sys.stderr)
                sys.exit(1)
            added = int(stdout.strip().splitlines()[-1].split(":")[1].split()[0])
            written = after["write_bytes"] - before["write_bytes"]
            store = du(os.path.join(args.data, "store"))
            index = du(os.path.join(args.data, "search"))
            load = loadavg()
            if args.no_export:
                times, rows, hwm = [], "", ""
            else:
                times, rows, hwm = export(binary, args.data, args.port)
            split = " / ".join(f"{parts[p] / 1e9:.2f}" for p in ("index", "store", "main"))
            print(f"| {round_} | {binary} | {elapsed:.1f} | {cpu:.1f} | {added / elapsed:.0f} | "
                  f"{written / 1e9:.2f} | {split} | {store / 1e6:.0f} | {index / 1e6:.0f} | "
                  f"{written / max(store + index, 1):.1f}× | "
                  f"{' / '.join(f'{t:.2f}' for t in times)} | {rows} | {hwm} | {load} |",
                  flush=True)
            shutil.rmtree(args.data, ignore_errors=True)


if __name__ == "__main__":
    main()
