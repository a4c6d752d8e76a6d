#!/bin/sh
# tests/test_malformed.sh — every malformed hive of the corpus is refused.
#
#   BOOTFIX=build/asan/bootfix [BOOTFIX_SRC=.] sh tests/test_malformed.sh
#
# The malformed hives of ../shared/corpus/hives (yarp's hives_for_tests,
# EricZimmerman's Bad* and NotAHive, plaso's corrupt_*, regipy's
# corrupted_*) are listed below, each with what is deliberately broken in
# it, and the families are also globbed: a file found there that the table
# does not classify is a failure, so a new corpus file is not missed.
#
# Classes:
#   M  malformed: `hive check` exits non-zero with a specific message (an
#      offset and the structure) naming the file; every write command
#      (reg add/delete/import, bcdedit /store /set and /deletevalue, hive
#      recover in place and -o, script with reg and bcdedit lines, and the
#      recipes on a generated volume whose SYSTEM or Boot/BCD is the file)
#      exits 1, names the file, says what is wrong, and leaves the whole
#      directory byte-identical (no backup, no temporary file, no journal,
#      no bootfix-backup folder) — with and without --force.
#   D  a dirty hive whose logs are unusable, or a base block whose checksum
#      is wrong (Windows would restore it from a log; there is none):
#      refused the same way without --force.  --force is documented to
#      write such a hive (the logs' data is lost): with it, reg add must
#      write a hive that `hive check` accepts and keep the original as a backup.
#   L  legal or recoverable (odd-but-valid features; dirty hives whose logs
#      replay): `hive check` of the corpus file in place exits 0.
# Read commands (reg query, reg export, bcdedit /enum, hive info, status) on
# the M and D files must not crash: exit 0 or 1, no sanitizer report, and
# nothing written (reg export: no output file when it fails).
#
# The copies are named BADHIVE (their logs BADHIVE.LOG1/2), or SYSTEM and
# BCD on the volume, so that "stderr names the file" means something.
# Prints SKIPPED (and passes) without the corpus; the last line is
# "N passed, N failed".

HARNESS_NAME=malformed
. "$(dirname "$0")/harness.sh"

export LC_ALL=C
HIVES=$CORPUS/hives

if [ ! -d "$HIVES/yarp/hives_for_tests" ]; then
    echo "SKIPPED: malformed-hive tests ($HIVES: corpus not found)"
    finish
    exit $?
fi

# ---- the corpus files ----------------------------------------------------------------------
# class|path under hives/|hive check exit|hive check says|a write says|a write with --force says
cat >"$T/table" <<'TABLE'
# --- EricZimmerman/Registry (Registry.Test/Hives) ---
# a PE executable, not a hive
M|EricZimmerman-Registry/Registry.Test/Hives/NotAHive|2|no 'regf' signature at offset 0|offset 0x0: no 'regf' signature|offset 0x0: no 'regf' signature
# SAM whose second hive bin (file offset 0x2000) has the signature 'gbin'
M|EricZimmerman-Registry/Registry.Test/Hives/SAMBadHBinHeader|1|no hive bin at file offset 0x2000 (no 'hbin' signature)|offset 0x2000: expected a hive bin ('hbin' signature)|offset 0x2000: expected a hive bin ('hbin' signature)
# SAM with one bit of its base block checksum flipped
D|EricZimmerman-Registry/Registry.Test/Hives/SAN(OTHER)|1|checksum 0x4261a0b0 is wrong (should be 0x4262a0b0)|base block checksum at offset 0x1fc is 0x4261a0b0, computed 0x4262a0b0|-
# root key without the KEY_HIVE_ENTRY flag, as offreg writes them (EZ's parser wants the flag)
L|EricZimmerman-Registry/Registry.Test/Hives/SECURITYNoRoot
# --- plaso (test_data/regf) ---
# the root's lf list: entry 8 points at 0x4480, inside a cell
M|plaso/test_data/regf/corrupt_sub_key_list.hiv|1|subkey list of key \: entry 8 (0x4480) points into the middle of a cell|entry 8 (0x4480) points into the middle of a cell|entry 8 (0x4480) points into the middle of a cell
# --- regipy (regipy_tests/data) ---
# XP SYSTEM whose hive-bin chain is zeroed from file offset 0x1a000 on, in places
M|regipy/regipy_tests/data/corrupted_system_hive|1|no hive bin at file offset 0x1a000 (no 'hbin' signature)|offset 0x1a000: expected a hive bin ('hbin' signature)|offset 0x1a000: expected a hive bin ('hbin' signature)
# --- yarp (hives_for_tests; see yarp's test_cases.py) ---
# the subkey-list pointer of key 2 points at key 3's list (WalkException)
M|yarp/hives_for_tests/BadListHive|1|key \2\subkey: parent field 0x380, but it is listed under 0x2e8|parent field 0x380, but it is listed under 0x2e8|parent field 0x380, but it is listed under 0x2e8
# the entry of key 2's list points at key 3's subkey (WalkException)
M|yarp/hives_for_tests/BadSubkeyHive|1|key \2\subkey: parent field 0x380, but it is listed under 0x2e8|parent field 0x380, but it is listed under 0x2e8|parent field 0x380, but it is listed under 0x2e8
# lf name hint 0x81 for a key named U+009F: Windows compares the hint before the name
M|yarp/hives_for_tests/CompHive|1|subkey list of key \: name hint 81 00 00 00 of entry|name hint 81 00 00 00 of entry|name hint 81 00 00 00 of entry
# key \123's value list lies past the end of the hive bins
M|yarp/hives_for_tests/DeletedDataHiveTruncated|1|key \123: value list 0x100290 (1 values) lies outside the hive bins|value list 0x100290 (1 values) lies outside the hive bins|value list 0x100290 (1 values) lies outside the hive bins
# two subkeys named 4500 (WalkException)
M|yarp/hives_for_tests/DuplicateSubkeysHive|1|has two subkeys with the same name: '4500' and '4500'|two subkeys with the same name: '4500' and '4500'|two subkeys with the same name: '4500' and '4500'
# checksum 'INVL' and a hive-bins size of 0x1000 for 0x77000 bytes of bins
M|yarp/hives_for_tests/EffectiveSizeHive|1|index root of key \key_with_many_subkeys: entry 0 (0xc020) lies outside the hive bins|base block checksum at offset 0x1fc is 0x4c564e49, computed 0x31ef95f7|entry 0 (0xc020) lies outside the hive bins
# checksum 'INVL'; 7 bytes of garbage after the file's 4096-byte multiple
D|yarp/hives_for_tests/GarbageHive|1|checksum 0x4c564e49 is wrong (should be 0x94d865b7)|base block checksum at offset 0x1fc is 0x4c564e49, computed 0x94d865b7|-
# one hive bin without a base block
M|yarp/hives_for_tests/InvalidParentFragment|2|no 'regf' signature at offset 0|offset 0x0: no 'regf' signature|offset 0x0: no 'regf' signature
# key 4900's parent field names the root, not key_with_many_subkeys (WalkException)
M|yarp/hives_for_tests/InvalidParentHive|1|key \key_with_many_subkeys\4900: parent field 0x20, but it is listed under 0x140|parent field 0x20, but it is listed under 0x140|parent field 0x20, but it is listed under 0x140
# an old-format transaction log (file type 1), not a primary hive
M|yarp/hives_for_tests/OldLogWithRemnantData|1|file type 1 is not 0 (primary file); this is a transaction log|offset 0x1c: file type 1: this is a transaction log|offset 0x1c: file type 1: this is a transaction log
# dirty, no logs, and cut after 0x2000 of its 0x77000 bytes of hive bins
M|yarp/hives_for_tests/TruncatedDirtyHive|1|hive-bins size 0x77000 runs past the end of the file|dirty hive (sequence numbers 5/4)|offset 0x28: base block says 0x77000 bytes of hive bins but the file has only 0x2000
# cut after 0x2000 of its 0x77000 bytes of hive bins
M|yarp/hives_for_tests/TruncatedHive|1|hive-bins size 0x77000 runs past the end of the file|offset 0x28: base block says 0x77000 bytes of hive bins but the file has only 0x2000|offset 0x28: base block says 0x77000 bytes of hive bins but the file has only 0x2000
# 1024 bytes of a hive bin
M|yarp/hives_for_tests/TruncatedHiveBin|2|no 'regf' signature at offset 0|1024 bytes: too short for a hive|1024 bytes: too short for a hive
# a key name longer than its cell (ParseException)
M|yarp/hives_for_tests/TruncatedNameHive|1|entry 0 (0x1b0) points to a key whose name (22 bytes) does not fit in its cell (92 bytes)|points to a key whose name (22 bytes) does not fit in its cell (92 bytes)|points to a key whose name (22 bytes) does not fit in its cell (92 bytes)
# subkey lists out of order (WalkException)
M|yarp/hives_for_tests/WrongOrderHive|1|subkey list of key \1 not sorted: '2' before '1'|subkey list of key \1 not sorted: '2' before '1'|subkey list of key \1 not sorted: '2' before '1'
# dirty; LOG1's base block checksum is 'INVL', LOG2 empty (yarp: AutoRecoveryException);
# hive check must say why the logs beside it cannot be replayed, so it names LOG1
D|yarp/hives_for_tests/BadLogHive1/BadLogHive|1|BADHIVE.LOG1|.LOG1: offset 0x1fc: base block checksum 0x4c564e49, computed 0x0ccbac9d|-
# dirty; LOG1's dirty vector signature is 'INVL', LOG2 empty
D|yarp/hives_for_tests/BadLogHive2/BadLogHive|1|BADHIVE.LOG1|.LOG1: offset 0x200: no 'DIRT' dirty vector signature|-
# dirty; both new-format logs have base block checksum 'INVL'
D|yarp/hives_for_tests/BadLogHive3/BadLogHive|1|BADHIVE.LOG1|.LOG1: offset 0x1fc: base block checksum 0x4c564e49, computed 0xce228278|-
# recoverable: base block (checksum 'INVL', version 1.1) restored from the old-format LOG1
L|yarp/hives_for_tests/BadBaseBlockHive/BadBaseBlockHive
# recoverable: dirty, LOG1 and LOG2 (new format) replay
L|yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive
L|yarp/hives_for_tests/NewDirtyHive2/NewDirtyHive
# recoverable: dirty, LOG1 (old format) replays
L|yarp/hives_for_tests/OldDirtyHive/OldDirtyHive
# Windows' own recovery of the two above
L|yarp/hives_for_tests/NewDirtyHive1/RecoveredHive_Windows10
L|yarp/hives_for_tests/OldDirtyHive/RecoveredHive_Windows7
# odd but legal: big data, names with CR/LF/NUL, deleted and unreferenced cells,
# 5000 subkeys (ri), new key flags, offreg output, slack, strings, a 1.6
# differencing hive, unpaired surrogates in names, two owners, Unicode names
L|yarp/hives_for_tests/BigDataHive
L|yarp/hives_for_tests/BogusKeyNamesHive
L|yarp/hives_for_tests/DeletedDataHive
L|yarp/hives_for_tests/DeletedTreeHive
L|yarp/hives_for_tests/DeletedTreeNoRootFlagHive
L|yarp/hives_for_tests/DeletedTreePartialPathHive
L|yarp/hives_for_tests/DupNameHive
L|yarp/hives_for_tests/EmptyHive
L|yarp/hives_for_tests/ExtendedASCIIHive
L|yarp/hives_for_tests/HealedHive
L|yarp/hives_for_tests/ManySubkeysHive
L|yarp/hives_for_tests/MultiSzHive
L|yarp/hives_for_tests/NewFlagsHive
L|yarp/hives_for_tests/OffHive
L|yarp/hives_for_tests/PairHive
L|yarp/hives_for_tests/ReallocValueDataHive
L|yarp/hives_for_tests/ReallocValueHive
L|yarp/hives_for_tests/RemnantData
L|yarp/hives_for_tests/RemnantsHive
L|yarp/hives_for_tests/SlackHive
L|yarp/hives_for_tests/StringValuesHive
L|yarp/hives_for_tests/System_Delta
L|yarp/hives_for_tests/TruncatedPairHive
L|yarp/hives_for_tests/TruncatedPairHive2
L|yarp/hives_for_tests/TwoOwnersHive
L|yarp/hives_for_tests/UnicodeHive
L|yarp/hives_for_tests/UpcaseHive
L|yarp/hives_for_tests/ValuesOrderHive
TABLE

# ---- helpers --------------------------------------------------------------------------------
# listing DIR: every path under DIR, then every file's checksum and size
listing() {
    (cd "$1" && find . -print | sort && find . -type f -exec cksum {} + | sort -k 3)
}
sanitized() { grep -qE 'Sanitizer|runtime error' "$T/err"; }
# changes: the first lines only in $T/before or only in $T/after
changes() {
    sort "$T/before" >"$T/before.sorted"
    sort "$T/after" >"$T/after.sorted"
    comm -3 "$T/before.sorted" "$T/after.sorted" | head -n 4 | tr '\n\t' '  '
}

# put_hive SRC DEST: copy SRC to DEST and its transaction logs SRC.LOG* to DEST.LOG*
put_hive() {
    cp "$1" "$2" || return 1
    for l in "$1".LOG "$1".LOG1 "$1".LOG2; do
        [ -f "$l" ] && { cp "$l" "$2${l#"$1"}" || return 1; }
    done
    chmod -R u+w "$(dirname "$2")"
}

# refused DESC WANT NAME DIR ARGS...: bootfix ARGS exits 1, its stderr names NAME and
# says WANT, there is no sanitizer report, and DIR is byte-identical afterwards
refused() {
    desc=$1 want=$2 name=$3 dir=$4
    shift 4
    listing "$dir" >"$T/before"
    run "$@" </dev/null
    listing "$dir" >"$T/after"
    why=
    [ "$rc" -eq 1 ] || why="$why; exit $rc, expected 1"
    if sanitized; then why="$why; sanitizer report"; fi
    grep -qF -- "$name" "$T/err" || why="$why; stderr does not name $name"
    grep -qF -- "$want" "$T/err" || why="$why; stderr lacks '$want'"
    cmp -s "$T/before" "$T/after" || why="$why; $dir changed: $(changes)"
    if [ -z "$why" ]; then ok "$desc"; else bad "$desc: ${why#; }"; fi
}

# untouched DESC FILE ARGS...: bootfix ARGS does not crash and FILE is byte-identical
# (a command that does not use FILE may well succeed)
untouched() {
    desc=$1 file=$2
    shift 2
    cp "$file" "$T/untouched.orig"
    run "$@" </dev/null
    why=
    [ "$rc" -le 1 ] || why="$why; exit $rc"
    if sanitized; then why="$why; sanitizer report"; fi
    cmp -s "$file" "$T/untouched.orig" || why="$why; $file was written"
    if [ -z "$why" ]; then ok "$desc"; else bad "$desc: ${why#; }"; fi
}

# reads DESC DIR ARGS...: a read command exits 0 or 1 without a sanitizer report and
# writes nothing in DIR (an output file it names as $DIR/export.reg is removed after
# a success)
reads() {
    desc=$1 dir=$2
    shift 2
    listing "$dir" >"$T/before"
    run "$@" </dev/null
    [ "$rc" -eq 0 ] && rm -f "$dir/export.reg"
    listing "$dir" >"$T/after"
    why=
    [ "$rc" -le 1 ] || why="$why; exit $rc, expected 0 or 1"
    if sanitized; then why="$why; sanitizer report"; fi
    cmp -s "$T/before" "$T/after" || why="$why; $dir changed: $(changes)"
    if [ -z "$why" ]; then ok "$desc"; else bad "$desc: ${why#; }"; fi
}

# ---- inputs of the write commands -----------------------------------------------------------
W=$T/w   # a directory holding BADHIVE (and its logs)
F=$W/BADHIVE
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\BADHIVE\\Foo]\r\n"X"=dword:00000001\r\n' >"$T/import.reg"
printf 'reg load HKLM\\B F:\\BADHIVE\r\nreg add HKLM\\B\\Foo /v X /t REG_DWORD /d 1 /f\r\nreg unload HKLM\\B\r\n' >"$T/reg.cmd"
printf 'bcdedit /store F:\\BADHIVE /set {bootmgr} timeout 5\r\n' >"$T/bcd.cmd"

TEMPLATE=$T/volume
if ! sh "$SRC/tests/mkvolume.sh" "$BOOTFIX" "$TEMPLATE" >"$T/mk.out" 2>&1; then
    cat "$T/mk.out"
    bad "tests/mkvolume.sh failed"
    finish
    exit 1
fi
V=$T/vol
VSYS=$V/Windows/System32/config/SYSTEM
VBCD=$V/Boot/BCD
# new_volume [SYSTEM|BCD SRC]: a fresh copy of the generated volume, with SRC in place
# of its SYSTEM hive or its BCD store
new_volume() {
    rm -rf "$V" && cp -R "$TEMPLATE" "$V" || return 1
    case $1 in
    SYSTEM) rm -f "$VSYS" && put_hive "$2" "$VSYS" ;;
    BCD) rm -f "$VBCD" && put_hive "$2" "$VBCD" ;;
    esac
}
# new_w SRC: a fresh $W holding SRC as BADHIVE (with its logs)
new_w() { rm -rf "$W" && mkdir "$W" && put_hive "$1" "$F"; }

# $T/writes: the write commands on $F, one per line (run with eval)
cat >"$T/writes" <<'CMDS'
reg add "$F" Foo /v X /t REG_DWORD /d 1 /f
reg delete "$F" '\' /va /f
reg import "$F" "$T/import.reg"
bcdedit /store "$F" /set {bootmgr} timeout 5
bcdedit /store "$F" /deletevalue {bootmgr} timeout
hive recover "$F"
hive recover "$F" -o "$W/RECOVERED"
script --map "F:=$W" "$T/reg.cmd"
script --map "F:=$W" "$T/bcd.cmd"
CMDS

# ---- controls: the same commands write a valid hive/store and recipes run --------------------
# (so that a refusal below is about the file, not about the command line)
control() { # control SRC COMMAND: COMMAND (a line of $T/writes) on a copy of SRC
    new_w "$1"
    listing "$W" >"$T/before"
    eval "run $2" </dev/null
    listing "$W" >"$T/after"
    if [ "$rc" -eq 0 ] && ! sanitized && ! cmp -s "$T/before" "$T/after"; then
        ok "control: $2 writes a valid file"
    else
        bad "control: $2 (exit $rc, or nothing written)"
    fi
}
# the generated SYSTEM with a value on the root key, for reg delete /va
HIVE_OK=$T/system-with-root-value
cp "$TEMPLATE/Windows/System32/config/SYSTEM" "$HIVE_OK"
"$BOOTFIX" -q --no-backup reg add "$HIVE_OK" '\' /v RootValue /d x /f </dev/null >"$T/out" 2>&1 ||
    bad "control: reg add of a root value: $(cat "$T/out")"
while read -r cmd; do
    case $cmd in
    bcdedit* | *bcd.cmd*) control "$TEMPLATE/Boot/BCD" "$cmd" ;;
    "hive recover \"\$F\"") ;; # a clean hive is left alone: nothing to compare
    *) control "$HIVE_OK" "$cmd" ;;
    esac
done <"$T/writes"
for r in enable-dump "safeboot on" "serial-console on" "debug-boot on"; do
    new_volume
    listing "$V" >"$T/before"
    run $r "$V" </dev/null
    listing "$V" >"$T/after"
    if [ "$rc" -eq 0 ] && ! sanitized && ! cmp -s "$T/before" "$T/after"; then
        ok "control: $r on the generated volume"
    else
        bad "control: $r on the generated volume (exit $rc, or nothing written)"
    fi
done

# ---- every table file -----------------------------------------------------------------------
nfiles=0
grep -v '^#' "$T/table" >"$T/rows"
while IFS='|' read -r class rel check_rc check_says write_says force_says; do
    src=$HIVES/$rel
    if [ ! -f "$src" ]; then
        bad "$rel: listed but not in the corpus"
        continue
    fi
    nfiles=$((nfiles + 1))

    if [ "$class" = L ]; then
        run hive check "$src" </dev/null
        if [ "$rc" -eq 0 ] && ! sanitized; then
            ok "$rel: legal or recoverable, hive check exits 0"
        else
            bad "$rel: legal or recoverable, but hive check exits $rc"
        fi
        continue
    fi

    # hive check: the expected exit status and a specific message naming the file
    new_w "$src"
    run hive check "$F" </dev/null
    cat "$T/out" "$T/err" >"$T/check"
    if [ "$rc" -eq "$check_rc" ] && ! sanitized && grep -qF -- "$check_says" "$T/check"; then
        ok "$rel: hive check exits $check_rc: $check_says"
    else
        bad "$rel: hive check (exit $rc, expected $check_rc, and '$check_says')"
    fi
    if grep -qF -- "$F" "$T/check"; then
        ok "$rel: hive check names the file"
    else
        bad "$rel: hive check does not name $F"
    fi

    # write commands on the file, then with --force for the malformed ones
    forces=plain
    [ "$class" = M ] && forces="plain --force"
    for force in $forces; do
        [ "$force" = plain ] && force=
        if [ -n "$force" ]; then says=$force_says; else says=$write_says; fi
        while read -r cmd; do
            new_w "$src"
            eval "refused \"\$rel: \${force:+--force }\$cmd refused\" \"\$says\" \"\$F\" \"\$W\" $force $cmd"
        done <"$T/writes"
        # recipes: SYSTEM replaced (enable-dump and debug-boot write it; the others do not
        # use it), then Boot/BCD replaced (all but enable-dump write it)
        for r in enable-dump "safeboot on" "serial-console on" "debug-boot on"; do
            new_volume SYSTEM "$src"
            case $r in
            enable-dump | debug-boot*)
                refused "$rel as SYSTEM: ${force:+--force }$r refused" "$says" "$VSYS" "$V" $force $r "$V" ;;
            *) untouched "$rel as SYSTEM: ${force:+--force }$r leaves SYSTEM alone" "$VSYS" $force $r "$V" ;;
            esac
            new_volume BCD "$src"
            case $r in
            enable-dump) untouched "$rel as BCD: ${force:+--force }$r leaves BCD alone" "$VBCD" $force $r "$V" ;;
            *) refused "$rel as BCD: ${force:+--force }$r refused" "$says" "$VBCD" "$V" $force $r "$V" ;;
            esac
        done
    done

    # D: --force is documented to write it; then the result must be a valid hive and the
    # original bytes must be kept in the backup
    if [ "$class" = D ]; then
        new_w "$src"
        run --force reg add "$F" Foo /v X /t REG_DWORD /d 1 /f </dev/null
        why=
        [ "$rc" -eq 0 ] || why="$why; exit $rc"
        if sanitized; then why="$why; sanitizer report"; fi
        bak=$(find "$W" -name 'BADHIVE.bootfix-*.bak' | head -n 1)
        if [ -z "$bak" ] || ! cmp -s "$bak" "$src"; then why="$why; no backup of the original"; fi
        run hive check "$F" </dev/null
        [ "$rc" -eq 0 ] || why="$why; hive check of the result exits $rc"
        if [ -z "$why" ]; then
            ok "$rel: --force writes a valid hive and keeps the original"
        else
            bad "$rel: --force reg add: ${why#; }"
        fi
    fi

    # read commands do not crash and write nothing
    new_w "$src"
    reads "$rel: reg query" "$W" reg query "$F" '\' /s
    reads "$rel: reg export" "$W" reg export "$F" "$W/export.reg"
    reads "$rel: bcdedit /enum all" "$W" bcdedit /store "$F" /enum all
    reads "$rel: hive info" "$W" hive info "$F"
    new_volume SYSTEM "$src"
    reads "$rel as SYSTEM: status" "$V" status "$V"
    new_volume BCD "$src"
    reads "$rel as BCD: status" "$V" status "$V"
done <"$T/rows"

# ---- nothing in the malformed families is left unclassified ----------------------------------
{
    (cd "$HIVES" && find yarp/hives_for_tests -type f ! -name '*.LOG' ! -name '*.LOG1' ! -name '*.LOG2')
    (cd "$HIVES" && find EricZimmerman-Registry -type f -name '*Bad*')
    (cd "$HIVES" && find plaso -type f -name 'corrupt*')
    (cd "$HIVES" && find regipy -type f -name 'corrupt*')
} | sort >"$T/found"
cut -d '|' -f 2 "$T/rows" | sort >"$T/listed"
unlisted=$(comm -23 "$T/found" "$T/listed")
if [ -z "$unlisted" ]; then
    ok "every file of the malformed families is classified ($(wc -l <"$T/found") found)"
else
    bad "unclassified corpus files (add them to the table): $(echo "$unlisted" | tr '\n' ' ')"
fi
echo "# $nfiles corpus files"
finish
