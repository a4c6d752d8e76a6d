#!/bin/sh
# make bench: wall-clock time of the hive layer's heavy commands on the
# largest real SYSTEM hives of the corpus (median of 5 runs each).
# Usage: sh tests/bench.sh path/to/bootfix
set -u
BOOTFIX=${1:-build/bootfix}
SRC=${BOOTFIX_SRC:-$(pwd)}
CORPUS=${BOOTFIX_CORPUS:-$SRC/../shared/corpus}
if [ ! -d "$CORPUS/hives" ]; then
    echo "SKIPPED: bench: corpus not found at $CORPUS"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# median wall time in milliseconds of a command run 5 times
median_ms() {
    i=0
    : > "$tmp/times"
    while [ $i -lt 5 ]; do
        s=$(date +%s%N)
        "$@" > /dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }
        e=$(date +%s%N)
        echo $(( (e - s) / 1000000 )) >> "$tmp/times"
        i=$((i + 1))
    done
    sort -n "$tmp/times" | sed -n 3p
}

for rel in regipy/regipy_tests/data/SYSTEM dissect.regf/tests/_data/SYSTEM regipy/regipy_tests/data/SYSTEM_B; do
    f="$CORPUS/hives/$rel"
    [ -f "$f" ] || continue
    cp "$f" "$tmp/SYSTEM"
    for l in LOG1 LOG2; do [ -f "$f.$l" ] && cp "$f.$l" "$tmp/SYSTEM.$l"; done
    size=$(wc -c < "$f")
    check=$(median_ms "$BOOTFIX" hive check "$tmp/SYSTEM")
    rm -f "$tmp/out.reg"
    export_ms=$(median_ms sh -c "rm -f '$tmp/out.reg'; '$BOOTFIX' reg export '$tmp/SYSTEM' '$tmp/out.reg'")
    regsize=$(wc -c < "$tmp/out.reg")
    printf '%-40s %9s bytes  hive check %5s ms  reg export %5s ms (%s bytes of .reg)\n' \
        "$rel" "$size" "$check" "$export_ms" "$regsize"
    rm -f "$tmp"/SYSTEM*
done
