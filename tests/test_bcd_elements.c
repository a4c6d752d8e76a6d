/*
 * test_bcd_elements.c — the BCD element database, aliases and headings
 * (lib/bcd/alias.c, lib/bcd/element_def.c, generated lib/bcd/element_table.c).
 *
 *   - every well-known alias: GUID, the type `/create ALIAS` makes, the name
 *     printed back (primary alias only), case-insensitive lookup;
 *   - per-object-type lookups of the class-2 codes that mean different things
 *     in different applications;
 *   - every element name in the real bcdedit outputs of the corpus resolves for
 *     its object type and prints back the same (hard-coded list below, and the
 *     texts themselves parsed at run time when the corpus is present);
 *   - enumerations, custom:XXXXXXXX, error messages, display names;
 *   - headings: for every object of the 16 corpus stores (read with the hive
 *     API) and for every heading block of the corpus bcdedit texts;
 *   - the generated table is in sync with tools/gen-bcd-elements.py.
 */
#include "common/corpus.h"
#include "common/files.h"

#include "bcd/internal.h"

#include "common/runner.h"
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- aliases ------------------------------------------------------------------------ */

static const struct {
    const char *alias;
    const char *guid;
    uint32_t objtype;
    const char *printed; /* what bf_bcd_alias_name gives for the GUID */
} k_aliases[] = {
    {"{bootmgr}", "{9dea862c-5cdd-4e70-acc1-f32b344d4795}", 0x10100002, "{bootmgr}"},
    {"{fwbootmgr}", "{a5a30fa2-3d06-4e9f-b5f4-a01df9d1fcba}", 0x10100001, "{fwbootmgr}"},
    {"{memdiag}", "{b2721d73-1db4-4c62-bf78-c548a880142d}", 0x10200005, "{memdiag}"},
    {"{ntldr}", "{466f5a88-0af2-4f76-9038-095b170dc21c}", 0x10300006, "{ntldr}"},
    {"{legacy}", "{466f5a88-0af2-4f76-9038-095b170dc21c}", 0x10300006, "{ntldr}"},
    {"{current}", "{fa926493-6f1c-4193-a414-58f0b2456d1e}", 0, NULL},
    {"{default}", "{1cae1eb7-a0df-4d4d-9851-4860e34ef535}", 0, NULL},
    {"{emssettings}", "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}", 0x20100000, "{emssettings}"},
    {"{dbgsettings}", "{4636856e-540f-4170-a130-a84776f4c654}", 0x20100000, "{dbgsettings}"},
    {"{eventsettings}", "{4636856e-540f-4170-a130-a84776f4c654}", 0x20100000, "{dbgsettings}"},
    {"{kerneldbgsettings}", "{313e8eed-7098-4586-a9bf-309c61f8d449}", 0x20200003,
     "{kerneldbgsettings}"},
    {"{globalsettings}", "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}", 0x20100000,
     "{globalsettings}"},
    {"{bootloadersettings}", "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}", 0x20200003,
     "{bootloadersettings}"},
    {"{resumeloadersettings}", "{1afa9c49-16ab-4a5c-901b-212802da9460}", 0x20200004,
     "{resumeloadersettings}"},
    {"{badmemory}", "{5189b25c-5558-4bf2-bca4-289b11bd29e2}", 0x20100000, "{badmemory}"},
    {"{hypervisorsettings}", "{7ff607e0-4395-11db-b0de-0800200c9a66}", 0x20200003,
     "{hypervisorsettings}"},
    {"{ramdiskoptions}", "{ae5534e0-a924-466c-b836-758539a3ee3a}", 0x30000000,
     "{ramdiskoptions}"},
};

static void upcase(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 'a' + 'A');
}

START_TEST(test_alias_round_trips)
{
    for (size_t i = 0; i < NELEM(k_aliases); i++) {
        bf_guid g, want;
        uint32_t t = 0xdeadbeef;
        char text[BF_GUID_TEXT];
        ck_assert_int_eq(bf_guid_parse(k_aliases[i].guid, &want), 0);
        ck_assert_msg(bf_bcd_alias_lookup(k_aliases[i].alias, &g, &t) == 0, "%s",
                      k_aliases[i].alias);
        bf_guid_format(&g, text);
        ck_assert_str_eq(text, k_aliases[i].guid);
        ck_assert_msg(t == k_aliases[i].objtype, "%s: type %08x", k_aliases[i].alias, t);
        const char *back = bf_bcd_alias_name(&g);
        if (k_aliases[i].printed)
            ck_assert_msg(back && !strcmp(back, k_aliases[i].printed), "%s printed as %s",
                          k_aliases[i].alias, back ? back : "NULL");
        else
            ck_assert_msg(back == NULL, "%s must not be printed (got %s)", k_aliases[i].alias,
                          back);
        /* case-insensitive, NULL outputs allowed */
        char up[64];
        snprintf(up, sizeof up, "%s", k_aliases[i].alias);
        upcase(up);
        bf_guid g2;
        ck_assert_int_eq(bf_bcd_alias_lookup(up, &g2, NULL), 0);
        ck_assert(bf_guid_equal(&g, &g2));
        ck_assert_int_eq(bf_bcd_alias_lookup(k_aliases[i].alias, NULL, NULL), 0);
    }
    bf_guid g;
    ck_assert_int_eq(bf_bcd_alias_lookup("bootmgr", &g, NULL), -1);
    ck_assert_int_eq(bf_bcd_alias_lookup("{bootmgr", &g, NULL), -1);
    ck_assert_int_eq(bf_bcd_alias_lookup("{bootmgr}x", &g, NULL), -1);
    ck_assert_int_eq(bf_bcd_alias_lookup("{setupldr}", &g, NULL), -1);
    ck_assert_int_eq(bf_bcd_alias_lookup("", &g, NULL), -1);
    ck_assert_int_eq(bf_bcd_alias_lookup(NULL, &g, NULL), -1);
    /* a GUID that is not well known has no alias */
    ck_assert_int_eq(bf_guid_parse("{0fd8694a-e7fe-11f0-91cd-eabb9ab44a94}", &g), 0);
    ck_assert_ptr_null(bf_bcd_alias_name(&g));
    ck_assert_ptr_null(bf_bcd_alias_name(NULL));
}
END_TEST

START_TEST(test_resumeloadersettings_guid)
{
    bf_guid g;
    char text[BF_GUID_TEXT];
    ck_assert_int_eq(bf_bcd_alias_lookup("{resumeloadersettings}", &g, NULL), 0);
    bf_guid_format(&g, text);
    ck_assert_str_eq(text, "{1afa9c49-16ab-4a5c-901b-212802da9460}");
    /* the typo'd GUID of Chappell/phnt is not the alias */
    ck_assert_int_eq(bf_guid_parse("{1afa9c49-16ab-4a5c-4a90-212802da9460}", &g), 0);
    ck_assert_ptr_null(bf_bcd_alias_name(&g));
}
END_TEST

START_TEST(test_internal_guid_constants)
{
    static const struct {
        const bf_guid *g;
        const char *alias;
    } k[] = {
        {&BCD_GUID_BOOTMGR, "{bootmgr}"},       {&BCD_GUID_FWBOOTMGR, "{fwbootmgr}"},
        {&BCD_GUID_DEFAULT, "{default}"},       {&BCD_GUID_CURRENT, "{current}"},
        {&BCD_GUID_EMSSETTINGS, "{emssettings}"}, {&BCD_GUID_DBGSETTINGS, "{dbgsettings}"},
        {&BCD_GUID_GLOBALSETTINGS, "{globalsettings}"},
    };
    for (size_t i = 0; i < NELEM(k); i++) {
        bf_guid g;
        ck_assert_int_eq(bf_bcd_alias_lookup(k[i].alias, &g, NULL), 0);
        ck_assert_msg(bf_guid_equal(&g, k[i].g), "%s", k[i].alias);
    }
}
END_TEST

/* ---- scopes and per-type lookups -------------------------------------------------------- */

START_TEST(test_scope_of_type)
{
    const unsigned base = BF_BCD_SC_LIBRARY | BF_BCD_SC_TEMPLATE;
    const unsigned app = base | BF_BCD_SC_APPLICATION;
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10100001), app | BF_BCD_SC_BOOTMGR);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10100002), app | BF_BCD_SC_BOOTMGR);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x101FFFFF), app);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10200003), app | BF_BCD_SC_OSLOADER);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10200004), app | BF_BCD_SC_RESUME);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10200005), app | BF_BCD_SC_MEMDIAG);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10300006), app | BF_BCD_SC_NTLDR);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10300007), app | BF_BCD_SC_NTLDR);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10400008), app);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x10400009), app | BF_BCD_SC_STARTUP);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x1020000A), app | BF_BCD_SC_BOOTAPP);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x20100000), base);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x20200002), base | BF_BCD_SC_BOOTMGR);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x20200003), base | BF_BCD_SC_OSLOADER);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x20200004), base | BF_BCD_SC_RESUME);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x20300000), base | BF_BCD_SC_DEVICE);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0x30000000), base | BF_BCD_SC_DEVICE);
    ck_assert_uint_eq(bf_bcd_scope_of_type(0), base);
}
END_TEST

static void expect_name(uint32_t code, uint32_t objtype, const char *name)
{
    const bf_bcd_element_def *d = bf_bcd_element_by_code(code, objtype);
    if (!name) {
        ck_assert_msg(d == NULL || d->name == NULL, "%08x in %08x should be unnamed, got %s",
                      code, objtype, d ? d->name : "");
        return;
    }
    ck_assert_msg(d && d->name && !strcmp(d->name, name), "%08x in %08x: want %s, got %s", code,
                  objtype, name, d && d->name ? d->name : "NULL");
    const bf_bcd_element_def *n = bf_bcd_element_by_name(name, objtype);
    ck_assert_msg(n == d, "by name %s in %08x does not give %08x", name, objtype, code);
    uint32_t c = 0;
    bf_error err;
    ck_assert_int_eq(bf_bcd_element_parse_name(name, objtype, &c, &err), BF_OK);
    ck_assert_uint_eq(c, code);
}

START_TEST(test_lookups_per_type)
{
    expect_name(0x23000003, 0x10100002, "default");
    expect_name(0x23000003, 0x10100001, "default");
    expect_name(0x23000003, 0x10200003, "resumeobject");
    expect_name(0x23000003, 0x20200003, "resumeobject"); /* {bootloadersettings}-like */
    expect_name(0x23000006, 0x10100002, "resumeobject");
    expect_name(0x21000001, 0x10200003, "osdevice");
    expect_name(0x21000001, 0x10200004, "filedevice");
    expect_name(0x22000002, 0x10200003, "systemroot");
    expect_name(0x22000002, 0x10200004, "filepath");
    expect_name(0x22000002, 0x10400009, "applicationname");
    expect_name(0x26000001, 0x10400009, "pxesoftreboot");
    expect_name(0x22000001, 0x10300006, "bpbstring");
    expect_name(0x22000001, 0x10300007, "bpbstring");
    expect_name(0x25000021, 0x10200003, "pae");
    expect_name(0x26000004, 0x10200004, "pae");
    expect_name(0x250000C2, 0x10200003, "bootmenupolicy");
    expect_name(0x25000008, 0x10200004, "bootmenupolicy");
    expect_name(0x25000004, 0x10100002, "timeout");
    expect_name(0x25000004, 0x10200005, "testtofail");
    expect_name(0x26000003, 0x10200005, "cacheenable");
    expect_name(0x31000003, 0x30000000, "ramdisksdidevice");
    expect_name(0x35000001, 0x20300000, "ramdiskimageoffset");
    expect_name(0x26000145, 0x10200003, "dtrace");
    expect_name(0x26000145, 0x1020000A, "enablebootdebugpolicy");
    expect_name(0x25000AAA, 0x10200003, "bootflow");   /* "Application" section */
    expect_name(0x25000AAA, 0x101FFFFF, "bootflow");
    expect_name(0x16000020, 0x20100000, "bootems");     /* library: everywhere */
    expect_name(0x16000020, 0x30000000, "bootems");
    expect_name(0x47000006, 0x10100002, "elementstomigrate");
    expect_name(0x47000006, 0x20200003, "elementstomigrate");

    /* codes that do not apply */
    ck_assert_ptr_null(bf_bcd_element_by_code(0x25000004, 0x10200003)); /* timeout in OSL */
    ck_assert_ptr_null(bf_bcd_element_by_code(0x21000001, 0x10100002));
    ck_assert_ptr_null(bf_bcd_element_by_code(0x31000003, 0x10200003)); /* device elt in OSL */
    ck_assert_ptr_null(bf_bcd_element_by_code(0x25000AAA, 0x20200003)); /* app elt, inherit */
    ck_assert_ptr_null(bf_bcd_element_by_code(0x21000026, 0x10200004));
    ck_assert_ptr_null(bf_bcd_element_by_name("timeout", 0x10200003));
    ck_assert_ptr_null(bf_bcd_element_by_name("osdevice", 0x10200004));
    ck_assert_ptr_null(bf_bcd_element_by_name("custom:25000004", 0x10100002));
    ck_assert_ptr_null(bf_bcd_element_by_name("", 0x10100002));
    ck_assert_ptr_null(bf_bcd_element_by_name(NULL, 0x10100002));

    /* unnamed (custom) rows of the table */
    expect_name(0x16000031, 0x10200003, NULL);
    expect_name(0x46000010, 0x10200003, NULL);

    /* case-insensitive names */
    const bf_bcd_element_def *d = bf_bcd_element_by_name("TimeOut", 0x10100002);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->code, 0x25000004);
    d = bf_bcd_element_by_name("SYSTEMROOT", 0x10200003);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->code, 0x22000002);
}
END_TEST

/* ---- every name bcdedit printed in the corpus texts ------------------------------------- */

/* (object type, element name) pairs extracted from the bcdedit outputs in
 * corpus/bcd/text/ (*.txt and the /enum blocks in
 * mattifestation_BCDTemplateFromScratch.ps1), the object type following from the
 * block heading (Windows Setup / OS Target Template are OS loaders, the
 * Settings blocks are inherit objects 0x20100000 / 0x20200003 / 0x20200004,
 * Setup Ramdisk Options / Device options are 0x30000000).  "identifier" is
 * not an element. */
static const struct {
    uint32_t objtype;
    const char *name;
} k_corpus_names[] = {
    {0x10100002u, "bootshutdowndisabled"}, {0x10100002u, "custom:26000025"},
    {0x10100002u, "custom:45000001"}, {0x10100002u, "default"}, {0x10100002u, "description"},
    {0x10100002u, "device"}, {0x10100002u, "displayorder"}, {0x10100002u, "elementstomigrate"},
    {0x10100002u, "inherit"}, {0x10100002u, "integrityservices"}, {0x10100002u, "locale"},
    {0x10100002u, "path"}, {0x10100002u, "resumeobject"}, {0x10100002u, "timeout"},
    {0x10100002u, "toolsdisplayorder"}, {0x10200003u, "allowedinmemorysettings"},
    {0x10200003u, "bootmenupolicy"}, {0x10200003u, "custom:42000002"},
    {0x10200003u, "custom:42000003"}, {0x10200003u, "custom:45000001"},
    {0x10200003u, "custom:46000010"}, {0x10200003u, "custom:47000005"},
    {0x10200003u, "description"}, {0x10200003u, "detecthal"}, {0x10200003u, "device"},
    {0x10200003u, "displaymessage"}, {0x10200003u, "displaymessageoverride"},
    {0x10200003u, "elementstomigrate"}, {0x10200003u, "ems"}, {0x10200003u, "inherit"},
    {0x10200003u, "integrityservices"}, {0x10200003u, "isolatedcontext"},
    {0x10200003u, "locale"}, {0x10200003u, "nx"}, {0x10200003u, "osdevice"},
    {0x10200003u, "path"}, {0x10200003u, "recoveryenabled"}, {0x10200003u, "recoverysequence"},
    {0x10200003u, "resumeobject"}, {0x10200003u, "systemroot"}, {0x10200003u, "winpe"},
    {0x10200004u, "allowedinmemorysettings"}, {0x10200004u, "bootmenupolicy"},
    {0x10200004u, "custom:21000026"}, {0x10200004u, "custom:42000002"},
    {0x10200004u, "custom:45000001"}, {0x10200004u, "custom:46000004"},
    {0x10200004u, "debugoptionenabled"}, {0x10200004u, "description"}, {0x10200004u, "device"},
    {0x10200004u, "filedevice"}, {0x10200004u, "filepath"}, {0x10200004u, "inherit"},
    {0x10200004u, "isolatedcontext"}, {0x10200004u, "locale"}, {0x10200004u, "path"},
    {0x10200004u, "recoveryenabled"}, {0x10200004u, "recoverysequence"},
    {0x10200005u, "badmemoryaccess"}, {0x10200005u, "custom:45000001"},
    {0x10200005u, "custom:47000005"}, {0x10200005u, "description"}, {0x10200005u, "device"},
    {0x10200005u, "inherit"}, {0x10200005u, "locale"}, {0x10200005u, "path"},
    {0x10300006u, "custom:45000001"}, {0x10300006u, "custom:47000005"}, {0x10300006u, "path"},
    {0x20100000u, "baudrate"}, {0x20100000u, "bootems"}, {0x20100000u, "debugport"},
    {0x20100000u, "debugtype"}, {0x20100000u, "elementstomigrate"}, {0x20100000u, "inherit"},
    {0x20200003u, "elementstomigrate"}, {0x20200003u, "hypervisorbaudrate"},
    {0x20200003u, "hypervisordebugport"}, {0x20200003u, "hypervisordebugtype"},
    {0x20200003u, "inherit"}, {0x20200004u, "inherit"}, {0x30000000u, "description"},
    {0x30000000u, "ramdisksdidevice"}, {0x30000000u, "ramdisksdipath"},
};

/* bcdedit names printed by older bcdedit versions that the current table
 * (Chappell, current Windows) names differently.  Windows 8 printed
 * custom:26000025 for {bootmgr}; the table has hiberboot (0x26000025). */
static int older_custom_name(uint32_t objtype, const char *name)
{
    return objtype == 0x10100002 && !strcmp(name, "custom:26000025");
}

static void check_printed_name(uint32_t objtype, const char *name, const char *where)
{
    uint32_t code = 0;
    bf_error err;
    memset(&err, 0, sizeof err);
    int rc = bf_bcd_element_parse_name(name, objtype, &code, &err);
    ck_assert_msg(rc == BF_OK, "%s: '%s' in %08x: %s", where, name, objtype, err.msg);
    char buf[32];
    const char *shown = bf_bcd_element_display_name(code, objtype, buf, sizeof buf);
    if (older_custom_name(objtype, name)) {
        ck_assert_str_eq(shown, "hiberboot");
        return;
    }
    ck_assert_msg(!strcmp(shown, name), "%s: '%s' in %08x is %08x, displayed as '%s'", where,
                  name, objtype, code, shown);
}

START_TEST(test_corpus_names_hardcoded)
{
    for (size_t i = 0; i < NELEM(k_corpus_names); i++)
        check_printed_name(k_corpus_names[i].objtype, k_corpus_names[i].name, "list");
    printf("bcd elements: %zu hard-coded (type, name) pairs from the corpus texts resolve\n",
           NELEM(k_corpus_names));
}
END_TEST

/* Heading text -> object type, as in the corpus outputs. */
static uint32_t type_of_heading(const char *h)
{
    static const struct {
        const char *h;
        uint32_t t;
    } k[] = {
        {"Firmware Boot Manager", 0x10100001},   {"Windows Boot Manager", 0x10100002},
        {"Firmware Application (101fffff)", 0x101FFFFF},
        {"Windows Boot Loader", 0x10200003},      {"Windows Setup", 0x10200003},
        {"OS Target Template", 0x10200003},       {"Resume from Hibernate", 0x10200004},
        {"Windows Memory Tester", 0x10200005},    {"Windows Legacy OS Loader", 0x10300006},
        {"EMS Settings", 0x20100000},             {"Debugger Settings", 0x20100000},
        {"RAM Defects", 0x20100000},              {"Global Settings", 0x20100000},
        {"Boot Loader Settings", 0x20200003},     {"Hypervisor Settings", 0x20200003},
        {"Resume Loader Settings", 0x20200004},   {"Device options", 0x30000000},
        {"Setup Ramdisk Options", 0x30000000},
    };
    for (size_t i = 0; i < NELEM(k); i++)
        if (!strcmp(k[i].h, h)) return k[i].t;
    return 0;
}

static int is_dashes(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s != '-') return 0;
    return 1;
}

static void rstrip(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
}

static int plausible_name(const char *w)
{
    if (!strncmp(w, "custom:", 7)) {
        if (strlen(w) != 15) return 0;
        for (const char *p = w + 7; *p; p++)
            if (!strchr("0123456789abcdef", *p)) return 0;
        return 1;
    }
    if (!(*w >= 'a' && *w <= 'z')) return 0;
    for (; *w; w++)
        if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9'))) return 0;
    return 1;
}

struct text_stats {
    size_t names, headings;
};

/* Parse one bcdedit text: heading + dash line start a block; element lines
 * are "name   value" at column 0; a blank line, "#>", "===" or "*****" ends it. */
static void check_text_file(const char *path, struct text_stats *st)
{
    size_t len;
    uint8_t *raw = test_slurp(path, &len);
    ck_assert_msg(raw != NULL, "cannot read %s", path);
    char *text = malloc(len + 1);
    ck_assert_ptr_nonnull(text);
    memcpy(text, raw, len);
    text[len] = 0;
    free(raw);

    char *lines[2048];
    size_t n = 0;
    for (char *p = text; p && n < NELEM(lines);) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        p = nl ? nl + 1 : NULL;
    }
    for (size_t i = 0; i < n; i++) rstrip(lines[i]);

    uint32_t type = 0;
    const char *heading = NULL;
    for (size_t i = 0; i < n; i++) {
        char *l = lines[i];
        if (i + 1 < n && is_dashes(lines[i + 1]) && type_of_heading(l)) {
            type = type_of_heading(l);
            heading = l;
            st->headings++;
            continue;
        }
        if (is_dashes(l)) continue;
        if (!*l || !strncmp(l, "#>", 2) || !strncmp(l, "===", 3) || !strncmp(l, "*****", 5)) {
            type = 0;
            continue;
        }
        if (!type || l[0] == ' ') continue;
        char word[64];
        if (sscanf(l, "%63s", word) != 1) continue;
        if (!strcmp(word, "identifier")) {
            /* the heading printed for this identifier */
            char id[64] = "";
            sscanf(l, "%*s %63s", id);
            bf_guid g;
            int known = 0;
            if (!strcasecmp(id, "{default}") || !strcasecmp(id, "{current}")) {
                known = 0;
            } else if (bf_guid_parse(id, &g) == 0 || bf_bcd_alias_lookup(id, &g, NULL) == 0) {
                known = 1;
            }
            char buf[96];
            const char *h = bf_bcd_heading(type, known ? &g : NULL, buf, sizeof buf);
            ck_assert_msg(!strcmp(h, heading), "%s: %s (%08x) has heading '%s', bcdedit printed '%s'",
                          path, id, type, h, heading);
            continue;
        }
        if (!plausible_name(word)) continue; /* wrapped value lines, prompts */
        check_printed_name(type, word, path);
        st->names++;
    }
    free(text);
}

START_TEST(test_corpus_texts)
{
    const char *dir = corpus_dir();
    if (!dir) {
        corpus_skip_note("bcd elements: names in the bcdedit texts");
        return;
    }
    static const char *const files[] = {
        "ms_pxe_doc_enum_all_excerpt.txt",
        "nohuto_win-config_system_desc_md_enum_all.txt",
        "win11_25H2_enum_all_v__nohuto_docs.txt",
        "win7_store_enum_excerpt__forum_57172595437.txt",
        "win8_bcdedit_excerpt__wmlcloud.txt",
        "ws2012_offline_store_enum_all__blog_4572365865.txt",
        "mattifestation_BCDTemplateFromScratch.ps1",
    };
    struct text_stats st = {0, 0};
    for (size_t i = 0; i < NELEM(files); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/bcd/text/%s", dir, files[i]);
        check_text_file(path, &st);
    }
    printf("bcd elements: %zu element lines and %zu headings of the corpus bcdedit texts "
           "checked\n",
           st.names, st.headings);
    ck_assert_uint_gt(st.names, 150);
    ck_assert_uint_gt(st.headings, 40);
}
END_TEST

/* ---- enumerations ------------------------------------------------------------------------ */

static void expect_enums(uint32_t code, uint32_t objtype, const char *const *names, size_t n)
{
    const bf_bcd_element_def *d = bf_bcd_element_by_code(code, objtype);
    ck_assert_msg(d != NULL, "%08x", code);
    ck_assert_msg(d->nenums == n, "%08x: %u values, want %zu", code, d->nenums, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(d->enums[i].value, i);
        ck_assert_msg(!strcmp(d->enums[i].name, names[i]), "%08x value %zu: %s, want %s", code,
                      i, d->enums[i].name, names[i]);
    }
}

#define EXPECT_ENUMS(code, type, ...)                                    \
    do {                                                                 \
        static const char *const v_[] = {__VA_ARGS__};                   \
        expect_enums(code, type, v_, NELEM(v_));                         \
    } while (0)

START_TEST(test_enums)
{
    EXPECT_ENUMS(0x25000020, 0x10200003, "OptIn", "OptOut", "AlwaysOff", "AlwaysOn");
    EXPECT_ENUMS(0x25000080, 0x10200003, "Minimal", "Network", "DsRepair");
    EXPECT_ENUMS(0x250000E0, 0x10200003, "DisplayAllFailures", "IgnoreAllFailures",
                 "IgnoreShutdownFailures", "IgnoreBootFailures", "IgnoreCheckpointFailures",
                 "DisplayShutdownFailures", "DisplayBootFailures", "DisplayCheckpointFailures",
                 "AlwaysDisplayStartupFailures");
    EXPECT_ENUMS(0x15000011, 0x20100000, "Serial", "1394", "USB", "NET", "Local");
    EXPECT_ENUMS(0x15000052, 0x10100002, "1024x768", "800x600", "1024x600");
    EXPECT_ENUMS(0x250000C2, 0x10200003, "Legacy", "Standard");
    EXPECT_ENUMS(0x25000008, 0x10200004, "Legacy", "Standard");
    EXPECT_ENUMS(0x250000F0, 0x10200003, "Off", "Auto");
    EXPECT_ENUMS(0x1500004B, 0x10100002, "Default", "Enable", "Disable");
    EXPECT_ENUMS(0x15000066, 0x10200003, "Default", "Resume", "HyperV", "Recovery",
                 "StartupRepair", "SystemImageRecovery", "CommandPrompt", "SystemRestore",
                 "PushButtonReset");
    EXPECT_ENUMS(0x250000F3, 0x20200003, "Serial", "1394", "None", "Net");
    EXPECT_ENUMS(0x250000F7, 0x10200003, "Disabled", "Basic", "Standard"); /* "integer; 0 = ..." */
    EXPECT_ENUMS(0x25000021, 0x10200003, "Default", "ForceEnable", "ForceDisable");

    /* plain integers and the hex-printed lists */
    const bf_bcd_element_def *d = bf_bcd_element_by_code(0x25000004, 0x10100002);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_null(d->enums);
    ck_assert_uint_eq(d->nenums, 0);
    ck_assert_uint_eq(d->flags, 0);
    d = bf_bcd_element_by_code(0x17000077, 0x10200003);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->flags & BF_BCD_DEF_HEX, BF_BCD_DEF_HEX);
    d = bf_bcd_element_by_code(0x47000006, 0x20100000);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->flags & BF_BCD_DEF_HEX, BF_BCD_DEF_HEX);
    d = bf_bcd_element_by_code(0x1700000A, 0x20100000); /* badmemorylist: decimal */
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->flags & BF_BCD_DEF_HEX, 0);
}
END_TEST

/* ---- custom:XXXXXXXX and errors -------------------------------------------------------------- */

START_TEST(test_custom_names)
{
    uint32_t c = 0;
    bf_error err;
    ck_assert_int_eq(bf_bcd_element_parse_name("custom:46000010", 0x10200003, &c, &err), BF_OK);
    ck_assert_uint_eq(c, 0x46000010);
    ck_assert_int_eq(bf_bcd_element_parse_name("CUSTOM:2600002A", 0x10100002, &c, &err), BF_OK);
    ck_assert_uint_eq(c, 0x2600002A);
    ck_assert_int_eq(bf_bcd_element_parse_name("custom:21000026", 0x10200004, &c, &err), BF_OK);
    ck_assert_uint_eq(c, 0x21000026);
    /* custom: names any code, known or not, for any object */
    ck_assert_int_eq(bf_bcd_element_parse_name("custom:25000004", 0x10200003, &c, &err), BF_OK);
    ck_assert_uint_eq(c, 0x25000004);
    ck_assert_int_eq(bf_bcd_element_parse_name("custom:5700abCD", 0x10200003, &c, &err), BF_OK);
    ck_assert_uint_eq(c, 0x5700ABCD);

    static const char *const bad[] = {
        "custom:",          "custom:1234567",  "custom:123456789", "custom:1234567g",
        "custom:0x260000",  "custom: 2600000", "custom:06000001",  "custom:10000001",
        "custom:18000001",  "custom:f6000001", "custom:2600000a ",
    };
    for (size_t i = 0; i < NELEM(bad); i++) {
        c = 0x12345678;
        memset(&err, 0, sizeof err);
        int rc = bf_bcd_element_parse_name(bad[i], 0x10200003, &c, &err);
        ck_assert_msg(rc == BF_ERR_INVALID, "'%s' accepted (rc %d)", bad[i], rc);
        ck_assert_msg(strstr(err.msg, bad[i]) != NULL, "message does not name '%s': %s", bad[i],
                      err.msg);
        ck_assert_uint_eq(c, 0x12345678);
    }
}
END_TEST

#define NOT_RECOGNIZED                                                                        \
    "The element data type specified is not recognized, or does not apply to the specified " \
    "entry."

START_TEST(test_name_errors)
{
    uint32_t c = 0x12345678;
    bf_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bf_bcd_element_parse_name("timeout", 0x10200003, &c, &err), BF_ERR_NOT_FOUND);
    ck_assert_uint_eq(c, 0x12345678);
    ck_assert_int_eq(err.code, BF_ERR_NOT_FOUND);
    ck_assert_str_eq(err.msg, NOT_RECOGNIZED " ('timeout' is a boot manager setting; this entry "
                              "is a Windows Boot Loader (10200003))");

    ck_assert_int_eq(bf_bcd_element_parse_name("osdevice", 0x10200004, &c, &err), BF_ERR_NOT_FOUND);
    ck_assert_str_eq(err.msg, NOT_RECOGNIZED " ('osdevice' is a Windows Boot Loader setting; "
                              "this entry is a Resume from Hibernate (10200004))");

    ck_assert_int_eq(bf_bcd_element_parse_name("bootux", 0x10100002, &c, &err), BF_ERR_NOT_FOUND);
    ck_assert_str_eq(err.msg, NOT_RECOGNIZED " ('bootux' is a Windows Boot Loader or Resume from "
                              "Hibernate setting; this entry is a Windows Boot Manager (10100002))");

    ck_assert_int_eq(bf_bcd_element_parse_name("ramdisksdipath", 0x101FFFFF, &c, &err),
                     BF_ERR_NOT_FOUND);
    ck_assert_str_eq(err.msg, NOT_RECOGNIZED " ('ramdisksdipath' is a device options setting; "
                              "this entry is a Firmware Application (101fffff))");

    ck_assert_int_eq(bf_bcd_element_parse_name("nosuchthing", 0x10200003, &c, &err),
                     BF_ERR_NOT_FOUND);
    ck_assert_str_eq(err.msg, NOT_RECOGNIZED " ('nosuchthing' is not an element name)");

    ck_assert_int_eq(bf_bcd_element_parse_name("", 0x10200003, &c, &err), BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_parse_name(NULL, 0x10200003, &c, &err), BF_ERR_INVALID);
    /* err may be NULL */
    ck_assert_int_eq(bf_bcd_element_parse_name("timeout", 0x10200003, &c, NULL), BF_ERR_NOT_FOUND);
}
END_TEST

/* ---- display names ------------------------------------------------------------------------ */

START_TEST(test_display_names)
{
    char buf[32];
    ck_assert_str_eq(bf_bcd_element_display_name(0x46000010, 0x10200003, buf, sizeof buf),
                     "custom:46000010");
    ck_assert_str_eq(bf_bcd_element_display_name(0x47000006, 0x10100002, buf, sizeof buf),
                     "elementstomigrate");
    ck_assert_str_eq(bf_bcd_element_display_name(0x4200000A, 0x10100002, buf, sizeof buf),
                     "custom:4200000a"); /* lowercase hex */
    ck_assert_str_eq(bf_bcd_element_display_name(0x2600002A, 0x10100002, buf, sizeof buf),
                     "custom:2600002a");
    ck_assert_str_eq(bf_bcd_element_display_name(0x21000026, 0x10200004, buf, sizeof buf),
                     "custom:21000026");
    ck_assert_str_eq(bf_bcd_element_display_name(0x23000003, 0x10100002, buf, sizeof buf),
                     "default");
    ck_assert_str_eq(bf_bcd_element_display_name(0x23000003, 0x10200003, buf, sizeof buf),
                     "resumeobject");
    ck_assert_str_eq(bf_bcd_element_display_name(0x23000003, 0x10200004, buf, sizeof buf),
                     "custom:23000003");
    ck_assert_str_eq(bf_bcd_element_display_name(0x17000077, 0x10200003, buf, sizeof buf),
                     "allowedinmemorysettings");
    ck_assert_str_eq(bf_bcd_element_display_name(0x16000067, 0x10200003, buf, sizeof buf),
                     "custom:16000067"); /* table row with no bcdedit name */
    /* small buffers are not overrun */
    char small[8];
    memset(small, 'x', sizeof small);
    bf_bcd_element_display_name(0x46000010, 0x10200003, small, sizeof small);
    ck_assert_str_eq(small, "custom:");
}
END_TEST

/* ---- headings ----------------------------------------------------------------------------- */

static const char *expected_heading(uint32_t type, const char *guid)
{
    static const struct {
        const char *guid;
        uint32_t type;
        const char *h;
    } byguid[] = {
        {"{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}", 0x20100000, "EMS Settings"},
        {"{4636856e-540f-4170-a130-a84776f4c654}", 0x20100000, "Debugger Settings"},
        {"{5189b25c-5558-4bf2-bca4-289b11bd29e2}", 0x20100000, "RAM Defects"},
        {"{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}", 0x20100000, "Global Settings"},
        {"{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}", 0x20200003, "Boot Loader Settings"},
        {"{7ff607e0-4395-11db-b0de-0800200c9a66}", 0x20200003, "Hypervisor Settings"},
        {"{1afa9c49-16ab-4a5c-901b-212802da9460}", 0x20200004, "Resume Loader Settings"},
        {"{ae5534e0-a924-466c-b836-758539a3ee3a}", 0x30000000, "Setup Ramdisk Options"},
        {"{7254a080-1510-4e85-ac0f-e7fb3d444736}", 0x10200003, "Windows Setup"},
        {"{cbd971bf-b7b8-4885-951a-fa03044f5d71}", 0x10200003, "Windows Setup"},
        {"{a1943bbc-ea85-487c-97c7-c9ede908a38a}", 0x10200003, "OS Target Template"},
        {"{b012b84d-c47c-4ed5-b722-c0c42163e569}", 0x10200003, "OS Target Template"},
    };
    static const struct {
        uint32_t type;
        const char *h;
    } bytype[] = {
        {0x10100001, "Firmware Boot Manager"},  {0x10100002, "Windows Boot Manager"},
        {0x101FFFFF, "Firmware Application (101fffff)"},
        {0x10200003, "Windows Boot Loader"},    {0x10200004, "Resume from Hibernate"},
        {0x10200005, "Windows Memory Tester"},  {0x10300006, "Windows Legacy OS Loader"},
        {0x30000000, "Device options"},
    };
    for (size_t i = 0; i < NELEM(byguid); i++)
        if (guid && byguid[i].type == type && !strcmp(byguid[i].guid, guid)) return byguid[i].h;
    for (size_t i = 0; i < NELEM(bytype); i++)
        if (bytype[i].type == type) return bytype[i].h;
    return NULL;
}

START_TEST(test_headings_fixed)
{
    char buf[96];
    bf_guid g;
    static const struct {
        uint32_t type;
        const char *id;
        const char *want;
    } k[] = {
        {0x10100001, NULL, "Firmware Boot Manager"},
        {0x10100002, "{bootmgr}", "Windows Boot Manager"},
        {0x101FFFFF, NULL, "Firmware Application (101fffff)"},
        {0x101FFFFE, NULL, "Firmware Application (101ffffe)"},
        {0x10200003, NULL, "Windows Boot Loader"},
        {0x10200003, "{7254a080-1510-4e85-ac0f-e7fb3d444736}", "Windows Setup"},
        {0x10200003, "{CBD971BF-B7B8-4885-951A-FA03044F5D71}", "Windows Setup"},
        {0x10200003, "{a1943bbc-ea85-487c-97c7-c9ede908a38a}", "OS Target Template"},
        {0x10200003, "{b012b84d-c47c-4ed5-b722-c0c42163e569}", "OS Target Template"},
        {0x10200003, "{7619dcc9-fafe-11d9-b411-000476eba25f}", "Windows Boot Loader"},
        {0x10200004, "{98b02a23-0674-4ce7-bdad-e0a15a8ff97b}", "Resume from Hibernate"},
        {0x10200005, "{memdiag}", "Windows Memory Tester"},
        {0x10300006, "{ntldr}", "Windows Legacy OS Loader"},
        {0x20100000, "{emssettings}", "EMS Settings"},
        {0x20100000, "{dbgsettings}", "Debugger Settings"},
        {0x20100000, "{badmemory}", "RAM Defects"},
        {0x20100000, "{globalsettings}", "Global Settings"},
        {0x20200003, "{bootloadersettings}", "Boot Loader Settings"},
        {0x20200003, "{hypervisorsettings}", "Hypervisor Settings"},
        {0x20200004, "{resumeloadersettings}", "Resume Loader Settings"},
        {0x30000000, "{ramdiskoptions}", "Setup Ramdisk Options"},
        {0x30000000, "{7619dcc8-fafe-11d9-b411-000476eba25f}", "Device options"},
        {0x30000000, NULL, "Device options"},
    };
    for (size_t i = 0; i < NELEM(k); i++) {
        const bf_guid *gp = NULL;
        if (k[i].id) {
            ck_assert(bf_guid_parse(k[i].id, &g) == 0 || bf_bcd_alias_lookup(k[i].id, &g, NULL) == 0);
            gp = &g;
        }
        const char *h = bf_bcd_heading(k[i].type, gp, buf, sizeof buf);
        ck_assert_msg(!strcmp(h, k[i].want), "%08x %s: '%s', want '%s'", k[i].type,
                      k[i].id ? k[i].id : "-", h, k[i].want);
        ck_assert_ptr_eq(h, buf);
    }
    /* generic forms carry the type in 8 lowercase hex digits */
    const char *h = bf_bcd_heading(0x10400009, NULL, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(h, "(10400009)"));
    h = bf_bcd_heading(0x20200003, NULL, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(h, "(20200003)"));
    h = bf_bcd_heading(0x2020000A, NULL, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(h, "(2020000a)"));
    /* a well-known GUID on an object of another type gets the type's heading */
    ck_assert_int_eq(bf_bcd_alias_lookup("{globalsettings}", &g, NULL), 0);
    ck_assert_str_eq(bf_bcd_heading(0x10200003, &g, buf, sizeof buf), "Windows Boot Loader");
    /* truncation into a small buffer stays terminated */
    char small[6];
    bf_bcd_heading(0x10100002, NULL, small, sizeof small);
    ck_assert_str_eq(small, "Windo");
}
END_TEST

static void read_type(bf_hive *h, bf_node obj, uint32_t *type, int *ok)
{
    bf_error err;
    bf_node desc;
    bf_value v;
    uint32_t vt;
    uint8_t *data = NULL;
    size_t len = 0;
    *ok = 0;
    if (bf_node_child(h, obj, "Description", &desc, &err) != BF_OK) return;
    if (bf_node_get_value(h, desc, "Type", &v, &err) != BF_OK) return;
    if (bf_value_data(h, v, &vt, &data, &len, &err) != BF_OK) return;
    if (vt == 4 && len == 4) {
        *type = rd32(data);
        *ok = 1;
    }
    free(data);
}

START_TEST(test_headings_corpus_stores)
{
    const char *dir = corpus_dir();
    if (!dir) {
        corpus_skip_note("bcd elements: headings of the corpus stores");
        return;
    }
    char bcddir[4096];
    snprintf(bcddir, sizeof bcddir, "%s/bcd", dir);
    DIR *d = opendir(bcddir);
    ck_assert_msg(d != NULL, "cannot open %s", bcddir);
    size_t stores = 0, objects = 0, generic = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".bin")) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", bcddir, de->d_name);
        bf_hive *h = NULL;
        bf_error err;
        ck_assert_msg(bf_hive_open(path, BF_OPEN_NO_LOGS, &h, &err) == BF_OK, "%s: %s", path,
                      err.msg);
        stores++;
        bf_node objs;
        if (bf_node_child(h, bf_hive_root(h), "Objects", &objs, &err) != BF_OK) {
            bf_hive_close(h);
            continue;
        }
        bf_node *kids = NULL;
        size_t nk = 0;
        ck_assert_int_eq(bf_node_children(h, objs, &kids, &nk, &err), BF_OK);
        for (size_t i = 0; i < nk; i++) {
            char *name = NULL;
            ck_assert_int_eq(bf_node_name(h, kids[i], &name, &err), BF_OK);
            bf_guid g;
            uint32_t type = 0;
            int ok;
            read_type(h, kids[i], &type, &ok);
            if (bf_guid_parse(name, &g) != 0 || !ok) {
                free(name);
                continue;
            }
            char text[BF_GUID_TEXT];
            bf_guid_format(&g, text);
            char buf[96];
            const char *got = bf_bcd_heading(type, &g, buf, sizeof buf);
            const char *want = expected_heading(type, text);
            if (want) {
                ck_assert_msg(!strcmp(got, want), "%s %s (%08x): '%s', want '%s'", de->d_name,
                              text, type, got, want);
            } else {
                /* types without a fixed heading: the generic form with the type */
                char hex[16];
                snprintf(hex, sizeof hex, "(%08x)", type);
                ck_assert_msg(strstr(got, hex) != NULL, "%s %s (%08x): '%s'", de->d_name, text,
                              type, got);
                generic++;
            }
            objects++;
            free(name);
        }
        free(kids);
        bf_hive_close(h);
    }
    closedir(d);
    printf("bcd elements: headings of %zu objects in %zu corpus stores checked (%zu generic)\n",
           objects, stores, generic);
    ck_assert_uint_ge(stores, 16);
    ck_assert_uint_gt(objects, 150);
}
END_TEST

/* ---- /create type names ------------------------------------------------------------------- */

START_TEST(test_create_types)
{
    static const struct {
        const char *name;
        uint32_t type;
    } app[] = {
        {"osloader", 0x10200003}, {"resume", 0x10200004},    {"bootsector", 0x10400008},
        {"startup", 0x10400009},  {"bootapp", 0x1020000A},   {"OSLoader", 0x10200003},
        {"STARTUP", 0x10400009},
    };
    for (size_t i = 0; i < NELEM(app); i++) {
        uint32_t t = 0;
        ck_assert_msg(bf_bcd_type_for_application(app[i].name, &t) == 0, "%s", app[i].name);
        ck_assert_msg(t == app[i].type, "%s: %08x", app[i].name, t);
    }
    static const char *const bad_app[] = {"bootmgr", "fwbootmgr", "memdiag", "ntldr", "device",
                                          "", "osloader2", "firmware"};
    for (size_t i = 0; i < NELEM(bad_app); i++) {
        uint32_t t = 0x55;
        ck_assert_msg(bf_bcd_type_for_application(bad_app[i], &t) == -1, "%s", bad_app[i]);
        ck_assert_uint_eq(t, 0x55);
    }
    ck_assert_int_eq(bf_bcd_type_for_application(NULL, NULL), -1);

    static const struct {
        const char *name;
        uint32_t type;
    } inh[] = {
        {"", 0x20100000},         {"fwbootmgr", 0x20200001}, {"bootmgr", 0x20200002},
        {"osloader", 0x20200003}, {"resume", 0x20200004},    {"memdiag", 0x20200005},
        {"ntldr", 0x20200006},    {"setupldr", 0x20200007},  {"bootsector", 0x20200008},
        {"startup", 0x20200009},  {"device", 0x20300000},    {"OSLOADER", 0x20200003},
        {"Device", 0x20300000},
    };
    for (size_t i = 0; i < NELEM(inh); i++) {
        uint32_t t = 0;
        ck_assert_msg(bf_bcd_type_for_inherit(inh[i].name, &t) == 0, "%s", inh[i].name);
        ck_assert_msg(t == inh[i].type, "%s: %08x", inh[i].name, t);
    }
    uint32_t t = 0;
    ck_assert_int_eq(bf_bcd_type_for_inherit(NULL, &t), 0);
    ck_assert_uint_eq(t, 0x20100000);
    ck_assert_int_eq(bf_bcd_type_for_inherit("foo", &t), -1);
    ck_assert_int_eq(bf_bcd_type_for_inherit("{globalsettings}", &t), -1);
}
END_TEST

/* ---- the table itself ----------------------------------------------------------------------- */

START_TEST(test_table_consistency)
{
    size_t n = 0;
    const bf_bcd_element_def *t = bf_bcd_element_table(&n);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(n, 316); /* rows of bcd-elements-full-table.md, none merged */
    ck_assert_ptr_eq(bf_bcd_element_table(NULL), t);
    size_t named = 0, enumerated = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(t[i].scope != 0, "%08x has no scope", t[i].code);
        ck_assert_msg(bf_bcd_format_name(BF_BCD_FORMAT(t[i].code)) != NULL, "%08x format",
                      t[i].code);
        unsigned cls = BF_BCD_CLASS(t[i].code);
        if (cls == 1) ck_assert_uint_eq(t[i].scope, BF_BCD_SC_LIBRARY);
        if (cls == 3) ck_assert_uint_eq(t[i].scope, BF_BCD_SC_DEVICE);
        if (cls == 4) ck_assert_uint_eq(t[i].scope, BF_BCD_SC_TEMPLATE);
        if (t[i].name) {
            named++;
            for (const char *p = t[i].name; *p; p++)
                ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'), "%s",
                              t[i].name);
        }
        ck_assert((t[i].enums == NULL) == (t[i].nenums == 0));
        if (t[i].nenums) enumerated++;
        for (unsigned k = 0; k + 1 < t[i].nenums; k++)
            ck_assert_msg(t[i].enums[k].value < t[i].enums[k + 1].value, "%08x enum order",
                          t[i].code);
        /* no other definition of the same code applies in the same scopes */
        for (size_t j = i + 1; j < n; j++) {
            if (t[j].code != t[i].code) continue;
            ck_assert_msg(!(t[i].scope & t[j].scope), "%08x defined twice", t[i].code);
        }
    }
    ck_assert_uint_gt(named, 250);
    ck_assert_uint_gt(enumerated, 30);
    ck_assert_str_eq(bf_bcd_format_name(1), "device");
    ck_assert_str_eq(bf_bcd_format_name(3), "GUID");
    ck_assert_str_eq(bf_bcd_format_name(7), "integer list");
    ck_assert_ptr_null(bf_bcd_format_name(0));
    ck_assert_ptr_null(bf_bcd_format_name(8));
}
END_TEST

START_TEST(test_lookup_speed)
{
    /* /enum of a big store looks up every element; 200k lookups must be quick */
    volatile size_t hits = 0;
    for (int r = 0; r < 1000; r++)
        for (uint32_t c = 0x25000000; c < 0x250000C8; c++)
            if (bf_bcd_element_by_code(c, 0x10200003)) hits++;
    ck_assert_uint_gt(hits, 0);
}
END_TEST

/* ---- the generator -------------------------------------------------------------------------- */

START_TEST(test_generator_in_sync)
{
    const char *src = getenv("BOOTFIX_SRC");
    if (!src || !*src) src = ".";
    char gen[4096], ref[4096], table[4096], out[4200], cmd[16384];
    snprintf(gen, sizeof gen, "%s/tools/gen-bcd-elements.py", src);
    snprintf(ref, sizeof ref, "%s/../shared/reference/bcd-elements-full-table.md", src);
    snprintf(table, sizeof table, "%s/lib/bcd/element_table.c", src);
    if (access(ref, R_OK) != 0 || access(gen, R_OK) != 0) {
        printf("SKIPPED: bcd elements: generator sync: %s or %s not found\n", ref, gen);
        return;
    }
    if (system("python3 -c 'import sys' >/dev/null 2>&1") != 0) {
        printf("SKIPPED: bcd elements: generator sync: python3 not available\n");
        return;
    }
    char tmpl[] = "/tmp/bcd-elements-XXXXXX";
    int fd = mkstemp(tmpl);
    ck_assert_int_ge(fd, 0);
    close(fd);
    snprintf(out, sizeof out, "%s", tmpl);
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' > '%s'", gen, ref, out);
    int rc = system(cmd);
    size_t la = 0, lb = 0;
    uint8_t *a = test_slurp(out, &la);
    uint8_t *b = test_slurp(table, &lb);
    unlink(out);
    ck_assert_msg(rc == 0, "%s failed (%d)", cmd, rc);
    ck_assert_msg(a && b, "cannot read the generated text or %s", table);
    ck_assert_msg(la == lb && memcmp(a, b, la) == 0,
                  "lib/bcd/element_table.c is not what tools/gen-bcd-elements.py makes; "
                  "regenerate it (command in its header)");
    free(a);
    free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bcd_elements");
    TCase *tc = tcase_create("elements");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_alias_round_trips);
    tcase_add_test(tc, test_resumeloadersettings_guid);
    tcase_add_test(tc, test_internal_guid_constants);
    tcase_add_test(tc, test_scope_of_type);
    tcase_add_test(tc, test_lookups_per_type);
    tcase_add_test(tc, test_corpus_names_hardcoded);
    tcase_add_test(tc, test_corpus_texts);
    tcase_add_test(tc, test_enums);
    tcase_add_test(tc, test_custom_names);
    tcase_add_test(tc, test_name_errors);
    tcase_add_test(tc, test_display_names);
    tcase_add_test(tc, test_headings_fixed);
    tcase_add_test(tc, test_headings_corpus_stores);
    tcase_add_test(tc, test_create_types);
    tcase_add_test(tc, test_table_consistency);
    tcase_add_test(tc, test_lookup_speed);
    tcase_add_test(tc, test_generator_in_sync);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
