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
    "Read and repair Windows registry hive files offline.\n"
    "\n"
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
    "  --force             write a dirty hive whose logs are missing (their data is lost);\n"
    "                      overwrite existing output files\n"
    "  --no-backup         do not keep FILE.bootfix-<UTC time>.bak when changing FILE\n"
    "  --root-name PATH    key path shown for the hive root\n"
    "                      (default HKEY_LOCAL_MACHINE\\<FILE name in capitals>)\n"
    "  -h, --help          this text\n"
    "  --version           program version\n"
    "\n"
    "Exit status: 0 success, 1 error (or problems found by hive check), 2 usage error\n"
    "(or a file hive check cannot read as a hive).  See bootfix(1).\n";

static const struct topic {
    const char *name;
    const char *text;
} topics[] = {
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
