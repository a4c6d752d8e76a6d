#!/bin/sh
# tests/windows/run.sh — the Windows tests of `make check-windows`: the
# Windows build (bootfix.exe, mingw-w64) run under Wine.
#
#   BOOTFIX_EXE=build/windows/dist/bin/bootfix.exe BOOTFIX_SRC=. \
#   BOOTFIX_LINUX=build/bootfix BOOTFIX_TOOLS=build/asan/tests/tools \
#   BOOTFIX_WIN_TOOLS=build/windows/tests WINEPREFIX=build/windows/wineprefix \
#       sh tests/windows/run.sh
#
# Creates the private Wine prefix quietly if it is missing (never ~/.wine),
# then runs tests/windows/test_windows.sh (drive letters, WinPE batch file,
# sharing violation, live system, BCD on another volume) and the Linux
# integration test tests/test_recipes.sh against bootfix.exe through
# tests/windows/bootfix-wine.sh.  Prints each script's summary and the time
# taken; the exit status is non-zero if any script failed.

: "${BOOTFIX_EXE:?set BOOTFIX_EXE to bootfix.exe}"
: "${WINEPREFIX:?set WINEPREFIX to a private Wine prefix (not ~/.wine)}"
SRC=${BOOTFIX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export BOOTFIX_EXE BOOTFIX_SRC="$SRC" BOOTFIX_LINUX BOOTFIX_TOOLS BOOTFIX_WIN_TOOLS
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
case $WINEPREFIX in /*) ;; *) WINEPREFIX=$(pwd)/$WINEPREFIX ;; esac
export WINEPREFIX
if [ "$WINEPREFIX" = "$HOME/.wine" ] || [ "$WINEPREFIX" = "$HOME/.wine/" ]; then
    echo "run.sh: refusing to use ~/.wine; set WINEPREFIX to a private prefix"
    exit 1
fi

start=$(date +%s)
failed=

# a prefix is ready when wineboot has written its registry
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "# creating the Wine prefix $WINEPREFIX"
    mkdir -p "$WINEPREFIX"
    if ! wineboot -i >"$WINEPREFIX.log" 2>&1; then
        cat "$WINEPREFIX.log"
        echo "FAIL - wineboot -i"
        exit 1
    fi
fi
# let the prefix's wineserver end, so that test_windows.sh maps its drive
# letters before Wine starts again (the mount manager reads them at start)
wineserver -w 2>/dev/null

# script NAME COMMAND...: run one test script, keep its summary
script() {
    name=$1
    shift
    echo "# ---- $name"
    t0=$(date +%s)
    "$@" >"$LOGDIR/$name.log" 2>&1
    st=$?
    cat "$LOGDIR/$name.log"
    sum=$(tail -n 1 "$LOGDIR/$name.log")
    case $sum in *" passed, "*" failed") ;; *) sum="no summary" ;; esac
    if [ "$st" -ne 0 ]; then failed="$failed $name"; fi
    printf '%s\n' "$name: $sum (exit $st, $(($(date +%s) - t0)) s)" >>"$LOGDIR/summary"
}

LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-windows-run.XXXXXX") || exit 1
trap 'rm -rf "$LOGDIR"' EXIT
trap 'exit 1' INT TERM
: >"$LOGDIR/summary"

script test_windows sh "$SRC/tests/windows/test_windows.sh"
script test_recipes env BOOTFIX="$SRC/tests/windows/bootfix-wine.sh" BOOTFIX_WINDOWS=1 \
    sh "$SRC/tests/test_recipes.sh"

echo "# ---- summary (Windows build under $(wine --version 2>/dev/null))"
cat "$LOGDIR/summary"
echo "total: $(($(date +%s) - start)) s"
if [ -n "$failed" ]; then
    echo "FAILED:$failed"
    exit 1
fi
echo "all Windows tests passed"
