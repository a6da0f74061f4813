#!/usr/bin/env python3
"""The faceted mix against one or two praxis servers, one at a time, timed per query.

    bench/tail/per_query.py BINARY DATA [OTHER_BINARY OTHER_DATA] [--repeat 2]

Starts `BINARY --data DATA serve` on the loopback, sends the 600 requests of the peers harness's
faceted mix (`bench/peers/peers.py`, the same requests as `bench/peers/run`) `--repeat` times,
stops it, then does the same with the other binary if given. Prints, per query of the mix, the
median, 90th percentile and maximum of the server's own `took_ms`, slowest first, and each
binary's p50 and p99 over all requests. Unlike `bench/peers/run`, which interleaves engines
request by request, each server here answers its requests back to back, as a server does when
nothing else runs; run it twice with the binaries swapped to see how much the order moves things.
"""

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench/peers"))
from peers import Geography, faceted_mix  # noqa: E402  (the peers harness's mix)

import yaml  # noqa: E402


def run(binary, data, port, mix, repeat):
    server = subprocess.Popen([binary, "--data", data, "serve", "--addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/readyz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            sys.exit(f"{binary} did not become ready on port {port}")
        took = {}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(repeat):
            for request in mix:
                params = [("q", request["q"]), ("page_size", "20"), ("lang", "en")]
                for group, values in request["filters"].items():
                    params.extend((group, v) for v in values)
                conn.request("GET", "/api/search?" + urllib.parse.urlencode(params))
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    sys.exit(f"{binary}: {response.status} {body[:200]!r}")
                took.setdefault(request["q"], []).append(json.loads(body)["took_ms"])
        return took
    finally:
        server.terminate()
        server.wait()


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("servers", nargs="+", help="BINARY DATA [OTHER_BINARY OTHER_DATA]")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if len(args.servers) not in (2, 4):
        parser.error("give BINARY DATA, or two such pairs")
    taxonomy = yaml.safe_load((ROOT / "corpus/taxonomy.yaml").read_text())
    mix = faceted_mix(600, Geography().order, [t["slug"] for t in taxonomy["themes"]])
    pairs = list(zip(args.servers[::2], args.servers[1::2]))
    results = [run(b, d, 18301 + i, mix, args.repeat) for i, (b, d) in enumerate(pairs)]

    header = f"{'query':28} {'n':>4}"
    for name in "AB"[:len(results)]:
        header += f" {name + ' p50':>7} {name + ' p90':>7} {name + ' max':>7}"
    print(header)
    first = results[0]
    for query in sorted(first, key=lambda q: -percentile(first[q], 0.9)):
        line = f"{query:28} {len(first[query]):4}"
        for took in results:
            values = took[query]
            line += (f" {statistics.median(values):7.2f} {percentile(values, 0.9):7.2f}"
                     f" {max(values):7.2f}")
        print(line)
    for name, took, (binary, _) in zip("AB", results, pairs):
        every = [t for values in took.values() for t in values]
        print(f"{name} ({binary}): server-side p50 {statistics.median(every):.2f} ms, "
              f"p99 {percentile(every, 0.99):.2f} ms over {len(every)} requests")


if __name__ == "__main__":
    main()
