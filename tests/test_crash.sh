#!/bin/sh
# tests/test_crash.sh — crash consistency: kill bootfix with SIGKILL at random
# points of a commit, many times, and check each time that
#   1. every file is its old version (byte for byte) or its new version (the
#      same registry content as a run that was not killed), and all files of
#      the run together are all old or all new; .LOG files and files the
#      operation does not change stay byte-identical; backups that exist
#      (FILE.bootfix-*.bak, the copies beside a journal) are complete;
#   2. `bootfix status TARGET` works;
#   3. `bootfix undo TARGET` brings the target back to the old state (when the
#      killed run left a journal), or says there is nothing to undo (when it
#      left none; then no file may have been changed);
#   4. the operation then runs again normally and gives the new state (no
#      lock or anything else left wedged), and no temporary file
#      (.NAME.bootfix-tmp-PID-N) is left beside the hives after it.
# Delays are spread evenly over [0, 1.3 x the run time of a normal run], with a
# jitter from a fixed seed; every failure names the operation, iteration,
# seed and delay.  Environment:
#   BOOTFIX_CRASH_RUNS  kills per operation (default 20)
#   BOOTFIX_CRASH_SEED  seed of the jitter (default 20261121)
#   BOOTFIX_CRASH_OPS   operations to run (default: all, see OPS below)
#   BOOTFIX_CRASH_DELAY kill every run after exactly this many microseconds
#                       (to reproduce one failure)
# Needs no corpus: the volume comes from tests/mkvolume.sh.

HARNESS_NAME=crash . "$(dirname "$0")/harness.sh"

TOOLS=${BOOTFIX_TOOLS:-$SRC/build/asan/tests/tools}
KA=$TOOLS/killafter
if [ ! -x "$KA" ]; then
    echo "FAIL - $KA is not built (make $KA)"
    exit 1
fi

RUNS=${BOOTFIX_CRASH_RUNS:-20}
SEED=${BOOTFIX_CRASH_SEED:-20261121}
OPS=${BOOTFIX_CRASH_OPS:-"enable-dump safeboot-on serial-console-on debug-boot-on reg-add bcdedit-set"}

CFG=Windows/System32/config
HIVES="$CFG/SYSTEM $CFG/SOFTWARE Boot/BCD"
LOGS="$CFG/SYSTEM.LOG1 $CFG/SYSTEM.LOG2 Boot/BCD.LOG1 Boot/BCD.LOG2"
DIRS="$CFG Boot"

# ---- the pristine volume ("old state") ------------------------------------------------
P=$T/pristine
if ! sh "$SRC/tests/mkvolume.sh" "$BOOTFIX" "$P" >"$T/out" 2>"$T/err"; then
    bad "tests/mkvolume.sh builds the sample volume"
    finish
    exit 1
fi
# Windows keeps .LOG1/.LOG2 beside its hives; empty ones (a clean hive) are
# copied into every backup and must never change.
for l in $LOGS; do : >"$P/$l"; done

key() { echo "$1" | tr '/.' '__'; } # a path as a file name part

# export_to DIR HIVE OUT: the hive's registry content as .reg text (no time stamps)
export_to() {
    "$BOOTFIX" -q reg export "$1/$2" "$3" /y >/dev/null 2>"$T/export.err"
}

mkdir -p "$T/old"
for h in $HIVES; do
    export_to "$P" "$h" "$T/old/$(key "$h").reg" || {
        bad "reg export of the pristine $h"
        finish
        exit 1
    }
done

# op_exec OP DIR PREFIX...: run PREFIX... followed by bootfix with OP's arguments
op_exec() {
    _op=$1 _dir=$2
    shift 2
    case $_op in
    enable-dump) "$@" "$BOOTFIX" enable-dump "$_dir" ;;
    safeboot-on) "$@" "$BOOTFIX" safeboot on "$_dir" ;;
    serial-console-on) "$@" "$BOOTFIX" serial-console on "$_dir" ;;
    debug-boot-on) "$@" "$BOOTFIX" debug-boot on "$_dir" ;;
    reg-add) "$@" "$BOOTFIX" reg add "$_dir/$CFG/SYSTEM" 'HKLM\SYSTEM\ControlSet001\Control\CrashControl' \
        /v CrashTest /t REG_DWORD /d 5 /f ;;
    bcdedit-set) "$@" "$BOOTFIX" bcdedit /store "$_dir/Boot/BCD" /set '{bootmgr}' timeout 7 ;;
    *) echo "test_crash.sh: unknown operation $_op" >&2; return 99 ;;
    esac
}

# Recipes write a journal (and `undo` reverts it); reg and bcdedit write a
# FILE.bootfix-<time>.bak beside the file instead.
journaled() { case $1 in reg-add | bcdedit-set) return 1 ;; esac; return 0; }

sanitizer_text() { grep -q -e 'Sanitizer' -e 'runtime error:' "$1" 2>/dev/null; }

fresh_copy() { # fresh_copy DIR: DIR becomes a copy of the pristine volume
    rm -rf "$1" && cp -pR "$P" "$1"
}

# ---- classifying a target ---------------------------------------------------------------

# classify DIR OP: sets STATE to old (every file byte-identical to the
# pristine volume), new (the hives OP changes hold the new content, all
# other files unchanged), mixed (some changed hives old, some new) or bad,
# and DETAIL to one word per file (SYSTEM=old BCD=new ...).
classify() {
    _d=$1 _op=$2
    n_old=0 n_new=0 n_bad=0 DETAIL=
    for f in $HIVES $LOGS; do
        name=${f##*/}
        if cmp -s "$P/$f" "$_d/$f"; then
            s=old
        elif ! is_changed "$_op" "$f"; then
            s=changed-but-untouched-by-op
        elif export_to "$_d" "$f" "$T/cur.reg" && cmp -s "$T/cur.reg" "$T/new/$_op/$(key "$f").reg"; then
            s=new
        else
            s=neither-old-nor-new
        fi
        if is_changed "$_op" "$f"; then
            DETAIL="$DETAIL $name=$s"
        elif [ "$s" != old ]; then
            DETAIL="$DETAIL $name=$s"
        fi
        case $s in
        old) is_changed "$_op" "$f" && n_old=$((n_old + 1)) ;;
        new) n_new=$((n_new + 1)) ;;
        *) n_bad=$((n_bad + 1)) ;;
        esac
    done
    DETAIL=${DETAIL# }
    if [ "$n_bad" -gt 0 ]; then
        STATE=bad
    elif [ "$n_new" -eq 0 ]; then
        STATE=old
    elif [ "$n_old" -eq 0 ]; then
        STATE=new
    else
        STATE=mixed
    fi
}

# logical_state DIR OP WANT: every hive OP changes has the registry content of
# WANT (old or new), every other file is byte-identical to the pristine one.
# Sets DETAIL to the files that are not.
logical_state() {
    _d=$1 _op=$2 _want=$3
    DETAIL=
    for f in $HIVES $LOGS; do
        if is_changed "$_op" "$f"; then
            if [ "$_want" = old ]; then ref=$T/old/$(key "$f").reg; else ref=$T/new/$_op/$(key "$f").reg; fi
            if ! { export_to "$_d" "$f" "$T/cur.reg" && cmp -s "$T/cur.reg" "$ref"; }; then
                DETAIL="$DETAIL ${f##*/}"
            fi
        elif ! cmp -s "$P/$f" "$_d/$f"; then
            DETAIL="$DETAIL ${f##*/}(untouched-by-op)"
        fi
    done
    DETAIL=${DETAIL# }
    [ -z "$DETAIL" ]
}

is_changed() { # is_changed OP FILE: OP changes FILE (as found by the normal run)
    case " $(cat "$T/new/$1/changed") " in *" $2 "*) return 0 ;; esac
    return 1
}

# tmp files beside the hives: .NAME.bootfix-tmp-PID-N
stray_tmp() { # stray_tmp DIR: prints them
    for d in $DIRS; do
        for f in "$1/$d"/.*.bootfix-tmp-*; do
            [ -e "$f" ] && echo "${f#"$1"/}"
        done
    done
}

# Backups must be complete copies of the old files: FILE.bootfix-*.bak beside
# a file, and every file in a backup folder that holds a journal.  Prints the
# ones that are not; counts backup folders without a journal (a run killed
# while copying) in NOJOURNAL and journal temporary files in JTMP.
check_backups() {
    _d=$1
    for f in $HIVES; do
        for b in "$_d/$f".bootfix-*.bak; do
            [ -e "$b" ] || continue
            cmp -s "$b" "$P/$f" || echo "${b#"$_d"/} (not a copy of the old ${f##*/})"
        done
    done
    for j in "$_d"/bootfix-backup/*; do
        [ -d "$j" ] || continue
        for t in "$j"/journal.txt.tmp*; do [ -e "$t" ] && JTMP=$((JTMP + 1)); done
        if [ ! -e "$j/journal.txt" ]; then
            NOJOURNAL=$((NOJOURNAL + 1))
            continue
        fi
        for b in "$j"/*; do
            case ${b##*/} in journal.txt*) continue ;; esac
            orig=
            for f in $HIVES $LOGS; do [ "${f##*/}" = "${b##*/}" ] && orig=$f; done
            if [ -z "$orig" ]; then
                echo "${b#"$_d"/} (unexpected file in the backup folder)"
            elif ! cmp -s "$b" "$P/$orig"; then
                echo "${b#"$_d"/} (not a copy of the old $orig)"
            fi
        done
    done
}

has_journal() { # has_journal DIR: the killed run left a journal
    for j in "$1"/bootfix-backup/*/journal.txt; do
        [ -e "$j" ] && return 0
    done
    return 1
}

# ---- the jitter: a linear congruential generator in sh arithmetic ------------------------
rand_state=$SEED
rand() { # rand N: RAND in [0, N)
    rand_state=$(((rand_state * 1103515245 + 12345) % 2147483648))
    RAND=$(((rand_state / 65536) % $1))
}

# ---- one operation ------------------------------------------------------------------------

# fail_iter WHAT: record a failure of this iteration
fail_iter() {
    nfail=$((nfail + 1))
    echo "$op #$i (seed $SEED, delay ${delay}us, $verdict): $1" >>"$T/fails"
}

run_op() {
    op=$1
    mkdir -p "$T/new/$op"
    # normal runs: the new state, which files change, how long a run takes
    times=
    for k in 1 2 3; do
        fresh_copy "$T/n"
        v=$(op_exec "$op" "$T/n" "$KA" -o "$T/out" -w)
        set -- $v
        if [ "$1 $2" != "exited 0" ] || sanitizer_text "$T/out"; then
            : >"$T/err"
            bad "$op: a normal run succeeds ($v)"
            return
        fi
        times="$times $3"
        if [ "$k" = 1 ]; then
            changed=
            for f in $HIVES $LOGS; do
                if ! cmp -s "$P/$f" "$T/n/$f"; then
                    changed="$changed $f"
                    export_to "$T/n" "$f" "$T/new/$op/$(key "$f").reg" || {
                        bad "$op: reg export of the new $f"
                        return
                    }
                fi
            done
            echo "$changed" >"$T/new/$op/changed"
        fi
    done
    changed=$(cat "$T/new/$op/changed")
    # the median of the three: load on the machine makes single runs slow
    run_us=$(for t in $times; do echo "$t"; done | sort -n | sed -n 2p)
    : >"$T/out"
    : >"$T/err"
    if [ -z "$changed" ]; then
        bad "$op: the normal run changes some file"
        return
    fi
    span=$((run_us * 13 / 10))
    echo "# $op: changes$(for f in $changed; do printf ' %s' "${f##*/}"; done); a normal run takes ${run_us}us (median of 3); kills spread over [0, ${span}us]"

    : >"$T/fails"
    nfail=0 jold=0 before=0 after=0 between=0 exited=0 tmp_after_kill=0 NOJOURNAL=0 JTMP=0
    V=$T/v
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        # stratified: iteration i kills somewhere in the i-th slice of the span
        rand 1000000
        delay=$(((i * span + RAND * span / 1000000) / RUNS))
        [ -n "${BOOTFIX_CRASH_DELAY:-}" ] && delay=$BOOTFIX_CRASH_DELAY
        fresh_copy "$V"
        : >"$T/kout"
        verdict=$(op_exec "$op" "$V" "$KA" -o "$T/kout" "$delay")

        # 1. old or new, and consistent
        classify "$V" "$op"
        case $verdict in
        killed) ;;
        "exited 0")
            exited=$((exited + 1))
            [ "$STATE" = new ] || fail_iter "the run completed (exit 0) but the target is $STATE ($DETAIL)"
            ;;
        *) fail_iter "the run ended by itself with '$verdict': $(head -c 300 "$T/kout" | tr '\n' ' ')" ;;
        esac
        sanitizer_text "$T/kout" && fail_iter "sanitizer report: $(grep -m1 -e Sanitizer -e 'runtime error:' "$T/kout")"
        case $STATE in
        old) before=$((before + 1)) ;;
        new) after=$((after + 1)) ;;
        mixed)
            between=$((between + 1))
            fail_iter "mixed state after the kill: $DETAIL (neither all old nor all new)"
            ;;
        *) fail_iter "a file is neither its old nor its new version: $DETAIL" ;;
        esac
        killed_state=$STATE
        [ "$STATE" = old ] && has_journal "$V" && jold=$((jold + 1))
        bk=$(check_backups "$V")
        [ -n "$bk" ] && fail_iter "incomplete backup: $bk"
        [ -n "$(stray_tmp "$V")" ] && tmp_after_kill=$((tmp_after_kill + 1))

        # 2. status works
        "$BOOTFIX" status "$V" >"$T/sout" 2>&1
        st=$?
        if [ "$st" -ne 0 ] || sanitizer_text "$T/sout"; then
            fail_iter "bootfix status exited $st: $(grep -v '^  ' "$T/sout" | tail -n 2 | tr '\n' ' ')"
        fi

        # 3. undo
        "$BOOTFIX" -q undo "$V" >"$T/uout" 2>&1
        st=$?
        sanitizer_text "$T/uout" && fail_iter "sanitizer report in undo: $(grep -m1 -e Sanitizer -e 'runtime error:' "$T/uout")"
        if journaled "$op" && has_journal "$V"; then
            if [ "$st" -ne 0 ]; then
                fail_iter "undo exited $st: $(head -c 400 "$T/uout" | tr '\n' ' ')"
            elif [ "$killed_state" = old ]; then
                classify "$V" "$op"
                [ "$STATE" = old ] || fail_iter "undo of a run that changed nothing changed the files: $DETAIL"
            elif ! logical_state "$V" "$op" old; then
                fail_iter "after undo ($killed_state before it), not the old content: $DETAIL"
            fi
        else
            # no journal: nothing may have been changed by a recipe, and
            # undo has nothing to revert
            if journaled "$op" && [ "$killed_state" != old ]; then
                fail_iter "the target is $killed_state ($DETAIL) but the killed run left no journal"
            fi
            if [ "$st" -ne 1 ] || ! grep -q 'nothing to undo' "$T/uout"; then
                fail_iter "undo without a journal: exit $st, expected 1 and 'nothing to undo': $(head -c 300 "$T/uout" | tr '\n' ' ')"
            fi
            classify "$V" "$op"
            [ "$STATE" = "$killed_state" ] || fail_iter "undo without a journal changed the target ($killed_state -> $STATE)"
        fi

        # 4. the operation runs again and gives the new state; no tmp file left
        op_exec "$op" "$V" command >"$T/rout" 2>&1
        st=$?
        if [ "$st" -ne 0 ] || sanitizer_text "$T/rout"; then
            fail_iter "running $op again exited $st: $(tail -n 3 "$T/rout" | tr '\n' ' ')"
        elif ! logical_state "$V" "$op" new; then
            fail_iter "running $op again did not give the new content: $DETAIL"
        fi
        left=$(stray_tmp "$V")
        [ -n "$left" ] && fail_iter "temporary files left after the next write: $(echo $left)"
        i=$((i + 1))
    done

    summary="$op: $RUNS kills: $before before any change, $between in between, $after after the commit ($exited of them exited by themselves)"
    echo "# $summary; journal written but no file yet: $jold; tmp files right after the kill: $tmp_after_kill; backup folders without journal: $NOJOURNAL; journal tmp files: $JTMP"
    : >"$T/out"
    : >"$T/err"
    if [ "$nfail" -eq 0 ]; then
        ok "$summary"
    else
        sed -n '1,12s/^/    /p' "$T/fails"
        [ "$nfail" -gt 12 ] && echo "    ... ($nfail failures in all)"
        bad "$summary: $nfail failures"
    fi
}

started=$(date +%s)
echo "# seed $SEED, $RUNS kills per operation"
for op in $OPS; do
    run_op "$op"
done
echo "# $(($(date +%s) - started)) s for the kills"
finish
