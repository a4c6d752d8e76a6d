#!/bin/sh
# tests/test_script.sh — `bootfix script [--map L:=DIR]... FILE [TARGET]` on a
# volume made by tests/mkvolume.sh: the article's "Enable dump log and Serial
# Console" block, dry run, the target as the only drive letter, refusals
# (bad line, unmapped letter, missing store, run-time failure) leaving the
# files byte-identical, --json, usage errors.

HARNESS_NAME=script
. "$(dirname "$0")/harness.sh"

V=$T/vol
sh "$SRC/tests/mkvolume.sh" "$BOOTFIX" "$V" >"$T/mk.out" 2>&1 || { cat "$T/mk.out"; echo "mkvolume failed"; exit 1; }
SYS=$V/Windows/System32/config/SYSTEM
BCD=$V/Boot/BCD
cp "$SYS" "$T/SYSTEM.orig"
cp "$BCD" "$T/BCD.orig"

# the article block (troubleshoot-rdp-safe-mode.md), placeholder -> {default}, CRLF
{
    printf 'REM Enable dump log and Serial Console\r\n'
    printf 'reg load HKLM\\BROKENSYSTEM F:\\windows\\system32\\config\\SYSTEM\r\n'
    printf 'bcdedit /store F:\\boot\\bcd /set {bootmgr} displaybootmenu yes\r\n'
    printf 'bcdedit /store F:\\boot\\bcd /set {bootmgr} timeout 5\r\n'
    printf 'bcdedit /store F:\\boot\\bcd /set {bootmgr} bootems yes\r\n'
    printf 'bcdedit /store F:\\boot\\bcd /ems {default} ON\r\n'
    printf 'bcdedit /store F:\\boot\\bcd /emssettings EMSPORT:1 EMSBAUDRATE:115200\r\n'
    printf 'REG ADD "HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl" /v CrashDumpEnabled /t REG_DWORD /d 1 /f\r\n'
    printf 'REG ADD "HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl" /v DumpFile /t REG_EXPAND_SZ /d "%%SystemRoot%%\\MEMORY.DMP" /f\r\n'
    printf 'REG ADD "HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl" /v NMICrashDump /t REG_DWORD /d 1 /f\r\n'
    printf 'reg unload HKLM\\BROKENSYSTEM\r\n'
} >"$T/article.cmd"

# ---- usage ------------------------------------------------------------------------------
expect 2 "script without FILE" script
expect 2 "--map without L:=DIR" script --map F "$T/article.cmd"
expect 2 "--map given twice" script --map F:=/a --map f:=/b "$T/article.cmd"
expect 2 "three positionals" script "$T/article.cmd" "$V" extra
expect 1 "missing script file" script --map "F:=$V" "$T/nonexistent.cmd"

# ---- dry run ------------------------------------------------------------------------------
expect 0 "dry run" --dry-run script --map "F:=$V" "$T/article.cmd"
has "CrashDumpEnabled" "dry run lists CrashDumpEnabled"
has "emsbaudrate" "dry run lists emsbaudrate"
hasnt "-> absent" "dry run deletes nothing (the article only adds)"
same "$SYS" "$T/SYSTEM.orig" "dry run: SYSTEM unchanged"
same "$BCD" "$T/BCD.orig" "dry run: BCD unchanged"
if [ -e "$V/bootfix-backup" ]; then bad "dry run made a backup folder"; else ok "dry run: no backup folder"; fi

# ---- refusals leave the files alone ------------------------------------------------------
{ cat "$T/article.cmd"; printf 'copy F:\\x F:\\y\r\n'; } >"$T/badline.cmd"
expect 1 "a line bootfix cannot run" script --map "F:=$V" "$T/badline.cmd"
has_err "badline.cmd line 12: 'copy F:\\x F:\\y': not a command bootfix can run" "the bad line is named"
same "$SYS" "$T/SYSTEM.orig" "bad line: SYSTEM unchanged"

expect 1 "unmapped drive letter" script "$T/article.cmd"
has_err "drive F: is not mapped: use --map F:=DIR" "unmapped letter named with --map"

printf 'reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\r\nbcdedit /store S:\\EFI\\Microsoft\\Boot\\BCD /enum\r\n' >"$T/two.cmd"
expect 1 "two letters, a target, no --map" script "$T/two.cmd" "$V"
has_err "F:, S:" "both letters listed"
mkdir -p "$T/esp"
expect 1 "store missing on the mapped ESP" script --map "S:=$T/esp" "$T/two.cmd" "$V"
has_err "line 2: the store S:\\EFI\\Microsoft\\Boot\\BCD is not under" "missing store named with its line"
has_err "--map S:=DIR" "missing store: --map hint"

{
    printf 'reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\n'
    printf 'reg add HKLM\\B\\ControlSet001\\Control\\CrashControl /v AutoReboot /t REG_DWORD /d 0 /f\n'
    printf 'bcdedit /store F:\\boot\\bcd /set {bootmgr} timeout 3\n'
    printf 'bcdedit /store F:\\boot\\bcd /set {aaaaaaaa-0000-0000-0000-000000000000} description x\n'
} >"$T/runtime.cmd"
expect 1 "a command failing at run time" script --map "F:=$V" "$T/runtime.cmd"
has_err "runtime.cmd line 4:" "run-time failure names its line"
same "$SYS" "$T/SYSTEM.orig" "run-time failure: SYSTEM unchanged"
same "$BCD" "$T/BCD.orig" "run-time failure: BCD unchanged"
if [ -e "$V/bootfix-backup" ]; then bad "refusals made a backup folder"; else ok "refusals: no backup folder"; fi

# ---- the real run ---------------------------------------------------------------------------
expect 0 "article block" script --map "F:=$V" "$T/article.cmd"
has "The operation completed successfully." "bcdedit output is printed"
has "Backup" "backup folder reported"
expect 0 "CrashDumpEnabled read back" reg query "$SYS" 'ControlSet001\Control\CrashControl' /v CrashDumpEnabled
has "0x1" "CrashDumpEnabled = 1"
expect 0 "DumpFile read back" reg query "$SYS" 'ControlSet001\Control\CrashControl' /v DumpFile
has "REG_EXPAND_SZ" "DumpFile is REG_EXPAND_SZ"
has "%SystemRoot%\\MEMORY.DMP" "DumpFile kept %SystemRoot% literally"
expect 0 "bootmgr read back" bcdedit /store "$BCD" /enum '{bootmgr}'
has "bootems                 Yes" "bootems Yes"
has "timeout                 5" "timeout 5"
has "displaybootmenu         Yes" "displaybootmenu Yes"
expect 0 "default entry read back" bcdedit /store "$BCD" /enum '{default}'
has "ems                     Yes" "ems Yes on {default}"
expect 0 "emssettings read back" bcdedit /store "$BCD" /enum '{emssettings}'
has "115200" "emsbaudrate 115200"
n=$(ls "$V/bootfix-backup" | wc -l)
if [ "$n" -eq 1 ] && [ -f "$V/bootfix-backup"/*/journal.txt ]; then ok "one backup folder with a journal"; else bad "backup folders: $n"; fi
if cmp -s "$V/bootfix-backup"/*/SYSTEM "$T/SYSTEM.orig"; then ok "backup holds the original SYSTEM"; else bad "backup SYSTEM differs from the original"; fi

# ---- again, with the target as the only letter: nothing to do --------------------------------
cp "$SYS" "$T/SYSTEM.after"
expect 0 "again on the target" script "$T/article.cmd" "$V"
same "$SYS" "$T/SYSTEM.after" "second run rewrote nothing"

# ---- --json ---------------------------------------------------------------------------------------
printf 'reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\necho hello from the script\nreg add HKLM\\B\\ControlSet001\\Control\\CrashControl /v AutoReboot /t REG_DWORD /d 0 /f\n' >"$T/json.cmd"
expect 0 "--json dry run" --json --dry-run script --map "F:=$V" "$T/json.cmd"
has '"command": "script json.cmd"' "json names the script"
has 'hello from the script' "echo text in the output"
has 'AutoReboot' "json lists the change"

finish
