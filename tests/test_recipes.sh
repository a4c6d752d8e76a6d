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

# the expected results and the checks of each recipe (shared with tests/windows/test_windows.sh)
. "$(dirname "$0")/expect.sh"

OTHER='{0badc0de-1111-4222-8333-444455556666}'

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
if [ -n "$BOOTFIX_WINDOWS" ]; then
    echo "SKIPPED: read-only target by chmod or mount --bind,ro (Windows build: Wine reports" \
        "a read-only Linux mount as access denied, not as a write-protected volume)"
elif [ "$(id -u)" -ne 0 ]; then
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
