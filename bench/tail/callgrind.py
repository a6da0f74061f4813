#!/usr/bin/env python3
"""The faceted mix over HTTP against two praxis binaries, counted by callgrind rather than timed.

Wall-clock percentiles on a shared machine move by a third from run to run; instruction counts
and simulated cache misses do not depend on the load. Each binary serves its own copy of the same
data directory under `valgrind --tool=callgrind --cache-sim=yes`, with instrumentation switched on only
while the requests are answered (not during startup). The same requests go to both, interleaved;
every answer's total, hit ids and facet counts must be identical, or the script fails.

    bench/tail/callgrind.py OLD_BINARY OLD_DATA NEW_BINARY NEW_DATA [--requests 150]

Prints per request: instructions (Ir), first-level data misses (D1mr + D1mw), last-level misses
(DLmr + DLmw), and cachegrind's cycle estimate Ir + 10 × L1 misses + 100 × LL misses.
"""

import argparse
import glob
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench/peers"))
from peers import Geography, faceted_mix  # noqa: E402  (the peers harness's mix)

import yaml  # noqa: E402

EVENTS = ["Ir", "D1mr", "D1mw", "DLmr", "DLmw"]


def themes():
    taxonomy = yaml.safe_load((ROOT / "corpus/taxonomy.yaml").read_text())
    return [t["slug"] for t in taxonomy["themes"]]


def start(binary, data, port, out):
    command = ["valgrind", "--tool=callgrind", "--cache-sim=yes", "--instr-atstart=no",
               f"--callgrind-out-file={out}/callgrind.{port}.%p", binary, "--data", data, "serve",
               "--addr", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return process, port
        except OSError:
            time.sleep(2)
    raise SystemExit(f"{binary} did not start on port {port}")


def answer(port, request):
    # A connection per request: the server closes keep-alive connections left idle, and one
    # server idles while the other starts under valgrind.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    params = [("q", request["q"]), ("page_size", "20"), ("lang", "en")]
    for group, values in request["filters"].items():
        params.extend((group, v) for v in values)
    conn.request("GET", "/api/search?" + urllib.parse.urlencode(params))
    body = json.loads(conn.getresponse().read())
    conn.close()
    return {"total": body["total"], "hits": [h["id"] for h in body["hits"]],
            "facets": body["facets"], "snippets": [h["snippet_html"] for h in body["hits"]]}


def totals(path):
    with open(path) as f:
        for line in f:
            if line.startswith("events:"):
                names = line.split()[1:]
            if line.startswith("totals:"):
                values = [int(v) for v in line.split()[1:]]
                return dict(zip(names, values))
    raise SystemExit(f"no totals in {path}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old_binary")
    parser.add_argument("old_data")
    parser.add_argument("new_binary")
    parser.add_argument("new_data")
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--out", help="keep callgrind's files in this directory")
    args = parser.parse_args()
    mix = faceted_mix(args.requests, Geography().order, themes())
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or scratch
        os.makedirs(out, exist_ok=True)
        servers = {}
        for name, binary, data, port in [("old", args.old_binary, args.old_data, 18501),
                                         ("new", args.new_binary, args.new_data, 18502)]:
            servers[name] = start(binary, data, port, out)
        try:
            for name, (process, port) in servers.items():
                answer(port, mix[0])  # one request before counting: lazily built structures
                subprocess.run(["callgrind_control", "-i", "on", str(process.pid)], check=True,
                               stdout=subprocess.DEVNULL)
            differing = 0
            for request in mix:
                answers = {name: answer(port, request) for name, (_, port) in servers.items()}
                if answers["old"] != answers["new"]:
                    differing += 1
            for name, (process, _) in servers.items():
                subprocess.run(["callgrind_control", "-i", "off", str(process.pid)], check=True,
                               stdout=subprocess.DEVNULL)
                subprocess.run(["callgrind_control", "-d", str(process.pid)], check=True,
                               stdout=subprocess.DEVNULL)
            # The dump is written when the process next runs: wait for it.
            deadline = time.time() + 300
            while time.time() < deadline and any(
                    not glob.glob(f"{out}/callgrind.{port}.*.1") for port in (18501, 18502)):
                time.sleep(1)
        finally:
            for process, _ in servers.values():
                process.terminate()
            for process, _ in servers.values():
                process.wait()
        print(f"{len(mix)} requests of the faceted mix per binary; load average "
              f"{os.getloadavg()[0]:.2f}; answers differing: {differing}")
        print(f"{'binary':<6} {'Ir/req':>12} {'L1 miss/req':>12} {'LL miss/req':>12} "
              f"{'est. cycles/req':>16}")
        for name in servers:
            port = 18501 if name == "old" else 18502
            counts = {event: 0 for event in EVENTS}
            for path in glob.glob(f"{out}/callgrind.{port}.*.1"):
                for event, value in totals(path).items():
                    if event in counts:
                        counts[event] += value
            n = len(mix)
            l1 = counts["D1mr"] + counts["D1mw"]
            ll = counts["DLmr"] + counts["DLmw"]
            cycles = counts["Ir"] + 10 * l1 + 100 * ll
            print(f"{name:<6} {counts['Ir'] / n:>12,.0f} {l1 / n:>12,.0f} {ll / n:>12,.0f} "
                  f"{cycles / n:>16,.0f}")
        if differing:
            raise SystemExit(f"{differing} answers differ between the binaries")


if __name__ == "__main__":
    main()
