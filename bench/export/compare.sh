#!/usr/bin/env bash
# Exports every document as CSV from two praxis binaries serving copies of the same data,
# interleaved (old, new, old, new, ...), and prints each export's wall time, the server's CPU
# seconds (user+sys) spent on it, the bytes and the rows, with the load average.
#
#   bench/export/compare.sh OLD_BINARY OLD_DATA NEW_BINARY NEW_DATA [RUNS] [QUERY]
#
# Each data directory must be its own copy (sled locks it). QUERY defaults to "format=csv".
set -euo pipefail
old_bin=$1 old_data=$2 new_bin=$3 new_data=$4 runs=${5:-3} query=${6:-format=csv}
out=$(mktemp -d)
trap 'kill $old_pid $new_pid 2>/dev/null || true; rm -rf "$out"' EXIT
start() { # binary data port
    "$1" --data "$2" serve --addr "127.0.0.1:$3" >"$out/$3.log" 2>&1 &
    echo $!
}
old_pid=$(start "$old_bin" "$old_data" 18201)
new_pid=$(start "$new_bin" "$new_data" 18202)
for server in "$old_pid 18201" "$new_pid 18202"; do
    set -- $server
    until curl -sf "http://127.0.0.1:$2/healthz" >/dev/null; do
        kill -0 "$1" 2>/dev/null || { cat "$out/$2.log" >&2; exit 1; }
        sleep 0.5
    done
done
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
printf '%-4s %4s %8s %8s %12s %8s %6s\n' which run wall_s cpu_s bytes rows load
for run in $(seq 1 "$runs"); do
    for which in old new; do
        if [ $which = old ]; then pid=$old_pid port=18201; else pid=$new_pid port=18202; fi
        before=$(cpu $pid)
        started=$(date +%s.%N)
        curl -sf -o "$out/export" "http://127.0.0.1:$port/api/search?$query"
        ended=$(date +%s.%N)
        after=$(cpu $pid)
        printf '%-4s %4d %8.2f %8.2f %12d %8d %6s\n' $which "$run" \
            "$(echo "$ended - $started" | bc)" "$(echo "$after - $before" | bc)" \
            "$(stat -c %s "$out/export")" "$(wc -l <"$out/export")" \
            "$(cut -d' ' -f1 /proc/loadavg)"
        cp "$out/export" "$out/export.$which"
    done
    cmp -s "$out/export.old" "$out/export.new" && echo "     run $run: identical bytes" \
        || echo "     run $run: THE EXPORTS DIFFER"
done
