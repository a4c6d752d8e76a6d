#!/bin/sh
# tests/mkvolume.sh BOOTFIX DIR — build a sample Windows volume under DIR with
# bootfix itself: Windows/System32/config/SYSTEM and SOFTWARE hives (made from
# .reg text with `bootfix reg import --new`) and a BIOS store Boot/BCD (made
# with `bootfix bcdedit` commands, as bcdedit would).  Used by `make demo` and
# by the integration tests; everything in it is generated, nothing is copied.
#
# The SYSTEM hive has one control set (ControlSet001), CrashControl as a fresh
# Windows Server has it (automatic dump), a page file on C:.  The store has
# {bootmgr}, one Windows Boot Loader as {default}, {globalsettings} inheriting
# {dbgsettings}, and no {emssettings} (serial-console on creates it).

set -e
BOOTFIX=${1:?usage: sh tests/mkvolume.sh path/to/bootfix DIR}
D=${2:?usage: sh tests/mkvolume.sh path/to/bootfix DIR}
mkdir -p "$D/Windows/System32/config" "$D/Boot"
C=$D/Windows/System32/config
W=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-mkvolume.XXXXXX")
trap 'rm -rf "$W"' EXIT

# UTF-16LE bytes of an ASCII string plus the terminating NUL, as a .reg hex list
u16hex() {
    printf '%s' "$1" | od -An -v -tx1 | tr -s ' \n' '  ' |
        awk '{ s = ""; for (i = 1; i <= NF; i++) s = s $i ",00,"; printf "%s00,00", s }'
}

cat >"$W/SYSTEM.reg" <<REG
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

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager\\Memory Management]
"PagingFiles"=hex(7):$(u16hex 'C:\pagefile.sys 0 0'),00,00
"ExistingPageFiles"=hex(7):$(u16hex '\??\C:\pagefile.sys'),00,00

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\disk]
"ErrorControl"=dword:00000001
"Group"="SCSI Class"
"ImagePath"=hex(2):$(u16hex 'System32\drivers\disk.sys')
"Start"=dword:00000000
"Type"=dword:00000001

[HKEY_LOCAL_MACHINE\\SYSTEM\\MountedDevices]
REG

cat >"$W/SOFTWARE.reg" <<REG
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]
"ProductName"="Windows Server 2022 Datacenter"
"DisplayVersion"="21H2"
"CurrentBuild"="20348"
"CurrentBuildNumber"="20348"
"EditionID"="ServerDatacenter"
"InstallationType"="Server"
"SystemRoot"="C:\\\\Windows"
REG

"$BOOTFIX" -q reg import "$C/SYSTEM" "$W/SYSTEM.reg" --new
"$BOOTFIX" -q reg import "$C/SOFTWARE" "$W/SOFTWARE.reg" --new

S=$D/Boot/BCD
L='{c0ffee00-1234-4321-abcd-0123456789ab}'
"$BOOTFIX" -q bcdedit /createstore "$S" >/dev/null
bcd() { "$BOOTFIX" -q --no-backup bcdedit /store "$S" "$@" >/dev/null; }
bcd /create '{bootmgr}' /d 'Windows Boot Manager'
bcd /set '{bootmgr}' device partition=mbr:5eed5eed:0x100000
bcd /set '{bootmgr}' path '\bootmgr'
bcd /create '{dbgsettings}' /d 'Debugger Settings'
bcd /create '{globalsettings}' /d 'Global Settings'
bcd /set '{globalsettings}' inherit '{dbgsettings}'
bcd /create "$L" /d 'Windows Server' /application osloader
bcd /set "$L" device partition=mbr:5eed5eed:0x1f500000
bcd /set "$L" osdevice partition=mbr:5eed5eed:0x1f500000
bcd /set "$L" path '\Windows\system32\winload.exe'
bcd /set "$L" systemroot '\Windows'
bcd /set "$L" inherit '{bootloadersettings}'
bcd /create '{bootloadersettings}' /d 'Boot Loader Settings'
bcd /set '{bootloadersettings}' inherit '{globalsettings}'
bcd /default "$L"
bcd /displayorder "$L"
bcd /timeout 30
