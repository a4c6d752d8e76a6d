#!/bin/sh
# tests/windows/test_windows.sh — the Windows build (bootfix.exe) under Wine,
# on sample volumes mapped to drive letters, every result read back from
# Linux with tests/tools/oracle_dump (libregf and hivex, which must agree)
# against the expected results of tests/expect.sh (those of
# tests/test_recipes.sh):
#
#   BOOTFIX_EXE=bootfix.exe BOOTFIX_LINUX=build/bootfix BOOTFIX_TOOLS=DIR \
#   BOOTFIX_WIN_TOOLS=DIR WINEPREFIX=DIR [BOOTFIX_SRC=.] sh tests/windows/test_windows.sh
#
#   - F: = a volume of tests/mkvolume.sh: status F:, enable-dump F:, serial-console on F:,
#     safeboot on F:, debug-boot, undo F: (all of test_recipes.sh's recipe checks);
#     bcdedit /store F:\boot\bcd /enum all (same output as the Linux build); "\n" line ends
#   - tests/windows/winpe.cmd run by Wine's cmd /c, checking ERRORLEVEL
#   - a volume folder and a --backup-dir named with non-ASCII characters
#   - a target nested deeper than MAX_PATH (260 characters)
#   - SYSTEM held open with share mode 0 (holdfile.exe): refused, nothing written
#   - C: (Wine's running Windows folder C:\windows): refused, nothing written
#   - F: without a store, E: with EFI\Microsoft\Boot\BCD (another volume of the same
#     disk under Wine): the store on E: is found, edited and restored
# Usually run by tests/windows/run.sh.  Prints "N passed, N failed".

HERE=$(cd "$(dirname "$0")" && pwd)
BOOTFIX_SRC=${BOOTFIX_SRC:-$(cd "$HERE/../.." && pwd)}
BOOTFIX=$HERE/bootfix-wine.sh
HARNESS_NAME=windows
. "$BOOTFIX_SRC/tests/harness.sh"
. "$SRC/tests/expect.sh"

export LC_ALL=C
export BOOTFIX_WINDOWS=1
export WINEDEBUG=-all
: "${WINEPREFIX:?set WINEPREFIX to the Wine prefix of the tests}"
export WINEPREFIX
EXE=${BOOTFIX_EXE:?set BOOTFIX_EXE to bootfix.exe}
LINUX=${BOOTFIX_LINUX:-$SRC/build/bootfix}
TOOLS=${BOOTFIX_TOOLS:-$SRC/build/asan/tests/tools}
WT=${BOOTFIX_WIN_TOOLS:-$SRC/build/windows/tests}
OD=$TOOLS/oracle_dump
DOS=$WINEPREFIX/dosdevices
LIVE=$WINEPREFIX/drive_c/windows/system32/config
for f in "$OD" "$LINUX" "$WT/holdfile.exe" "$EXE"; do
    if [ ! -f "$f" ]; then echo "FAIL - $f not found (make check-windows builds it)"; exit 1; fi
done

LIVE_MADE=
cleanup() {
    for l in e f; do
        [ -L "$DOS/$l:" ] && [ "$(readlink "$DOS/$l:")" = "$T/drive.$l" ] && rm -f "$DOS/$l:"
    done
    if [ -n "$LIVE_MADE" ]; then
        rm -f "$LIVE/SYSTEM" "$LIVE/SOFTWARE"
        rm -rf "$WINEPREFIX/drive_c/bootfix-backup"
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- drive letters ------------------------------------------------------------------------------
# dosdevices/f: -> $T/drive.f -> the volume: the letters exist from Wine's start (its mount
# manager lists the volumes it finds then: a letter added later was not found on the disk);
# `map` re-points the second link.  So first let a running wineserver of the prefix end.
wineserver -w 2>/dev/null
mkdir -p "$T/empty"
for l in e f; do
    if [ -e "$DOS/$l:" ] || [ -L "$DOS/$l:" ]; then
        echo "FAIL - $DOS/$l: exists already; the tests need drive letters E: and F:"
        exit 1
    fi
    ln -s "$T/empty" "$T/drive.$l"
    ln -s "$T/drive.$l" "$DOS/$l:"
done
map() { ln -sfn "$2" "$T/drive.$1"; } # map LETTER DIR

# wine_cmd ARGS...: a Windows program, output in $T/out and $T/err, status in $rc
wine_cmd() {
    LC_ALL=C.UTF-8 wine "$@" >"$T/out" 2>"$T/err"
    rc=$?
}
# no_cr DESC: neither the last stdout nor stderr has a carriage return
no_cr() {
    if [ "$(cat "$T/out" "$T/err" | tr -dc '\r' | wc -c)" -eq 0 ]; then
        ok "$1: LF line ends (no CR)"
    else bad "$1: the output has CR LF line ends"; fi
}
# win_form DESC: every path the last run printed is in Windows form (no "/" in a path that
# starts with a drive letter, as F:\bootfix-backup/2026... would be)
win_form() {
    if grep -E '[A-Za-z]:\\[^ ]*/' "$T/out" "$T/err" >"$T/mixed"; then
        bad "$1: a path with / in the output: $(head -n 1 "$T/mixed")"
    else ok "$1: paths in Windows form"; fi
}

# newvol NAME DIR: a volume of tests/mkvolume.sh (made by the Linux build) in DIR
newvol() {
    if sh "$SRC/tests/mkvolume.sh" "$LINUX" "$2" >"$T/mk.out" 2>&1; then ok "$1: mkvolume.sh"; else
        cat "$T/mk.out"
        bad "$1: mkvolume.sh"
        return 1
    fi
}
# setvol NAME DIR [BCDFILE]: the volume variables of expect.sh, dumps of its files
setvol() {
    VN=$1 V=$2 SYS=$2/Windows/System32/config/SYSTEM BCD=${3:-$2/Boot/BCD} LOGS=
    dump "$SYS" "$T/$VN.sys" && dump "$BCD" "$T/$VN.bcd" || return 1
    cp "$T/$VN.sys" "$T/$VN.sys.orig"
    cp "$T/$VN.bcd" "$T/$VN.bcd.orig"
    CSETS=$(csets "$T/$VN.sys")
    D0=$(hexof "$T/$VN.bcd" "$(epath "$BM" 23000003)" Element | hex2text)
    echo "# $VN: control sets $CSETS, {default} $D0"
}

# ---- F: a sample volume: every recipe check of test_recipes.sh, on a drive letter ------------------
G=$T/gen
newvol gen "$G"
map f "$G"
if setvol F "$G"; then
    TGT=F: BCD_SHOWN='F:\Boot\BCD'
    status_check BIOS
    no_cr "status F:"
    win_form "status F:"
    recipes_enable_dump
    recipes_bcd
    TGT= BCD_SHOWN=
fi

# ---- bcdedit /store F:\boot\bcd /enum all: what the Linux build prints ----------------------------
"$LINUX" bcdedit /store "$G/Boot/BCD" /enum all >"$T/enum.linux" 2>&1
run bcdedit /store 'F:\boot\bcd' /enum all
[ "$rc" -eq 0 ] && ok "bcdedit /store F:\\boot\\bcd /enum all" ||
    bad "bcdedit /store F:\\boot\\bcd /enum all (exit $rc)"
has "Windows Boot Manager" "bcdedit /enum all lists {bootmgr}"
has "Windows Boot Loader" "bcdedit /enum all lists the loader"
if cmp -s "$T/out" "$T/enum.linux"; then ok "bcdedit /enum all: the same output as the Linux build"
else
    bad "bcdedit /enum all: the output differs from the Linux build's"
    diff "$T/enum.linux" "$T/out" | sed -n '1,10s/^/    linux<>exe: /p'
fi
no_cr "bcdedit /enum all"

# ---- winpe.cmd: a WinPE batch file calling bootfix.exe, checking ERRORLEVEL ------------------------
P=$T/pe
if newvol winpe "$P" && setvol winpe "$P"; then
    map f "$P"
    snap
    wine_cmd cmd /c "$(winpath "$HERE/winpe.cmd")" "$(winpath "$EXE")" F:
    [ "$rc" -eq 0 ] && ok "cmd /c winpe.cmd bootfix.exe F: exits 0" ||
        bad "cmd /c winpe.cmd bootfix.exe F: (exit $rc)"
    grep -q '^winpe: done' "$T/out" && ok "winpe.cmd ran every step" ||
        bad "winpe.cmd did not finish"
    win_form "winpe.cmd"
    want_reset
    want_dump "$T/winpe.sys" 2
    after_sys "winpe.cmd: enable-dump F: (kernel) landed"
    want_reset
    want_serial_on "$T/winpe.bcd" "$D0"
    want_safeboot_network "$T/winpe.bcd" "$D0"
    after_bcd "winpe.cmd: serial-console on F: and safeboot on network F: landed"
    [ "$(backups | grep -c .)" -eq 3 ] && ok "winpe.cmd: three backup folders (three changes)" ||
        bad "winpe.cmd: backup folders: $(backups | tr '\n' ' ')"

    # a volume without Windows: the first step fails, the batch file exits with its code
    map f "$T/empty"
    wine_cmd cmd /c "$(winpath "$HERE/winpe.cmd")" "$(winpath "$EXE")" F:
    [ "$rc" -eq 11 ] && ok "winpe.cmd on a volume without Windows exits 11 (status failed)" ||
        bad "winpe.cmd on a volume without Windows (exit $rc, expected 11)"
    [ -z "$(ls -A "$T/empty")" ] && ok "winpe.cmd wrote nothing on the empty volume" ||
        bad "winpe.cmd wrote on the empty volume: $(ls -A "$T/empty")"
fi

# ---- non-ASCII folder names ------------------------------------------------------------------------
NA='Récupération-日本'
U=$T/vol-$NA
if newvol "non-ASCII volume" "$U" && setvol nonascii "$U"; then
    expect 0 "status on a volume folder named $NA" status "$U"
    has "$(winpath "$U/Boot/BCD")" "status shows the store path with $NA"
    has "$NA" "status prints $NA as UTF-8"
    BK=$T/bk-$NA
    want_reset
    want_dump "$T/nonascii.sys" 2
    cp "$SYS" "$T/nonascii.prev"
    expect 0 "enable-dump --backup-dir $NA on the $NA volume" --backup-dir "$BK" enable-dump "$U"
    has "$(winpath "$BK")" "enable-dump names the backup folder $NA"
    win_form "enable-dump --backup-dir $NA"
    after_sys "enable-dump on the $NA volume"
    if [ -f "$BK/journal.txt" ] && [ -f "$BK/SYSTEM" ]; then
        ok "the backup folder $NA holds journal.txt and SYSTEM (UTF-8 name on Linux)"
        same "$BK/SYSTEM" "$T/nonascii.prev" "the backup of SYSTEM in $NA is byte-identical"
    else bad "no journal.txt and SYSTEM in $BK: $(ls "$T")"; fi
    expect 0 "undo --journal in the $NA backup folder" undo --journal "$BK/journal.txt" "$U"
    dump "$SYS" "$T/nonascii.sys" &&
        check_same "undo from the $NA folder restores SYSTEM" "$T/nonascii.sys.orig" "$T/nonascii.sys"
fi

# ---- a target deeper than MAX_PATH -----------------------------------------------------------------
L=$T
for i in 1 2 3 4 5 6; do L=$L/level-$i-of-a-target-volume-nested-deeper-than-max-path; done
if [ "$(printf '%s' "$(winpath "$L/Windows/System32/config/SYSTEM")" | wc -c)" -gt 300 ] &&
    newvol "long path" "$L" && setvol long "$L"; then
    echo "# the SYSTEM hive is at a path of $(printf '%s' "$(winpath "$SYS")" | wc -c) characters"
    expect 0 "status on a target of $(printf '%s' "$(winpath "$L")" | wc -c) characters" status "$L"
    has "$(winpath "$BCD")" "status shows the long store path"
    want_reset
    want_dump "$T/long.sys" 2
    step "enable-dump on the long path" enable-dump "$L" && after_sys "enable-dump on the long path"
    win_form "enable-dump on the long path"
    want_reset
    want_serial_on "$T/long.bcd" "$D0"
    step "serial-console on on the long path" serial-console on "$L" &&
        after_bcd "serial-console on on the long path"
    undo_to "undo on the long path" "$T/long.sys" "$T/long.bcd.orig" "$L"
    undo_to "a second undo on the long path" "$T/long.sys.orig" "$T/long.bcd.orig" "$L"
fi

# ---- undo after the disk changed letter (D: in WinPE, F: later in a repair VM) ---------------------
R=$T/relettered
if newvol relettered "$R" && setvol rel "$R"; then
    map f "$R"
    map e "$R"
    want_reset
    want_dump "$T/rel.sys" 2
    step "enable-dump F:" enable-dump F: && after_sys "enable-dump F:"
    expect 0 "undo E: (the same volume under another letter)" undo E:
    has 'was recorded under F:\: using E:\Windows\System32\config\SYSTEM' \
        "undo E: says the journal's F: paths are used under E:"
    dump "$SYS" "$T/rel.sys" &&
        check_same "undo E: restores SYSTEM written through F:" "$T/rel.sys.orig" "$T/rel.sys"
    map f "$T/empty"
    map e "$T/empty"
fi

# ---- a sharing violation: a hive held open with share mode 0 ---------------------------------------
# hold FILE: holdfile.exe keeps the Windows FILE open, shared with nobody, until release
hold() {
    rm -f "$T/holding" "$T/release"
    LC_ALL=C.UTF-8 wine "$WT/holdfile.exe" "$1" "$(winpath "$T/holding")" \
        "$(winpath "$T/release")" 120 >"$T/hold.out" 2>&1 &
    hold=$!
    n=0
    while [ ! -e "$T/holding" ] && [ "$n" -lt 300 ] && kill -0 "$hold" 2>/dev/null; do
        sleep 0.1
        n=$((n + 1))
    done
    if [ -e "$T/holding" ]; then ok "holdfile.exe holds $1"; else
        bad "holdfile.exe did not take $1: $(cat "$T/hold.out")"
        release
        return 1
    fi
}
release() {
    : >"$T/release"
    wait "$hold"
    st=$?
    [ "$st" -eq 0 ] && ok "holdfile.exe released the file" || bad "holdfile.exe (exit $st)"
}
H=$T/held
if newvol "sharing violation" "$H" && setvol held "$H"; then
    map f "$H"
    if hold 'F:\Windows\System32\config\SYSTEM'; then
        refused "enable-dump F: while SYSTEM is in use" "running system" enable-dump F:
        release
    fi
    if hold 'F:\Boot\BCD'; then
        refused "serial-console on F: while the store is in use" "running system" serial-console on F:
        release
    fi
    want_reset
    want_dump "$T/held.sys" 2
    step "enable-dump F: once the hive is released" enable-dump F: &&
        after_sys "enable-dump F: once the hive is released"
fi

# ---- the running system: C:\windows is Wine's Windows folder -----------------------------------------
if [ -e "$LIVE/SYSTEM" ] || [ -e "$LIVE/SOFTWARE" ]; then
    bad "$LIVE already has a SYSTEM or SOFTWARE hive"
else
    mkdir -p "$LIVE"
    LIVE_MADE=1
    cp "$G/Windows/System32/config/SYSTEM" "$G/Windows/System32/config/SOFTWARE" "$LIVE/"
    # the store compared by `refused` is SOFTWARE here: C: has no BCD
    VN=live V=$WINEPREFIX/drive_c SYS=$LIVE/SYSTEM BCD=$LIVE/SOFTWARE LOGS=
    refused "enable-dump C: (the running Windows)" "running system" enable-dump C:
    refused "serial-console on C: (the running Windows)" "running system" serial-console on C:
    refused "enable-dump C:\\ (the running Windows)" "running system" enable-dump 'C:\'
    refused "enable-dump on C: through its Z: path (the running Windows)" "running system" \
        enable-dump "$WINEPREFIX/drive_c"
    rm -f "$LIVE/SYSTEM" "$LIVE/SOFTWARE"
    LIVE_MADE=
fi

# ---- the store on another volume of the same disk: F: without BCD, E: the ESP ------------------------
O=$T/os E=$T/esp
if newvol "store on E:" "$O"; then
    mkdir -p "$E/EFI/Microsoft/Boot"
    mv "$O/Boot/BCD" "$E/EFI/Microsoft/Boot/BCD"
    rm -rf "$O/Boot"
    map f "$O"
    map e "$E"
    if setvol esp "$O" "$E/EFI/Microsoft/Boot/BCD"; then
        TGT=F: BCD_SHOWN='E:\EFI\Microsoft\Boot\BCD'
        status_check UEFI
        recipes_enable_dump
        recipes_bcd
        TGT= BCD_SHOWN=
    fi
    map e "$T/empty"
fi

finish
