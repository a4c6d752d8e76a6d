#!/bin/sh
# tests/test_cli.sh — integration test of the built bootfix CLI.
#
#   BOOTFIX=build/asan/bootfix [BOOTFIX_SRC=.] sh tests/test_cli.sh
#
# Runs every command on hives it generates in a temporary directory, and on a
# copy of ../shared/corpus/hives/regipy/regipy_tests/data/SYSTEM when the
# corpus is present.  Written values are read back with libregf's regfexport
# and with a small libhivex program when those are installed.  Prints
# "N passed, N failed" and exits non-zero when a check failed.

HARNESS_NAME=cli
. "$(dirname "$0")/harness.sh"
SYSTEM_SAMPLE=$CORPUS/hives/regipy/regipy_tests/data/SYSTEM

# ---- oracles --------------------------------------------------------------------------
HAVE_REGF=0
command -v regfexport >/dev/null 2>&1 && HAVE_REGF=1
# regf_dword FILE KEY NAME: the data libregf reads for a REG_DWORD value
regf_dword() {
    regfexport -K "$2" "$1" 2>/dev/null | awk -v n="$3" '
        $0 ~ "^Value: [0-9]+ " n "$" { f = 1; next }
        f && /^Data: / { print $2; exit }
        /^$/ { f = 0 }'
}

HIVEXGET=
if command -v hivexget >/dev/null 2>&1; then
    HIVEXGET=hivexget
elif command -v cc >/dev/null 2>&1 && pkg-config --exists hivex 2>/dev/null; then
    # a tiny reader: prints the data of a REG_DWORD value as decimal
    cat >"$T/hxget.c" <<'EOF'
#include <hivex.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
    hive_h *h;
    hive_node_h n;
    hive_value_h v;
    char path[1024], *p, *save = NULL;
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
    printf("%d\n", (int)hivex_value_dword(h, v));
    hivex_close(h);
    return 0;
}
EOF
    # shellcheck disable=SC2046
    if cc -o "$T/hxget" "$T/hxget.c" $(pkg-config --cflags --libs hivex) 2>"$T/hxget.err"; then
        HIVEXGET=$T/hxget
    fi
fi
# hivex_dword FILE KEY NAME
hivex_dword() {
    if [ "$HIVEXGET" = hivexget ]; then
        hivexget "$1" "$2" "$3" 2>/dev/null
    else
        "$HIVEXGET" "$1" "$2" "$3" 2>/dev/null
    fi
}

oracle_check() { # oracle_check FILE KEY NAME EXPECTED DESCRIPTION
    if [ "$HAVE_REGF" = 1 ]; then
        got=$(regf_dword "$1" "$2" "$3")
        if [ "$got" = "$4" ]; then ok "$5 (libregf regfexport reads $got)"; else
            echo "    regfexport read '$got'"
            bad "$5 (libregf regfexport)"
        fi
    else
        echo "SKIPPED: libregf regfexport not installed"
    fi
    if [ -n "$HIVEXGET" ]; then
        got=$(hivex_dword "$1" "$2" "$3")
        if [ "$got" = "$4" ]; then ok "$5 (libhivex reads $got)"; else
            echo "    libhivex read '$got'"
            bad "$5 (libhivex)"
        fi
    else
        echo "SKIPPED: neither hivexget nor libhivex headers available"
    fi
}

# ---- arguments and help ----------------------------------------------------------------
expect 0 "--version" --version
has "bootfix " "--version prints the program name"
expect 0 "--help" --help
has "reg query FILE KEY" "--help lists reg query"
expect 0 "help reg add" help reg add
has "/t TYPE" "help reg add shows /t"
expect 0 "help hive" help hive
has "hive recover" "help hive lists hive recover"
expect 0 "reg add --help" reg add --help

expect 2 "no arguments is a usage error" 
has_err "bootfix: " "usage errors start with 'bootfix: '"
expect 2 "unknown command" frobnicate
expect 2 "unknown global option" --bogus hive info x
expect 2 "help for an unknown topic" help nosuch
expect 2 "hive without subcommand" hive
expect 2 "unknown hive subcommand" hive explode x
expect 2 "hive info without FILE" hive info
expect 2 "hive info with two files" hive info a b
expect 2 "hive new --version 2.0" hive new "$T/x" --version 2.0
expect 2 "hive new --version without argument" hive new "$T/x" --version
expect 2 "reg without subcommand" reg
expect 2 "reg query without KEY" reg query "$T/x"
expect 2 "reg add /t without argument" reg add "$T/x" K /v a /t
expect 2 "reg add /v and /ve together" reg add "$T/x" K /v a /ve
expect 2 "reg add /d without /v" reg add "$T/x" K /d 1
expect 2 "reg add unknown switch" reg add "$T/x" K /zz
expect 2 "reg add switch given twice" reg add "$T/x" K /v a /v b
expect 2 "reg delete /va with /v" reg delete "$T/x" K /va /v a /f
expect 2 "reg export without output" reg export "$T/x"
expect 2 "reg import --version without --new" reg import "$T/x" "$T/y.reg" --version 1.3
expect 2 "--root-name without argument" reg query "$T/x" K --root-name
[ ! -e "$T/x" ] && ok "usage errors create no file" || bad "usage errors create no file"

# ---- hive new / info / check on generated hives ---------------------------------------
H=$T/EMPTY
expect 0 "hive new" hive new "$H"
expect 0 "hive check of a new hive" hive check "$H"
has "no problems found" "hive check says no problems"
expect 0 "hive info of a new hive" hive info "$H"
has "Format version:      1.5" "new hive defaults to format 1.5"
has "Dirty:               no" "new hive is clean"
has "Root key:            ROOT" "new hive root key is ROOT"
has "Base block checksum: ok" "new hive checksum ok"
if grep -Eq '^Last written: +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "$T/out"; then
    ok "hive info prints ISO 8601 UTC time stamps"
else bad "hive info prints ISO 8601 UTC time stamps"; fi
cp "$H" "$T/EMPTY.orig"
expect 1 "hive new refuses an existing file" hive new "$H"
same "$H" "$T/EMPTY.orig" "hive new left the existing file alone"

expect 0 "hive new --version 1.3 --root NewStoreRoot" hive new "$T/BCD" --version 1.3 --root NewStoreRoot
expect 0 "hive info of the 1.3 hive" hive info "$T/BCD"
has "Format version:      1.3" "hive new --version 1.3"
has "NewStoreRoot" "hive new --root"
expect 0 "hive check of the 1.3 hive" hive check "$T/BCD"

# ---- reg import --new -------------------------------------------------------------------
REG=$T/sys.reg
cat >"$REG" <<'EOF'
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SYS\Select]
"Current"=dword:00000001
"Default"=dword:00000001
"Failed"=dword:00000000
"LastKnownGood"=dword:00000001

[HKEY_LOCAL_MACHINE\SYS\ControlSet001\Control\CrashControl]
"AutoReboot"=dword:00000001
"CrashDumpEnabled"=dword:00000007
"Overwrite"=dword:00000001

[HKEY_LOCAL_MACHINE\SYS\ControlSet001\Services\disk]
"Start"=dword:00000000
"Group"="SCSI Class"
EOF
S=$T/SYS
expect 0 "reg import --new" reg import "$S" "$REG" --new
expect 0 "hive check after reg import --new" hive check "$S"
expect 1 "reg import --new refuses an existing file" reg import "$S" "$REG" --new

# ---- reg query ----------------------------------------------------------------------------
expect 0 "reg query Select" reg query "$S" Select
printf '\nHKEY_LOCAL_MACHINE\\SYS\\Select\n    Current    REG_DWORD    0x1\n    Default    REG_DWORD    0x1\n    Failed    REG_DWORD    0x0\n    LastKnownGood    REG_DWORD    0x1\n\n' >"$T/want"
same "$T/out" "$T/want" "reg query prints reg.exe's layout"
expect 0 "reg query of the root" reg query "$S" ''
printf '\nHKEY_LOCAL_MACHINE\\SYS\nHKEY_LOCAL_MACHINE\\SYS\\ControlSet001\nHKEY_LOCAL_MACHINE\\SYS\\Select\n' >"$T/want"
same "$T/out" "$T/want" "reg query of the root lists subkeys with full paths"
expect 0 "reg query with HKLM\\SYS\\ prefix" reg query "$S" 'HKLM\SYS\Select' /v Current
has "    Current    REG_DWORD    0x1" "reg query /v prints the value"
expect 0 "reg query -V (dash, upper case)" reg query "$S" Select -V Failed
has "    Failed    REG_DWORD    0x0" "switches are case-insensitive and accept '-'"
expect 0 "reg query --root-name" reg query "$S" Select /v Current --root-name 'HKLM\SYSTEM'
has "HKEY_LOCAL_MACHINE\\SYSTEM\\Select" "--root-name changes the printed path"
expect 0 "reg query /ve when unset" reg query "$S" Select /ve
has "    (Default)    REG_SZ    (value not set)" "unset default prints (value not set)"
expect 1 "reg query of a missing value" reg query "$S" Select /v Nope
expect 1 "reg query of a missing key" reg query "$S" 'No\Such\Key'
expect 0 "reg query /s" reg query "$S" ControlSet001 /s
has "HKEY_LOCAL_MACHINE\\SYS\\ControlSet001\\Services\\disk" "reg query /s reaches deep keys"
has "    Group    REG_SZ    SCSI Class" "reg query /s prints values of deep keys"
expect 0 "reg query /s /v" reg query "$S" '' /s /v Start
has "End of search: 1 match(es) found." "reg query /s /v counts matches"
expect 1 "reg query of a missing file" reg query "$T/nonexistent" Select

# ---- reg add --------------------------------------------------------------------------------
CC='ControlSet001\Control\CrashControl'
cp "$S" "$T/SYS.before"
expect 1 "reg add without /f on an existing value" reg add "$S" "$CC" /v CrashDumpEnabled /t REG_DWORD /d 1
has_err "/f" "refusal tells to add /f"
same "$S" "$T/SYS.before" "refused reg add leaves the file byte-identical"
expect 0 "reg add /f" reg add "$S" "$CC" /v CrashDumpEnabled /t REG_DWORD /d 1 /f
has "Backup of the original: $S.bootfix-" "reg add says where the backup went"
bak=$(ls "$S".bootfix-*.bak 2>/dev/null | head -1)
if [ -n "$bak" ]; then
    ok "backup file exists"
    same "$bak" "$T/SYS.before" "backup is the original"
else bad "backup file exists"; fi
expect 0 "hive check after reg add" hive check "$S"
expect 0 "reg query after reg add" reg query "$S" "$CC" /v CrashDumpEnabled
has "    CrashDumpEnabled    REG_DWORD    0x1" "the new value reads back"
oracle_check "$S" "$CC" CrashDumpEnabled 1 "value written by reg add"

rm -f "$S".bootfix-*.bak
expect 0 "reg add --no-backup, dash switches" reg add "$S" 'New\Key' -v Multi -t reg_multi_sz -d 'a\0b\0c' -f --no-backup
if ls "$S".bootfix-*.bak >/dev/null 2>&1; then bad "--no-backup makes no backup"; else ok "--no-backup makes no backup"; fi
expect 0 "reg query REG_MULTI_SZ" reg query "$S" 'New\Key' /v Multi
has '    Multi    REG_MULTI_SZ    a\0b\0c' "REG_MULTI_SZ reads back with backslash-0 separators"
expect 0 "reg add /s separator" reg add "$S" 'New\Key' /v Multi2 /t REG_MULTI_SZ /d 'x#y' /s '#' --no-backup
expect 0 "reg query REG_MULTI_SZ /s" reg query "$S" 'New\Key' /v Multi2
has '    Multi2    REG_MULTI_SZ    x\0y' "REG_MULTI_SZ with /s separator"
expect 0 "reg add REG_BINARY" reg add "$S" 'New\Key' /v Bin /t REG_BINARY /d 0102fe --no-backup
expect 0 "reg query REG_BINARY" reg query "$S" 'New\Key' /v Bin
has '    Bin    REG_BINARY    0102FE' "REG_BINARY reads back as hex"
expect 0 "reg add REG_QWORD" reg add "$S" 'New\Key' /v Q /t REG_QWORD /d 0x100000000 --no-backup
expect 0 "reg query REG_QWORD" reg query "$S" 'New\Key' /v Q
has '    Q    REG_QWORD    0x100000000' "REG_QWORD reads back"
expect 0 "reg add default value /ve" reg add "$S" 'New\Key' /ve /d 'hello world' --no-backup
expect 0 "reg query /ve" reg query "$S" 'New\Key' /ve
has '    (Default)    REG_SZ    hello world' "default value reads back as (Default)"
expect 0 "reg add of a key only" reg add "$S" 'Only\A\Key' --no-backup
expect 0 "reg query of the new empty key" reg query "$S" 'Only\A\Key'
expect 0 "hive check after several adds" hive check "$S"

cp "$S" "$T/SYS.before"
expect 1 "reg add REG_DWORD with bad data" reg add "$S" "$CC" /v X /t REG_DWORD /d notanumber /f
same "$S" "$T/SYS.before" "failed reg add (bad data) leaves the file byte-identical"
expect 2 "reg add with an unknown type" reg add "$S" "$CC" /v X /t REG_FOO /d 1 /f
same "$S" "$T/SYS.before" "failed reg add (bad type) leaves the file byte-identical"
long=$(printf '%0300d' 0)
expect 1 "reg add with a 300-character key name" reg add "$S" "Bad\\$long" /v X /d 1 /f
same "$S" "$T/SYS.before" "failed reg add (key name too long) leaves the file byte-identical"

# a write that fails at commit time: the directory cannot be written to
RO=$T/ro
mkdir -p "$RO"
cp "$S" "$RO/SYS"
cp "$S" "$T/SYS.before"
ls -a "$RO" >"$T/ls.before"
ro_how=
if [ "$(id -u)" != 0 ]; then
    chmod 555 "$RO" && ro_how="chmod 555"
elif command -v chattr >/dev/null 2>&1 && chattr +i "$RO" 2>/dev/null; then
    ro_how="chattr +i"
    trap 'chattr -i "$RO" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
fi
if [ -n "$ro_how" ]; then
    expect 1 "reg add in a read-only directory ($ro_how) fails" reg add "$RO/SYS" "$CC" /v CrashDumpEnabled /t REG_DWORD /d 3 /f
    has_err "$RO" "the failure names the path"
    same "$RO/SYS" "$T/SYS.before" "failed commit leaves the file byte-identical"
    ls -a "$RO" >"$T/ls.after"
    same "$T/ls.before" "$T/ls.after" "failed commit leaves no temporary or backup file"
    expect 1 "reg add --no-backup in a read-only directory fails" reg add "$RO/SYS" "$CC" /v CrashDumpEnabled /t REG_DWORD /d 3 /f --no-backup
    same "$RO/SYS" "$T/SYS.before" "failed commit (--no-backup) leaves the file byte-identical"
    if [ "$ro_how" = "chmod 555" ]; then chmod 755 "$RO"; else chattr -i "$RO"; fi
else
    echo "SKIPPED: read-only directory test (running as root and chattr +i is not available)"
fi

# ---- reg delete ---------------------------------------------------------------------------
cp "$S" "$T/SYS.before"
expect 1 "reg delete without /f" reg delete "$S" 'New\Key' /v Bin
has_err "/f" "reg delete refusal tells to add /f"
same "$S" "$T/SYS.before" "refused reg delete leaves the file byte-identical"
expect 1 "reg delete of a missing value" reg delete "$S" 'New\Key' /v Nope /f
same "$S" "$T/SYS.before" "failed reg delete leaves the file byte-identical"
expect 1 "reg delete of the root key" reg delete "$S" '' /f
expect 0 "reg delete /v /f" reg delete "$S" 'New\Key' /v Bin /f --no-backup
expect 1 "deleted value is gone" reg query "$S" 'New\Key' /v Bin
expect 0 "reg delete /va /f" reg delete "$S" 'New\Key' /va /f --no-backup
expect 0 "reg query after /va" reg query "$S" 'New\Key'
if grep -q REG_ "$T/out"; then bad "/va removed every value"; else ok "/va removed every value"; fi
expect 0 "reg delete key /f" reg delete "$S" 'Only' /f --no-backup
expect 1 "deleted key is gone" reg query "$S" 'Only\A\Key'
expect 0 "hive check after deletes" hive check "$S"

# ---- reg export / import round trip --------------------------------------------------------
expect 0 "reg export (UTF-16)" reg export "$S" "$T/all.reg"
if [ "$(od -An -tx1 -N2 "$T/all.reg" | tr -d ' ')" = fffe ]; then ok "export starts with a UTF-16LE BOM"
else bad "export starts with a UTF-16LE BOM"; fi
expect 1 "reg export refuses to overwrite" reg export "$S" "$T/all.reg"
expect 0 "reg export /y overwrites" reg export "$S" "$T/all.reg" /y
expect 0 "reg export --utf8" reg export "$S" "$T/all8.reg" --utf8
if head -1 "$T/all8.reg" | grep -q '^Windows Registry Editor Version 5.00'; then
    ok "UTF-8 export header"
else bad "UTF-8 export header"; fi
if grep -qF '[HKEY_LOCAL_MACHINE\SYS\Select]' "$T/all8.reg" &&
    grep -qF '"CrashDumpEnabled"=dword:00000001' "$T/all8.reg"; then
    ok "export has the keys and values with the default prefix"
else bad "export has the keys and values with the default prefix"; fi
expect 0 "reg export of one key to stdout" reg export "$S" "$CC" - --utf8
has '[HKEY_LOCAL_MACHINE\SYS\ControlSet001\Control\CrashControl]' "export of a key names that key"
if grep -qF 'Select]' "$T/out"; then bad "export of a key stays in that key"; else ok "export of a key stays in that key"; fi
expect 0 "reg import --new of the UTF-16 export" reg import "$T/SYS2" "$T/all.reg" --new
expect 0 "reg export of the copy" reg export "$T/SYS2" "$T/again8.reg" --utf8 --root-name SYS
same "$T/all8.reg" "$T/again8.reg" "export -> import -> export round trip is identical"
expect 0 "hive check of the imported copy" hive check "$T/SYS2"

printf 'Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYS\\Select]\n"Current"=dword:zz\n' >"$T/bad.reg"
cp "$S" "$T/SYS.before"
expect 1 "reg import of a bad .reg file" reg import "$S" "$T/bad.reg"
same "$S" "$T/SYS.before" "failed reg import leaves the file byte-identical"
printf 'Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYS\\Imported]\n"V"=dword:00000005\n' >"$T/good.reg"
expect 0 "reg import into an existing hive" reg import "$S" "$T/good.reg" --no-backup
expect 0 "imported value reads back" reg query "$S" Imported /v V
has "    V    REG_DWORD    0x5" "imported value has its data"

# ---- hive recover / check on damaged input ----------------------------------------------------
expect 0 "hive recover of a clean hive" hive recover "$S"
has "nothing to do" "clean hive needs no recovery"
expect 0 "hive recover -o" hive recover "$S" -o "$T/SYS.out"
expect 0 "hive check of the recover output" hive check "$T/SYS.out"
expect 1 "hive recover -o into a missing directory" hive recover "$S" -o "$T/no/such/dir/x"

expect 2 "hive check of a missing file" hive check "$T/nonexistent"
: >"$T/emptyfile"
expect 2 "hive check of an empty file" hive check "$T/emptyfile"
head -c 8192 /dev/urandom >"$T/garbage" 2>/dev/null || dd if=/dev/urandom of="$T/garbage" bs=8192 count=1 2>/dev/null
expect 2 "hive check of random bytes" hive check "$T/garbage"
expect 1 "hive info of random bytes" hive info "$T/garbage"
expect 1 "reg query of random bytes" reg query "$T/garbage" ''
# a damaged copy: the root key's 'nk' signature overwritten
cp "$T/SYS.out" "$T/DAMAGED"
root=$("$BOOTFIX" hive info "$T/DAMAGED" | sed -n 's/^Root key: .*(cell 0x\([0-9a-f]*\))$/\1/p')
if [ -n "$root" ]; then
    off=$((4096 + 0x$root + 4))
    printf 'xx' | dd of="$T/DAMAGED" bs=1 seek="$off" conv=notrunc 2>/dev/null
    run hive check "$T/DAMAGED"
    case $rc in
    1) if grep -q 'offset 0x' "$T/out"; then ok "damaged hive: problems with offsets (exit 1)"; else
        bad "damaged hive: problems listed with offsets"; fi ;;
    2) ok "damaged hive: not readable (exit 2)" ;;
    *) bad "damaged hive gives exit 1 or 2 (got $rc)" ;;
    esac
else
    bad "hive info shows the root cell"
fi

# ---- the corpus SYSTEM hive ------------------------------------------------------------------
if [ -f "$SYSTEM_SAMPLE" ]; then
    C=$T/corpus/SYSTEM
    mkdir -p "$T/corpus"
    cp "$SYSTEM_SAMPLE" "$C"
    chmod u+w "$C"
    expect 0 "corpus SYSTEM: hive info" hive info "$C"
    has "Format version:      1.5" "corpus SYSTEM: version 1.5"
    has "Sequence numbers:    13983, 13983" "corpus SYSTEM: sequence numbers"
    has "Dirty:               no" "corpus SYSTEM: clean"
    expect 0 "corpus SYSTEM: hive check" hive check "$C"
    expect 0 "corpus SYSTEM: reg query Select" reg query "$C" Select
    has "    Current    REG_DWORD    0x1" "corpus SYSTEM: Select\\Current"
    expect 0 "corpus SYSTEM: reg query CrashDumpEnabled" reg query "$C" "$CC" /v CrashDumpEnabled
    has "    CrashDumpEnabled    REG_DWORD    0x2" "corpus SYSTEM: original CrashDumpEnabled is 2"
    cp "$C" "$T/corpus/SYSTEM.orig"
    expect 1 "corpus SYSTEM: reg add without /f" reg add "$C" "$CC" /v CrashDumpEnabled /t REG_DWORD /d 1
    same "$C" "$T/corpus/SYSTEM.orig" "corpus SYSTEM: refused add leaves the file byte-identical"
    expect 0 "corpus SYSTEM: reg add /f" reg add "$C" "$CC" /v CrashDumpEnabled /t REG_DWORD /d 1 /f
    expect 0 "corpus SYSTEM: hive check after reg add" hive check "$C"
    expect 0 "corpus SYSTEM: reg query after reg add" reg query "$C" "$CC" /v CrashDumpEnabled
    has "    CrashDumpEnabled    REG_DWORD    0x1" "corpus SYSTEM: new value reads back"
    oracle_check "$C" "$CC" CrashDumpEnabled 1 "corpus SYSTEM: value written by reg add"
    expect 0 "corpus SYSTEM: reg add a new key and value" reg add "$C" 'Bootfix\Test' /v Answer /t REG_DWORD /d 42 --no-backup
    oracle_check "$C" 'Bootfix\Test' Answer 42 "corpus SYSTEM: new key written by reg add"
    expect 0 "corpus SYSTEM: reg delete the new key" reg delete "$C" Bootfix /f --no-backup
    expect 0 "corpus SYSTEM: hive check after delete" hive check "$C"
    expect 0 "corpus SYSTEM: reg export of CrashControl" reg export "$C" "$CC" "$T/corpus/cc.reg" --utf8
    if grep -qF '"CrashDumpEnabled"=dword:00000001' "$T/corpus/cc.reg"; then
        ok "corpus SYSTEM: export shows the new data"
    else bad "corpus SYSTEM: export shows the new data"; fi
    expect 0 "corpus SYSTEM: reg query /s of Services\\disk" reg query "$C" 'ControlSet001\Services\disk' /s
else
    echo "SKIPPED: corpus SYSTEM hive tests ($SYSTEM_SAMPLE: corpus not found)"
fi

finish
