#!/bin/sh
# tests/test_bcdedit.sh — integration test of `bootfix bcdedit`.
#
#   BOOTFIX=build/asan/bootfix [BOOTFIX_SRC=.] sh tests/test_bcdedit.sh
#
# Builds a store with /createstore and runs every bcdedit command on it; the
# bytes written are read back with libregf's regfexport (when installed) and
# every write is followed by `bootfix hive check`.  Failed commands must
# leave the store byte-identical and make no backup.  On a copy of the
# corpus store bitpixie_Boot_BCD.bin, `/set {default} recoveryenabled yes`
# must land on {bootmgr}'s default object.  Prints "N passed, N failed".

HARNESS_NAME=bcdedit
. "$(dirname "$0")/harness.sh"

# line NAME VALUE DESCRIPTION: /enum output has "NAME<padding to 24>VALUE"
line() {
    want=$(printf '%-24s%s' "$1" "$2")
    if grep -qxF -- "$want" "$T/out"; then ok "$3"; else bad "$3: no line '$want'"; fi
}

S=$T/BCD
BM='{9dea862c-5cdd-4e70-acc1-f32b344d4795}'
EMS='{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}'
DBG='{4636856e-540f-4170-a130-a84776f4c654}'

# bcd ARGS...: a successful write on $S (no backup), then hive check must pass
bcd() {
    desc="bcdedit $*"
    run bcdedit /store "$S" "$@" --no-backup
    if [ "$rc" -ne 0 ]; then bad "$desc (exit $rc)"; return 1; fi
    ok "$desc"
    "$BOOTFIX" hive check "$S" >"$T/chk" 2>&1 && ok "hive check after $1" ||
        { cat "$T/chk"; bad "hive check after $*"; }
    return 0
}

# refused DESCRIPTION TEXT ARGS...: exit 1, stderr has TEXT, store unchanged, no backup
refused() {
    desc=$1 text=$2
    shift 2
    cp "$S" "$T/before"
    rm -f "$S".bootfix-*.bak
    run bcdedit /store "$S" "$@"
    if [ "$rc" -eq 1 ]; then ok "$desc is refused"; else bad "$desc is refused (exit $rc)"; fi
    has_err "$text" "$desc: message says '$text'"
    if cmp -s "$S" "$T/before"; then ok "$desc: store byte-identical"; else
        bad "$desc: store changed"; fi
    if ls "$S".bootfix-*.bak >/dev/null 2>&1; then bad "$desc: a backup was made"; else
        ok "$desc: no backup"; fi
}

# ---- registry oracle ------------------------------------------------------------------
# A small libhivex reader (libregf 20201007's regfexport misreads 1-byte
# inline values, so it cannot check booleans): prints "REG_TYPE SIZE HEX" of
# the value Element of KEY.
HXELEM=
if command -v cc >/dev/null 2>&1 && pkg-config --exists hivex 2>/dev/null; then
    cat >"$T/hxelem.c" <<'EOF2'
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    static const char *names[] = {"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY",
                                  "REG_DWORD", "REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ"};
    hive_h *h;
    hive_node_h n;
    hive_value_h v;
    hive_type t;
    size_t len, i;
    char path[1024], *p, *save = NULL, *data;
    if (argc != 4 || strlen(argv[2]) >= sizeof path)
        return 2;
    if (!(h = hivex_open(argv[1], 0)))
        return 1;
    n = hivex_root(h);
    strcpy(path, argv[2]);
    for (p = strtok_r(path, "\\", &save); p && n; p = strtok_r(NULL, "\\", &save))
        n = hivex_node_get_child(h, n, p);
    if (!n || !(v = hivex_node_get_value(h, n, argv[3])))
        return 1;
    if (!(data = hivex_value_value(h, v, &t, &len)))
        return 1;
    printf("%s %zu ", (unsigned)t < 8 ? names[t] : "REG_OTHER", len);
    for (i = 0; i < len; i++)
        printf("%02x", (unsigned char)data[i]);
    printf("\n");
    free(data);
    hivex_close(h);
    return 0;
}
EOF2
    # shellcheck disable=SC2046
    if cc -o "$T/hxelem" "$T/hxelem.c" $(pkg-config --cflags --libs hivex) 2>"$T/hxelem.err"; then
        HXELEM=$T/hxelem
    fi
fi
# hx_value FILE KEY: "REG_TYPE SIZE HEX" of value Element (empty when absent)
hx_value() { "$HXELEM" "$1" "$2" "${3:-Element}" 2>/dev/null; }
# unutf16 HEX: the text of UTF-16LE HEX (ASCII only), up to the first NUL
unutf16() {
    echo "$1" | awk '{ x = "0123456789abcdef"; for (i = 1; i + 1 <= length($0); i += 4) { c = substr($0, i, 2); if (c == "00") break; printf "%c", (index(x, substr(c, 1, 1)) - 1) * 16 + index(x, substr(c, 2, 1)) - 1 } }'
}
# elem STORE GUID CODE EXPECTED DESCRIPTION
elem() {
    if [ -n "$HXELEM" ]; then
        got=$(hx_value "$1" "Objects\\$2\\Elements\\$3")
        if [ "$got" = "$4" ]; then ok "$5 (libhivex: $got)"; else
            echo "    libhivex read '$got', expected '$4'"
            bad "$5"
        fi
    else
        echo "SKIPPED: $5 (libhivex not available)"
    fi
}
# no_elem STORE GUID CODE DESCRIPTION
no_elem() {
    if [ -n "$HXELEM" ]; then
        got=$(hx_value "$1" "Objects\\$2\\Elements\\$3")
        if [ -z "$got" ]; then ok "$4"; else bad "$4: still there ($got)"; fi
    fi
}
# utf16 TEXT: hex of TEXT in UTF-16LE (ASCII only) plus the NUL
utf16() { printf '%s' "$1" | od -An -tx1 -v | tr -s ' \n' ' ' | awk '{ for (i = 1; i <= NF; i++) printf "%s00", $i; printf "0000" }'; }

# ---- arguments ------------------------------------------------------------------------
expect 0 "help bcdedit" help bcdedit
has "/displayorder ID..." "help bcdedit lists /displayorder"
expect 0 "bcdedit --help" bcdedit --help
expect 2 "bcdedit without arguments" bcdedit
expect 2 "bcdedit --drive with a bad partition" bcdedit /store "$S" /enum --drive 'C:=gpt:nonsense'
expect 2 "bcdedit with an unknown long option" bcdedit /store "$S" /enum --bogus

expect 0 "/createstore" bcdedit /createstore "$S"
has "The operation completed successfully." "/createstore says so"
expect 0 "hive check of the new store" hive check "$S"
expect 1 "/createstore refuses an existing file" bcdedit /createstore "$S"
expect 1 "bcdedit without /store" bcdedit /enum all
has_err "needs /store FILE" "missing /store is explained"
has_err "recipe" "missing /store points at the recipe commands"
expect 1 "an unknown command" bcdedit /store "$S" /frobnicate
expect 1 "/? is not built in" bcdedit /store "$S" /?
expect 1 "two commands" bcdedit /store "$S" /enum /timeout 3
expect 1 "/f with /enum" bcdedit /store "$S" /enum /f
# odd command lines must fail cleanly (no crash: the asan build aborts on one)
for args in "/store" "/store $S /d" "/store $S /create /inherit /d" "/store $S /set" "/store $S /set {x}" \
    "/store $S -" "/store $S / /enum" "/store $S /set {bootmgr} timeout" "/store $S /displayorder /addlast" \
    "/store $S /dbgsettings net hostip:1.2.3 port:1" "/store $S /emssettings emsport:" "/store $S /ems" \
    "/store $S /delete" "/store $S /copy {bootmgr}" "/store $S /import" "/store $S /export" "/store $S /start x"; do
    # shellcheck disable=SC2086
    run bcdedit $args
    [ "$rc" -eq 1 ] && ok "odd command line fails cleanly: $args" || bad "odd command line: $args (exit $rc)"
done
run bcdedit /store "$S" "" /enum
[ "$rc" -eq 1 ] && ok "an empty word fails cleanly" || bad "an empty word (exit $rc)"

# ---- building a store ------------------------------------------------------------------
bcd /create '{bootmgr}' /d "Windows Boot Manager"
has "The entry {bootmgr} was successfully created." "/create {bootmgr} message"
elem "$S" "$BM" 12000004 "REG_SZ 42 $(utf16 'Windows Boot Manager')" "description of {bootmgr}"
run bcdedit /store "$S" /create /application osloader
[ "$rc" -eq 1 ] && ok "/create /application without /d is refused" || bad "/create /application without /d"
bcd /create /d "Windows 10" /application OSLOADER
L=$(sed -n 's/^The entry \({[0-9a-f-]*}\) was successfully created\.$/\1/p' "$T/out")
[ -n "$L" ] && ok "/create prints the new GUID ($L)" || bad "/create prints the new GUID"
bcd -create '{b0000000-0000-4000-8000-000000000001}' -d "Resume" -application resume
R='{b0000000-0000-4000-8000-000000000001}'
bcd /create '{globalsettings}'
bcd /create '{c0000000-0000-4000-8000-000000000002}' /inherit osloader
INH='{c0000000-0000-4000-8000-000000000002}'
bcd /create '{ramdiskoptions}'
run bcdedit /store "$S" /create '{bootmgr}'
[ "$rc" -eq 1 ] && ok "/create of an existing entry is refused" || bad "/create of an existing entry"
run bcdedit /store "$S" /create '{default}'
[ "$rc" -eq 1 ] && ok "/create {default} is refused" || bad "/create {default}"
run bcdedit /store "$S" /create '{memdiag}' /application osloader
[ "$rc" -eq 1 ] && ok "/application with a well-known id is refused" || bad "/application with a well-known id"

if [ -n "$HXELEM" ]; then
    got=$(hx_value "$S" "Objects\\$INH\\Description" Type)
    [ "$got" = "REG_DWORD 4 03002020" ] && ok "/inherit osloader makes type 0x20200003" || bad "/inherit osloader type ($got)"
fi

# ---- /set and the bytes it writes -------------------------------------------------------
bcd /timeout 30
elem "$S" "$BM" 25000004 "REG_BINARY 8 1e00000000000000" "/timeout 30 is 8 bytes LE"
bcd /set '{bootmgr}' displaybootmenu yes
elem "$S" "$BM" 26000020 "REG_BINARY 1 01" "boolean yes is one byte 01"
bcd /SET '{bootmgr}' DisplayBootMenu off
elem "$S" "$BM" 26000020 "REG_BINARY 1 00" "upper-case switch and name; off is 00"
bcd /set "$L" safeboot Minimal
elem "$S" "$L" 25000080 "REG_BINARY 8 0000000000000000" "safeboot Minimal is 0"
bcd /set "$L" bootstatuspolicy IgnoreAllFailures
elem "$S" "$L" 250000e0 "REG_BINARY 8 0100000000000000" "bootstatuspolicy IgnoreAllFailures is 1"
bcd /set "$L" path '\Windows\system32\winload.efi'
elem "$S" "$L" 12000002 "REG_SZ 60 $(utf16 '\Windows\system32\winload.efi')" "path is REG_SZ"
bcd /set "$L" custom:26000091 on
elem "$S" "$L" 26000091 "REG_BINARY 1 01" "custom:26000091 writes the boolean"
bcd /set "$L" inherit "$INH" '{globalsettings}'
elem "$S" "$L" 14000006 "REG_MULTI_SZ 158 $(utf16 "$INH")$(utf16 '{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}')0000" \
    "inherit writes a REG_MULTI_SZ of two ids"
bcd /set "$L" resumeobject "$R"
elem "$S" "$L" 23000003 "REG_SZ 78 $(utf16 "$R")" "resumeobject is the GUID as REG_SZ"
bcd /set "$L" device 'partition=C:' --drive 'C:=gpt:{d148fb7c-be81-4d12-8dcf-62260299abde}:{ecd43012-88cf-4f80-a8de-8d3719d0653a}'
DEV=00000000000000000000000000000000060000000000000048000000000000001230d4eccf88804fa8de8d3719d0653a00000000000000007cfb48d181be124d8dcf62260299abde00000000000000000000000000000000
elem "$S" "$L" 11000001 "REG_BINARY 88 $DEV" "device partition=C: (GPT via --drive) is the 88-byte descriptor"
bcd /set "$L" osdevice 'partition=mbr:76a4a23d:0x24400000'
elem "$S" "$L" 21000001 "REG_BINARY 88 00000000000000000000000000000000060000000000000048000000000000000000402400000000000000000000000000000000010000003da2a47600000000000000000000000000000000000000000000000000000000" \
    "osdevice partition=mbr:SIG:OFFSET is the 88-byte MBR descriptor"
expect 0 "/enum of the loader" bcdedit /store "$S" /enum "$L" --drive 'C:=gpt:{d148fb7c-be81-4d12-8dcf-62260299abde}:{ecd43012-88cf-4f80-a8de-8d3719d0653a}'
line identifier "$L" "/enum shows the identifier"
line description "Windows 10" "/enum shows the description"
line device "partition=C:" "/enum shows partition=C: through --drive"
line safeboot Minimal "/enum shows safeboot by name"
line bootstatuspolicy IgnoreAllFailures "/enum shows bootstatuspolicy by name"
line resumeobject "$R" "/enum shows resumeobject"

# ---- refused writes leave the store alone ----------------------------------------------------
refused "an omitted identifier ({current})" "{current}" /set bootlog yes
refused "{current} given" "{current}" /set '{current}' bootlog yes
refused "an unknown element name" "not recognized" /set "$L" nosuchelement yes
refused "a bad boolean" "setting the element data" /set "$L" bootlog maybe
refused "an OS loader name on {bootmgr}" "not recognized" /set '{bootmgr}' safeboot minimal
refused "/delete {bootmgr} without /f" "/f" /delete '{bootmgr}'
refused "/ems on {bootmgr}" "does not apply" /ems '{bootmgr}' on
refused "/ems with a bad word" "ON or OFF" /ems "$L" yes-please
refused "/deletevalue of an absent element" "deleting" /deletevalue "$L" quietboot
refused "/emssettings BIOS" "not supported" /emssettings BIOS
refused "/import /clean" "firmware" /import "$S" /clean
refused "/set of a missing entry" "setting the element data" /set '{a0000000-0000-4000-8000-00000000000f}' bootlog yes
refused "/timeout with a word" "number" /timeout soon
refused "partition=C: without --drive" "setting the element data" /set "$L" device partition=C:

# ---- {bootmgr} lists --------------------------------------------------------------------------
bcd /default "$L"
elem "$S" "$BM" 23000003 "REG_SZ 78 $(utf16 "$L")" "/default writes {bootmgr} 23000003"
bcd /displayorder "$L"
bcd /displayorder '{memdiag}' /addfirst
bcd /displayorder "$R" /addlast
expect 0 "/enum {bootmgr}" bcdedit /store "$S" /enum '{bootmgr}'
if grep -A2 -E '^displayorder +\{memdiag\}$' "$T/out" | grep -qx "                        {default}"; then
    ok "/addfirst put {memdiag} first and {default} follows"; else bad "displayorder order after /addfirst"; fi
line default '{default}' "/enum prints {bootmgr} default as {default}"
bcd /displayorder '{memdiag}' /remove
elem "$S" "$BM" 24000001 "REG_MULTI_SZ 158 $(utf16 "$L")$(utf16 "$R")0000" "/remove leaves the two others in order"
bcd /set '{bootmgr}' displayorder "$R" /addfirst
elem "$S" "$BM" 24000001 "REG_MULTI_SZ 158 $(utf16 "$R")$(utf16 "$L")0000" "/set displayorder ID /addfirst moves it to the front"
bcd /toolsdisplayorder '{memdiag}'
elem "$S" "$BM" 24000010 "REG_MULTI_SZ 80 $(utf16 '{b2721d73-1db4-4c62-bf78-c548a880142d}')0000" "/toolsdisplayorder"
bcd /bootsequence "$L"
bcd /bootsequence "$L" /remove
no_elem "$S" "$BM" 24000002 "removing the last id deletes bootsequence"

# ---- EMS, debugger ------------------------------------------------------------------------------
bcd /ems "$L" ON
elem "$S" "$L" 260000b0 "REG_BINARY 1 01" "/ems ID ON writes 260000b0 = 01"
bcd /bootems '{bootmgr}' on
elem "$S" "$BM" 16000020 "REG_BINARY 1 01" "/bootems {bootmgr} on writes 16000020 = 01"
bcd /emssettings EMSPORT:1 EMSBAUDRATE:115200
elem "$S" "$EMS" 15000022 "REG_BINARY 8 0100000000000000" "EMSPORT:1 on {emssettings}"
elem "$S" "$EMS" 15000023 "REG_BINARY 8 00c2010000000000" "EMSBAUDRATE:115200 on {emssettings}"
expect 0 "/enum {emssettings}" bcdedit /store "$S" /enum '{emssettings}'
has "EMS Settings" "/emssettings created {emssettings}"
bcd /dbgsettings SERIAL DEBUGPORT:1 BAUDRATE:115200 /start AUTOENABLE /noumex
elem "$S" "$DBG" 15000011 "REG_BINARY 8 0000000000000000" "debugtype Serial"
elem "$S" "$DBG" 15000013 "REG_BINARY 8 0100000000000000" "debugport 1"
elem "$S" "$DBG" 15000018 "REG_BINARY 8 0100000000000000" "/start AUTOENABLE"
elem "$S" "$DBG" 16000017 "REG_BINARY 1 01" "/noumex"
expect 0 "/dbgsettings without arguments" bcdedit /store "$S" /dbgsettings
line debugtype Serial "/dbgsettings shows debugtype Serial"
line baudrate 115200 "/dbgsettings shows the baud rate"
bcd /dbgsettings LOCAL
no_elem "$S" "$DBG" 15000013 "a new debugger type drops the serial port"
elem "$S" "$DBG" 15000011 "REG_BINARY 8 0400000000000000" "debugtype Local"

# ---- /deletevalue, /copy, /delete ------------------------------------------------------------------
bcd /deletevalue "$L" safeboot
no_elem "$S" "$L" 25000080 "/deletevalue removed safeboot"
bcd /copy "$L" /d "Windows 10 copy"
C=$(sed -n 's/^The entry was successfully copied to \({[0-9a-f-]*}\)\.$/\1/p' "$T/out")
[ -n "$C" ] && ok "/copy prints the new GUID ($C)" || bad "/copy prints the new GUID"
elem "$S" "$C" 12000004 "REG_SZ 32 $(utf16 'Windows 10 copy')" "/copy sets the description"
elem "$S" "$C" 260000b0 "REG_BINARY 1 01" "/copy copies the elements"
elem "$S" "$BM" 24000001 "REG_MULTI_SZ 236 $(utf16 "$R")$(utf16 "$L")$(utf16 "$C")0000" "/copy appends a menu entry's copy to displayorder"
bcd /delete "$C"
elem "$S" "$BM" 24000001 "REG_MULTI_SZ 158 $(utf16 "$R")$(utf16 "$L")0000" "/delete (cleanup) removed it from displayorder"
expect 1 "/enum of the deleted entry" bcdedit /store "$S" /enum "$C"
bcd /delete "$L"
no_elem "$S" "$BM" 23000003 "/delete of the default entry drops {bootmgr} default"
expect 1 "its lone resume entry went with it" bcdedit /store "$S" /enum "$R"

# ---- /export, /import ---------------------------------------------------------------------------------
expect 0 "/export" bcdedit /store "$S" /export "$T/EXP"
expect 0 "hive check of the export" hive check "$T/EXP"
"$BOOTFIX" bcdedit /store "$S" /enum all >"$T/e1" 2>&1
"$BOOTFIX" bcdedit /store "$T/EXP" /enum all >"$T/e2" 2>&1
cmp -s "$T/e1" "$T/e2" && ok "the export enumerates like the store" || bad "export differs from the store"
expect 1 "/export refuses an existing file" bcdedit /store "$S" /export "$T/EXP"
ls "$S".bootfix-*.bak >/dev/null 2>&1 && bad "/export made a backup" || ok "/export makes no backup of the store"
S2=$T/BCD2
expect 0 "/createstore a second store" bcdedit /createstore "$S2"
expect 0 "/import into it" bcdedit /store "$S2" /import "$T/EXP"
expect 0 "hive check after /import" hive check "$S2"
"$BOOTFIX" bcdedit /store "$S2" /enum all >"$T/e3" 2>&1
cmp -s "$T/e1" "$T/e3" && ok "the imported store enumerates like the original" || bad "import differs"
ls "$S2".bootfix-*.bak >/dev/null 2>&1 && ok "/import kept a backup" || bad "/import kept a backup"
cp "$S2" "$T/S2.before"
expect 1 "/import of a non-store" bcdedit /store "$S2" /import "$SRC/Makefile"
cmp -s "$S2" "$T/S2.before" && ok "failed /import left the store alone" || bad "failed /import changed the store"

# ---- backups and reads --------------------------------------------------------------------------------
rm -f "$S".bootfix-*.bak
cp "$S" "$T/before"
expect 0 "a write with a backup" bcdedit /store "$S" /timeout 5
has "Backup of the original: $S.bootfix-" "the backup is announced"
bak=$(ls "$S".bootfix-*.bak 2>/dev/null | head -1)
[ -n "$bak" ] && cmp -s "$bak" "$T/before" && ok "the backup is the original" || bad "the backup is the original"
rm -f "$S".bootfix-*.bak
cp "$S" "$T/before"
expect 0 "/enum all /v" bcdedit /store "$S" /enum all /v
line identifier "$BM" "/v prints GUIDs"
expect 0 "/v alone" bcdedit /store "$S" /v
expect 0 "/store alone" bcdedit /store "$S"
has "Windows Boot Manager" "/store alone enumerates the active entries"
cmp -s "$S" "$T/before" && ok "reads leave the store byte-identical" || bad "reads changed the store"
ls "$S".bootfix-*.bak >/dev/null 2>&1 && bad "reads made a backup" || ok "reads make no backup"

# ---- a real store: {default} --------------------------------------------------------------------------
BP=$CORPUS/bcd/bitpixie_Boot_BCD.bin
if [ -f "$BP" ]; then
    P=$T/bitpixie
    cp "$BP" "$P"
    D=
    [ -n "$HXELEM" ] && D=$(unutf16 "$(hx_value "$P" "Objects\\$BM\\Elements\\23000003" | sed -n 's/^REG_SZ 78 //p')")
    # the script that made this store set recoveryenabled yes on {default}:
    # turn it off first so that the check below sees a change
    expect 0 "bitpixie: /set {default} recoveryenabled no" bcdedit /store "$P" /set '{default}' recoveryenabled no --no-backup
    [ -n "$D" ] && elem "$P" "$D" 16000009 "REG_BINARY 1 00" "recoveryenabled no landed on $D"
    expect 0 "bitpixie: /set {default} recoveryenabled yes" bcdedit /store "$P" /set '{default}' recoveryenabled yes --no-backup
    expect 0 "bitpixie: hive check" hive check "$P"
    if [ -n "$D" ]; then
        elem "$P" "$D" 16000009 "REG_BINARY 1 01" "recoveryenabled landed on {bootmgr}'s default $D"
        elem "$P" '{e9f88ef2-fa6f-11eb-a962-ef6fc553cae8}' 16000009 "REG_BINARY 1 00" "bitpixie: the other loader kept recoveryenabled No"
    else
        echo "SKIPPED: bitpixie byte check (libhivex not available)"
    fi
    expect 0 "bitpixie: /enum {default}" bcdedit /store "$P" /enum '{default}'
    line recoveryenabled Yes "bitpixie: /enum {default} shows recoveryenabled Yes"
else
    echo "SKIPPED: bitpixie store (corpus not found)"
fi

finish
