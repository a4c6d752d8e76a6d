#!/bin/sh
# bench/run.sh — the driver of `make bench`.
#
#   sh bench/run.sh BUILD_DIR
#
# BUILD_DIR holds bench/worker, bench/genhive and bootfix.  Every measured
# run is a fresh worker process (so its peak RSS is its own); the
# implementations take turns within each round, and the table shows the
# median of BENCH_RUNS rounds.  Settings (environment):
#   BENCH_RUNS=5          rounds per workload
#   BENCH_SIZES="16 64 256"  generated hive sizes in MiB
#   BENCH_SEED=1          generator seed
#   BENCH_LOOKUPS=100000  key paths looked up per hive
#   BOOTFIX_CORPUS        the shared corpus (default: ../shared/corpus)
# Results: printed, and written to BUILD_DIR/bench/results.txt.
set -u
B=${1:-build}
W="$B/bench/worker"
G="$B/bench/genhive"
BOOTFIX="$B/bootfix"
RUNS=${BENCH_RUNS:-5}
SIZES=${BENCH_SIZES-16 64 256}
SEED=${BENCH_SEED:-1}
LOOKUPS=${BENCH_LOOKUPS:-100000}
CORPUS=${BOOTFIX_CORPUS:-$(pwd)/../shared/corpus}
DATA="$B/bench/data"   # generated hives are kept here between runs
TMP="$B/bench/tmp"
OUT="$B/bench/results.txt"
RAW="$B/bench/raw.txt"
mkdir -p "$DATA" "$TMP"
: > "$RAW"

die() { echo "bench: $*" >&2; exit 1; }

# The corpus's real SYSTEM hives (primary files), by MANIFEST.tsv.
corpus_system_hives() {
    [ -f "$CORPUS/hives/MANIFEST.tsv" ] || return 0
    awk -F'\t' '$3 == "primary" && $10 == "SYSTEM" && $1 !~ /corrupt/ { print $1 ":" $5 }' "$CORPUS/hives/MANIFEST.tsv"
}

# measure SET WORKLOAD IMPL ARGS...: one run; appends "SET WORKLOAD IMPL key=value..." to RAW
measure() {
    set_=$1 wl=$2 impl=$3
    shift 3
    line=$("$W" "$wl" "$impl" "$@") || die "$wl $impl on $set_ failed (see above)"
    echo "$set_ $wl $impl $line" >> "$RAW"
}

# rounds SET WORKLOAD "IMPLS" ARGS...: RUNS rounds, implementations in turn,
# the first in a different place each round
rounds() {
    set_=$1 wl=$2 impls=$3
    shift 3
    r=0
    while [ "$r" -lt "$RUNS" ]; do
        order=$(echo $impls | awk -v r="$r" '{ for (i = 0; i < NF; i++) printf "%s ", $((i + r) % NF + 1) }')
        for impl in $order; do
            measure "$set_" "$wl" "$impl" "$@"
        done
        r=$((r + 1))
    done
}

# agree SET WORKLOAD FIELDS [IMPLS]: these implementations (default: all)
# read the same (their tallies match)
agree() {
    awk -v s="$1" -v w="$2" -v fields="$3" -v impls="${4:-}" '
        $1 == s && $2 == w && (impls == "" || index(" " impls " ", " " $3 " ")) {
            key = ""
            for (i = 4; i <= NF; i++) { split($i, kv, "="); if (index(" " fields " ", " " kv[1] " ")) key = key " " $i }
            if (!(key in seen)) { seen[key] = $3; n++ }
        }
        END { if (n != 1) { for (k in seen) print "bench: " s " " w ": " seen[k] " read" k > "/dev/stderr"; exit 1 } }' "$RAW"
}

READ_FIELDS="keys values name_bytes data_bytes data_sum types"
TREE_FIELDS="keys values name_bytes types"

# ---- the data sets ----------------------------------------------------------------
echo "bench: machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
     "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $RUNS rounds per workload"

SETS=""
CORPUS_HIVES=""
n=0
CLEAN_HIVES=""
for entry in $(corpus_system_hives); do
    rel=${entry%:*} state=${entry##*:}
    [ -f "$CORPUS/hives/$rel" ] || continue
    cp "$CORPUS/hives/$rel" "$TMP/try.hive"
    # only hives that every reader reads, with the same result
    tallies="" why=""
    for impl in bootfix hivex libregf; do
        out=$("$W" walk $impl "$TMP/try.hive" 2>&1) || { why="$impl cannot read it: $(echo "$out" | tail -1)"; break; }
        tallies="$tallies
$(echo "$out" | cut -d' ' -f3,4,5,8)"
    done
    [ -z "$why" ] && [ "$(echo "$tallies" | sort -u | grep -c .)" != 1 ] && why="the readers disagree on its content"
    if [ -n "$why" ]; then
        echo "bench: corpus: left out $rel: $why"
        continue
    fi
    n=$((n + 1))
    mv "$TMP/try.hive" "$TMP/corpus$n.hive"
    CORPUS_HIVES="$CORPUS_HIVES $TMP/corpus$n.hive"
    # bootfix refuses to write a dirty hive whose logs are absent (hivex would)
    [ "$state" = clean ] && CLEAN_HIVES="$CLEAN_HIVES $TMP/corpus$n.hive"
done
if [ -n "$CORPUS_HIVES" ]; then
    SETS="corpus"
    echo "bench: corpus: $n real SYSTEM hives, $(cat $CORPUS_HIVES | wc -c) bytes; edits on the $(echo $CLEAN_HIVES | wc -w) clean ones"
else
    echo "SKIPPED: bench: the corpus's real SYSTEM hives, log replay and BCD store (corpus not found at $CORPUS)"
fi
for mb in $SIZES; do
    f="$DATA/gen-$SEED-$mb.hive"
    if [ ! -f "$f" ]; then
        echo "bench: generating $f"
        "$G" "$SEED" "$mb" "$f.new" >&2 || die "genhive $SEED $mb failed"
        mv "$f.new" "$f"
    fi
    SETS="$SETS gen$mb"
done

files_of() { if [ "$1" = corpus ]; then echo $CORPUS_HIVES; else echo "$DATA/gen-$SEED-${1#gen}.hive"; fi; }

# ---- the workloads ----------------------------------------------------------------
for set_ in $SETS; do
    files=$(files_of "$set_")
    echo "bench: $set_: walk"
    rounds "$set_" walk "bootfix-visit bootfix hivex libregf" $files
    DISAGREE="the implementations disagree (above): a reader skipped or misread something"
    agree "$set_" walk "$READ_FIELDS" "bootfix bootfix-visit hivex" || die "$set_ walk: $DISAGREE"
    agree "$set_" walk "$TREE_FIELDS" || die "$set_ walk: $DISAGREE"
    agree "$set_" walk "$READ_FIELDS" 2>/dev/null ||
        echo "bench: $set_: note: libregf reads other data for some values than bootfix and hivex (data_bytes/data_sum)"

    echo "bench: $set_: lookups"
    # hivex looks a name up by reading every subkey of the key: on the big
    # generated hives (63,000 subkeys under one key) 100,000 lookups would
    # take it most of an hour, so it gets the first HIVEX_PATHS of the same
    # random paths, and the table compares time per lookup
    case $set_ in
        corpus) hp=$LOOKUPS ;;
        *) hp=$(( ${set_#gen} <= 16 ? 10000 : ${set_#gen} <= 64 ? 2000 : 500 )) ;;
    esac
    [ "$hp" -gt "$LOOKUPS" ] && hp=$LOOKUPS
    pairs="" hpairs=""
    for f in $files; do
        "$W" paths "$f" "$LOOKUPS" "$SEED" "$f.paths" > /dev/null || die "paths of $f"
        head -n "$hp" "$f.paths" > "$f.hpaths"
        pairs="$pairs $f $f.paths"
        hpairs="$hpairs $f $f.hpaths"
    done
    rounds "$set_" lookup "bootfix" $pairs
    rounds "$set_" lookup "hivex" $hpairs
    want=$(( $(echo $files | wc -w) * LOOKUPS )) hwant=$(( $(echo $files | wc -w) * hp ))
    awk -v s="$set_" -v a="$want" -v b="$hwant" '$1 == s && $2 == "lookup" {
            for (i = 4; i <= NF; i++) if ($i ~ /^found=/) split($i, kv, "="); if (kv[2] != ($3 == "hivex" ? b : a)) { print "bench: " s " lookups: " $3 " found " kv[2] " of " ($3 == "hivex" ? b : a) > "/dev/stderr"; bad = 1 } }
        END { exit bad }' "$RAW" || die "$set_ lookups: an implementation missed paths that exist"

    echo "bench: $set_: edit + commit"
    pairs=""
    [ "$set_" = corpus ] && files=$CLEAN_HIVES
    for f in $files; do pairs="$pairs $f $f.out"; done
    rounds "$set_" edit "bootfix hivex copy" $pairs
    for f in $files; do rm -f "$f.out"; done
done

if [ -n "$CORPUS_HIVES" ]; then
    b="$CORPUS/hives/regipy/regipy_tests/data/SYSTEM_B"
    if [ -f "$b" ] && [ -f "$b.LOG1" ]; then
        echo "bench: log replay of SYSTEM_B"
        mkdir -p "$TMP/replay"
        cp "$b" "$b.LOG1" "$b.LOG2" "$TMP/replay/"
        rounds replay replay "bootfix" "$TMP/replay/SYSTEM_B"
    fi
    bcd=$(ls -S "$CORPUS"/bcd/*.bin 2>/dev/null | head -1)
    if [ -n "$bcd" ]; then
        echo "bench: bcdedit /enum all /v on $(basename "$bcd") ($(wc -c < "$bcd") bytes)"
        rounds bcdedit run "$BOOTFIX" bcdedit /store "$bcd" /enum all /v
    fi
fi

# ---- the table --------------------------------------------------------------------
set_bytes() { cat $(files_of "$1") | wc -c; }
{
    echo "set       workload  implementation   median s  bootfix/other  peak RSS MiB  (file MiB)"
    for set_ in $SETS; do
        awk -v s="$set_" -v mb="$(set_bytes "$set_")" -f bench/table.awk "$RAW"
    done
    awk -f bench/table.awk -v s=replay -v mb=0 "$RAW"
    awk -f bench/table.awk -v s=bcdedit -v mb=0 "$RAW"
    echo
    setmax=""
    for set_ in $SETS; do setmax="$setmax $set_:$(ls -l $(files_of "$set_") | awk '$5 > m { m = $5 } END { print m }')"; done
    awk -v sets="$SETS" -v sizes="$SIZES" -v setmax="$setmax" -f bench/targets.awk "$RAW"
} > "$OUT"
cat "$OUT"
