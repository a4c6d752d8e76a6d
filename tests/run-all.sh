#!/bin/sh
# run-all.sh — run every test executable given as an argument.
#
#   sh tests/run-all.sh build/asan/tests/test_a build/asan/tests/test_b ...
#
# Each test's output is shown as it finishes.  Check's per-test counts are
# summed from each executable's "NN%: Checks: X, Failures: Y, Errors: Z"
# line; an executable that exits non-zero or prints no such line (crash,
# sanitizer abort, missing file) counts as one more failure.  The last line
# is exactly "N passed, N failed".  Exit status: 0 only when nothing failed.

: "${CK_FORK:=yes}"
export CK_FORK

passed=0
failed=0
bad_exes=""
tmp=$(mktemp "${TMPDIR:-/tmp}/bootfix-tests.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT HUP INT TERM

for t in "$@"; do
    echo "=== $t"
    if [ ! -x "$t" ]; then
        echo "run-all: $t: not found or not executable"
        failed=$((failed + 1))
        bad_exes="$bad_exes $t"
        continue
    fi
    "$t" >"$tmp" 2>&1
    rc=$?
    cat "$tmp"
    line=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$tmp" | tail -n 1)
    if [ -n "$line" ]; then
        read -r checks fails errs <<LINE
$line
LINE
        passed=$((passed + checks - fails - errs))
        failed=$((failed + fails + errs))
        if [ "$rc" -ne 0 ] && [ $((fails + errs)) -eq 0 ]; then
            echo "run-all: $t: exit status $rc although Check reported no failure"
            failed=$((failed + 1))
        fi
    else
        echo "run-all: $t: exit status $rc and no Check summary line (crashed?)"
        failed=$((failed + 1))
    fi
    if [ "$rc" -ne 0 ]; then
        bad_exes="$bad_exes $t"
    fi
done

if [ -n "$bad_exes" ]; then
    echo "failing test executables:$bad_exes"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$bad_exes" ]
