#!/bin/sh
# tests/demo.sh BOOTFIX — build a small SYSTEM-like hive under testdata/demo/
# and run the bootfix CLI on it, printing each command before running it.
#
#   sh tests/demo.sh build/bootfix        (what `make demo` runs)

set -e
BOOTFIX=${1:?usage: sh tests/demo.sh path/to/bootfix}
case $BOOTFIX in /*) ;; *) BOOTFIX=$(pwd)/$BOOTFIX ;; esac
cd "$(dirname "$0")/.."

D=testdata/demo
rm -rf "$D"
mkdir -p "$D"

# UTF-16LE bytes of an ASCII string plus the terminating NUL, as a .reg hex list
u16hex() {
    printf '%s' "$1" | od -An -v -tx1 | tr -s ' \n' '  ' |
        awk '{ s = ""; for (i = 1; i <= NF; i++) s = s $i ",00,"; printf "%s00,00", s }'
}

# The .reg file the demo hive is made from: a few keys of a Windows SYSTEM hive.
cat >"$D/SYSTEM.reg" <<EOF
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]
"Current"=dword:00000001
"Default"=dword:00000001
"Failed"=dword:00000000
"LastKnownGood"=dword:00000001

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control]
"SystemBootDevice"="multi(0)disk(0)rdisk(0)partition(2)"
"SystemStartOptions"=" NOEXECUTE=OPTIN"

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\CrashControl]
"AutoReboot"=dword:00000001
"CrashDumpEnabled"=dword:00000007
"DumpFile"=hex(2):$(u16hex '%SystemRoot%\MEMORY.DMP')
"LogEvent"=dword:00000001
"MinidumpDir"=hex(2):$(u16hex '%SystemRoot%\Minidump')
"Overwrite"=dword:00000001

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager]
"BootExecute"=hex(7):$(u16hex 'autocheck autochk *'),00,00

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\disk]
"ErrorControl"=dword:00000001
"Group"="SCSI Class"
"ImagePath"=hex(2):$(u16hex 'System32\drivers\disk.sys')
"Start"=dword:00000000
"Type"=dword:00000001

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\storahci]
"ErrorControl"=dword:00000003
"ImagePath"=hex(2):$(u16hex 'System32\drivers\storahci.sys')
"Start"=dword:00000000
"Type"=dword:00000001

[HKEY_LOCAL_MACHINE\\SYSTEM\\MountedDevices]
EOF

# print a command (quoting arguments that need it), then run it
run() {
    line='$'
    for a in "$@"; do
        case $a in
        *[!A-Za-z0-9_./=:-]* | '') line="$line '$a'" ;;
        *) line="$line $a" ;;
        esac
    done
    printf '\n%s\n' "$(printf '%s' "$line" | sed "s|$BOOTFIX|bootfix|")"
    "$@"
}

run "$BOOTFIX" hive new "$D/EMPTY" --version 1.5 --root ROOT
run "$BOOTFIX" reg import "$D/SYSTEM" "$D/SYSTEM.reg" --new
run "$BOOTFIX" hive info "$D/SYSTEM"
run "$BOOTFIX" hive check "$D/SYSTEM"
run "$BOOTFIX" reg query "$D/SYSTEM" 'ControlSet001\Control\CrashControl'
run "$BOOTFIX" reg add "$D/SYSTEM" 'ControlSet001\Control\CrashControl' /v CrashDumpEnabled /t REG_DWORD /d 1 /f
run "$BOOTFIX" reg query "$D/SYSTEM" 'ControlSet001\Control\CrashControl' /v CrashDumpEnabled
run "$BOOTFIX" hive check "$D/SYSTEM"
run "$BOOTFIX" reg query "$D/SYSTEM" Select
run "$BOOTFIX" reg export "$D/SYSTEM" 'ControlSet001\Control\CrashControl' "$D/CrashControl.reg" --utf8
run cat "$D/CrashControl.reg"

# A BCD store made the way bcdedit makes one, then the serial-console and
# safe-mode commands of Microsoft's troubleshooting articles.
run "$BOOTFIX" bcdedit /createstore "$D/BCD"
run "$BOOTFIX" --no-backup bcdedit /store "$D/BCD" /create '{bootmgr}' /d 'Windows Boot Manager'
run "$BOOTFIX" --no-backup bcdedit /store "$D/BCD" /create '{11111111-2222-3333-4444-555555555555}' /d 'Windows Server' /application osloader
run "$BOOTFIX" --no-backup bcdedit /store "$D/BCD" /default '{11111111-2222-3333-4444-555555555555}'
run "$BOOTFIX" --no-backup bcdedit /store "$D/BCD" /displayorder '{default}' /addlast
run "$BOOTFIX" --no-backup bcdedit /store "$D/BCD" /set '{default}' path '\Windows\system32\winload.efi'
run "$BOOTFIX" --no-backup bcdedit /store "$D/BCD" /timeout 5
run "$BOOTFIX" bcdedit /store "$D/BCD" /ems '{default}' ON
run "$BOOTFIX" bcdedit /store "$D/BCD" /bootems '{bootmgr}' ON
run "$BOOTFIX" bcdedit /store "$D/BCD" /emssettings EMSPORT:1 EMSBAUDRATE:115200
run "$BOOTFIX" bcdedit /store "$D/BCD" /set '{default}' safeboot minimal
run "$BOOTFIX" bcdedit /store "$D/BCD" /enum all
run "$BOOTFIX" hive check "$D/BCD"
printf '\nDemo files are in %s/\n' "$D"
