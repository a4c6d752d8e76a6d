#!/bin/sh
# tests/test_recipes.sh — integration test of the recipe commands on the CLI.
#
#   BOOTFIX=build/asan/bootfix [BOOTFIX_SRC=.] [BOOTFIX_TOOLS=build/asan/tests/tools] \
#       sh tests/test_recipes.sh
#
# Builds sample volumes under a temporary directory, with mixed-case paths
# (WINDOWS/system32/CONFIG/SYSTEM, boot/bcd, Efi/Microsoft/BOOT/BCD): from
# the real corpus (copied at run time; a SKIPPED line when it is absent) a
# Windows 7 SYSTEM with two control sets + a BIOS store, a Windows 10 SYSTEM
# with one control set + a UEFI store, the dirty SYSTEM_B with its two logs;
# and the generated volume of tests/mkvolume.sh.  Every recipe is run on
# them and the files are read back with tests/tools/oracle_dump (libregf and
# hivex, which must agree): the full dump after a run must differ from the
# dump before by exactly the expected lines — the values and elements
# recipes.md names, with their exact types and bytes, in every existing
# control set, nothing else.  Also: undo, idempotence, --dry-run, backups,
# {default} vs displayorder, --entry, {current}, hibernation, a read-only
# target, --json and status.  Prints "N passed, N failed".

HARNESS_NAME=recipes
. "$(dirname "$0")/harness.sh"

export LC_ALL=C
TOOLS=${BOOTFIX_TOOLS:-$SRC/build/asan/tests/tools}
OD=$TOOLS/oracle_dump
if [ ! -x "$OD" ]; then
    echo "FAIL - $OD not found: build it with make build/asan/tests/tools/oracle_dump"
    exit 1
fi

MOUNTED=
cleanup() {
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

BM='{9dea862c-5cdd-4e70-acc1-f32b344d4795}'
EMS='{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}'
GLOBAL='{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}'
OTHER='{0badc0de-1111-4222-8333-444455556666}'

# ---- encodings ------------------------------------------------------------------------------
le32() { # le32 N: 4-byte little-endian hex
    printf '%02x%02x%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) \
        $((($1 >> 24) & 255))
}
le64() { le32 "$1"; printf '00000000'; } # N < 2^32
u16z() { # u16z TEXT: UTF-16LE hex of ASCII TEXT plus the NUL
    printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/../&00/g'
    printf '0000'
}
hex2text() { # UTF-16LE hex (ASCII) on stdin -> text, up to the first NUL
    awk '{ h = "0123456789abcdef"; s = "";
           for (i = 1; i + 3 <= length($0); i += 4) {
               c = (index(h, substr($0, i, 1)) - 1) * 16 + index(h, substr($0, i + 1, 1)) - 1;
               if (c == 0) break; s = s sprintf("%c", c) }
           print s }'
}

# ---- oracle dumps ---------------------------------------------------------------------------
# dump FILE OUT: oracle_dump of FILE (libregf and hivex must agree) into OUT
dump() {
    if "$OD" "$1" >"$2" 2>"$T/od.err"; then return 0; fi
    cat "$T/od.err"
    bad "oracle_dump $1 (the readers fail or disagree)"
    return 1
}
# vline DUMP PATH NAME: the V line of value NAME of key PATH in DUMP (or nothing)
vline() {
    P=$2 N=$3 awk -F '\t' '$1 == "V " ENVIRON["P"] && $2 == ENVIRON["N"]' "$1"
}
hexof() { vline "$1" "$2" "$3" | cut -f 4; }
csets() { sed -n 's/^K \(ControlSet[0-9][0-9][0-9]\)$/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'; }
epath() { printf 'Objects\\%s\\Elements\\%s' "$1" "$2"; } # epath GUID CODE

# ---- expected changes -----------------------------------------------------------------------
# Each want_* appends to $T/want the dump lines that must appear (+) or
# disappear (-) for the state to become what is wanted, computed from the
# dump BASE of the state before the run.  Nothing else may change.
want_reset() { : >"$T/want"; }
want_key() { # BASE PATH: the key exists
    grep -qxF -- "K $2" "$1" || printf '+K %s\n' "$2" >>"$T/want"
}
want_val() { # BASE PATH NAME TYPE HEX: the value has exactly this type and data
    line=$(printf 'V %s\t%s\t%s\t%s' "$2" "$3" "$4" "$5")
    grep -qxF -- "$line" "$1" && return 0
    vline "$1" "$2" "$3" | sed 's/^/-/' >>"$T/want"
    printf '+%s\n' "$line" >>"$T/want"
}
want_del() { # BASE PATH NAME: the value is absent
    vline "$1" "$2" "$3" | sed 's/^/-/' >>"$T/want"
}
want_nokey() { # BASE PATH: the key and everything under it are gone
    P=$2 awk -F '\t' '{ k = ENVIRON["P"]; r = substr($1, 3) }
        r == k || index(r, k "\\") == 1 { print "-" $0 }' "$1" >>"$T/want"
}
want_elem() { # BASE GUID CODE TYPE HEX
    want_key "$1" "$(epath "$2" "$3")"
    want_val "$1" "$(epath "$2" "$3")" Element "$4" "$5"
}
want_noelem() { want_nokey "$1" "$(epath "$2" "$3")"; }
want_bool() { want_elem "$1" "$2" "$3" REG_BINARY "$4"; }          # BASE GUID CODE 01|00
want_int() { want_elem "$1" "$2" "$3" REG_BINARY "$(le64 "$4")"; } # BASE GUID CODE N
# want_back BASE PRE PATH NAME: the value is again what it was in dump PRE
want_back() {
    old=$(vline "$2" "$3" "$4")
    if [ -z "$old" ]; then want_del "$1" "$3" "$4"; return; fi
    want_val "$1" "$3" "$4" "$(echo "$old" | cut -f 3)" "$(echo "$old" | cut -f 4)"
}
# want_elem_back BASE PRE GUID CODE: the element is again what it was in PRE
want_elem_back() {
    if grep -qxF -- "K $(epath "$3" "$4")" "$2"; then
        want_key "$1" "$(epath "$3" "$4")"
        want_back "$1" "$2" "$(epath "$3" "$4")" Element
    else
        want_noelem "$1" "$3" "$4"
    fi
}

# delta OLD NEW: the changed lines, "-" removed and "+" added, sorted
delta() {
    sort "$1" >"$T/d.old"
    sort "$2" >"$T/d.new"
    { comm -23 "$T/d.old" "$T/d.new" | sed 's/^/-/'
      comm -13 "$T/d.old" "$T/d.new" | sed 's/^/+/'; } | sort
}
# check_delta DESC OLD NEW: NEW differs from OLD by exactly $T/want
check_delta() {
    sort -u "$T/want" >"$T/want.s"
    delta "$2" "$3" >"$T/got.s"
    if cmp -s "$T/want.s" "$T/got.s"; then
        ok "$1: exactly the expected $(wc -l <"$T/want.s" | tr -d ' ') lines changed"
    else
        bad "$1: the change differs from the expected one"
        diff "$T/want.s" "$T/got.s" | sed -n '1,12s/^/    want<>got: /p'
    fi
}
# check_same DESC A B: equal dumps
check_same() {
    if cmp -s "$2" "$3"; then ok "$1"; else
        bad "$1"
        diff "$2" "$3" | sed -n '1,10s/^/    diff: /p'
    fi
}

# ---- running recipes on a volume --------------------------------------------------------------
# A volume: V (directory), SYS and BCD (file paths), $T/$VN.sys and $T/$VN.bcd
# (dumps of the current state), LOGS (the SYSTEM logs, may be empty).
backups() { ls "$V/bootfix-backup" 2>/dev/null; }

# snap: byte copies of the volume's files before a run
snap() {
    cp "$SYS" "$T/prev.sys"
    cp "$BCD" "$T/prev.bcd"
    for l in $LOGS; do cp "$l" "$T/prev.$(basename "$l")"; done
    backups >"$T/bk.before"
}
newbackups() { backups | comm -13 "$T/bk.before" -; }
sys_same() { cmp -s "$SYS" "$T/prev.sys"; }
bcd_same() { cmp -s "$BCD" "$T/prev.bcd"; }

# step DESC ARGS...: run bootfix ARGS, expect exit 0 and one new backup folder holding
# byte-identical copies of the files that changed (and the logs), and a journal.txt
step() {
    sdesc=$1
    shift
    snap
    run "$@"
    if [ "$rc" -ne 0 ]; then bad "$sdesc (exit $rc)"; return 1; fi
    ok "$sdesc"
    nb=$(newbackups)
    if [ "$(echo "$nb" | grep -c .)" -ne 1 ]; then
        bad "$sdesc: one new backup folder (got: $nb)"
        return 0
    fi
    B=$V/bootfix-backup/$nb
    [ -s "$B/journal.txt" ] && ok "$sdesc: journal.txt in the backup" ||
        bad "$sdesc: no journal.txt in $B"
    for pair in "$SYS:prev.sys" "$BCD:prev.bcd"; do
        f=${pair%%:*} p=$T/${pair#*:}
        cmp -s "$f" "$p" && continue
        b=$B/$(basename "$f")
        if cmp -s "$b" "$p"; then ok "$sdesc: backup of $(basename "$f") is byte-identical"; else
            bad "$sdesc: no byte-identical backup $b"; fi
    done
    if [ -n "$LOGS" ] && ! sys_same; then
        for l in $LOGS; do
            same "$B/$(basename "$l")" "$T/prev.$(basename "$l")" \
                "$sdesc: backup of $(basename "$l") is byte-identical"
        done
    fi
    return 0
}

# again DESC ARGS...: a second run finds everything set and writes nothing
again() {
    adesc=$1
    shift
    snap
    run "$@"
    if [ "$rc" -eq 0 ]; then ok "$adesc"; else bad "$adesc (exit $rc)"; fi
    has "already set" "$adesc: reports already set"
    hasnt " -> " "$adesc: plans no change"
    if sys_same && bcd_same; then ok "$adesc: files byte-identical"; else
        bad "$adesc: a file was rewritten"; fi
    [ -z "$(newbackups)" ] && ok "$adesc: no new backup folder" ||
        bad "$adesc: a backup folder was made: $(newbackups)"
}

# refused DESC TEXT ARGS...: exit 1, stderr has TEXT (case-insensitive), nothing written
refused() {
    rdesc=$1 text=$2
    shift 2
    snap
    run "$@"
    if [ "$rc" -eq 1 ]; then ok "$rdesc is refused"; else bad "$rdesc is refused (exit $rc)"; fi
    if grep -qiF -- "$text" "$T/err"; then ok "$rdesc: message names '$text'"; else
        bad "$rdesc: stderr lacks '$text'"; fi
    if sys_same && bcd_same; then ok "$rdesc: files byte-identical"; else
        bad "$rdesc: a file changed"; fi
    [ -z "$(newbackups)" ] && ok "$rdesc: no backup folder" ||
        bad "$rdesc: a backup folder was made"
}

# after_sys DESC / after_bcd DESC: dump the file, compare with the expected change, advance
after_sys() {
    dump "$SYS" "$T/$VN.sys.new" || return 0
    check_delta "$1" "$T/$VN.sys" "$T/$VN.sys.new"
    mv "$T/$VN.sys.new" "$T/$VN.sys"
}
after_bcd() {
    dump "$BCD" "$T/$VN.bcd.new" || return 0
    check_delta "$1" "$T/$VN.bcd" "$T/$VN.bcd.new"
    mv "$T/$VN.bcd.new" "$T/$VN.bcd"
}
unchanged_sys() { sys_same && ok "$1: SYSTEM untouched" || bad "$1: SYSTEM was changed"; }
unchanged_bcd() { bcd_same && ok "$1: BCD untouched" || bad "$1: BCD was changed"; }

# undo_to DESC SYSDUMP BCDDUMP: bootfix undo, then both files dump equal to the ones given
undo_to() {
    step "$1" undo "$V" || return 0
    dump "$SYS" "$T/$VN.sys" && check_same "$1: SYSTEM content restored exactly" "$2" "$T/$VN.sys"
    dump "$BCD" "$T/$VN.bcd" && check_same "$1: BCD content restored exactly" "$3" "$T/$VN.bcd"
}

# ---- the recipes -------------------------------------------------------------------------------
# want_dump BASE CDE [active]: enable-dump's settings in every control set
want_dump() {
    for cs in $CSETS; do
        k="$cs\\Control\\CrashControl"
        want_key "$1" "$k"
        want_val "$1" "$k" CrashDumpEnabled REG_DWORD "$(le32 "$2")"
        want_val "$1" "$k" DumpFile REG_EXPAND_SZ "$(u16z '%SystemRoot%\MEMORY.DMP')"
        want_val "$1" "$k" NMICrashDump REG_DWORD "$(le32 1)"
        if [ "$3" = active ]; then want_val "$1" "$k" FilterPages REG_DWORD "$(le32 1)"; else
            want_del "$1" "$k" FilterPages; fi
    done
}
want_cc() { # BASE NAME TYPE HEX in every control set
    for cs in $CSETS; do want_val "$1" "$cs\\Control\\CrashControl" "$2" "$3" "$4"; done
}

recipes_enable_dump() {
    S0=$T/$VN.sys.orig B0=$T/$VN.bcd.orig

    snap
    run --dry-run enable-dump --type complete --no-autoreboot "$V"
    [ "$rc" -eq 0 ] && ok "$VN: --dry-run enable-dump" || bad "$VN: --dry-run enable-dump (exit $rc)"
    has " -> " "$VN: --dry-run prints the planned changes"
    if sys_same && bcd_same; then ok "$VN: --dry-run leaves the files byte-identical"; else
        bad "$VN: --dry-run wrote"; fi
    for l in $LOGS; do same "$l" "$T/prev.$(basename "$l")" "$VN: --dry-run leaves $(basename "$l")"; done
    [ -e "$V/bootfix-backup" ] && bad "$VN: --dry-run created bootfix-backup" ||
        ok "$VN: --dry-run creates no bootfix-backup folder"

    want_reset
    want_dump "$T/$VN.sys" 2
    if step "$VN: enable-dump" enable-dump "$V"; then
        after_sys "$VN: enable-dump (kernel) in $CSETS"
        unchanged_bcd "$VN: enable-dump"
        if [ -n "$LOGS" ]; then
            "$BOOTFIX" hive info "$SYS" >"$T/info" 2>&1
            seq=$(sed -n 's/^Sequence numbers: *\([0-9]*\), \([0-9]*\)$/\1 \2/p' "$T/info")
            set -- $seq
            if [ -n "$seq" ] && [ "$1" = "$2" ] && grep -q '^Dirty: *no' "$T/info"; then
                ok "$VN: the written hive is clean (sequence numbers $seq)"
            else bad "$VN: the written hive is not clean: $(grep -E 'Seq|Dirty' "$T/info")"; fi
            if [ -n "$LOGSEQ" ] && [ -n "$seq" ] && [ "$1" -gt "$LOGSEQ" ]; then
                ok "$VN: its sequence number is above the logs' ($LOGSEQ)"
            else bad "$VN: sequence $1 is not above the logs' $LOGSEQ"; fi
        fi
    fi
    again "$VN: enable-dump a second time" enable-dump "$V"
    undo_to "$VN: undo of enable-dump" "$S0" "$B0"

    want_reset
    want_dump "$T/$VN.sys" 1 active
    want_cc "$T/$VN.sys" AutoReboot REG_DWORD "$(le32 0)"
    if step "$VN: enable-dump --type active --no-autoreboot" enable-dump --type active \
        --no-autoreboot "$V"; then
        after_sys "$VN: enable-dump --type active --no-autoreboot"
        unchanged_bcd "$VN: enable-dump --type active"
    fi
    undo_to "$VN: undo of enable-dump --type active" "$S0" "$B0"

    want_reset
    want_dump "$T/$VN.sys" 1
    want_cc "$T/$VN.sys" DedicatedDumpFile REG_SZ "$(u16z 'E:\dedicated.dmp')"
    want_cc "$T/$VN.sys" DumpFileSize REG_DWORD "$(le32 4096)"
    if step "$VN: enable-dump --type complete --dedicated-dump-file" enable-dump --type complete \
        --dedicated-dump-file 'E:\dedicated.dmp' --dump-file-size 4096 "$V"; then
        after_sys "$VN: enable-dump --type complete --dedicated-dump-file"
        unchanged_bcd "$VN: enable-dump --dedicated-dump-file"
    fi
    undo_to "$VN: undo of enable-dump --type complete" "$S0" "$B0"
}

recipes_bcd() {
    S0=$T/$VN.sys.orig B0=$T/$VN.bcd.orig
    D=$(hexof "$B0" "$(epath "$BM" 23000003)" Element | hex2text)
    case $D in
        \{*\}) ok "$VN: {bootmgr} default is $D" ;;
        *) bad "$VN: no {bootmgr} default element"; return 0 ;;
    esac

    # serial-console on / again / off / undo / undo
    want_reset
    c=$T/$VN.bcd
    want_bool "$c" "$BM" 26000020 01
    want_int "$c" "$BM" 25000004 10
    want_bool "$c" "$BM" 16000020 01
    want_bool "$c" "$D" 260000b0 01
    if ! grep -qxF "K Objects\\$EMS" "$c"; then
        want_key "$c" "Objects\\$EMS"
        want_key "$c" "Objects\\$EMS\\Description"
        want_key "$c" "Objects\\$EMS\\Elements"
        want_val "$c" "Objects\\$EMS\\Description" Type REG_DWORD "$(le32 0x20100000)"
        il=$(hexof "$c" "$(epath "$GLOBAL" 14000006)" Element)
        if [ -n "$il" ]; then # appended to an existing inherit list
            want_val "$c" "$(epath "$GLOBAL" 14000006)" Element REG_MULTI_SZ \
                "${il%0000}$(u16z "$EMS")0000"
        fi
    fi
    want_int "$c" "$EMS" 15000022 1
    want_int "$c" "$EMS" 15000023 115200
    cp "$c" "$T/$VN.bcd.preon"
    snap
    run --dry-run serial-console on "$V"
    [ "$rc" -eq 0 ] && ok "$VN: --dry-run serial-console on" ||
        bad "$VN: --dry-run serial-console on (exit $rc)"
    has " -> " "$VN: --dry-run serial-console on prints the plan"
    if sys_same && bcd_same && [ -z "$(newbackups)" ]; then
        ok "$VN: --dry-run serial-console on writes nothing, no backup folder"
    else bad "$VN: --dry-run serial-console on wrote"; fi
    if step "$VN: serial-console on" serial-console on "$V"; then
        after_bcd "$VN: serial-console on"
        unchanged_sys "$VN: serial-console on"
    fi
    cp "$T/$VN.bcd" "$T/$VN.bcd.on"
    again "$VN: serial-console on a second time" serial-console on "$V"

    want_reset
    want_noelem "$c" "$D" 260000b0
    want_noelem "$c" "$BM" 16000020
    want_elem_back "$c" "$T/$VN.bcd.preon" "$BM" 26000020
    want_elem_back "$c" "$T/$VN.bcd.preon" "$BM" 25000004
    if step "$VN: serial-console off" serial-console off "$V"; then
        after_bcd "$VN: serial-console off (displaybootmenu, timeout as before on)"
        unchanged_sys "$VN: serial-console off"
    fi
    undo_to "$VN: undo of serial-console off" "$S0" "$T/$VN.bcd.on"
    undo_to "$VN: a second undo reverts serial-console on" "$S0" "$B0"

    # safeboot
    want_reset
    want_int "$c" "$D" 25000080 1
    want_noelem "$c" "$D" 26000081
    if step "$VN: safeboot on network" safeboot on network "$V"; then
        after_bcd "$VN: safeboot on network"
        unchanged_sys "$VN: safeboot on"
    fi
    again "$VN: safeboot on network a second time" safeboot on network "$V"
    want_reset
    want_noelem "$c" "$D" 25000080
    want_noelem "$c" "$D" 26000081
    step "$VN: safeboot off" safeboot off "$V" && after_bcd "$VN: safeboot off"
    cp "$c" "$T/$VN.bcd.sboff"
    want_reset
    want_int "$c" "$D" 25000080 0
    want_bool "$c" "$D" 26000081 01
    step "$VN: safeboot on --alternate-shell" safeboot on --alternate-shell "$V" &&
        after_bcd "$VN: safeboot on minimal --alternate-shell"
    undo_to "$VN: undo of safeboot on --alternate-shell" "$S0" "$T/$VN.bcd.sboff"

    # debug-boot on / off
    s=$T/$VN.sys
    cp "$s" "$T/$VN.sys.pre"
    want_reset
    want_cc "$s" AutoReboot REG_DWORD "$(le32 0)"
    want_cc "$s" CrashDumpEnabled REG_DWORD "$(le32 2)"
    if step "$VN: debug-boot on" debug-boot on "$V"; then
        after_sys "$VN: debug-boot on (registry)"
        want_reset
        want_bool "$c" "$BM" 16000048 01
        want_int "$c" "$BM" 1500004b 2
        want_bool "$c" "$D" 26000090 01
        want_int "$c" "$D" 250000e0 0
        want_bool "$c" "$D" 16000048 01
        want_bool "$c" "$D" 16000049 00
        want_bool "$c" "$D" 16000009 00
        want_int "$c" "$D" 1500004b 2
        after_bcd "$VN: debug-boot on (BCD)"
    fi
    cp "$s" "$T/$VN.sys.dbgon"
    cp "$c" "$T/$VN.bcd.dbgon"
    want_reset
    for cs in $CSETS; do
        k="$cs\\Control\\CrashControl"
        if [ -n "$(vline "$T/$VN.sys.pre" "$k" AutoReboot)" ]; then
            want_back "$s" "$T/$VN.sys.pre" "$k" AutoReboot
        else want_val "$s" "$k" AutoReboot REG_DWORD "$(le32 1)"; fi
    done
    if step "$VN: debug-boot off" debug-boot off "$V"; then
        after_sys "$VN: debug-boot off: AutoReboot back to its value before on"
        want_reset
        want_noelem "$c" "$BM" 16000048
        want_int "$c" "$BM" 1500004b 1
        want_noelem "$c" "$D" 26000090
        want_int "$c" "$D" 250000e0 1
        want_noelem "$c" "$D" 16000048
        want_noelem "$c" "$D" 16000049
        want_bool "$c" "$D" 16000009 00
        want_int "$c" "$D" 1500004b 1
        after_bcd "$VN: debug-boot off (BCD)"
    fi
    undo_to "$VN: undo of debug-boot off" "$T/$VN.sys.dbgon" "$T/$VN.bcd.dbgon"
    undo_to "$VN: undo of debug-boot on" "$T/$VN.sys.pre" "$T/$VN.bcd.sboff"
}

# status_check FIRMWARE: status names the control sets, CrashControl, store, firmware, entry
status_check() {
    expect 0 "$VN: status" status "$V"
    for cs in $CSETS; do has "$cs" "$VN: status lists $cs"; done
    if [ "$(grep -o 'ControlSet[0-9][0-9][0-9]' "$T/out" | sort -u | tr '\n' ' ')" = "$CSETS " ]; then
        ok "$VN: status lists no other control set"
    else bad "$VN: status lists other control sets"; fi
    has "CrashDumpEnabled" "$VN: status shows CrashDumpEnabled"
    cde=$(hexof "$T/$VN.sys" "$(echo $CSETS | cut -d' ' -f1)\\Control\\CrashControl" \
        CrashDumpEnabled | cut -c1-2)
    [ -n "$cde" ] && has "CrashDumpEnabled         $((0x$cde)) (" "$VN: status shows its value"
    has "DumpFile" "$VN: status shows DumpFile"
    has "$BCD" "$VN: status shows the store path"
    has "($1 firmware)" "$VN: status says $1"
    desc=$(hexof "$T/$VN.bcd" "$(epath "$D0" 12000004)" Element | hex2text)
    has "description              $desc" "$VN: status shows the default entry's description"
    has "$D0" "$VN: status names the default entry"
}

# volume NAME SYS BCD FIRMWARE LOGS: set up the variables and run every check
volume() {
    VN=$1 SYS=$2 BCD=$3 FW=$4 LOGS=$5
    V=$T/$VN
    if [ -n "$LOGS" ]; then
        cp "$SYS" "$T/$VN.dirty"
        for l in $LOGS; do cp "$l" "$T/$VN.dirty.${l##*.}"; done
        run hive recover "$T/$VN.dirty" -o "$T/$VN.replayed"
        [ "$rc" -eq 0 ] && ok "$VN: hive recover -o (the replayed state)" ||
            bad "$VN: hive recover -o (exit $rc)"
        dump "$T/$VN.replayed" "$T/$VN.sys" || return 0
        "$BOOTFIX" hive info "$SYS" >"$T/info" 2>&1
        LOGSEQ=$(sed -n 's/^Highest log seq: *\([0-9]*\).*/\1/p' "$T/info")
        grep -q '^Dirty: *yes' "$T/info" && ok "$VN: the copied hive is dirty" ||
            bad "$VN: the copied hive is not dirty"
    else
        dump "$SYS" "$T/$VN.sys" || return 0
    fi
    dump "$BCD" "$T/$VN.bcd" || return 0
    cp "$T/$VN.sys" "$T/$VN.sys.orig"
    cp "$T/$VN.bcd" "$T/$VN.bcd.orig"
    CSETS=$(csets "$T/$VN.sys")
    D0=$(hexof "$T/$VN.bcd" "$(epath "$BM" 23000003)" Element | hex2text)
    echo "# $VN: control sets $CSETS, {default} $D0"
    status_check "$FW"
    recipes_enable_dump
    recipes_bcd
}

# ---- volumes ------------------------------------------------------------------------------------
# the generated volume
G=$T/gen
if sh "$SRC/tests/mkvolume.sh" "$BOOTFIX" "$G" >"$T/mk.out" 2>&1; then ok "mkvolume.sh"; else
    cat "$T/mk.out"
    bad "mkvolume.sh"
fi
GSYS=$G/Windows/System32/config/SYSTEM
GBCD=$G/Boot/BCD
cp "$GSYS" "$T/gen.SYSTEM.pristine"
# an AutoReboot that is neither 0 nor the fallback 1, so that debug-boot off must restore it
"$BOOTFIX" -q --no-backup reg add "$GSYS" 'ControlSet001\Control\CrashControl' /v AutoReboot \
    /t REG_DWORD /d 3 /f >/dev/null 2>&1 || bad "reg add AutoReboot=3 on the generated volume"
volume gen "$GSYS" "$GBCD" BIOS ""
[ "$CSETS" = ControlSet001 ] && ok "gen: still only ControlSet001" || bad "gen: control sets $CSETS"

if [ -d "$CORPUS/hives" ] && [ -d "$CORPUS/bcd" ]; then
    H=$CORPUS/hives
    # Windows 7, two control sets, a BIOS store at boot/bcd
    V7=$T/w7
    mkdir -p "$V7/WINDOWS/system32/CONFIG" "$V7/boot"
    cp "$H/regipy/regipy_tests/data/SYSTEM" "$V7/WINDOWS/system32/CONFIG/SYSTEM"
    cp "$CORPUS/bcd/komalw20_CPP_Boot_BCD.bin" "$V7/boot/bcd"
    chmod -R u+w "$V7"
    volume w7 "$V7/WINDOWS/system32/CONFIG/SYSTEM" "$V7/boot/bcd" BIOS ""
    [ "$CSETS" = "ControlSet001 ControlSet002" ] && ok "w7: ControlSet001 and ControlSet002" ||
        bad "w7: control sets '$CSETS'"

    # Windows 10, one control set, a UEFI store at Efi/Microsoft/BOOT/BCD
    V10=$T/w10
    mkdir -p "$V10/Windows/System32/config" "$V10/Efi/Microsoft/BOOT"
    cp "$H/dissect.regf/tests/_data/SYSTEM" "$V10/Windows/System32/config/SYSTEM"
    cp "$CORPUS/bcd/winefi_EFI_Microsoft_Boot_BCD.bin" "$V10/Efi/Microsoft/BOOT/BCD"
    chmod -R u+w "$V10"
    volume w10 "$V10/Windows/System32/config/SYSTEM" "$V10/Efi/Microsoft/BOOT/BCD" UEFI ""
    [ "$CSETS" = ControlSet001 ] && ok "w10: only ControlSet001, none created" ||
        bad "w10: control sets '$CSETS'"

    # the dirty SYSTEM_B with its logs, a BIOS store at Boot/BCD
    VB=$T/dirty
    C=$VB/windows/System32/Config
    mkdir -p "$C" "$VB/Boot"
    cp "$H/regipy/regipy_tests/data/SYSTEM_B" "$C/SYSTEM"
    cp "$H/regipy/regipy_tests/data/SYSTEM_B.LOG1" "$C/SYSTEM.LOG1"
    cp "$H/regipy/regipy_tests/data/SYSTEM_B.LOG2" "$C/SYSTEM.LOG2"
    cp "$CORPUS/bcd/amitraky_Barcode-Reader_Boot_BCD.bin" "$VB/Boot/BCD"
    chmod -R u+w "$VB"
    volume dirty "$C/SYSTEM" "$VB/Boot/BCD" BIOS "$C/SYSTEM.LOG1 $C/SYSTEM.LOG2"
else
    echo "SKIPPED: recipes on the corpus volumes (Windows 7, Windows 10, dirty SYSTEM_B) (corpus not found)"
fi

# ---- {default} is {bootmgr}'s default element, not the first displayorder entry -------------------
VN=order V=$T/order LOGS=
mkdir -p "$V/Windows/System32/config" "$V/Boot"
SYS=$V/Windows/System32/config/SYSTEM BCD=$V/Boot/BCD
cp "$T/gen.SYSTEM.pristine" "$SYS"
if [ -f "$CORPUS/bcd/komalw20_CPP_Boot_BCD.bin" ]; then
    cp "$CORPUS/bcd/komalw20_CPP_Boot_BCD.bin" "$BCD"
    chmod u+w "$BCD"
else
    echo "SKIPPED: {default} on a real store (corpus not found); using the generated store"
    cp "$GBCD" "$BCD"
fi
dump "$BCD" "$T/order.bcd"
D=$(hexof "$T/order.bcd" "$(epath "$BM" 23000003)" Element | hex2text)
expect 0 "bcdedit /create $OTHER /d Other /application osloader" \
    --no-backup bcdedit /store "$BCD" /create "$OTHER" /d Other /application osloader
expect 0 "bcdedit /displayorder $OTHER /addfirst" \
    --no-backup bcdedit /store "$BCD" /displayorder "$OTHER" /addfirst
dump "$BCD" "$T/order.bcd"
do1=$(hexof "$T/order.bcd" "$(epath "$BM" 24000001)" Element | cut -c1-76)
[ "$do1" = "$(u16z "$OTHER" | cut -c1-76)" ] && ok "order: displayorder lists $OTHER first" ||
    bad "order: displayorder does not start with $OTHER"
[ "$D" != "$OTHER" ] && [ -n "$D" ] && ok "order: {default} is still $D" || bad "order: {default} '$D'"
CSETS=ControlSet001
want_reset
want_int "$T/order.bcd" "$D" 25000080 1
if step "order: safeboot on network" safeboot on network "$V"; then
    after_bcd "order: safeboot lands on {default} $D only"
    unchanged_sys "order: safeboot on"
fi
if [ -z "$(vline "$T/order.bcd" "$(epath "$OTHER" 25000080)" Element)" ]; then
    ok "order: the first displayorder entry has no safeboot"
else bad "order: safeboot was set on the first displayorder entry"; fi
want_reset
want_int "$T/order.bcd" "$OTHER" 25000080 0
step "order: safeboot on --entry $OTHER" safeboot on --entry "$OTHER" "$V" &&
    after_bcd "order: --entry sets safeboot on $OTHER only"
want_reset
want_int "$T/order.bcd" "$OTHER" 25000080 1
step "order: safeboot on network --entry with the GUID in capitals" safeboot on network \
    --entry "$(echo "$OTHER" | tr a-f A-F)" "$V" && after_bcd "order: --entry in capitals"
refused "order: safeboot on --entry {current}" "{current}" safeboot on --entry '{current}' "$V"
refused "order: serial-console on --entry {current}" "{current}" serial-console on --entry \
    '{current}' "$V"

# ---- hibernation -----------------------------------------------------------------------------------
VN=gen V=$G SYS=$GSYS BCD=$GBCD LOGS=
dump "$SYS" "$T/gen.sys"
cp "$T/gen.sys" "$T/gen.sys.h0"
printf 'HIBR' >"$V/HiberFil.SYS"
head -c 8188 /dev/zero >>"$V/HiberFil.SYS"
refused "enable-dump on a hibernated target" hiberfil.sys enable-dump --type small "$V"
refused "serial-console on on a hibernated target" hiberfil.sys serial-console on "$V"
want_reset
want_dump "$T/gen.sys" 3
step "--force enable-dump --type small on a hibernated target" --force enable-dump --type small "$V" &&
    after_sys "--force writes the hibernated target"
run --force undo "$V"
[ "$rc" -eq 0 ] && ok "--force undo on the hibernated target" || bad "--force undo (exit $rc)"
dump "$SYS" "$T/gen.sys" && check_same "--force undo restores the content" "$T/gen.sys.h0" "$T/gen.sys"
rm -f "$V/HiberFil.SYS"
head -c 8192 /dev/zero >"$V/hiberfil.sys"
want_reset
want_dump "$T/gen.sys" 3
step "a zeroed hiberfil.sys is no hibernation image" enable-dump --type small "$V" &&
    after_sys "enable-dump --type small"
rm -f "$V/hiberfil.sys"

# ---- --json ----------------------------------------------------------------------------------------
expect 0 "--json enable-dump --type automatic" --json enable-dump --type automatic "$V"
for k in '"command": "enable-dump"' '"ok": true' '"changes": [' '"state": "changed"' \
    '"name": "CrashDumpEnabled"' '"backup_dir": "' '"journal": "' '"written": ['; do
    has "$k" "json: $k"
done
if [ "$(head -c 1 "$T/out")" = "{" ] && [ "$(tail -n 1 "$T/out")" = "}" ]; then
    ok "json: one object"
else bad "json: one object"; fi
if sed 's/"\([^"\\]\|\\.\)*"//g' "$T/out" | tr -cd '{}[]' |
    awk '{ d = 0; for (i = 1; i <= length($0); i++) { c = substr($0, i, 1);
        if (c == "{" || c == "[") d++; else d--; if (d < 0) exit 1 } exit d != 0 }'; then
    ok "json: balanced"
else bad "json: balanced"; fi
expect 0 "--json status" --json status "$V"
[ "$(head -c 1 "$T/out")" = "{" ] && [ "$(tail -n 1 "$T/out")" = "}" ] && ok "json status: one object" ||
    bad "json status: one object"

# ---- a read-only target ------------------------------------------------------------------------------
RO=$T/ro
mkdir -p "$RO"
if [ "$(id -u)" -ne 0 ]; then
    cp -R "$G" "$T/rosrc"
    chmod -R a-w "$T/rosrc"
    VN=ro V=$T/rosrc SYS=$T/rosrc/Windows/System32/config/SYSTEM BCD=$T/rosrc/Boot/BCD
    refused "enable-dump on a read-only target" "" enable-dump --type complete "$V"
    refused "serial-console on on a read-only target" "" serial-console on "$V"
    chmod -R u+w "$T/rosrc"
elif mount --bind "$G" "$RO" 2>"$T/mnt.err" && MOUNTED=$RO &&
    mount -o remount,ro,bind "$RO" 2>>"$T/mnt.err"; then
    VN=ro V=$RO SYS=$RO/Windows/System32/config/SYSTEM BCD=$RO/Boot/BCD
    refused "enable-dump on a read-only mount" "read-only" enable-dump --type complete "$V"
    refused "serial-console on on a read-only mount" "read-only" serial-console on "$V"
    umount "$RO" && MOUNTED=
else
    [ -n "$MOUNTED" ] && umount "$RO" 2>/dev/null && MOUNTED=
    echo "SKIPPED: read-only target (running as root and mount --bind / remount,ro fails here:" \
        "$(head -n 1 "$T/mnt.err"))"
fi

finish
