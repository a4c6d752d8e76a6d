/*
 * test_bcd_enum — `bcdedit /enum` text (bf_bcd_enum) and element values as
 * text (bf_bcd_value_parse / bf_bcd_value_format).
 *
 *  (a) layout: stores rebuilt through the library API from two real bcdedit
 *      outputs (../shared/corpus/bcd/text/) must enumerate to the same text,
 *      line for line;
 *  (b) every real store of the corpus enumerates, every element once;
 *  (c) value round trips for every format and every enumeration name, and
 *      the errors for bad values.
 */
#include "common/runner.h"
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bootfix/bcd.h"
#include "common/corpus.h"
#include "common/files.h"

/* ---- helpers ------------------------------------------------------------------------- */

#define MAXV 4

typedef struct el_spec {
    uint32_t code;
    const char *v[MAXV]; /* bcdedit value words, NULL-terminated */
} el_spec;

typedef struct obj_spec {
    const char *id;
    uint32_t type;
    el_spec el[16]; /* code 0 ends */
} obj_spec;

static bf_guid guid_of(const char *s)
{
    bf_guid g;
    ck_assert_msg(bf_guid_parse(s, &g) == 0, "bad GUID in test: %s", s);
    return g;
}

static size_t nvals_of(const el_spec *e)
{
    size_t n = 0;
    while (n < MAXV && e->v[n]) n++;
    return n;
}

/* Parse the value words as bcdedit would and store them. */
static void set_value(bf_bcd *s, const char *id, uint32_t type, uint32_t code,
                      const char *const *v, size_t n, const bf_bcd_drive_map *map)
{
    bf_guid g = guid_of(id);
    uint32_t rt = 0;
    uint8_t *d = NULL;
    size_t len = 0;
    bf_error e = {0};
    int rc = bf_bcd_value_parse(s, type, code, v, n, map, &rt, &d, &len, &e);
    ck_assert_msg(rc == BF_OK, "%s %08x '%s': parse rc %d: %s", id, code, v[0], rc, e.msg);
    rc = bf_bcd_element_set(s, &g, code, rt, d, len, &e);
    ck_assert_msg(rc == BF_OK, "%s %08x: set rc %d: %s", id, code, rc, e.msg);
    free(d);
}

static bf_bcd *build_store(const obj_spec *objs, size_t n, const bf_bcd_drive_map *map)
{
    bf_bcd *s = NULL;
    bf_error e = {0};
    ck_assert_msg(bf_bcd_new(&s, &e) == BF_OK, "bf_bcd_new: %s", e.msg);
    for (size_t i = 0; i < n; i++) {
        bf_guid g = guid_of(objs[i].id);
        int rc = bf_bcd_object_create(s, &g, objs[i].type, NULL, &e);
        ck_assert_msg(rc == BF_OK, "create %s: %s", objs[i].id, e.msg);
    }
    for (size_t i = 0; i < n; i++)
        for (const el_spec *el = objs[i].el; el->code; el++)
            set_value(s, objs[i].id, objs[i].type, el->code, el->v, nvals_of(el), map);
    return s;
}

/* Text split at '\n' (a final newline does not make an empty last line). */
typedef struct tlines {
    char **v;
    size_t n;
} tlines;

static tlines split_lines(const char *text)
{
    tlines t = {NULL, 0};
    size_t cap = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len && p[len - 1] == '\r') len--;
        if (t.n == cap) {
            cap = cap ? 2 * cap : 64;
            t.v = realloc(t.v, cap * sizeof *t.v);
            ck_assert_ptr_nonnull(t.v);
        }
        t.v[t.n] = strndup(p, len);
        ck_assert_ptr_nonnull(t.v[t.n]);
        t.n++;
        p += len;
        if (*p == '\r') p++;
        if (*p == '\n') p++;
    }
    return t;
}

static void free_lines(tlines *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->v[i]);
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

static void drop_line(tlines *t, size_t i)
{
    free(t->v[i]);
    memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof *t->v);
    t->n--;
}

static char *corpus_text(const char *name)
{
    const char *dir = corpus_dir();
    char path[4200];
    size_t len = 0;
    if (!dir) return NULL;
    snprintf(path, sizeof path, "%s/bcd/text/%s", dir, name);
    uint8_t *b = test_slurp(path, &len);
    if (!b) return NULL;
    char *s = malloc(len + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, b, len);
    s[len] = 0;
    free(b);
    return s;
}

/* Values an offline store cannot reproduce: they name volumes of the running
 * system (\Device\HarddiskVolumeN) or a disk bcdedit could not find. */
static int live_value(const char *line)
{
    const char *v = strlen(line) > 24 ? line + 24 : "";
    return strcmp(v, "unknown") == 0 || strncmp(v, "partition=\\Device\\", 18) == 0 ||
           strncmp(v, "ramdisk=[\\Device\\", 17) == 0;
}

/* Compare line by line; live-system values only by the name column. */
static void compare_layout(const tlines *want, const tlines *got, const char *what)
{
    size_t n = want->n < got->n ? want->n : got->n;
    for (size_t i = 0; i < n; i++) {
        const char *w = want->v[i], *g = got->v[i];
        if (live_value(w)) {
            ck_assert_msg(strlen(g) > 24 && strncmp(w, g, 24) == 0,
                          "%s line %zu: want name column '%.24s', got '%s'", what, i + 1, w, g);
            continue;
        }
        ck_assert_msg(strcmp(w, g) == 0, "%s line %zu:\n want '%s'\n got  '%s'", what, i + 1, w,
                      g);
    }
    ck_assert_msg(want->n == got->n, "%s: %zu lines wanted, %zu produced", what, want->n,
                  got->n);
}

/* ---- (a) layout: Windows Server 2012 offline store, /enum all -------------------------- */

#define G_BOOTMGR "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
#define G_MEMDIAG "{b2721d73-1db4-4c62-bf78-c548a880142d}"
#define G_EMS "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}"
#define G_DBG "{4636856e-540f-4170-a130-a84776f4c654}"
#define G_BADMEM "{5189b25c-5558-4bf2-bca4-289b11bd29e2}"
#define G_GLOBAL "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}"
#define G_LOADERSET "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}"
#define G_HYPERV "{7ff607e0-4395-11db-b0de-0800200c9a66}"
#define G_RESUMESET "{1afa9c49-16ab-4a5c-901b-212802da9460}"

/* 2012 store: the setup entry, the ramdisk options, the resume object; the
 * GUID of {default} is not in the text (it is shown as {default}), any GUID
 * sorting after {7619dcc9-...} keeps bcdedit's order. */
#define W12_SETUP "{7619dcc9-fafe-11d9-b411-000476eba25f}"
#define W12_RDOPT "{7619dcc8-fafe-11d9-b411-000476eba25f}"
#define W12_RESUME "{b520e13c-48da-11e2-9a8b-00155d011700}"
#define W12_DEFAULT "{b520e13d-48da-11e2-9a8b-00155d011700}"
/* a partition no drive map knows: bcdedit printed "unknown" for it */
#define W12_UNKNOWN "partition=mbr:1234abcd:1048576"
#define W12_RAMDISK "ramdisk=[boot]\\sources\\boot.wim," W12_RDOPT

static const obj_spec ws2012[] = {
    {G_BOOTMGR,
     0x10100002,
     {{0x11000001, {W12_UNKNOWN}},
      {0x12000004, {"Windows Boot Manager"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {"{globalsettings}"}},
      {0x16000074, {"Yes"}},
      {0x23000003, {W12_DEFAULT}},
      {0x23000006, {W12_RESUME}},
      {0x24000001, {"{default}", W12_SETUP}},
      {0x24000010, {"{memdiag}"}},
      {0x25000004, {"3"}}}},
    {W12_SETUP,
     0x10200003,
     {{0x11000001, {W12_RAMDISK}},
      {0x12000002, {"\\windows\\system32\\boot\\winload.exe"}},
      {0x12000004, {"Windows Setup"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {"{bootloadersettings}"}},
      {0x21000001, {W12_RAMDISK}},
      {0x22000002, {"\\windows"}},
      {0x26000010, {"yes"}},
      {0x26000022, {"on"}},
      {0x260000b0, {"TRUE"}}}},
    {W12_DEFAULT,
     0x10200003,
     {{0x11000001, {W12_UNKNOWN}},
      {0x12000002, {"\\Windows\\system32\\winload.exe"}},
      {0x12000004, {"Windows Server 2012"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {"{bootloadersettings}"}},
      {0x17000077, {"0x15000075"}},
      {0x21000001, {W12_UNKNOWN}},
      {0x22000002, {"\\Windows"}},
      {0x23000003, {W12_RESUME}},
      {0x25000020, {"optout"}},
      {0x26000010, {"1"}}}},
    {W12_RESUME,
     0x10200004,
     {{0x11000001, {W12_UNKNOWN}},
      {0x12000002, {"\\Windows\\system32\\winresume.exe"}},
      {0x12000004, {"Windows Resume Application"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {"{resumeloadersettings}"}},
      {0x17000077, {"352321653"}},
      {0x22000002, {"\\hiberfil.sys"}}}},
    {G_MEMDIAG,
     0x10200005,
     {{0x11000001, {W12_UNKNOWN}},
      {0x12000002, {"\\boot\\memtest.exe"}},
      {0x12000004, {"Windows Memory Diagnostic"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {"{globalsettings}"}},
      {0x1600000b, {"Yes"}}}},
    {G_EMS, 0x20100000, {{0x16000020, {"Yes"}}}},
    {G_DBG,
     0x20100000,
     {{0x15000011, {"serial"}}, {0x15000013, {"1"}}, {0x15000014, {"115200"}}}},
    {G_BADMEM, 0x20100000, {{0}}},
    {G_GLOBAL, 0x20100000, {{0x14000006, {"{dbgsettings}", "{emssettings}", "{badmemory}"}}}},
    {G_LOADERSET, 0x20200003, {{0x14000006, {"{globalsettings}", "{hypervisorsettings}"}}}},
    {G_HYPERV,
     0x20200003,
     {{0x250000f3, {"Serial"}}, {0x250000f4, {"1"}}, {0x250000f5, {"0x1c200"}}}},
    {G_RESUMESET, 0x20200004, {{0x14000006, {"{globalsettings}"}}}},
    {W12_RDOPT, 0x30000000, {{0x31000003, {"boot"}}, {0x32000004, {"\\boot\\boot.sdi"}}}},
};

/* The capture: a command line, then bcdedit's output (which begins with an
 * empty line), then the blog's "=== Same blog post" appendix.  The console
 * was 80 columns wide, so the two ramdisk lines (longer than 80) were broken
 * into an 80-character line and a remainder; bcdedit itself does not wrap
 * (the Windows 11 capture has an unbroken 130-character line), so such pairs
 * are joined again before comparing. */
static tlines ws2012_expected(const char *text)
{
    tlines t = split_lines(text);
    size_t end = 0;
    while (end < t.n && strncmp(t.v[end], "=== Same blog post", 18) != 0) end++;
    while (t.n > end) drop_line(&t, t.n - 1);
    while (t.n && t.v[t.n - 1][0] == 0) drop_line(&t, t.n - 1);
    ck_assert_msg(t.n > 1 && strncmp(t.v[0], "C:\\", 3) == 0, "capture layout changed");
    drop_line(&t, 0); /* the command line */
    for (size_t i = 0; i + 1 < t.n; i++) {
        if (strlen(t.v[i]) != 80) continue;
        size_t a = strlen(t.v[i]), b = strlen(t.v[i + 1]);
        char *j = malloc(a + b + 1);
        ck_assert_ptr_nonnull(j);
        memcpy(j, t.v[i], a);
        memcpy(j + a, t.v[i + 1], b + 1);
        free(t.v[i]);
        t.v[i] = j;
        drop_line(&t, i + 1);
    }
    return t;
}

START_TEST(layout_ws2012)
{
    char *text = corpus_text("ws2012_offline_store_enum_all__blog_4572365865.txt");
    if (!text) {
        corpus_skip_note("test_bcd_enum layout_ws2012");
        return;
    }
    tlines want = ws2012_expected(text);
    bf_bcd *s = build_store(ws2012, sizeof ws2012 / sizeof ws2012[0], NULL);
    char *out = NULL;
    bf_error e = {0};
    ck_assert_msg(bf_bcd_enum(s, "all", 0, NULL, &out, &e) == BF_OK, "enum all: %s", e.msg);
    ck_assert_msg(out[0] == '\n', "bcdedit output starts with an empty line");
    ck_assert_msg(out[strlen(out) - 1] == '\n' && out[strlen(out) - 2] != '\n',
                  "output ends with exactly one newline");
    tlines got = split_lines(out);
    compare_layout(&want, &got, "ws2012 /enum all");
    /* the "unknown" lines: the partition is not in the (empty) drive map */
    int unknown = 0;
    for (size_t i = 0; i < got.n; i++)
        if (strncmp(got.v[i], "device                  unknown", 31) == 0) unknown++;
    ck_assert_int_eq(unknown, 4);
    free_lines(&got);
    free_lines(&want);
    free(out);
    free(text);
    bf_bcd_close(s);
}
END_TEST

/* ---- (a) layout: Windows 11 25H2, /enum all /v ------------------------------------------- */

#define W11_LOADER "{0fd8694a-e7fe-11f0-91cd-eabb9ab44a94}"
#define W11_RESUME "{0fd86949-e7fe-11f0-91cd-eabb9ab44a94}"
#define W11_WINRE "{0fd8694b-e7fe-11f0-91cd-eabb9ab44a94}"
#define W11_RDOPT "{0fd8694c-e7fe-11f0-91cd-eabb9ab44a94}"
/* volumes the text shows as \Device\HarddiskVolume1 / 3: not in the map */
#define W11_ESP "partition=gpt:{11111111-2222-3333-4444-555555555555}:{11111111-2222-3333-4444-000000000001}"
#define W11_RE_PARENT "gpt:{11111111-2222-3333-4444-555555555555}:{11111111-2222-3333-4444-000000000003}"
#define W11_RAMDISK "ramdisk=[" W11_RE_PARENT "]\\Recovery\\WindowsRE\\Winre.wim," W11_RDOPT

static const bf_bcd_drive w11_drives[] = {
    {'C',
     {BF_BCD_PART_GPT,
      {0x11111111, 0x2222, 0x3333, {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}},
      {0x11111111, 0x2222, 0x3333, {0x44, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04}},
      0,
      0}},
};
static const bf_bcd_drive_map w11_map = {w11_drives, 1};

static const obj_spec win11[] = {
    {G_BOOTMGR,
     0x10100002,
     {{0x11000001, {W11_ESP}},
      {0x12000004, {"Windows Boot Manager"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {G_GLOBAL}},
      {0x23000003, {W11_LOADER}},
      {0x23000006, {W11_RESUME}},
      {0x24000001, {W11_LOADER}},
      {0x24000010, {G_MEMDIAG}},
      {0x25000004, {"30"}}}},
    {W11_LOADER,
     0x10200003,
     {{0x11000001, {"partition=C:"}},
      {0x12000002, {"\\WINDOWS\\system32\\winload.exe"}},
      {0x12000004, {"Windows 11"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {"{bootloadersettings}"}},
      {0x14000008, {W11_WINRE}},
      {0x15000066, {"Recovery"}},
      {0x16000009, {"Yes"}},
      {0x17000077, {"0x15000075"}},
      {0x21000001, {"partition=C:"}},
      {0x22000002, {"\\WINDOWS"}},
      {0x23000003, {W11_RESUME}},
      {0x25000020, {"OptIn"}},
      {0x250000c2, {"Standard"}}}},
    {W11_WINRE,
     0x10200003,
     {{0x11000001, {W11_RAMDISK}},
      {0x12000002, {"\\windows\\system32\\winload.exe"}},
      {0x12000004, {"Windows Recovery Environment"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {G_LOADERSET}},
      {0x15000065, {"recovery"}},
      {0x21000001, {W11_RAMDISK}},
      {0x22000002, {"\\windows"}},
      {0x25000020, {"0"}},
      {0x250000c2, {"1"}},
      {0x26000022, {"Yes"}},
      {0x46000010, {"Yes"}}}},
    {W11_RESUME,
     0x10200004,
     {{0x11000001, {"partition=C:"}},
      {0x12000002, {"\\WINDOWS\\system32\\winresume.exe"}},
      {0x12000004, {"Windows Resume Application"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {"{resumeloadersettings}"}},
      {0x14000008, {W11_WINRE}},
      {0x16000009, {"Yes"}},
      {0x17000077, {"0x15000075"}},
      {0x21000001, {"partition=C:"}},
      {0x21000026, {"partition=C:"}},
      {0x22000002, {"\\hiberfil.sys"}},
      {0x25000008, {"Standard"}},
      {0x26000006, {"No"}}}},
    {G_MEMDIAG,
     0x10200005,
     {{0x11000001, {W11_ESP}},
      {0x12000002, {"\\boot\\memtest.exe"}},
      {0x12000004, {"Windows Memory Diagnostic"}},
      {0x12000005, {"en-US"}},
      {0x14000006, {"{globalsettings}"}},
      {0x1600000b, {"Yes"}}}},
    {G_EMS, 0x20100000, {{0x16000020, {"No"}}}},
    {G_DBG, 0x20100000, {{0x15000011, {"Local"}}}},
    {G_BADMEM, 0x20100000, {{0}}},
    {G_GLOBAL, 0x20100000, {{0x14000006, {G_DBG, G_EMS, G_BADMEM}}}},
    {G_LOADERSET, 0x20200003, {{0x14000006, {G_GLOBAL, G_HYPERV}}}},
    {G_HYPERV,
     0x20200003,
     {{0x250000f3, {"Serial"}}, {0x250000f4, {"1"}}, {0x250000f5, {"115200"}}}},
    {G_RESUMESET, 0x20200004, {{0x14000006, {G_GLOBAL}}}},
    {W11_RDOPT,
     0x30000000,
     {{0x12000004, {"Windows Recovery"}},
      {0x31000003, {W11_ESP}},
      {0x32000004, {"\\Recovery\\WindowsRE\\boot.sdi"}}}},
};

START_TEST(layout_win11_verbose)
{
    char *text = corpus_text("win11_25H2_enum_all_v__nohuto_docs.txt");
    if (!text) {
        corpus_skip_note("test_bcd_enum layout_win11_verbose");
        return;
    }
    tlines want = split_lines(text);
    bf_bcd *s = build_store(win11, sizeof win11 / sizeof win11[0], &w11_map);
    char *out = NULL;
    bf_error e = {0};
    ck_assert_msg(bf_bcd_enum(s, "ALL", BF_BCD_VERBOSE, &w11_map, &out, &e) == BF_OK,
                  "enum all /v: %s", e.msg);
    tlines got = split_lines(out);
    /* The capture was copied from a documentation page that starts with the
     * first heading; bcdedit's leading empty line is not in it. */
    ck_assert_msg(got.n && got.v[0][0] == 0, "output starts with an empty line");
    drop_line(&got, 0);
    compare_layout(&want, &got, "win11 /enum all /v");
    free_lines(&got);
    free(out);

    /* Without /v the class-4 element disappears and aliases come back. */
    ck_assert_msg(bf_bcd_enum(s, "all", 0, &w11_map, &out, &e) == BF_OK, "enum all: %s", e.msg);
    ck_assert_ptr_null(strstr(out, "custom:46000010"));
    ck_assert_ptr_nonnull(strstr(out, "\nidentifier              {default}\n"));
    ck_assert_ptr_nonnull(strstr(out, "\ndefault                 {default}\n"));
    ck_assert_ptr_nonnull(strstr(out, "\ninherit                 {dbgsettings}\n"
                                      "                        {emssettings}\n"
                                      "                        {badmemory}\n"));
    ck_assert_ptr_nonnull(strstr(out, "\ncustom:21000026         partition=C:\n"));
    free(out);
    free_lines(&want);
    free(text);
    bf_bcd_close(s);
}
END_TEST

/* ---- selections ---------------------------------------------------------------------- */

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static char *enum_ok(bf_bcd *s, const char *what, unsigned flags)
{
    char *out = NULL;
    bf_error e = {0};
    int rc = bf_bcd_enum(s, what, flags, NULL, &out, &e);
    ck_assert_msg(rc == BF_OK, "enum %s: rc %d %s", what ? what : "(null)", rc, e.msg);
    ck_assert_ptr_nonnull(out);
    return out;
}

START_TEST(selections)
{
    bf_bcd *s = build_store(ws2012, sizeof ws2012 / sizeof ws2012[0], NULL);
    char *out;

    /* active: the boot manager, then its displayorder in order */
    out = enum_ok(s, NULL, 0);
    ck_assert_uint_eq(count_str(out, "\nidentifier "), 3);
    const char *a = strstr(out, "identifier              {bootmgr}");
    const char *b = strstr(out, "identifier              {default}");
    const char *c = strstr(out, "identifier              " W12_SETUP);
    ck_assert_msg(a && b && c && a < b && b < c, "active order:\n%s", out);
    free(out);
    out = enum_ok(s, "Active", 0);
    ck_assert_uint_eq(count_str(out, "\nidentifier "), 3);
    free(out);

    static const struct {
        const char *what;
        size_t n;
    } sel[] = {{"all", 13},    {"bootmgr", 1}, {"OSLOADER", 2}, {"resume", 1},
               {"memdiag", 1}, {"ntldr", 0},   {"firmware", 0}, {"bootapp", 4},
               {"inherit", 7}, {"device", 1},  {"{default}", 1}, {"{memdiag}", 1},
               {W12_RESUME, 1}};
    for (size_t i = 0; i < sizeof sel / sizeof sel[0]; i++) {
        out = enum_ok(s, sel[i].what, 0);
        ck_assert_msg(count_str(out, "\nidentifier ") == sel[i].n, "enum %s: %zu objects, want %zu",
                      sel[i].what, count_str(out, "\nidentifier "), sel[i].n);
        if (sel[i].n == 0) ck_assert_str_eq(out, "");
        free(out);
    }
    out = enum_ok(s, "{default}", BF_BCD_VERBOSE);
    ck_assert_ptr_nonnull(strstr(out, "identifier              " W12_DEFAULT "\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nresumeobject            " W12_RESUME "\n"));
    ck_assert_ptr_nonnull(strstr(out, "\ninherit                 " G_LOADERSET "\n"));
    free(out);

    char *t = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_bcd_enum(s, "bogus", 0, NULL, &t, &e), BF_ERR_INVALID);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(e.msg, "The specified entry type is invalid"), "msg: %s", e.msg);
    ck_assert_int_ne(bf_bcd_enum(s, "{01234567-89ab-cdef-0123-456789abcdef}", 0, NULL, &t, &e),
                     BF_OK);
    ck_assert_ptr_null(t);
    bf_bcd_close(s);

    /* an empty store (as /createstore makes it) lists nothing */
    ck_assert_int_eq(bf_bcd_new(&s, &e), BF_OK);
    out = enum_ok(s, "all", 0);
    ck_assert_str_eq(out, "");
    free(out);
    out = enum_ok(s, "active", 0);
    ck_assert_str_eq(out, "");
    free(out);
    bf_bcd_close(s);
}
END_TEST

/* ---- (b) every corpus store ------------------------------------------------------------- */

/* Lines that start with `name` followed by a space (element lines; values
 * and continuations start at column 24). */
static size_t count_name_lines(const tlines *t, const char *name)
{
    size_t n = 0, len = strlen(name);
    for (size_t i = 0; i < t->n; i++)
        if (strncmp(t->v[i], name, len) == 0 && t->v[i][len] == ' ') n++;
    return n;
}

static size_t count_headings(const tlines *t)
{
    size_t n = 0;
    for (size_t i = 0; i + 1 < t->n; i++) {
        size_t len = strlen(t->v[i]);
        if (len == 0 || strlen(t->v[i + 1]) != len) continue;
        if (strspn(t->v[i + 1], "-") == len) n++;
    }
    return n;
}

static void check_object(bf_bcd *s, const char *file, const bf_bcd_object *o, size_t *nelems,
                         size_t *ncustom)
{
    char id[BF_GUID_TEXT], nb[40];
    bf_error e = {0};
    bf_bcd_elem *els = NULL;
    size_t nel = 0;
    bf_guid_format(&o->id, id);
    ck_assert_msg(bf_bcd_elements(s, &o->id, &els, &nel, &e) == BF_OK, "%s %s: %s", file, id,
                  e.msg);
    for (int verbose = 0; verbose < 2; verbose++) {
        char *out = enum_ok(s, id, verbose ? BF_BCD_VERBOSE : 0);
        tlines t = split_lines(out);
        ck_assert_msg(count_headings(&t) == 1, "%s %s: one heading expected:\n%s", file, id, out);
        ck_assert_uint_eq(count_name_lines(&t, "identifier"), 1);
        if (verbose) ck_assert_ptr_nonnull(strstr(out, id));
        for (size_t i = 0; i < nel; i++) {
            const char *name = bf_bcd_element_display_name(els[i].code, o->type, nb, sizeof nb);
            ck_assert_ptr_nonnull(name);
            if (!bf_bcd_element_by_code(els[i].code, o->type)) {
                char want[24];
                snprintf(want, sizeof want, "custom:%08x", (unsigned)els[i].code);
                ck_assert_str_eq(name, want);
                if (verbose) (*ncustom)++;
            }
            size_t want_n = (els[i].code >> 28) == 4 && !verbose ? 0 : 1;
            ck_assert_msg(count_name_lines(&t, name) == want_n,
                          "%s %s%s: element %08x (%s) shown %zu times, want %zu:\n%s", file, id,
                          verbose ? " /v" : "", els[i].code, name, count_name_lines(&t, name),
                          want_n, out);
        }
        free_lines(&t);
        free(out);
    }
    *nelems += nel;
    bf_bcd_elems_free(els, nel);
}

static void check_store(const char *dir, const char *file, size_t *nobj, size_t *nelems,
                        size_t *ncustom)
{
    char path[4608];
    bf_bcd *s = NULL;
    bf_error e = {0};
    bf_bcd_object *objs = NULL;
    size_t n = 0;
    ck_assert((size_t)snprintf(path, sizeof path, "%.4200s/%.255s", dir, file) < sizeof path);
    ck_assert_msg(bf_bcd_open(path, 0, &s, &e) == BF_OK, "open %s: %s", file, e.msg);
    ck_assert_msg(bf_bcd_objects(s, &objs, &n, &e) == BF_OK, "%s: %s", file, e.msg);
    for (int verbose = 0; verbose < 2; verbose++) {
        char *out = enum_ok(s, "all", verbose ? BF_BCD_VERBOSE : 0);
        tlines t = split_lines(out);
        ck_assert_msg(count_headings(&t) == n, "%s: %zu headings for %zu objects", file,
                      count_headings(&t), n);
        ck_assert_uint_eq(count_name_lines(&t, "identifier"), n);
        free_lines(&t);
        free(out);
        free(enum_ok(s, NULL, verbose ? BF_BCD_VERBOSE : 0));
    }
    for (size_t i = 0; i < n; i++) check_object(s, file, &objs[i], nelems, ncustom);
    *nobj += n;
    free(objs);
    bf_bcd_close(s);
}

START_TEST(corpus_stores)
{
    const char *cd = corpus_dir();
    char dir[4200];
    if (!cd) {
        corpus_skip_note("test_bcd_enum corpus_stores");
        return;
    }
    snprintf(dir, sizeof dir, "%s/bcd", cd);
    DIR *d = opendir(dir);
    if (!d) {
        corpus_skip_note("test_bcd_enum corpus_stores (no bcd/)");
        return;
    }
    struct dirent *de;
    size_t stores = 0, nobj = 0, nel = 0, ncustom = 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".bin") != 0) continue;
        check_store(dir, de->d_name, &nobj, &nel, &ncustom);
        stores++;
    }
    closedir(d);
    printf("test_bcd_enum: %zu corpus stores, %zu objects, %zu elements (%zu custom:) "
           "enumerated\n",
           stores, nobj, nel, ncustom);
    ck_assert_uint_ge(stores, 16);
    ck_assert_uint_gt(ncustom, 0);
}
END_TEST

/* ---- (c) values ------------------------------------------------------------------------- */

#define T_OBJ "{12345678-0000-4000-8000-000000000001}"

static bf_bcd *value_store(void)
{
    static const obj_spec objs[] = {
        {G_BOOTMGR, 0x10100002, {{0x23000003, {T_OBJ}}}},
        {T_OBJ, 0x10200003, {{0x22000002, {"\\Windows"}}}},
    };
    return build_store(objs, 2, NULL);
}

static uint8_t *parse_ok(bf_bcd *s, uint32_t type, uint32_t code, const char *const *v,
                         size_t n, uint32_t want_rt, size_t *len)
{
    uint32_t rt = 0;
    uint8_t *d = NULL;
    bf_error e = {0};
    int rc = bf_bcd_value_parse(s, type, code, v, n, &w11_map, &rt, &d, len, &e);
    ck_assert_msg(rc == BF_OK, "%08x '%s': rc %d %s", code, v[0], rc, e.msg);
    ck_assert_uint_eq(rt, want_rt);
    return d;
}

/* parse, store, read back, format: the lines joined with '|' */
static void round_trip(bf_bcd *s, uint32_t code, const char *const *v, size_t n,
                       unsigned flags, const char *want)
{
    bf_guid g = guid_of(T_OBJ);
    size_t len = 0;
    uint32_t rt = 0;
    uint8_t *d = NULL;
    bf_error e = {0};
    int rc = bf_bcd_value_parse(s, 0x10200003, code, v, n, &w11_map, &rt, &d, &len, &e);
    ck_assert_msg(rc == BF_OK, "%08x '%s': rc %d %s", code, v[0], rc, e.msg);
    ck_assert_int_eq(bf_bcd_element_set(s, &g, code, rt, d, len, &e), BF_OK);
    free(d);
    bf_bcd_elem el;
    memset(&el, 0, sizeof el);
    ck_assert_int_eq(bf_bcd_element_get(s, &g, code, &el, &e), BF_OK);
    ck_assert_msg(el.valid, "%08x: read back invalid: %s", code, el.problem);
    char **lines = NULL;
    size_t nl = 0;
    ck_assert_int_eq(
        bf_bcd_value_format(s, &g, 0x10200003, &el, flags, &w11_map, &lines, &nl, &e), BF_OK);
    char joined[1024] = "";
    for (size_t i = 0; i < nl; i++) {
        if (i) strcat(joined, "|");
        ck_assert_uint_lt(strlen(joined) + strlen(lines[i]), sizeof joined - 2);
        strcat(joined, lines[i]);
    }
    ck_assert_msg(strcmp(joined, want) == 0, "%08x '%s': formatted '%s', want '%s'", code, v[0],
                  joined, want);
    bf_bcd_lines_free(lines, nl);
    bf_bcd_elem_free(&el);
}

static void rt1(bf_bcd *s, uint32_t code, const char *v, const char *want)
{
    round_trip(s, code, &v, 1, 0, want);
}

static void expect_bad(bf_bcd *s, uint32_t code, const char *const *v, size_t n, int want_rc,
                       const char *msgpart)
{
    uint32_t rt = 0;
    uint8_t *d = (uint8_t *)1;
    size_t len = 7;
    bf_error e = {0};
    int rc = bf_bcd_value_parse(s, 0x10200003, code, v, n, &w11_map, &rt, &d, &len, &e);
    ck_assert_msg(rc == want_rc, "%08x '%s': rc %d, want %d (%s)", code, n ? v[0] : "", rc,
                  want_rc, e.msg);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(e.msg, msgpart), "%08x: message '%s' lacks '%s'", code, e.msg, msgpart);
}

static void bad1(bf_bcd *s, uint32_t code, const char *v, const char *msgpart)
{
    expect_bad(s, code, &v, 1, BF_ERR_INVALID, msgpart);
}

START_TEST(value_booleans)
{
    bf_bcd *s = value_store();
    static const char *const yes[] = {"1", "on", "ON", "Yes", "yes", "TRUE", "true"};
    static const char *const no[] = {"0", "off", "Off", "NO", "no", "FALSE", "false"};
    for (size_t i = 0; i < 7; i++) {
        size_t len = 0;
        uint8_t *d = parse_ok(s, 0x10200003, 0x26000010, &yes[i], 1, BF_REG_BINARY, &len);
        ck_assert_uint_eq(len, 1);
        ck_assert_uint_eq(d[0], 1);
        free(d);
        d = parse_ok(s, 0x10200003, 0x26000010, &no[i], 1, BF_REG_BINARY, &len);
        ck_assert_uint_eq(len, 1);
        ck_assert_uint_eq(d[0], 0);
        free(d);
        rt1(s, 0x26000010, yes[i], "Yes");
        rt1(s, 0x16000049, no[i], "No");
    }
    bad1(s, 0x26000010, "maybe", "The boolean data is not valid as specified");
    bad1(s, 0x26000010, "2", "detecthal");
    bad1(s, 0x26000010, "", "1, ON, YES, TRUE");
    bad1(s, 0x26000010, "yes ", "boolean");
    static const char *const two[] = {"yes", "no"};
    expect_bad(s, 0x26000010, two, 2, BF_ERR_INVALID, "one value");
    expect_bad(s, 0x26000010, two, 0, BF_ERR_INVALID, "no value");
    bf_bcd_close(s);
}
END_TEST

START_TEST(value_integers)
{
    bf_bcd *s = value_store();
    size_t len = 0;
    const char *v = "30";
    uint8_t *d = parse_ok(s, 0x10100002, 0x25000004, &v, 1, BF_REG_BINARY, &len);
    static const uint8_t thirty[8] = {0x1e, 0, 0, 0, 0, 0, 0, 0};
    ck_assert_uint_eq(len, 8);
    ck_assert_mem_eq(d, thirty, 8);
    free(d);
    rt1(s, 0x25000061, "30", "30");
    rt1(s, 0x25000061, "0x1E", "30");
    rt1(s, 0x25000061, "0", "0");
    rt1(s, 0x15000007, "18446744073709551615", "18446744073709551615");
    rt1(s, 0x15000007, "0xffffffffffffffff", "18446744073709551615");
    rt1(s, 0x15000007, "007", "7");
    /* enumerated integers print by name; numbers without a name in decimal */
    rt1(s, 0x25000020, "3", "AlwaysOn");
    rt1(s, 0x25000020, "alwaysoff", "AlwaysOff");
    rt1(s, 0x25000020, "9", "9");
    rt1(s, 0x25000080, "MINIMAL", "Minimal");
    /* custom integers */
    rt1(s, 0x45000001, "2", "2");
    /* an enumeration name that looks like a number means the named value */
    rt1(s, 0x15000011, "1394", "1394");
    rt1(s, 0x15000011, "1", "1394");
    bad1(s, 0x25000061, "18446744073709551616", "out of range");
    bad1(s, 0x25000061, "0x10000000000000000", "out of range");
    bad1(s, 0x25000061, "-1", "The integer data is not valid as specified");
    bad1(s, 0x25000061, "12a", "The integer data is not valid as specified");
    bad1(s, 0x25000061, "", "numproc");
    bad1(s, 0x25000061, "0x", "integer");
    bad1(s, 0x25000061, " 1", "integer");
    bad1(s, 0x25000061, "1.5", "integer");
    /* an unknown enumeration name lists the accepted ones */
    bad1(s, 0x25000020, "OptSideways", "OptIn, OptOut, AlwaysOff, AlwaysOn");
    bad1(s, 0x250000f0, "on", "The integer data is not valid as specified");
    bf_bcd_close(s);
}
END_TEST

/* Every enumeration name of the element table parses (in any case) and
 * prints back by the same name. */
static const uint32_t scope_types[][2] = {
    {BF_BCD_SC_LIBRARY, 0x10200003},  {BF_BCD_SC_BOOTMGR, 0x10100002},
    {BF_BCD_SC_OSLOADER, 0x10200003}, {BF_BCD_SC_RESUME, 0x10200004},
    {BF_BCD_SC_MEMDIAG, 0x10200005},  {BF_BCD_SC_NTLDR, 0x10300006},
    {BF_BCD_SC_STARTUP, 0x10400009},  {BF_BCD_SC_BOOTAPP, 0x1020000a},
    {BF_BCD_SC_DEVICE, 0x30000000},   {BF_BCD_SC_TEMPLATE, 0x10200003},
    {BF_BCD_SC_APPLICATION, 0x10200003},
};

START_TEST(value_enumerations)
{
    size_t count = 0, names = 0;
    const bf_bcd_element_def *tab = bf_bcd_element_table(&count);
    ck_assert_ptr_nonnull(tab);
    for (size_t i = 0; i < count; i++) {
        const bf_bcd_element_def *def = &tab[i];
        uint32_t type = 0;
        if (!def->enums || !def->nenums) continue;
        for (size_t k = 0; k < sizeof scope_types / sizeof scope_types[0] && !type; k++)
            if ((def->scope & scope_types[k][0]) &&
                bf_bcd_element_by_code(def->code, scope_types[k][1]) == def)
                type = scope_types[k][1];
        ck_assert_msg(type, "no object type for %08x (%s)", def->code,
                      def->name ? def->name : "?");
        for (unsigned j = 0; j < def->nenums; j++) {
            const char *name = def->enums[j].name;
            char lower[64];
            size_t len = 0, n = strlen(name);
            ck_assert_uint_lt(n, sizeof lower);
            for (size_t c = 0; c <= n; c++) lower[c] = (char)tolower((unsigned char)name[c]);
            const char *words[2] = {name, lower};
            for (int w = 0; w < 2; w++) {
                uint8_t *d = parse_ok(NULL, type, def->code, &words[w], 1, BF_REG_BINARY, &len);
                ck_assert_uint_eq(len, 8);
                uint64_t v = 0;
                for (int b = 7; b >= 0; b--) v = (v << 8) | d[b];
                free(d);
                /* the value printed back is this name (the first one for a
                 * value several names share) */
                bf_bcd_elem el;
                memset(&el, 0, sizeof el);
                el.code = def->code;
                el.valid = 1;
                el.integer = v;
                char **lines = NULL;
                size_t nl = 0;
                bf_error e = {0};
                ck_assert_int_eq(
                    bf_bcd_value_format(NULL, NULL, type, &el, 0, NULL, &lines, &nl, &e), BF_OK);
                ck_assert_uint_eq(nl, 1);
                unsigned first = 0, same = 0;
                while (def->enums[first].value != v) first++;
                while (strcasecmp(def->enums[same].name, name) != 0) same++;
                ck_assert_msg(v == def->enums[same].value, "%08x '%s' parsed to %llu, not %llu",
                              def->code, words[w], (unsigned long long)v,
                              (unsigned long long)def->enums[same].value);
                ck_assert_msg(strcmp(lines[0], def->enums[first].name) == 0,
                              "%08x '%s' -> %llu -> '%s'", def->code, words[w],
                              (unsigned long long)v, lines[0]);
                bf_bcd_lines_free(lines, nl);
            }
            names++;
        }
    }
    printf("test_bcd_enum: %zu enumeration names round-tripped\n", names);
    ck_assert_uint_gt(names, 50);
}
END_TEST

START_TEST(value_lists_strings_objects)
{
    bf_bcd *s = value_store();
    size_t len = 0;
    /* integer lists: n x 8 bytes; allowedinmemorysettings prints in hex */
    static const char *const il[] = {"301989892", "0x2"};
    uint8_t *d = parse_ok(s, 0x10200003, 0x47000005, il, 2, BF_REG_BINARY, &len);
    static const uint8_t ilb[16] = {0x04, 0x00, 0x00, 0x12, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    ck_assert_uint_eq(len, 16);
    ck_assert_mem_eq(d, ilb, 16);
    free(d);
    round_trip(s, 0x47000005, il, 2, BF_BCD_VERBOSE, "301989892|2");
    rt1(s, 0x17000077, "0x15000075", "0x15000075");
    rt1(s, 0x17000077, "352321653", "0x15000075");
    /* elementstomigrate (template class) prints in hex too, one per line */
    static const char *const etm[] = {"0x16000010", "0x260000A0", "369098878"};
    round_trip(s, 0x47000006, etm, 3, BF_BCD_VERBOSE, "0x16000010|0x260000a0|0x1600007e");
    static const char *const badl[] = {"1", "x"};
    expect_bad(s, 0x17000077, badl, 2, BF_ERR_INVALID, "'x'");

    /* strings: UTF-16LE with a NUL */
    const char *sv = "\\Windows";
    d = parse_ok(s, 0x10200003, 0x22000002, &sv, 1, BF_REG_SZ, &len);
    static const uint8_t wb[18] = {'\\', 0, 'W', 0, 'i', 0, 'n', 0, 'd', 0,
                                   'o',  0, 'w', 0, 's', 0, 0,   0};
    ck_assert_uint_eq(len, 18);
    ck_assert_mem_eq(d, wb, 18);
    free(d);
    rt1(s, 0x12000004, "Windows 11 \xe2\x80\x93 caf\xc3\xa9", "Windows 11 \xe2\x80\x93 caf\xc3\xa9");
    rt1(s, 0x12000004, "", "");
    rt1(s, 0x42000002, "\\system32\\winload.exe", "\\system32\\winload.exe");
    static const char *const two[] = {"a", "b"};
    expect_bad(s, 0x12000004, two, 2, BF_ERR_INVALID, "one value");

    /* objects: "{guid}" REG_SZ, lowercase, 78 bytes */
    const char *ov = "{B2721D73-1DB4-4C62-BF78-C548A880142D}";
    d = parse_ok(s, 0x10200003, 0x23000003, &ov, 1, BF_REG_SZ, &len);
    ck_assert_uint_eq(len, 78);
    for (size_t i = 0; i < 38; i++) {
        ck_assert_uint_eq(d[2 * i], (uint8_t)G_MEMDIAG[i]);
        ck_assert_uint_eq(d[2 * i + 1], 0);
    }
    ck_assert_uint_eq(d[76] | d[77], 0);
    free(d);
    rt1(s, 0x23000003, ov, "{memdiag}");
    round_trip(s, 0x23000003, &ov, 1, BF_BCD_VERBOSE, G_MEMDIAG);
    /* {default} resolves through {bootmgr} and prints as {default} */
    rt1(s, 0x23000003, "{default}", "{default}");
    const char *dv = "{default}";
    round_trip(s, 0x23000003, &dv, 1, BF_BCD_VERBOSE, T_OBJ);
    bad1(s, 0x23000003, "{nonsense}", "23000003");
    bf_bcd_close(s);
}
END_TEST

START_TEST(value_object_lists_devices)
{
    bf_bcd *s = value_store();
    size_t len = 0;
    static const char *const ol[] = {"{bootmgr}", "{default}", G_GLOBAL};
    uint8_t *d = parse_ok(s, 0x10100002, 0x24000001, ol, 3, BF_REG_MULTI_SZ, &len);
    ck_assert_uint_eq(len, 78 * 3 + 2);
    ck_assert_uint_eq(d[78 * 3] | d[78 * 3 + 1], 0);
    for (size_t i = 0; i < 38; i++) { /* {default} stored as the GUID it names */
        ck_assert_uint_eq(d[78 + 2 * i], (uint8_t)T_OBJ[i]);
        ck_assert_uint_eq(d[2 * i], (uint8_t)G_BOOTMGR[i]);
    }
    free(d);
    round_trip(s, 0x14000006, ol, 3, 0, "{bootmgr}|{default}|{globalsettings}");
    round_trip(s, 0x14000006, ol, 3, BF_BCD_VERBOSE, G_BOOTMGR "|" T_OBJ "|" G_GLOBAL);
    static const char *const badol[] = {"{bootmgr}", "nope"};
    uint32_t rt;
    uint8_t *dd = (uint8_t *)1;
    bf_error e = {0};
    ck_assert_int_ne(bf_bcd_value_parse(s, 0x10200003, 0x14000006, badol, 2, NULL, &rt, &dd,
                                        &len, &e),
                     BF_OK);
    ck_assert_ptr_null(dd);
    const char *cur = "{current}";
    ck_assert_int_eq(
        bf_bcd_value_parse(s, 0x10200003, 0x23000003, &cur, 1, NULL, &rt, &dd, &len, &e),
        BF_ERR_UNSUPPORTED);

    /* devices */
    rt1(s, 0x11000001, "boot", "boot");
    rt1(s, 0x11000001, "partition=C:", "partition=C:");
    rt1(s, 0x11000001, "ramdisk=[boot]\\sources\\boot.wim,{ramdiskoptions}",
        "ramdisk=[boot]\\sources\\boot.wim,{ramdiskoptions}");
    /* locate: the default locate element of osdevice is systemroot */
    rt1(s, 0x21000001, "locate", "locate=\\Windows");
    ck_assert_int_ne(
        bf_bcd_value_parse(s, 0x10200003, 0x11000001, &cur, 1, NULL, &rt, &dd, &len, &e), BF_OK);
    ck_assert_ptr_null(dd);
    bf_bcd_close(s);
}
END_TEST

START_TEST(value_format_invalid)
{
    bf_bcd_elem el;
    memset(&el, 0, sizeof el);
    el.code = 0x26000010;
    el.valid = 0;
    snprintf(el.problem, sizeof el.problem, "boolean data is 2 bytes, not 1");
    char **lines = NULL;
    size_t n = 0;
    bf_error e = {0};
    ck_assert_int_eq(bf_bcd_value_format(NULL, NULL, 0x10200003, &el, 0, NULL, &lines, &n, &e),
                     BF_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(lines[0], "(invalid: boolean data is 2 bytes, not 1)");
    bf_bcd_lines_free(lines, n);
    /* a short (1-byte) integer as install media store it */
    el.code = 0x25000004;
    el.valid = 1;
    el.integer = 0x1e;
    ck_assert_int_eq(bf_bcd_value_format(NULL, NULL, 0x10100002, &el, 0, NULL, &lines, &n, &e),
                     BF_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(lines[0], "30");
    bf_bcd_lines_free(lines, n);
    /* an empty object list prints no line */
    el.code = 0x24000001;
    el.integer = 0;
    ck_assert_int_eq(bf_bcd_value_format(NULL, NULL, 0x10100002, &el, 0, NULL, &lines, &n, &e),
                     BF_OK);
    ck_assert_uint_eq(n, 0);
    bf_bcd_lines_free(lines, n);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("bcd_enum");
    TCase *tc = tcase_create("main");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, layout_ws2012);
    tcase_add_test(tc, layout_win11_verbose);
    tcase_add_test(tc, selections);
    tcase_add_test(tc, corpus_stores);
    tcase_add_test(tc, value_booleans);
    tcase_add_test(tc, value_integers);
    tcase_add_test(tc, value_enumerations);
    tcase_add_test(tc, value_lists_strings_objects);
    tcase_add_test(tc, value_object_lists_devices);
    tcase_add_test(tc, value_format_invalid);
    suite_add_tcase(su, tc);
    return test_run_suite(su);
}
