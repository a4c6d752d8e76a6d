#!/bin/sh
# tests/test_dump.sh — integration test of `bootfix find-dump`.
#
#   BOOTFIX=build/asan/bootfix [BOOTFIX_SRC=.] sh tests/test_dump.sh
#
# Builds sample volumes in a temporary directory: a SYSTEM hive imported
# from a .reg file with `bootfix reg import --new`, and synthetic dumps
# written by tests/tools/mkdump (a 64-bit MEMORY.DMP with bugcheck 0x5A, a
# 32-bit minidump with 0x7E, a page file with a dump at its start).  Checks
# the text and --json output, --extract (exact bytes, never overwriting),
# and the reasons printed when no dump exists.  Prints "N passed, N failed".

HARNESS_NAME=dump
. "$(dirname "$0")/harness.sh"

# ---- mkdump -------------------------------------------------------------------------------
MKDUMP=$SRC/build/asan/tests/tools/mkdump
if [ ! -x "$MKDUMP" ]; then
    MKDUMP=$T/mkdump
    if ! cc -o "$MKDUMP" "$SRC/tests/tools/mkdump.c" 2>"$T/cc.err"; then
        cat "$T/cc.err"
        echo "FAIL - cannot build tests/tools/mkdump.c"
        exit 1
    fi
fi

# UTF-16LE bytes of an ASCII string plus its NUL, as a .reg hex list
u16hex() {
    printf '%s' "$1" | od -An -v -tx1 | tr -s ' \n' '  ' |
        awk '{ s = ""; for (i = 1; i <= NF; i++) s = s $i ",00,"; printf "%s00,00", s }'
}

# volume DIR CRASHDUMPENABLED PAGINGFILE: a Windows volume with a SYSTEM hive
volume() {
    dir=$1 cde=$2 pf=$3
    mkdir -p "$dir/Windows/System32/config"
    {
        echo 'Windows Registry Editor Version 5.00'
        echo
        echo '[HKEY_LOCAL_MACHINE\SYSTEM\Select]'
        echo '"Current"=dword:00000001'
        echo '"Default"=dword:00000001'
        echo
        echo '[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\CrashControl]'
        echo "\"CrashDumpEnabled\"=dword:0000000$cde"
        echo "\"DumpFile\"=hex(2):$(u16hex '%SystemRoot%\MEMORY.DMP')"
        echo "\"MinidumpDir\"=hex(2):$(u16hex '%SystemRoot%\Minidump')"
        echo
        echo '[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Session Manager\Memory Management]'
        [ -n "$pf" ] && echo "\"PagingFiles\"=hex(7):$(u16hex "$pf"),00,00"
    } >"$dir/SYSTEM.reg"
    "$BOOTFIX" reg import "$dir/Windows/System32/config/SYSTEM" "$dir/SYSTEM.reg" --new \
        >"$T/imp" 2>&1 || { cat "$T/imp"; bad "reg import of $dir/SYSTEM.reg"; }
    rm -f "$dir/SYSTEM.reg"
}

FT=133476000000000000 # 2023-12-22T...Z as a FILETIME

# ---- a volume with MEMORY.DMP (0x5A) and a 32-bit minidump (0x7E) ----------------------------
V=$T/vol
volume "$V" 7 '?:\pagefile.sys'
mkdir -p "$V/Windows/Minidump"
"$MKDUMP" "$V/Windows/MEMORY.DMP" --bits 64 --bugcheck 0x5a --p1 0x1 --p2 0xfffff80012345678 \
    --p3 0 --p4 0xffffffffc0000428 --type 2 --time $FT --cpus 4 --machine 0x8664 \
    --major 15 --minor 19041 --size 40000
"$MKDUMP" "$V/Windows/Minidump/Mini122223-01.dmp" --bits 32 --bugcheck 0x7e --p1 0xc0000005 \
    --p2 0x8a123456 --p3 0x9c001234 --p4 0x9c000abc --type 4 --cpus 2 --machine 0x14c \
    --minor 7601 --size 8192

expect 0 "find-dump on a volume with two dumps" find-dump "$V"
has "Control set: ControlSet001" "the control set is named"
has "CrashDumpEnabled     7 (automatic)" "CrashDumpEnabled is explained"
has "Dump 1: $V/Windows/MEMORY.DMP" "MEMORY.DMP is listed first"
has "bugcheck         0x0000005A CRITICAL_SERVICE_FAILED" "0x5A is named"
has "0x0000000000000001 0xfffff80012345678 0x0000000000000000 0xffffffffc0000428" \
    "64-bit parameters in 16 hex digits"
has "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH" "parameter 4 is decoded"
has "dump type        2 (kernel)" "dump type"
has "processors       4" "processors"
has "machine          0x8664 (x64)" "machine"
has "build            19041" "build"
has "crash time       2023-" "crash time as ISO"
has "size             40000 bytes" "file size"
has "Dump 2: $V/Windows/Minidump/Mini122223-01.dmp" "the minidump is listed"
has "bugcheck         0x0000007E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED" "0x7E is named"
has "0xc0000005 0x8a123456 0x9c001234 0x9c000abc" "32-bit parameters in 8 hex digits"
has "parameter 1: 0xC0000005 STATUS_ACCESS_VIOLATION" "parameter 1 of 0x7E is decoded"
has "32-bit kernel crash dump (PAGEDUMP)" "32-bit kind"
has "small (triage)" "32-bit dump type"
hasnt "No crash dump found" "dumps were found"

# options after the target, global options before the command
expect 0 "find-dump -q TARGET" -q find-dump "$V"
hasnt "Control set:" "-q leaves out the settings"
has "CRITICAL_SERVICE_FAILED" "-q still lists the dumps"

# ---- --json ----------------------------------------------------------------------------------
expect 0 "find-dump --json" find-dump "$V" --json
has '"target": "' "json: target"
has '"control_set": "ControlSet001"' "json: control_set"
has '"CrashDumpEnabled": 7' "json: CrashDumpEnabled is a number"
has '"PagingFiles": [' "json: PagingFiles is an array"
has '"bugcheck": 90' "json: bugcheck is a number"
has '"bugcheck_hex": "0x0000005A"' "json: bugcheck as a string too"
has '"bugcheck_name": "CRITICAL_SERVICE_FAILED"' "json: bugcheck_name"
has '18446744072635810856' "json: parameter 4 as a number"
has '"param_note": "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH"' "json: param_note"
has '"dumps": [' "json: dumps"
has '"reasons": [' "json: reasons"
has '"size": 40000' "json: size"
if [ "$(head -c 1 "$T/out")" = "{" ] && [ "$(tail -n 1 "$T/out")" = "}" ]; then
    ok "json: one object"
else bad "json: one object"; fi
# balanced braces and brackets outside strings (a cheap well-formedness check)
if sed 's/"\([^"\\]\|\\.\)*"//g' "$T/out" | tr -cd '{}[]' |
    awk '{ d = 0; for (i = 1; i <= length($0); i++) { c = substr($0, i, 1);
        if (c == "{" || c == "[") d++; else d--; if (d < 0) exit 1 } exit d != 0 }'; then
    ok "json: balanced"
else bad "json: balanced"; fi

# ---- a dump still inside the page file --------------------------------------------------------
P=$T/pvol
volume "$P" 2 'C:\pagefile.sys 0 0'
"$MKDUMP" "$P/pagefile.sys" --bugcheck 0xef --p1 0xffffe0012345a080 --type 2 --cpus 2 \
    --machine 0x8664 --size 1500000 --pagefile
expect 0 "find-dump finds the dump in the page file" find-dump "$P"
has "Dump 1: $P/pagefile.sys" "the page file is listed"
has "CRITICAL_PROCESS_DIED" "0xEF is named"
has "dump size        1500000 bytes" "the dump's size from its header"
has "still inside the page file" "says the dump is inside the page file"
has "--extract DIR" "suggests --extract"
has "the dump file %SystemRoot%\\MEMORY.DMP does not exist" "notes the missing MEMORY.DMP"

X=$T/extracted
expect 0 "find-dump --extract DIR" find-dump --extract "$X" "$P"
has "copied to        $X/pagefile-MEMORY.DMP" "says where the copy went"
sz=$(wc -c <"$X/pagefile-MEMORY.DMP" 2>/dev/null | tr -d ' ')
if [ "$sz" = 1500000 ]; then ok "the copy has exactly dump_bytes bytes"; else
    bad "the copy has $sz bytes, not 1500000"; fi
head -c 1500000 "$P/pagefile.sys" >"$T/want"
same "$T/want" "$X/pagefile-MEMORY.DMP" "the copy is the start of the page file"
if ls "$X" | grep -q tmp; then bad "a temporary file was left in $X"; else
    ok "no temporary file left"; fi

cp "$X/pagefile-MEMORY.DMP" "$T/before"
expect 1 "a second --extract refuses to overwrite" find-dump "$P" --extract "$X"
has_err "already exists" "the refusal says the file exists"
has_err "pagefile-MEMORY.DMP" "the refusal names the file"
same "$T/before" "$X/pagefile-MEMORY.DMP" "the existing copy is unchanged"

expect 0 "--extract=DIR copies MEMORY.DMP and the minidump" find-dump "--extract=$T/x2" "$V"
same "$V/Windows/MEMORY.DMP" "$T/x2/MEMORY.DMP" "MEMORY.DMP copied byte for byte"
same "$V/Windows/Minidump/Mini122223-01.dmp" "$T/x2/Mini122223-01.dmp" "minidump copied"

expect 0 "--json with --extract" --json find-dump --extract "$T/x3" "$P"
has "\"extracted\": \"$T/x3/pagefile-MEMORY.DMP\"" "json: extracted path"
has '"in_page_file": true' "json: in_page_file"
has '"dump_bytes": 1500000' "json: dump_bytes"

# ---- no dump: the reasons ---------------------------------------------------------------------
N=$T/nvol
volume "$N" 2 'D:\pagefile.sys 0 0'
expect 0 "find-dump with no dump exits 0" find-dump "$N"
has "No crash dump found." "says none was found"
has "the page file D:\\pagefile.sys is on drive D:" "reason: page file on D:"
has "temporary disk" "reason: the temporary disk"
has "bootfix enable-dump" "points at enable-dump"
has "NMI" "mentions the NMI"

Z=$T/zvol
volume "$Z" 0 ''
expect 0 "find-dump with dumps disabled exits 0" find-dump "$Z"
has "CrashDumpEnabled     0 (none" "CrashDumpEnabled 0 is explained"
has "dumps are disabled: CrashDumpEnabled is 0" "reason: disabled"
has "no page file is configured" "reason: no page file"
expect 0 "--json with no dump" find-dump --json "$Z"
has '"dumps": []' "json: empty dumps"
has '"dumps are disabled' "json: the reason"

# ---- errors and usage ---------------------------------------------------------------------------
expect 1 "a target that is not a Windows volume" find-dump "$T/nothing"
expect 2 "no target" find-dump
expect 2 "--extract without a directory" find-dump "$V" --extract
expect 2 "an unknown option" find-dump --bogus "$V"
expect 2 "two targets" find-dump "$V" "$P"
expect 0 "find-dump --help" find-dump --help
has "find-dump" "help text"

finish
