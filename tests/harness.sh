# tests/harness.sh — shared by the tests/test_*.sh scripts (sourced, not run).
#
#   HARNESS_NAME=cli . "$(dirname "$0")/harness.sh"
#
# Sets BOOTFIX (absolute), SRC, CORPUS and a temporary directory T removed on
# exit, and defines the checks below.  Each check prints "ok - ..." or
# "FAIL - ..." with the last command's output; `finish` prints
# "N passed, N failed" and gives the script's exit status.

BOOTFIX=${BOOTFIX:?set BOOTFIX to the bootfix binary}
case $BOOTFIX in /*) ;; *) BOOTFIX=$(pwd)/$BOOTFIX ;; esac
SRC=${BOOTFIX_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
CORPUS=${BOOTFIX_CORPUS:-$SRC/../shared/corpus}

T=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-${HARNESS_NAME:-test}.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM

pass=0
fail=0
rc=0

# (printf, not echo: a description may hold backslashes, as in F:\boot\bcd)
ok() { pass=$((pass + 1)); printf 'ok - %s\n' "$1"; }
bad() {
    fail=$((fail + 1))
    printf 'FAIL - %s\n' "$1"
    [ -s "$T/out" ] && sed -n '1,15s/^/    out: /p' "$T/out"
    [ -s "$T/err" ] && sed -n '1,8s/^/    err: /p' "$T/err"
    return 0
}

# run ARGS...: bootfix with ARGS; stdout in $T/out, stderr in $T/err, status in $rc
run() {
    "$BOOTFIX" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

# expect STATUS DESCRIPTION ARGS...
expect() {
    want=$1 desc=$2
    shift 2
    run "$@"
    if [ "$rc" -eq "$want" ]; then ok "$desc"; else bad "$desc (exit $rc, expected $want)"; fi
}

# has TEXT DESCRIPTION: the last stdout contains TEXT (fixed string); hasnt: does not
has() {
    if grep -qF -- "$1" "$T/out"; then ok "$2"; else bad "$2: output lacks '$1'"; fi
}
hasnt() {
    if grep -qF -- "$1" "$T/out"; then bad "$2: output has '$1'"; else ok "$2"; fi
}
has_err() {
    if grep -qF -- "$1" "$T/err"; then ok "$2"; else bad "$2: stderr lacks '$1'"; fi
}
same() { # same FILE1 FILE2 DESCRIPTION
    if cmp -s "$1" "$2"; then ok "$3"; else bad "$3: $1 and $2 differ"; fi
}

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
