#!/bin/sh
# tests/test_manexample.sh — the programs in EXAMPLES of man/libbootfix.3
# compile and do what the page says.
#
#   BOOTFIX=build/asan/bootfix [BOOTFIX_SRC=.] sh tests/test_manexample.sh
#
# The first program (between the lines '.\" example-begin' and
# '.\" example-end') is extracted, its roff escapes undone, compiled with
# -std=c11 -Wall -Wextra -Werror against build/libbootfix.a and run on a
# sample volume from tests/mkvolume.sh (CrashDumpEnabled 7 there): its plan
# must show CrashDumpEnabled 7 -> 2, and afterwards `bootfix reg query` must
# show 0x2 and the backup folder it printed must hold the journal.  The second
# program (example2-begin/-end) must print that value.  Prints "N passed, N failed".

HARNESS_NAME=manexample
. "$(dirname "$0")/harness.sh"

PAGE=$SRC/man/libbootfix.3
LIB=$SRC/build/libbootfix.a
CC=${CC:-cc}

# extract BEGIN END OUT: the .EX/.EE block between the marker lines, as C
extract() {
    sed -n "/^\\.\\\\\" $1\$/,/^\\.\\\\\" $2\$/p" "$PAGE" |
        sed -e '/^\.\\"/d' -e '/^\.RS/d' -e '/^\.RE/d' -e '/^\.EX/d' -e '/^\.EE/d' \
            -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\e/\\/g' >"$3"
}

# build NAME: compile $T/NAME.c into $T/NAME
build() {
    if "$CC" -std=c11 -Wall -Wextra -Werror -I"$SRC/include" "$T/$1.c" "$LIB" -ldl \
        -o "$T/$1" >"$T/out" 2>"$T/err"; then
        ok "$1 compiles with -Wall -Wextra -Werror"
        return 0
    fi
    bad "$1 compiles with -Wall -Wextra -Werror"
    return 1
}

if [ ! -f "$LIB" ]; then
    make -C "$SRC" build/libbootfix.a >"$T/make.log" 2>&1 ||
        { cat "$T/make.log"; bad "make build/libbootfix.a"; finish; exit; }
fi

extract example-begin example-end "$T/prog.c"
if grep -q 'bf_recipe_run' "$T/prog.c" && grep -q '^int main' "$T/prog.c"; then
    ok "first example extracted ($(wc -l <"$T/prog.c") lines)"
else
    bad "first example extracted from $PAGE"
fi
if grep -n '\\[-e&(]' "$T/prog.c" >"$T/out"; then
    bad "no roff escapes left in the program"
else
    ok "no roff escapes left in the program"
fi
extract example2-begin example2-end "$T/prog2.c"

sh "$SRC/tests/mkvolume.sh" "$BOOTFIX" "$T/vol" >"$T/out" 2>"$T/err" &&
    ok "sample volume built" || bad "sample volume built"
SYS=$T/vol/Windows/System32/config/SYSTEM
KEY='ControlSet001\Control\CrashControl'

if build prog; then
    "$T/prog" "$T/vol" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 0 ] && ok "example runs (exit 0)" || bad "example runs (exit $rc)"
    has 'plan:' "example prints a plan"
    has 'CrashDumpEnabled: REG_DWORD 0x7 (7) -> REG_DWORD 0x2 (2)' \
        "plan shows CrashDumpEnabled 7 -> 2"
    has 'NMICrashDump: absent -> REG_DWORD 0x1 (1)' "plan shows NMICrashDump absent -> 1"
    has 'DumpFile: already' "plan shows DumpFile already set"
    has '2 changes written; backup in ' "example reports the backup folder"
    dir=$(sed -n 's/^.* changes written; backup in \(.*\), journal .*$/\1/p' "$T/out")
    case $dir in
    "$T/vol/bootfix-backup/"*-enable-dump) ok "backup folder is under <target>/bootfix-backup" ;;
    *) bad "backup folder is under <target>/bootfix-backup (got '$dir')" ;;
    esac
    [ -n "$dir" ] && [ -f "$dir/journal.txt" ] && [ -f "$dir/SYSTEM" ] &&
        ok "backup folder holds journal.txt and SYSTEM" ||
        bad "backup folder holds journal.txt and SYSTEM"
    has "journal $dir/journal.txt" "example reports the journal path"

    run reg query "$SYS" "$KEY" /v CrashDumpEnabled
    [ "$rc" -eq 0 ] && has 'REG_DWORD    0x2' "CrashDumpEnabled is 0x2 afterwards" ||
        bad "reg query after the example (exit $rc)"
    run reg query "$SYS" "$KEY" /v NMICrashDump
    [ "$rc" -eq 0 ] && has 'REG_DWORD    0x1' "NMICrashDump is 0x1 afterwards" ||
        bad "reg query NMICrashDump after the example (exit $rc)"
    run hive check "$SYS"
    [ "$rc" -eq 0 ] && ok "SYSTEM passes hive check" || bad "SYSTEM passes hive check"

    # a second run has nothing to change and writes nothing
    "$T/prog" "$T/vol" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 0 ] && has 'nothing to change' "second run: nothing to change" ||
        bad "second run (exit $rc)"
    has 'CrashDumpEnabled: already REG_DWORD 0x2 (2)' "second plan: CrashDumpEnabled already 2"
    n=$(ls "$T/vol/bootfix-backup" | wc -l)
    [ "$n" -eq 1 ] && ok "second run made no backup" || bad "second run made no backup ($n folders)"

    "$T/prog" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 2 ] && ok "example without a target: usage, exit 2" || bad "usage (exit $rc)"
    "$T/prog" "$T/nonexistent" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 1 ] && [ -s "$T/err" ] && ok "example on a missing target: exit 1 with a message" ||
        bad "example on a missing target (exit $rc)"
fi

if build prog2; then
    "$T/prog2" "$SYS" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 0 ] && ok "second example runs" || bad "second example runs (exit $rc)"
    if grep -qxF 'REG_DWORD 0x2' "$T/out"; then ok "second example prints 'REG_DWORD 0x2'"; else
        bad "second example prints 'REG_DWORD 0x2'"; fi
    "$T/prog2" "$T/vol/Boot/BCD" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 1 ] && [ -s "$T/err" ] && ok "second example on a store: not found, exit 1" ||
        bad "second example on a store (exit $rc)"
fi

finish
