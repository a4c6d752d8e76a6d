/*
 * help.c — usage text of the bootfix CLI (`bootfix --help`, `bootfix help CMD`).
 */
#include "cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

static const char general[] =
    "Usage: bootfix [GLOBAL OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Repair an unbootable Windows machine offline: its OS disk is attached to a\n"
    "rescue machine and mounted; TARGET is that mount directory (e.g. /mnt/f).\n"
    "\n"
    "Recipes (the fixes of Microsoft's stop-error articles):\n"
    "  enable-dump [--type complete|kernel|small|automatic|active] [--dump-file P]\n"
    "              [--no-autoreboot] [--dedicated-dump-file P [--dump-file-size MB]] TARGET\n"
    "  serial-console on|off [--port N] [--baud N] [--timeout N] [--entry ID] TARGET\n"
    "  safeboot on [minimal|network|dsrepair] [--alternate-shell] [--entry ID] TARGET\n"
    "  safeboot off [--entry ID] TARGET\n"
    "  debug-boot on|off [--entry ID] TARGET\n"
    "  find-dump [--extract DIR] TARGET   list and decode crash dumps\n"
    "  status TARGET                      everything the recipes touch\n"
    "  undo [--journal FILE] TARGET       revert the newest journal exactly\n"
    "  script [--map L:=DIR]... FILE [TARGET]\n"
    "                                     run an article's reg/bcdedit lines as written\n"
    "  recipes                            list the recipes\n"
    "Hive commands:\n"
    "  hive info FILE                     header, logs, sizes and time stamps\n"
    "  hive check FILE                    structural check (exit 0 valid, 1 problems, 2 unreadable)\n"
    "  hive recover FILE [-o OUT]         replay transaction logs, write a clean hive\n"
    "  hive new FILE [--version 1.3|1.5] [--root NAME]\n"
    "                                     create an empty hive\n"
    "Registry commands (reg.exe spelling, switches as /x or -x):\n"
    "  reg query FILE KEY [/v NAME | /ve] [/s]\n"
    "  reg add FILE KEY [/v NAME | /ve] [/t TYPE] [/d DATA] [/s SEP] [/f]\n"
    "  reg delete FILE KEY [/v NAME | /ve | /va] [/f]\n"
    "  reg export FILE [KEY] OUT.reg [--utf8] [/y]\n"
    "  reg import FILE IN.reg [--new [--version 1.3|1.5] [--root NAME]]\n"
    "BCD store commands (bcdedit spelling, switches as /x or -x):\n"
    "  bcdedit /store FILE COMMAND [ARGS] [--drive X:=gpt:{disk}:{part}|mbr:SIG:OFFSET]\n"
    "  bcdedit /createstore FILE\n"
    "Other:\n"
    "  help [COMMAND [SUBCOMMAND]]        this text, or the help of one command\n"
    "\n"
    "Global options (before the command; the long forms also after it):\n"
    "  -q, --quiet         print only results and errors\n"
    "  -v, --verbose       say more (use --verbose after a reg command: -v there is /v)\n"
    "  --force             write a dirty hive whose logs are missing (their data is lost),\n"
    "                      a hibernated target, over undo conflicts; overwrite outputs\n"
    "  --no-backup         no backup copies (recipes: only with --force; the journal\n"
    "                      is kept); reg/bcdedit: no FILE.bootfix-<UTC time>.bak\n"
    "  --root-name PATH    key path shown for the hive root\n"
    "                      (default HKEY_LOCAL_MACHINE\\<FILE name in capitals>)\n"
    "  --dry-run           recipes, undo, script: print the plan, write nothing\n"
    "  --json              recipes, undo, script, status, find-dump: one JSON document\n"
    "  --backup-dir DIR    where backups and the journal go\n"
    "                      (default TARGET/bootfix-backup/<UTC time>-<recipe>/)\n"
    "  --bcd PATH          the BCD store (default: found on the target or its disk)\n"
    "  --system PATH       the SYSTEM hive (default: TARGET/Windows/System32/config/SYSTEM)\n"
    "  -h, --help          this text\n"
    "  --version           program version\n"
    "\n"
    "Exit status: 0 success, 1 error (or problems found by hive check), 2 usage error\n"
    "(or a file hive check cannot read as a hive).  See bootfix(1).\n";

static const struct topic {
    const char *name;
    const char *text;
} topics[] = {
    {"enable-dump",
     "Usage: bootfix enable-dump [OPTIONS] TARGET\n"
     "\n"
     "Make Windows write a memory dump at the next stop error: in every control\n"
     "set of the SYSTEM hive (none is created), Control\\CrashControl gets\n"
     "CrashDumpEnabled, DumpFile and NMICrashDump=1.  Reports the page file and the\n"
     "free space a dump needs; never changes them.\n"
     "  --type T                 complete (1), kernel (2, default), small (3),\n"
     "                           automatic (7), active (1 + FilterPages=1)\n"
     "  --dump-file PATH         DumpFile (default %SystemRoot%\\MEMORY.DMP)\n"
     "  --no-autoreboot          AutoReboot=0: stay on the blue screen\n"
     "  --dedicated-dump-file P  DedicatedDumpFile (REG_SZ)\n"
     "  --dump-file-size MB      DumpFileSize (with --dedicated-dump-file)\n"
     "Global options: --dry-run, --json, --backup-dir DIR, --force, -q.\n"},
    {"serial-console",
     "Usage: bootfix serial-console on [--port N] [--baud N] [--timeout N] [--entry ID] TARGET\n"
     "       bootfix serial-console off [--entry ID] TARGET\n"
     "\n"
     "on: {bootmgr} displaybootmenu yes, timeout N (10), bootems yes; the boot\n"
     "entry ({default}, or --entry) ems yes; {emssettings} emsport N (1) and\n"
     "emsbaudrate N (115200), creating {emssettings} if it is missing.\n"
     "off: deletes ems and bootems; displaybootmenu and timeout go back to what\n"
     "the last 'serial-console on' journal recorded, else they are left.\n"},
    {"safeboot",
     "Usage: bootfix safeboot on [minimal|network|dsrepair] [--alternate-shell] [--entry ID] TARGET\n"
     "       bootfix safeboot off [--entry ID] TARGET\n"
     "\n"
     "on: safeboot on the boot entry ({default}, or --entry); --alternate-shell\n"
     "also sets safebootalternateshell yes (without it, that element is removed).\n"
     "off: deletes safeboot and safebootalternateshell.\n"},
    {"debug-boot",
     "Usage: bootfix debug-boot on|off [--entry ID] TARGET\n"
     "\n"
     "on (dump crash mode): AutoReboot=0 and CrashDumpEnabled=2 in every control\n"
     "set; {bootmgr} nointegritychecks yes, integrityservices Disable; the entry\n"
     "bootlog yes, bootstatuspolicy DisplayAllFailures, nointegritychecks yes,\n"
     "testsigning no, recoveryenabled no, integrityservices Disable.  With --entry,\n"
     "{bootmgr} default is set to that entry first.\n"
     "off: an Azure VM's defaults (integrityservices Enable, bootstatuspolicy\n"
     "IgnoreAllFailures, the debug elements deleted, AutoReboot back to its value\n"
     "before 'debug-boot on', else 1).  'bootfix undo' restores exactly instead.\n"},
    {"find-dump",
     "Usage: bootfix find-dump [--extract DIR] TARGET\n"
     "\n"
     "List the crash dumps of the target: DumpFile, the minidump folder,\n"
     "DedicatedDumpFile, and a dump still inside pagefile.sys; decode each header\n"
     "(dump type, bugcheck code and name, parameters, time, processors, machine).\n"
     "When none is found, say why from the registry.\n"
     "  --extract DIR   copy every dump found into DIR (never overwriting)\n"},
    {"status",
     "Usage: bootfix status [--json] TARGET\n"
     "\n"
     "Windows product and build, control sets and Select, CrashControl and page\n"
     "files per control set, hive and log state, the BCD store and firmware type,\n"
     "{bootmgr}, the default entry and its safe mode / EMS / debug flags, EMS\n"
     "settings, hibernation and the last journal.  Writes nothing.\n"},
    {"undo",
     "Usage: bootfix undo [--journal FILE] TARGET\n"
     "\n"
     "Revert the newest journal under TARGET/bootfix-backup that is not undone\n"
     "(or FILE): every value and element goes back to its recorded old state,\n"
     "absent ones are deleted.  A value changed since by something else is a\n"
     "conflict: refused unless --force.  The undo is itself backed up.\n"},
    {"script",
     "Usage: bootfix script [--map L:=DIR]... FILE [TARGET]\n"
     "\n"
     "Run an article's command block as written: reg load/add/delete/unload,\n"
     "bcdedit /store, REM and blank lines.  Drive letters are mapped onto\n"
     "directories with --map (with one letter in the script and a TARGET, that\n"
     "letter is the target).  Every line is checked before anything is written;\n"
     "any other command is refused with its line number.  Each file is written\n"
     "once, atomically, with backups and a journal ('bootfix undo' reverts it).\n"},
    {"recipes",
     "Usage: bootfix recipes [-v] [--json]\n"
     "\n"
     "List the recipes, one line each (-v: with their options).\n"},
    {"bcdedit",
     "Usage: bootfix bcdedit /store FILE COMMAND [ARGS] [--drive X:=PARTITION]...\n"
     "       bootfix bcdedit /createstore FILE\n"
     "\n"
     "Run one bcdedit command on the BCD store FILE, as bcdedit /store FILE does;\n"
     "switches are case-insensitive and start with '/' or '-'.  A write is one\n"
     "atomic commit (backup FILE.bootfix-<UTC time>.bak unless --no-backup); a\n"
     "command that fails writes nothing.  An omitted ID means {current}, which\n"
     "an offline store cannot resolve: give the ID (e.g. {default}).\n"
     "Commands:\n"
     "  /enum [all|active|ID|bootmgr|osloader|resume|memdiag|ntldr|firmware|\n"
     "        bootapp|inherit|device] [/v]     list entries (default: active)\n"
     "  /v                                    /enum active /v\n"
     "  /set [ID] NAME VALUE...               NAME: element name or custom:XXXXXXXX;\n"
     "                                        lists take several IDs and may use\n"
     "                                        /addfirst, /addlast or /remove\n"
     "  /deletevalue [ID] NAME\n"
     "  /default ID                           {bootmgr} default entry\n"
     "  /displayorder ID... [/addfirst|/addlast|/remove]\n"
     "  /toolsdisplayorder ID... [/addfirst|/addlast|/remove]\n"
     "  /bootsequence ID... [/addfirst|/addlast|/remove]\n"
     "  /timeout SECONDS\n"
     "  /ems [ID] ON|OFF                      EMS for an OS loader entry\n"
     "  /bootems [ID] ON|OFF                  EMS for a boot application\n"
     "  /emssettings EMSPORT:n [EMSBAUDRATE:n] (written to {emssettings})\n"
     "  /dbgsettings [SERIAL [DEBUGPORT:n] [BAUDRATE:n] | 1394 [CHANNEL:n] |\n"
     "               USB TARGETNAME:x | NET HOSTIP:ip PORT:n KEY:k [NODHCP] | LOCAL]\n"
     "               [/start ACTIVE|AUTOENABLE|DISABLE] [/noumex]\n"
     "                                        (no arguments: show {dbgsettings})\n"
     "  /create [ID] [/d DESCRIPTION] [/application TYPE | /inherit [TYPE] | /device]\n"
     "  /copy ID /d DESCRIPTION\n"
     "  /delete ID [/f] [/cleanup|/nocleanup]  /f is needed for well-known IDs\n"
     "  /createstore FILE                     a new empty store (no /store)\n"
     "  /export FILE                          copy of the store (FILE must not exist)\n"
     "  /import FILE                          replace the store's contents with FILE's\n"
     "Devices: boot, partition=X: (X from --drive), partition=gpt:{disk}:{part},\n"
     "partition=mbr:SIGNATURE:OFFSET, ramdisk=[PARENT]PATH,{options}, vhd=[PARENT]PATH,\n"
     "locate[=PATH].\n"
     "bootfix options:\n"
     "  --drive X:=gpt:{disk-guid}:{partition-guid}   what partition=X: means\n"
     "  --drive X:=mbr:SIGNATURE:OFFSET                (repeatable)\n"
     "  --force, --no-backup, --quiet                  as for every command\n"},
    {"hive info",
     "Usage: bootfix hive info FILE [--no-logs]\n"
     "\n"
     "Print the format version, sequence numbers, whether the hive is dirty, the\n"
     "transaction logs found beside it and whether they were replayed (in memory\n"
     "only; FILE is not changed), the root key, file size, bins, time stamps\n"
     "(ISO 8601, UTC), the embedded file name and the base block checksum state.\n"
     "  --no-logs   do not look for or replay logs\n"},
    {"hive check",
     "Usage: bootfix hive check FILE [--no-logs]\n"
     "\n"
     "Check the structure of FILE and print each problem with its file offset.\n"
     "When FILE is dirty and its logs can be replayed, the image Windows would\n"
     "load (FILE plus its logs) is checked.\n"
     "  --no-logs   check the bytes of FILE alone\n"
     "Exit status: 0 valid, 1 problems found, 2 not a readable hive.\n"},
    {"hive recover",
     "Usage: bootfix hive recover FILE [-o OUT]\n"
     "\n"
     "Replay the transaction logs of FILE (FILE.LOG, FILE.LOG1, FILE.LOG2) and\n"
     "write the clean hive to OUT, or atomically in place of FILE after keeping\n"
     "a backup FILE.bootfix-<UTC time>.bak (unless --no-backup).  Says what was\n"
     "applied.  A dirty hive whose logs are missing is refused unless --force.\n"},
    {"hive new",
     "Usage: bootfix hive new FILE [--version 1.3|1.5] [--root NAME]\n"
     "\n"
     "Create an empty hive with one root key.\n"
     "  --version V   format version 1.3 (BCD stores), 1.4, 1.5 (default) or 1.6\n"
     "  --root NAME   name of the root key (default ROOT)\n"
     "An existing FILE is not overwritten unless --force.\n"},
    {"reg query",
     "Usage: bootfix reg query FILE KEY [/v NAME | /ve] [/s]\n"
     "\n"
     "Print KEY's values and subkeys as reg.exe does.  KEY is relative to the\n"
     "hive root (\"\" or \\ for the root); a leading HKLM\\NAME\\ is removed.\n"
     "  /v NAME   only the value NAME\n"
     "  /ve       only the default value, shown as (Default)\n"
     "  /s        all subkeys and values, recursively\n"},
    {"reg add",
     "Usage: bootfix reg add FILE KEY [/v NAME | /ve] [/t TYPE] [/d DATA] [/s SEP] [/f]\n"
     "\n"
     "Create KEY (and the keys above it) and optionally set a value.\n"
     "  /v NAME   value to set          /ve       the default value\n"
     "  /t TYPE   REG_SZ (default), REG_EXPAND_SZ, REG_MULTI_SZ, REG_DWORD,\n"
     "            REG_QWORD, REG_BINARY, REG_NONE, REG_DWORD_BIG_ENDIAN ...\n"
     "  /d DATA   data: decimal or 0x hex numbers, hex digits for REG_BINARY,\n"
     "            REG_MULTI_SZ items separated by \\0 (or by SEP)\n"
     "  /s SEP    separator for REG_MULTI_SZ items\n"
     "  /f        overwrite an existing value (without /f bootfix refuses)\n"},
    {"reg delete",
     "Usage: bootfix reg delete FILE KEY [/v NAME | /ve | /va] [/f]\n"
     "\n"
     "Delete KEY with everything under it, or one value (/v NAME), the default\n"
     "value (/ve) or all values of KEY (/va).  /f is required (bootfix does not\n"
     "ask questions).\n"},
    {"reg export",
     "Usage: bootfix reg export FILE [KEY] OUT.reg [--utf8] [/y]\n"
     "\n"
     "Write KEY (default: the whole hive) as a .reg file, as regedit does\n"
     "(UTF-16LE with BOM, \"Windows Registry Editor Version 5.00\").  Key paths\n"
     "start with the root key path (see --root-name).  OUT.reg \"-\" is stdout.\n"
     "  --utf8   UTF-8 without BOM instead of UTF-16LE\n"
     "  /y       overwrite OUT.reg if it exists (also --force)\n"},
    {"reg import",
     "Usage: bootfix reg import FILE IN.reg [--new [--version 1.3|1.5] [--root NAME]]\n"
     "\n"
     "Apply a .reg file (UTF-16LE or UTF-8, Version 5.00 or REGEDIT4) to FILE.\n"
     "The first two components of every key path (e.g. HKEY_LOCAL_MACHINE\\SYSTEM)\n"
     "stand for the hive root; with --root-name PATH they must equal PATH.  The\n"
     "whole file is checked before FILE is changed.  IN.reg \"-\" is stdin.\n"
     "  --new           create FILE as a new hive (it must not exist)\n"
     "  --version V     format version of the new hive (default 1.5)\n"
     "  --root NAME     root key name of the new hive (default ROOT)\n"},
};

static int topic_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int cli_help(FILE *f, const char *topic)
{
    size_t i, n = sizeof topics / sizeof topics[0];
    int found = 0;
    if (!topic || !topic[0]) {
        fputs(general, f);
        return 0;
    }
    for (i = 0; i < n; i++)
        if (topic_eq(topics[i].name, topic)) {
            fputs(topics[i].text, f);
            return 0;
        }
    /* "hive" or "reg": every subcommand of that group */
    for (i = 0; i < n; i++) {
        size_t tl = strlen(topic);
        if (strlen(topics[i].name) > tl && topics[i].name[tl] == ' ') {
            char group[16];
            if (tl >= sizeof group)
                break;
            memcpy(group, topics[i].name, tl);
            group[tl] = '\0';
            if (topic_eq(group, topic)) {
                if (found)
                    fputc('\n', f);
                fputs(topics[i].text, f);
                found = 1;
            }
        }
    }
    return found ? 0 : -1;
}

int cli_usage_error(const char *topic, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("bootfix: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fprintf(stderr, "Try 'bootfix help%s%s' for more information.\n", topic ? " " : "",
            topic ? topic : "");
    return EXIT_USAGE;
}
