#!/usr/bin/env python3
"""Praxis alone on a very large generated corpus (issue 16 item 6): what a million documents cost.

    bench/peers/run million [--docs 1000000] [--runs 600] [--repeat 3] [--praxis BINARY]
                           [--work DIR] [--reuse] [--json FILE]

Steps, each reported:
1. `praxis gen-corpus --docs N --seed 42` into WORK/corpus-N-seed-42 (kept and reused).
2. `praxis ingest` into an empty WORK/praxis-N: wall seconds, documents per second, CPU seconds
   (user + system, from the reaped child), the ingest's peak RSS, and the bytes it wrote (this
   script's /proc/self/io, which adds a child's counts once it is reaped) over the final size.
   `--reuse` skips the ingest when WORK/praxis-N already holds a finished one (the figures of
   that ingest are then not reported again).
3. The store's and the index's size on disk.
4. `praxis serve`: seconds from the process start to the first answered search (opening the
   store and the index, warming the facet tables), and the server's RSS then.
5. The faceted mix of bench/latency.rs (the same requests as bench/peers/peers.py), `--repeat`
   times `--runs` requests over HTTP on the loopback: p50 / p95 / p99 over HTTP and as the
   server measured them (`took_ms`), the load average during each run, the server's RSS after
   the runs and its peak (VmHWM).
6. One CSV export of every row (seconds, rows/s) and the server's peak RSS after it.

There are no peers here: at a million documents they take hours to load (Xapian) or answer the
mix in seconds (SQLite FTS5); `bench/peers/run` compares them at 100,000.
"""

import argparse
import csv
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import ROOT, Geography, Praxis, dir_size, faceted_mix, percentile  # noqa: E402


def own_written_bytes():
    with open("/proc/self/io") as f:
        for line in f:
            key, value = line.split(":")
            if key == "write_bytes":
                return int(value)
    return 0


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--praxis", default=str(ROOT / "target/release/praxis"))
    parser.add_argument("--work", default=str(ROOT / "target/million"))
    parser.add_argument("--reuse", action="store_true",
                        help="keep an existing ingest in WORK/praxis-N instead of ingesting again")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-{args.docs}-seed-{args.seed}"
    data = work / f"praxis-{args.docs}"
    results = {"docs": args.docs, "binary": args.praxis}
    print(f"{args.docs} generated documents (seed {args.seed}); {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f} at the start")

    if not (corpus / "README.md").exists():
        started = time.perf_counter()
        subprocess.run([args.praxis, "gen-corpus", "--docs", str(args.docs), "--seed",
                        str(args.seed), "--out", corpus, "--force"], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"corpus generated in {time.perf_counter() - started:.0f} s: "
              f"{dir_size(corpus) / 1e9:.2f} GB")

    done_marker = data / ".ingest-finished"
    if args.reuse and done_marker.exists():
        print(f"reusing the ingest in {data}; its figures:")
        results["ingest"] = json.loads(done_marker.read_text())
    else:
        if data.exists():
            shutil.rmtree(data)
        written_before = own_written_bytes()
        usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        subprocess.run([args.praxis, "--data", data, "ingest", corpus], check=True,
                       stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
        written = own_written_bytes() - written_before
        ingest = {"seconds": seconds, "docs_per_s": args.docs / seconds, "cpu_s": cpu,
                  "peak_rss_mb": usage.ru_maxrss / 1024, "written_bytes": written,
                  "load_before": load_before, "load_after": os.getloadavg()[0]}
        done_marker.write_text(json.dumps(ingest))
        results["ingest"] = ingest
    ingest = results["ingest"]
    store, index = dir_size(data / "store"), dir_size(data / "search")
    results.update(store_bytes=store, index_bytes=index)
    print(f"ingest: {ingest['seconds']:.0f} s, {ingest['docs_per_s']:.0f} docs/s, "
          f"CPU {ingest['cpu_s']:.0f} s, peak RSS {ingest['peak_rss_mb']:.0f} MB, "
          f"wrote {ingest['written_bytes'] / 1e9:.1f} GB = "
          f"{ingest['written_bytes'] / max(store + index, 1):.1f}× the final size; "
          f"load average {ingest['load_before']:.2f} before, {ingest['load_after']:.2f} after")
    print(f"on disk: store {store / 1e9:.2f} GB, index {index / 1e9:.2f} GB")

    praxis = Praxis(args.praxis, data, corpus)
    geography = Geography()
    taxonomy = yaml.safe_load((ROOT / "corpus/taxonomy.yaml").read_text())
    mix = faceted_mix(args.runs, geography.order, [t["slug"] for t in taxonomy["themes"]])
    started = time.perf_counter()
    praxis.start()
    try:
        praxis.search(mix[0])
        startup = time.perf_counter() - started
        pid = praxis.server.pid
        results.update(startup_s=startup, rss_after_start_mb=rss_mb(pid))
        print(f"serve: first search answered {startup:.1f} s after the start; "
              f"RSS {results['rss_after_start_mb']:.0f} MB")

        print(f"\nfaceted mix over HTTP, {args.runs} requests a run (ms)")
        print(f"{'run':<5} {'load':>6} {'p50':>8} {'p95':>8} {'p99':>8}   "
              f"{'server p50':>10} {'p95':>8} {'p99':>8}")
        runs = []
        for repeat in range(args.repeat):
            praxis.took = []
            http = []
            for request in mix:
                t = time.perf_counter()
                praxis.search(request)
                http.append((time.perf_counter() - t) * 1000)
            http, server = sorted(http), sorted(praxis.took)
            row = {"load": os.getloadavg()[0],
                   "http": {p: percentile(http, p) for p in (50, 95, 99)},
                   "server": {p: percentile(server, p) for p in (50, 95, 99)}}
            runs.append(row)
            print(f"{repeat + 1:<5} {row['load']:>6.2f} "
                  + " ".join(f"{row['http'][p]:>8.2f}" for p in (50, 95, 99)) + "   "
                  + f"{row['server'][50]:>10.2f} "
                  + " ".join(f"{row['server'][p]:>8.2f}" for p in (95, 99)))
        results["runs"] = runs
        results["rss_after_mix_mb"] = rss_mb(pid)

        started = time.perf_counter()
        body = praxis.get("/api/search?format=csv")
        seconds = time.perf_counter() - started
        rows = sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1  # the header row
        results.update(export_s=seconds, export_rows=rows, peak_rss_mb=rss_mb(pid, "VmHWM"))
        print(f"\nCSV export: {rows} rows in {seconds:.2f} s ({rows / seconds:.0f} rows/s)")
        print(f"server RSS after the mix {results['rss_after_mix_mb']:.0f} MB, "
              f"peak {results['peak_rss_mb']:.0f} MB")
    finally:
        praxis.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
