/*
 * recipes.c — the recipe tables.  Each recipe is the list of changes one
 * section of Microsoft's stop-error articles makes, as data; engine.c plans
 * and applies them.  Specification: ../shared/reference/recipes.md.
 *
 * Adding a recipe means adding tables here, not code paths.
 */
#include "recipe/internal.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define CRASH "{controlset}\\Control\\CrashControl"

/* ---- shared parameters ------------------------------------------------------------------ */

#define P_ENTRY                                                                            \
    {"entry", NULL, NULL, 0, BF_PARAM_BCD_ID, NULL,                                        \
     "boot entry to change ({guid} or alias; default: the store's {default})", 0, 0}

/* ---- enable-dump ------------------------------------------------------------------------ */

static const bf_recipe_choice dump_types[] = {
    {"complete", "1"}, {"kernel", "2"}, {"small", "3"}, {"automatic", "7"}, {"active", "1"},
};

static const bf_recipe_param enable_dump_params[] = {
    {"type", "kernel", dump_types, N(dump_types), 0, NULL,
     "complete, kernel (default), small, automatic or active", 0, 0},
    {"dump-file", "%SystemRoot%\\MEMORY.DMP", NULL, 0, 0, NULL,
     "where Windows writes the dump (REG_EXPAND_SZ DumpFile)", 0, 0},
    {"no-autoreboot", NULL, NULL, 0, BF_PARAM_SWITCH, NULL,
     "AutoReboot = 0: the machine stays on the blue screen (dump crash mode)", 0, 0},
    {"dedicated-dump-file", NULL, NULL, 0, 0, NULL,
     "write the dump to this file instead of the page file (DedicatedDumpFile)", 0, 0},
    {"dump-file-size", NULL, NULL, 0, BF_PARAM_NUMBER, "dedicated-dump-file",
     "size of the dedicated dump file in MB (DumpFileSize)", 1, 0xFFFFFFFFu},
};

static const bf_recipe_step enable_dump_steps[] = {
    {BF_STEP_REG_SET, NULL, "SYSTEM", CRASH, "CrashDumpEnabled", BF_REG_DWORD, NULL, NULL, 0,
     "$type", NULL},
    {BF_STEP_REG_SET, "type=active", "SYSTEM", CRASH, "FilterPages", BF_REG_DWORD, NULL, NULL,
     0, "1", NULL},
    {BF_STEP_REG_DELETE, "type=complete", "SYSTEM", CRASH, "FilterPages", 0, NULL, NULL, 0,
     NULL, NULL},
    {BF_STEP_REG_SET, NULL, "SYSTEM", CRASH, "DumpFile", BF_REG_EXPAND_SZ, NULL, NULL, 0,
     "$dump-file", NULL},
    {BF_STEP_REG_SET, NULL, "SYSTEM", CRASH, "NMICrashDump", BF_REG_DWORD, NULL, NULL, 0, "1",
     NULL},
    {BF_STEP_REG_SET, "no-autoreboot", "SYSTEM", CRASH, "AutoReboot", BF_REG_DWORD, NULL, NULL,
     0, "0", NULL},
    {BF_STEP_REG_SET, "dedicated-dump-file", "SYSTEM", CRASH, "DedicatedDumpFile", BF_REG_SZ,
     NULL, NULL, 0, "$dedicated-dump-file", NULL},
    {BF_STEP_REG_SET, "dump-file-size", "SYSTEM", CRASH, "DumpFileSize", BF_REG_DWORD, NULL,
     NULL, 0, "$dump-file-size", NULL},
};

/* ---- serial-console ---------------------------------------------------------------------- */

static const bf_recipe_param serial_on_params[] = {
    {"port", "1", NULL, 0, BF_PARAM_NUMBER, NULL, "EMS serial port (emsport, default 1)", 1, 255},
    {"baud", "115200", NULL, 0, BF_PARAM_NUMBER, NULL,
     "EMS baud rate (emsbaudrate, default 115200)", 300, 115200},
    {"timeout", "10", NULL, 0, BF_PARAM_NUMBER, NULL,
     "boot menu timeout in seconds (default 10)", 0, 0xFFFFFFFFu},
    P_ENTRY,
};

static const bf_recipe_step serial_on_steps[] = {
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "displaybootmenu", 0, "yes", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "timeout", 0, "$timeout", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "bootems", 0, "yes", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "ems", 0, "yes", NULL},
    {BF_STEP_BCD_ENSURE_OBJECT, NULL, NULL, NULL, NULL, 0, "{emssettings}", NULL, 0x20100000u,
     NULL, NULL},
    {BF_STEP_BCD_LIST_ADD, NULL, NULL, NULL, NULL, 0, "{globalsettings}", "inherit", 0,
     "{emssettings}", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{emssettings}", "emsport", 0, "$port", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{emssettings}", "emsbaudrate", 0, "$baud",
     NULL},
};

static const bf_recipe_param entry_only_params[] = {P_ENTRY};

static const bf_recipe_step serial_off_steps[] = {
    {BF_STEP_BCD_DELETE, NULL, NULL, NULL, NULL, 0, "{entry}", "ems", 0, NULL, NULL},
    {BF_STEP_BCD_DELETE, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "bootems", 0, NULL, NULL},
    {BF_STEP_BCD_RESTORE, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "displaybootmenu", 0, NULL,
     "serial-console on"},
    {BF_STEP_BCD_RESTORE, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "timeout", 0, NULL,
     "serial-console on"},
};

/* ---- safeboot ------------------------------------------------------------------------------- */

static const bf_recipe_choice safeboot_modes[] = {
    {"minimal", "Minimal"}, {"network", "Network"}, {"dsrepair", "DsRepair"},
};

static const bf_recipe_param safeboot_on_params[] = {
    {"mode", "minimal", safeboot_modes, N(safeboot_modes), BF_PARAM_POSITIONAL, NULL,
     "minimal (default, as in the article), network or dsrepair", 0, 0},
    {"alternate-shell", NULL, NULL, 0, BF_PARAM_SWITCH, NULL,
     "safe mode with a command prompt (safebootalternateshell yes)", 0, 0},
    P_ENTRY,
};

static const bf_recipe_step safeboot_on_steps[] = {
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "safeboot", 0, "$mode", NULL},
    {BF_STEP_BCD_SET, "alternate-shell", NULL, NULL, NULL, 0, "{entry}",
     "safebootalternateshell", 0, "yes", NULL},
    {BF_STEP_BCD_DELETE, "!alternate-shell", NULL, NULL, NULL, 0, "{entry}",
     "safebootalternateshell", 0, NULL, NULL},
};

static const bf_recipe_step safeboot_off_steps[] = {
    {BF_STEP_BCD_DELETE, NULL, NULL, NULL, NULL, 0, "{entry}", "safeboot", 0, NULL, NULL},
    {BF_STEP_BCD_DELETE, NULL, NULL, NULL, NULL, 0, "{entry}", "safebootalternateshell", 0,
     NULL, NULL},
};

/* ---- debug-boot ------------------------------------------------------------------------------ */

static const bf_recipe_step debug_on_steps[] = {
    {BF_STEP_REG_SET, NULL, "SYSTEM", CRASH, "AutoReboot", BF_REG_DWORD, NULL, NULL, 0, "0",
     NULL},
    {BF_STEP_REG_SET, NULL, "SYSTEM", CRASH, "CrashDumpEnabled", BF_REG_DWORD, NULL, NULL, 0,
     "2", NULL},
    {BF_STEP_BCD_SET, "entry", NULL, NULL, NULL, 0, "{bootmgr}", "default", 0, "{entry}", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "nointegritychecks", 0, "yes",
     NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "integrityservices", 0, "Disable",
     NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "bootlog", 0, "yes", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "bootstatuspolicy", 0,
     "DisplayAllFailures", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "nointegritychecks", 0, "yes", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "testsigning", 0, "no", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "recoveryenabled", 0, "no", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "integrityservices", 0, "Disable",
     NULL},
};

static const bf_recipe_step debug_off_steps[] = {
    {BF_STEP_BCD_DELETE, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "nointegritychecks", 0, NULL,
     NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{bootmgr}", "integrityservices", 0, "Enable",
     NULL},
    {BF_STEP_BCD_DELETE, NULL, NULL, NULL, NULL, 0, "{entry}", "bootlog", 0, NULL, NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "bootstatuspolicy", 0,
     "IgnoreAllFailures", NULL},
    {BF_STEP_BCD_DELETE, NULL, NULL, NULL, NULL, 0, "{entry}", "nointegritychecks", 0, NULL,
     NULL},
    {BF_STEP_BCD_DELETE, NULL, NULL, NULL, NULL, 0, "{entry}", "testsigning", 0, NULL, NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "recoveryenabled", 0, "no", NULL},
    {BF_STEP_BCD_SET, NULL, NULL, NULL, NULL, 0, "{entry}", "integrityservices", 0, "Enable",
     NULL},
    {BF_STEP_REG_RESTORE, NULL, "SYSTEM", CRASH, "AutoReboot", BF_REG_DWORD, NULL, NULL, 0, "1",
     "debug-boot on"},
};

/* ---- the list ------------------------------------------------------------------------------- */

#define STEPS(a) a, N(a)
#define PARAMS(a) a, N(a)

static const bf_recipe recipes[] = {
    {"enable-dump", NULL,
     "collect a memory dump: CrashControl in every control set (CrashDumpEnabled, DumpFile, "
     "NMICrashDump)",
     "\"Enable dump logs\" of the 0x5A / 0x7E / 0xC000021A stop-error articles",
     PARAMS(enable_dump_params), STEPS(enable_dump_steps), BF_NEEDS_SYSTEM, BF_CHECK_DUMP_SPACE,
     "Boot the VM and reproduce the stop error; if it hangs instead, trigger the dump with an "
     "NMI from the serial console (Azure: Serial console > Send NMI).  Then attach the disk "
     "again and run: bootfix find-dump TARGET"},
    {"serial-console", "on",
     "turn on the serial console (EMS/SAC): boot menu, bootems, ems on the boot entry, "
     "port 1 at 115200",
     "\"Enable the Serial Console\" (bcdedit block of the 0x5A article)",
     PARAMS(serial_on_params), STEPS(serial_on_steps), BF_NEEDS_BCD, 0,
     "Boot the VM and open its serial console: the boot menu waits there, and SAC (the "
     "special administration console) starts with Windows."},
    {"serial-console", "off",
     "turn the serial console off again (ems, bootems; menu and timeout back to what they were)",
     "undoes \"Enable the Serial Console\"", PARAMS(entry_only_params), STEPS(serial_off_steps),
     BF_NEEDS_BCD, 0, NULL},
    {"safeboot", "on", "boot the entry in safe mode (minimal, network or dsrepair)",
     "\"Replace the unsigned drivers\", step 1 (0x5A article)", PARAMS(safeboot_on_params),
     STEPS(safeboot_on_steps), BF_NEEDS_BCD, 0,
     "Boot the VM: Windows starts in safe mode.  When the repair is done, run: bootfix "
     "safeboot off TARGET"},
    {"safeboot", "off", "boot normally again (delete safeboot and safebootalternateshell)",
     "\"Replace the unsigned drivers\", step 7 (0x5A article)", PARAMS(entry_only_params),
     STEPS(safeboot_off_steps), BF_NEEDS_BCD, 0, NULL},
    {"debug-boot", "on",
     "dump crash mode: no automatic reboot, kernel dump, boot log, integrity checks off",
     "\"Analyze the dump logs in dump crash mode\", steps 6 and 8 (0x5A article)",
     PARAMS(entry_only_params), STEPS(debug_on_steps), BF_NEEDS_SYSTEM | BF_NEEDS_BCD, 0,
     "Boot the VM: it stops on the blue screen and keeps the dump.  Then run: bootfix "
     "find-dump TARGET; afterwards: bootfix debug-boot off TARGET"},
    {"debug-boot", "off", "restore an Azure VM's defaults after dump crash mode",
     "\"Analyze the dump logs in dump crash mode\", step 11 (0x5A article)",
     PARAMS(entry_only_params), STEPS(debug_off_steps), BF_NEEDS_SYSTEM | BF_NEEDS_BCD, 0, NULL},
};

const bf_recipe *bf_recipe_list(size_t *count)
{
    if (count)
        *count = N(recipes);
    return recipes;
}

const bf_recipe *bf_recipe_find(const char *name, const char *mode)
{
    size_t i;
    if (!name)
        return NULL;
    for (i = 0; i < N(recipes); i++) {
        const bf_recipe *r = &recipes[i];
        if (strcmp(r->name, name) != 0)
            continue;
        if (!r->mode && !mode)
            return r;
        if (r->mode && mode && strcmp(r->mode, mode) == 0)
            return r;
    }
    return NULL;
}

const char *bf_recipe_title(const bf_recipe *r, char *buf, size_t len)
{
    if (r->mode)
        snprintf(buf, len, "%s %s", r->name, r->mode);
    else
        snprintf(buf, len, "%s", r->name);
    return buf;
}
