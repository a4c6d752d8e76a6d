#!/bin/sh
# tests/windows/bootfix-wine.sh — bootfix's command line, run by the Windows
# build under Wine, so that the Linux shell tests can be pointed at it:
#
#   BOOTFIX_EXE=build/windows/dist/bin/bootfix.exe WINEPREFIX=DIR \
#       tests/windows/bootfix-wine.sh ARGS...
#
# Every argument that is a Linux absolute path (one that exists, or that has a
# second "/"), alone or after "NAME=" (--journal=/x, --map F:=/x), is given
# to bootfix.exe in its Windows form on drive Z: (Z: is Wine's "/"):
# /tmp/x/Boot/BCD becomes Z:\tmp\x\Boot\BCD.  Switches such as /store, /v,
# /enum and Windows paths (F:, F:\boot\bcd) are passed unchanged.  The exit
# status, stdout and stderr are bootfix.exe's, less one message of Wine's own
# ("wine: Read access denied for device L"\\??\\Z:\\", FS volume label and
# serial are not available.", printed when a program asks for the label of
# Z:).  Wine runs quietly (WINEDEBUG=-all) and with a UTF-8 locale, so
# non-ASCII arguments reach bootfix.exe as the same characters.

EXE=${BOOTFIX_EXE:?set BOOTFIX_EXE to bootfix.exe}
: "${WINEPREFIX:?set WINEPREFIX to the Wine prefix of the tests}"
export WINEPREFIX
export WINEDEBUG=-all
export LC_ALL=C.UTF-8

# winpath PATH: the Windows form of the Linux absolute PATH
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }

# is_unix_path ARG: ARG is a Linux absolute path, not a /switch
is_unix_path() {
    case $1 in
        /) return 0 ;;
        /*/*) return 0 ;;
        /*) [ -e "$1" ] ;;
        *) return 1 ;;
    esac
}

# convert ARG: ARG with its Linux path (whole, or after the first "=") in Windows form
convert() {
    if is_unix_path "$1"; then
        winpath "$1"
        return
    fi
    case $1 in
        -*=/* | [A-Za-z]:=/*)
            if is_unix_path "${1#*=}"; then
                printf '%s=' "${1%%=*}"
                winpath "${1#*=}"
                return
            fi
            ;;
    esac
    printf '%s' "$1"
}

# rebuild "$@" with each argument converted (a trailing "x" keeps trailing newlines)
n=$#
while [ "$n" -gt 0 ]; do
    a=$(convert "$1"; printf x)
    set -- "$@" "${a%x}"
    shift
    n=$((n - 1))
done

# stdout straight through (fd 3), stderr through the filter, the status through fd 4
NOISE='^wine: Read access denied for device .*FS volume label and serial are not available'
exec 3>&1
st=$({ { wine "$EXE" "$@" 2>&1 1>&3 3>&- 4>&-; echo $? >&4; } | grep -v -- "$NOISE" >&2; } 4>&1)
exit "$st"
