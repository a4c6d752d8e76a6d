# tests/expect.sh — the expected results of the recipes, shared by the
# integration tests of both builds (sourced after tests/harness.sh, not run):
# tests/test_recipes.sh (Linux build, or the Windows build through
# tests/windows/bootfix-wine.sh) and tests/windows/test_windows.sh (the
# Windows build on drive letters).
#
# Needs OD (tests/tools/oracle_dump: libregf and hivex, which must agree) and
# the harness's run/ok/bad/has.  A volume is described by V (its directory
# here), SYS and BCD (its files here), LOGS (the SYSTEM logs, may be empty),
# VN (a name), CSETS (its control sets) and D0 ({bootmgr}'s default); TGT is
# the target as bootfix is given it (default $V; "F:" for a drive letter) and
# BCD_SHOWN the store path as bootfix prints it (default: shown "$BCD").
#
# BOOTFIX_WINDOWS=1 says the bootfix under test is the Windows build run
# through tests/windows/bootfix-wine.sh: it is given and prints a Linux path
# /x/y as Z:\x\y.

# well-known BCD objects
BM='{9dea862c-5cdd-4e70-acc1-f32b344d4795}'
EMS='{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}'
GLOBAL='{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}'

# ---- paths ---------------------------------------------------------------------------------------
winpath() { printf 'Z:%s' "$1" | tr / '\\'; } # the Windows form of a Linux absolute path
shown() { # shown PATH: PATH as the bootfix under test prints it
    if [ -n "$BOOTFIX_WINDOWS" ]; then winpath "$1"; else printf '%s' "$1"; fi
}
tgt() { printf '%s' "${TGT:-$V}"; } # the target argument of the current volume
# has_path PATH DESCRIPTION: the last stdout names PATH, spelled as on the volume (both
# builds print the names found there, whatever the case asked for)
has_path() { has "$1" "$2"; }
# named DIR NAME: the path of the file NAME in DIR
named() { printf '%s/%s' "$1" "$2"; }

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
        b=$(named "$B" "$(basename "$f")")
        if cmp -s "$b" "$p"; then ok "$sdesc: backup of $(basename "$f") is byte-identical"; else
            bad "$sdesc: no byte-identical backup $b"; fi
    done
    if [ -n "$LOGS" ] && ! sys_same; then
        for l in $LOGS; do
            same "$(named "$B" "$(basename "$l")")" "$T/prev.$(basename "$l")" \
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

# undo_to DESC SYSDUMP BCDDUMP [TARGET]: bootfix undo, then both files dump equal to the ones given
undo_to() {
    step "$1" undo "${4:-$(tgt)}" || return 0
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
    run --dry-run enable-dump --type complete --no-autoreboot "$(tgt)"
    [ "$rc" -eq 0 ] && ok "$VN: --dry-run enable-dump" || bad "$VN: --dry-run enable-dump (exit $rc)"
    has " -> " "$VN: --dry-run prints the planned changes"
    if sys_same && bcd_same; then ok "$VN: --dry-run leaves the files byte-identical"; else
        bad "$VN: --dry-run wrote"; fi
    for l in $LOGS; do same "$l" "$T/prev.$(basename "$l")" "$VN: --dry-run leaves $(basename "$l")"; done
    [ -e "$V/bootfix-backup" ] && bad "$VN: --dry-run created bootfix-backup" ||
        ok "$VN: --dry-run creates no bootfix-backup folder"

    want_reset
    want_dump "$T/$VN.sys" 2
    if step "$VN: enable-dump" enable-dump "$(tgt)"; then
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
    again "$VN: enable-dump a second time" enable-dump "$(tgt)"
    undo_to "$VN: undo of enable-dump" "$S0" "$B0"

    want_reset
    want_dump "$T/$VN.sys" 1 active
    want_cc "$T/$VN.sys" AutoReboot REG_DWORD "$(le32 0)"
    if step "$VN: enable-dump --type active --no-autoreboot" enable-dump --type active \
        --no-autoreboot "$(tgt)"; then
        after_sys "$VN: enable-dump --type active --no-autoreboot"
        unchanged_bcd "$VN: enable-dump --type active"
    fi
    undo_to "$VN: undo of enable-dump --type active" "$S0" "$B0"

    want_reset
    want_dump "$T/$VN.sys" 1
    want_cc "$T/$VN.sys" DedicatedDumpFile REG_SZ "$(u16z 'E:\dedicated.dmp')"
    want_cc "$T/$VN.sys" DumpFileSize REG_DWORD "$(le32 4096)"
    if step "$VN: enable-dump --type complete --dedicated-dump-file" enable-dump --type complete \
        --dedicated-dump-file 'E:\dedicated.dmp' --dump-file-size 4096 "$(tgt)"; then
        after_sys "$VN: enable-dump --type complete --dedicated-dump-file"
        unchanged_bcd "$VN: enable-dump --dedicated-dump-file"
    fi
    undo_to "$VN: undo of enable-dump --type complete" "$S0" "$B0"
}

# want_serial_on BASE ENTRY: serial-console on's elements (COM1 at 115200, the boot menu
# for 10 s, EMS on ENTRY and {bootmgr}; {emssettings} created, inherited by {globalsettings})
want_serial_on() {
    want_bool "$1" "$BM" 26000020 01
    want_int "$1" "$BM" 25000004 10
    want_bool "$1" "$BM" 16000020 01
    want_bool "$1" "$2" 260000b0 01
    if ! grep -qxF "K Objects\\$EMS" "$1"; then
        want_key "$1" "Objects\\$EMS"
        want_key "$1" "Objects\\$EMS\\Description"
        want_key "$1" "Objects\\$EMS\\Elements"
        want_val "$1" "Objects\\$EMS\\Description" Type REG_DWORD "$(le32 0x20100000)"
        il=$(hexof "$1" "$(epath "$GLOBAL" 14000006)" Element)
        if [ -n "$il" ]; then # appended to an existing inherit list
            want_val "$1" "$(epath "$GLOBAL" 14000006)" Element REG_MULTI_SZ \
                "${il%0000}$(u16z "$EMS")0000"
        fi
    fi
    want_int "$1" "$EMS" 15000022 1
    want_int "$1" "$EMS" 15000023 115200
}
# want_safeboot_network BASE ENTRY: safeboot on network's elements on ENTRY
want_safeboot_network() {
    want_int "$1" "$2" 25000080 1
    want_noelem "$1" "$2" 26000081
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
    want_serial_on "$c" "$D"
    cp "$c" "$T/$VN.bcd.preon"
    snap
    run --dry-run serial-console on "$(tgt)"
    [ "$rc" -eq 0 ] && ok "$VN: --dry-run serial-console on" ||
        bad "$VN: --dry-run serial-console on (exit $rc)"
    has " -> " "$VN: --dry-run serial-console on prints the plan"
    if sys_same && bcd_same && [ -z "$(newbackups)" ]; then
        ok "$VN: --dry-run serial-console on writes nothing, no backup folder"
    else bad "$VN: --dry-run serial-console on wrote"; fi
    if step "$VN: serial-console on" serial-console on "$(tgt)"; then
        after_bcd "$VN: serial-console on"
        unchanged_sys "$VN: serial-console on"
    fi
    cp "$T/$VN.bcd" "$T/$VN.bcd.on"
    again "$VN: serial-console on a second time" serial-console on "$(tgt)"

    want_reset
    want_noelem "$c" "$D" 260000b0
    want_noelem "$c" "$BM" 16000020
    want_elem_back "$c" "$T/$VN.bcd.preon" "$BM" 26000020
    want_elem_back "$c" "$T/$VN.bcd.preon" "$BM" 25000004
    if step "$VN: serial-console off" serial-console off "$(tgt)"; then
        after_bcd "$VN: serial-console off (displaybootmenu, timeout as before on)"
        unchanged_sys "$VN: serial-console off"
    fi
    undo_to "$VN: undo of serial-console off" "$S0" "$T/$VN.bcd.on"
    undo_to "$VN: a second undo reverts serial-console on" "$S0" "$B0"

    # safeboot
    want_reset
    want_safeboot_network "$c" "$D"
    if step "$VN: safeboot on network" safeboot on network "$(tgt)"; then
        after_bcd "$VN: safeboot on network"
        unchanged_sys "$VN: safeboot on"
    fi
    again "$VN: safeboot on network a second time" safeboot on network "$(tgt)"
    want_reset
    want_noelem "$c" "$D" 25000080
    want_noelem "$c" "$D" 26000081
    step "$VN: safeboot off" safeboot off "$(tgt)" && after_bcd "$VN: safeboot off"
    cp "$c" "$T/$VN.bcd.sboff"
    want_reset
    want_int "$c" "$D" 25000080 0
    want_bool "$c" "$D" 26000081 01
    step "$VN: safeboot on --alternate-shell" safeboot on --alternate-shell "$(tgt)" &&
        after_bcd "$VN: safeboot on minimal --alternate-shell"
    undo_to "$VN: undo of safeboot on --alternate-shell" "$S0" "$T/$VN.bcd.sboff"

    # debug-boot on / off
    s=$T/$VN.sys
    cp "$s" "$T/$VN.sys.pre"
    want_reset
    want_cc "$s" AutoReboot REG_DWORD "$(le32 0)"
    want_cc "$s" CrashDumpEnabled REG_DWORD "$(le32 2)"
    if step "$VN: debug-boot on" debug-boot on "$(tgt)"; then
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
    if step "$VN: debug-boot off" debug-boot off "$(tgt)"; then
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
    expect 0 "$VN: status" status "$(tgt)"
    for cs in $CSETS; do has "$cs" "$VN: status lists $cs"; done
    if [ "$(grep -o 'ControlSet[0-9][0-9][0-9]' "$T/out" | sort -u | tr '\n' ' ')" = "$CSETS " ]; then
        ok "$VN: status lists no other control set"
    else bad "$VN: status lists other control sets"; fi
    has "CrashDumpEnabled" "$VN: status shows CrashDumpEnabled"
    cde=$(hexof "$T/$VN.sys" "$(echo $CSETS | cut -d' ' -f1)\\Control\\CrashControl" \
        CrashDumpEnabled | cut -c1-2)
    [ -n "$cde" ] && has "CrashDumpEnabled         $((0x$cde)) (" "$VN: status shows its value"
    has "DumpFile" "$VN: status shows DumpFile"
    has_path "${BCD_SHOWN:-$(shown "$BCD")}" "$VN: status shows the store path"
    has "($1 firmware)" "$VN: status says $1"
    desc=$(hexof "$T/$VN.bcd" "$(epath "$D0" 12000004)" Element | hex2text)
    has "description              $desc" "$VN: status shows the default entry's description"
    has "$D0" "$VN: status names the default entry"
}

