/*
 * Well-known object identifiers (bcdedit aliases), object headings and the
 * object types `/create /application` and `/create /inherit` make.
 * Facts: ../shared/reference/bcd-elements.md §2, §3, §6.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define G(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7) \
    { a, b, c, { d0, d1, d2, d3, d4, d5, d6, d7 } }

const bf_guid BCD_GUID_BOOTMGR =
    G(0x9dea862c, 0x5cdd, 0x4e70, 0xac, 0xc1, 0xf3, 0x2b, 0x34, 0x4d, 0x47, 0x95);
const bf_guid BCD_GUID_FWBOOTMGR =
    G(0xa5a30fa2, 0x3d06, 0x4e9f, 0xb5, 0xf4, 0xa0, 0x1d, 0xf9, 0xd1, 0xfc, 0xba);
const bf_guid BCD_GUID_DEFAULT =
    G(0x1cae1eb7, 0xa0df, 0x4d4d, 0x98, 0x51, 0x48, 0x60, 0xe3, 0x4e, 0xf5, 0x35);
const bf_guid BCD_GUID_CURRENT =
    G(0xfa926493, 0x6f1c, 0x4193, 0xa4, 0x14, 0x58, 0xf0, 0xb2, 0x45, 0x6d, 0x1e);
const bf_guid BCD_GUID_EMSSETTINGS =
    G(0x0ce4991b, 0xe6b3, 0x4b16, 0xb2, 0x3c, 0x5e, 0x0d, 0x92, 0x50, 0xe5, 0xd9);
const bf_guid BCD_GUID_DBGSETTINGS =
    G(0x4636856e, 0x540f, 0x4170, 0xa1, 0x30, 0xa8, 0x47, 0x76, 0xf4, 0xc6, 0x54);
const bf_guid BCD_GUID_GLOBALSETTINGS =
    G(0x7ea2e1ac, 0x2e61, 0x4728, 0xaa, 0xa3, 0x89, 0x6d, 0x9d, 0x0a, 0x9f, 0x0e);

static const bf_guid GUID_MEMDIAG =
    G(0xb2721d73, 0x1db4, 0x4c62, 0xbf, 0x78, 0xc5, 0x48, 0xa8, 0x80, 0x14, 0x2d);
static const bf_guid GUID_NTLDR =
    G(0x466f5a88, 0x0af2, 0x4f76, 0x90, 0x38, 0x09, 0x5b, 0x17, 0x0d, 0xc2, 0x1c);
static const bf_guid GUID_KERNELDBGSETTINGS =
    G(0x313e8eed, 0x7098, 0x4586, 0xa9, 0xbf, 0x30, 0x9c, 0x61, 0xf8, 0xd4, 0x49);
static const bf_guid GUID_BOOTLOADERSETTINGS =
    G(0x6efb52bf, 0x1766, 0x41db, 0xa6, 0xb3, 0x0e, 0xe5, 0xef, 0xf7, 0x2b, 0xd7);
/* NOT {1afa9c49-16ab-4a5c-4a90-...} as Chappell and phnt print it (typo). */
static const bf_guid GUID_RESUMELOADERSETTINGS =
    G(0x1afa9c49, 0x16ab, 0x4a5c, 0x90, 0x1b, 0x21, 0x28, 0x02, 0xda, 0x94, 0x60);
static const bf_guid GUID_BADMEMORY =
    G(0x5189b25c, 0x5558, 0x4bf2, 0xbc, 0xa4, 0x28, 0x9b, 0x11, 0xbd, 0x29, 0xe2);
static const bf_guid GUID_HYPERVISORSETTINGS =
    G(0x7ff607e0, 0x4395, 0x11db, 0xb0, 0xde, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66);
static const bf_guid GUID_RAMDISKOPTIONS =
    G(0xae5534e0, 0xa924, 0x466c, 0xb8, 0x36, 0x75, 0x85, 0x39, 0xa3, 0xee, 0x3a);

/* templates in Windows' BCD-Template (no alias; their own headings) */
static const bf_guid GUID_SETUP_EFI =
    G(0x7254a080, 0x1510, 0x4e85, 0xac, 0x0f, 0xe7, 0xfb, 0x3d, 0x44, 0x47, 0x36);
static const bf_guid GUID_SETUP_PCAT =
    G(0xcbd971bf, 0xb7b8, 0x4885, 0x95, 0x1a, 0xfa, 0x03, 0x04, 0x4f, 0x5d, 0x71);
static const bf_guid GUID_OS_TARGET_PCAT =
    G(0xa1943bbc, 0xea85, 0x487c, 0x97, 0xc7, 0xc9, 0xed, 0xe9, 0x08, 0xa3, 0x8a);
static const bf_guid GUID_OS_TARGET_EFI =
    G(0xb012b84d, 0xc47c, 0x4ed5, 0xb7, 0x22, 0xc0, 0xc4, 0x21, 0x63, 0xe5, 0x69);

typedef struct alias_def {
    const char *name;
    const bf_guid *guid;
    uint32_t objtype; /* what `/create ALIAS` makes; 0 for virtual aliases */
    int primary;      /* the name bcdedit prints for this GUID */
} alias_def;

/* Primary names first for each GUID (bf_bcd_alias_name takes the first). */
static const alias_def ALIASES[] = {
    {"{bootmgr}", &BCD_GUID_BOOTMGR, BCD_TYPE_BOOTMGR, 1},
    {"{fwbootmgr}", &BCD_GUID_FWBOOTMGR, BCD_TYPE_FWBOOTMGR, 1},
    {"{memdiag}", &GUID_MEMDIAG, BCD_TYPE_MEMDIAG, 1},
    {"{ntldr}", &GUID_NTLDR, BCD_TYPE_NTLDR, 1},
    {"{legacy}", &GUID_NTLDR, BCD_TYPE_NTLDR, 0},
    {"{current}", &BCD_GUID_CURRENT, 0, 0},
    {"{default}", &BCD_GUID_DEFAULT, 0, 0},
    {"{emssettings}", &BCD_GUID_EMSSETTINGS, BCD_TYPE_INHERIT_ANY, 1},
    {"{dbgsettings}", &BCD_GUID_DBGSETTINGS, BCD_TYPE_INHERIT_ANY, 1},
    {"{eventsettings}", &BCD_GUID_DBGSETTINGS, BCD_TYPE_INHERIT_ANY, 0},
    {"{kerneldbgsettings}", &GUID_KERNELDBGSETTINGS, 0x20200003u, 1},
    {"{globalsettings}", &BCD_GUID_GLOBALSETTINGS, BCD_TYPE_INHERIT_ANY, 1},
    {"{bootloadersettings}", &GUID_BOOTLOADERSETTINGS, 0x20200003u, 1},
    {"{resumeloadersettings}", &GUID_RESUMELOADERSETTINGS, 0x20200004u, 1},
    {"{badmemory}", &GUID_BADMEMORY, BCD_TYPE_INHERIT_ANY, 1},
    {"{hypervisorsettings}", &GUID_HYPERVISORSETTINGS, 0x20200003u, 1},
    {"{ramdiskoptions}", &GUID_RAMDISKOPTIONS, BCD_TYPE_DEVICE, 1},
};
#define NALIASES (sizeof ALIASES / sizeof ALIASES[0])



const char *bf_bcd_alias_name(const bf_guid *g)
{
    if (!g) return NULL;
    for (size_t i = 0; i < NALIASES; i++)
        if (ALIASES[i].primary && bf_guid_equal(ALIASES[i].guid, g)) return ALIASES[i].name;
    return NULL;
}

int bf_bcd_alias_lookup(const char *alias, bf_guid *g, uint32_t *objtype)
{
    if (!alias) return -1;
    for (size_t i = 0; i < NALIASES; i++) {
        if (!bf_ascii_ieq(alias, ALIASES[i].name)) continue;
        if (g) *g = *ALIASES[i].guid;
        if (objtype) *objtype = ALIASES[i].objtype;
        return 0;
    }
    return -1;
}

/* ---- headings ---------------------------------------------------------------------- */

typedef struct guid_heading {
    const bf_guid *guid;
    uint32_t objtype; /* the heading applies only to an object of this type */
    const char *heading;
} guid_heading;

/* Objects whose heading depends on the GUID (observed bcdedit output). */
static const guid_heading GUID_HEADINGS[] = {
    {&BCD_GUID_EMSSETTINGS, BCD_TYPE_INHERIT_ANY, "EMS Settings"},
    {&BCD_GUID_DBGSETTINGS, BCD_TYPE_INHERIT_ANY, "Debugger Settings"},
    {&GUID_BADMEMORY, BCD_TYPE_INHERIT_ANY, "RAM Defects"},
    {&BCD_GUID_GLOBALSETTINGS, BCD_TYPE_INHERIT_ANY, "Global Settings"},
    {&GUID_BOOTLOADERSETTINGS, 0x20200003u, "Boot Loader Settings"},
    {&GUID_HYPERVISORSETTINGS, 0x20200003u, "Hypervisor Settings"},
    {&GUID_KERNELDBGSETTINGS, 0x20200003u, "Kernel Debugger Settings"},
    {&GUID_RESUMELOADERSETTINGS, 0x20200004u, "Resume Loader Settings"},
    {&GUID_RAMDISKOPTIONS, BCD_TYPE_DEVICE, "Setup Ramdisk Options"},
    {&GUID_SETUP_EFI, BCD_TYPE_OSLOADER, "Windows Setup"},
    {&GUID_SETUP_PCAT, BCD_TYPE_OSLOADER, "Windows Setup"},
    {&GUID_OS_TARGET_PCAT, BCD_TYPE_OSLOADER, "OS Target Template"},
    {&GUID_OS_TARGET_EFI, BCD_TYPE_OSLOADER, "OS Target Template"},
};
#define NGUID_HEADINGS (sizeof GUID_HEADINGS / sizeof GUID_HEADINGS[0])

typedef struct type_heading {
    uint32_t objtype;
    const char *heading;
} type_heading;

static const type_heading TYPE_HEADINGS[] = {
    {BCD_TYPE_FWBOOTMGR, "Firmware Boot Manager"},
    {BCD_TYPE_BOOTMGR, "Windows Boot Manager"},
    {BCD_TYPE_OSLOADER, "Windows Boot Loader"},
    {BCD_TYPE_RESUME, "Resume from Hibernate"},
    {BCD_TYPE_MEMDIAG, "Windows Memory Tester"},
    {BCD_TYPE_NTLDR, "Windows Legacy OS Loader"},
    {BCD_TYPE_DEVICE, "Device options"},
};
#define NTYPE_HEADINGS (sizeof TYPE_HEADINGS / sizeof TYPE_HEADINGS[0])

static const char *copy_out(const char *s, char *buf, size_t len)
{
    if (!buf || len == 0) return s;
    snprintf(buf, len, "%s", s);
    return buf;
}

const char *bf_bcd_heading(uint32_t objtype, const bf_guid *id, char *buf, size_t len)
{
    if (id) {
        for (size_t i = 0; i < NGUID_HEADINGS; i++)
            if (GUID_HEADINGS[i].objtype == objtype && bf_guid_equal(GUID_HEADINGS[i].guid, id))
                return copy_out(GUID_HEADINGS[i].heading, buf, len);
    }
    for (size_t i = 0; i < NTYPE_HEADINGS; i++)
        if (TYPE_HEADINGS[i].objtype == objtype) return copy_out(TYPE_HEADINGS[i].heading, buf, len);

    /* Anything else: bcdedit's generic pattern with the type in 8 lowercase
     * hex digits, "Firmware Application (101fffff)" for firmware
     * applications, "Application (...)" for other applications and
     * "Inherit Settings (...)" (our choice, see the report) for inherit
     * objects; "Object (...)" for types bcdedit does not define. */
    const char *kind;
    switch (objtype >> 28) {
    case 1: kind = ((objtype >> 20) & 0xFu) == 1 ? "Firmware Application" : "Application"; break;
    case 2: kind = "Inherit Settings"; break;
    case 3: kind = "Device options"; break;
    default: kind = "Object"; break;
    }
    static char fallback[64];
    if (!buf || len == 0) {
        buf = fallback;
        len = sizeof fallback;
    }
    snprintf(buf, len, "%s (%08x)", kind, (unsigned)objtype);
    return buf;
}

/* ---- /create /application and /create /inherit ----------------------------------- */

typedef struct app_name {
    const char *name;
    uint32_t apptype; /* bits 19..0 */
    uint32_t apptype_full; /* the application object type */
} app_name;

/* Application object types per Chappell (GC-OBJ); where PRON disagrees
 * (bootsector 0x10300008, bootapp 0x1040000A) GC-OBJ is followed. */
static const app_name APPS[] = {
    {"fwbootmgr", 1, BCD_TYPE_FWBOOTMGR},
    {"bootmgr", 2, BCD_TYPE_BOOTMGR},
    {"osloader", 3, BCD_TYPE_OSLOADER},
    {"resume", 4, BCD_TYPE_RESUME},
    {"memdiag", 5, BCD_TYPE_MEMDIAG},
    {"ntldr", 6, BCD_TYPE_NTLDR},
    {"setupldr", 7, 0x10300007u},
    {"bootsector", 8, 0x10400008u},
    {"startup", 9, 0x10400009u},
    {"bootapp", 10, 0x1020000Au},
};
#define NAPPS (sizeof APPS / sizeof APPS[0])

int bf_bcd_type_for_application(const char *name, uint32_t *objtype)
{
    /* the application types bcdedit's /create /application accepts */
    static const char *const creatable[] = {"osloader", "resume", "bootsector", "startup",
                                            "bootapp"};
    if (!name) return -1;
    for (size_t i = 0; i < sizeof creatable / sizeof creatable[0]; i++) {
        if (!bf_ascii_ieq(name, creatable[i])) continue;
        for (size_t j = 0; j < NAPPS; j++)
            if (!strcmp(APPS[j].name, creatable[i])) {
                if (objtype) *objtype = APPS[j].apptype_full;
                return 0;
            }
    }
    return -1;
}

int bf_bcd_type_for_inherit(const char *name, uint32_t *objtype)
{
    uint32_t t;
    if (!name || !*name) {
        t = BCD_TYPE_INHERIT_ANY;
    } else if (bf_ascii_ieq(name, "device")) {
        t = 0x20300000u;
    } else {
        size_t i;
        for (i = 0; i < NAPPS; i++)
            if (APPS[i].apptype != 10 && bf_ascii_ieq(name, APPS[i].name)) break;
        if (i == NAPPS) return -1;
        t = 0x20200000u | APPS[i].apptype;
    }
    if (objtype) *objtype = t;
    return 0;
}
