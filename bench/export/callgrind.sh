#!/usr/bin/env bash
# Counts the instructions a praxis server executes for exports (valgrind's callgrind): a count
# that, unlike wall or CPU time, does not depend on the machine's load. The server starts with
# instrumentation off; it is switched on for the exports only, after one export not counted.
#
#   bench/export/callgrind.sh BINARY DATA [EXPORTS] [QUERY]
#
# Prints the instructions (Ir) for EXPORTS exports (default 2) of QUERY (default "format=csv"),
# and leaves the callgrind file in $OUT (default a new temporary directory) for callgrind_annotate.
set -euo pipefail
bin=$1 data=$2 exports=${3:-2} query=${4:-format=csv}
out=${OUT:-$(mktemp -d)}
port=18211
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out" \
    "$bin" --data "$data" serve --addr "127.0.0.1:$port" >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
    sleep 1
done
# One export first, not counted: the counted ones find the store's pages in its cache.
curl -sf -o "$out/export" "http://127.0.0.1:$port/api/search?$query"
callgrind_control -i on "$pid" >/dev/null 2>&1
for _ in $(seq 1 "$exports"); do
    curl -sf -o "$out/export" "http://127.0.0.1:$port/api/search?$query"
done
callgrind_control -i off "$pid" >/dev/null 2>&1
kill -INT "$pid"
wait "$pid" || true
trap - EXIT
ir=$(sed -n 's/.*Collected : //p' "$out/server.log")
printf '%s: %s instructions for %s exports of %s (%s bytes each), files in %s\n' \
    "$bin" "$ir" "$exports" "$query" "$(stat -c %s "$out/export")" "$out"
