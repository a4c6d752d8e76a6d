/*
 * status.c — bf_status_collect: everything the recipes touch, read-only,
 * as (section, name, value) lines.  A part that cannot be read becomes a
 * line saying why; only an unreadable target is an error.
 */
#include "recipe/internal.h"
#include "bcd/internal.h"
#include "io/io.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct st {
    bf_status_item *items;
    size_t n;
    int oom;
    const char *section;
    char section_buf[96];
};

static void add(struct st *s, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;

static void add(struct st *s, const char *name, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    bf_status_item *grown;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    grown = bf_realloc(s->items, (s->n + 1) * sizeof *grown);
    if (!grown) {
        s->oom = 1;
        return;
    }
    s->items = grown;
    grown[s->n].section = bf_strdup(s->section);
    grown[s->n].name = bf_strdup(name);
    grown[s->n].value = bf_strdup(buf);
    if (!grown[s->n].section || !grown[s->n].name || !grown[s->n].value)
        s->oom = 1;
    s->n++;
}

static void set_section(struct st *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->section_buf, sizeof s->section_buf, fmt, ap);
    va_end(ap);
    s->section = s->section_buf;
}

void bf_status_free(bf_status_item *items, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) {
        free(items[i].section);
        free(items[i].name);
        free(items[i].value);
    }
    free(items);
}

/* ---- registry values ----------------------------------------------------------------------- */

static int get_value(bf_hive *h, bf_node n, const char *name, uint32_t *type, uint8_t **d,
                     size_t *len)
{
    bf_value v;
    *d = NULL;
    *len = 0;
    if (n == BF_NONE || bf_node_get_value(h, n, name, &v, NULL) != BF_OK)
        return -1;
    return bf_value_data(h, v, type, d, len, NULL) == BF_OK ? 0 : -1;
}

/* value as text, "absent" when missing; `meaning` annotates DWORDs */
static void add_value(struct st *s, bf_hive *h, bf_node n, const char *name,
                      const char *(*meaning)(uint32_t))
{
    uint32_t type = 0;
    uint8_t *d;
    size_t len;
    char *t;
    if (get_value(h, n, name, &type, &d, &len) != 0) {
        add(s, name, "absent");
        return;
    }
    if (type == BF_REG_DWORD && len == 4 && meaning && meaning(rd32(d)))
        add(s, name, "%" PRIu32 " (%s)", rd32(d), meaning(rd32(d)));
    else if (type == BF_REG_DWORD && len == 4)
        add(s, name, "%" PRIu32, rd32(d));
    else if ((t = rc_reg_text(1, type, d, len)) != NULL) {
        add(s, name, "%s", t);
        free(t);
    } else {
        s->oom = 1;
    }
    free(d);
}

static const char *crash_meaning(uint32_t v)
{
    switch (v) {
    case 0: return "none: no dump is written";
    case 1: return "complete (active with FilterPages=1)";
    case 2: return "kernel";
    case 3: return "small";
    case 7: return "automatic";
    default: return NULL;
    }
}

static const char *bool_meaning(uint32_t v) { return v == 0 ? "off" : v == 1 ? "on" : NULL; }

static char *sz_value(bf_hive *h, bf_node n, const char *name)
{
    uint32_t type = 0;
    uint8_t *d;
    size_t len;
    char *t = NULL;
    if (get_value(h, n, name, &type, &d, &len) != 0)
        return NULL;
    if ((type == BF_REG_SZ || type == BF_REG_EXPAND_SZ) && len >= 2) {
        while (len >= 2 && d[len - 1] == 0 && d[len - 2] == 0)
            len -= 2;
        t = bf_utf16le_to_utf8(d, len, NULL);
    } else if (type == BF_REG_DWORD && len == 4) {
        t = bf_malloc(16);
        if (t)
            snprintf(t, 16, "%" PRIu32, rd32(d));
    }
    free(d);
    return t;
}

/* ---- sections ---------------------------------------------------------------------------------- */

static void windows_section(struct st *s, bf_target *t)
{
    static const char *const names[] = {"ProductName", "DisplayVersion", "CSDVersion",
                                        "CurrentBuild", "UBR", "EditionID", "InstallationType",
                                        "SystemRoot"};
    bf_hive *h = NULL;
    bf_error err;
    bf_node cv;
    size_t i;

    s->section = "windows";
    if (!t->software_path) {
        add(s, "SOFTWARE hive", "not found (product and build unknown)");
        return;
    }
    if (bf_hive_open(t->software_path, 0, &h, &err) != BF_OK) {
        add(s, "SOFTWARE hive", "unreadable: %s", err.msg);
        return;
    }
    if (bf_node_lookup(h, bf_hive_root(h), "Microsoft\\Windows NT\\CurrentVersion", &cv, NULL) !=
        BF_OK) {
        add(s, "SOFTWARE hive", "%s has no Microsoft\\Windows NT\\CurrentVersion",
            t->software_path);
    } else {
        for (i = 0; i < sizeof names / sizeof names[0]; i++) {
            char *v = sz_value(h, cv, names[i]);
            if (v)
                add(s, names[i], "%s", v);
            free(v);
        }
    }
    bf_hive_close(h);
}

static void hive_state(struct st *s, bf_hive *h)
{
    bf_hive_info in;
    size_t i;
    if (bf_hive_get_info(h, &in) != BF_OK)
        return;
    add(s, "path", "%s", bf_hive_path(h));
    add(s, "format", "regf %u.%u", in.major, in.minor);
    if (in.replayed)
        add(s, "state", "dirty (sequence %u/%u): %u log entries pending, replayed in memory by "
            "bootfix; the next write commits them", in.seq1, in.seq2, in.log_entries);
    else if (in.dirty)
        add(s, "state", "dirty (sequence %u/%u), no usable logs", in.seq1, in.seq2);
    else
        add(s, "state", "clean");
    for (i = 0; i < 3; i++)
        if (in.log_paths[i])
            add(s, "log", "%s", in.log_paths[i]);
}

static void control_set_section(struct st *s, bf_hive *h, const char *cs, int current)
{
    static const char *const crash_names[] = {"CrashDumpEnabled", "DumpFile", "MinidumpDir",
                                              "NMICrashDump", "AutoReboot", "FilterPages",
                                              "DedicatedDumpFile", "DumpFileSize", "Overwrite"};
    char key[96];
    bf_node cc = BF_NONE, mm = BF_NONE;
    size_t i;

    set_section(s, "control set %s%s", cs, current ? " (current)" : "");
    snprintf(key, sizeof key, "%s\\Control\\CrashControl", cs);
    if (bf_node_lookup(h, bf_hive_root(h), key, &cc, NULL) != BF_OK) {
        add(s, "CrashControl", "key absent");
        cc = BF_NONE;
    }
    for (i = 0; cc != BF_NONE && i < sizeof crash_names / sizeof crash_names[0]; i++) {
        const char *(*m)(uint32_t) = NULL;
        if (i == 0)
            m = crash_meaning;
        else if (i == 3 || i == 4 || i == 5 || i == 8)
            m = bool_meaning;
        add_value(s, h, cc, crash_names[i], m);
    }
    snprintf(key, sizeof key, "%s\\Control\\Session Manager\\Memory Management", cs);
    if (bf_node_lookup(h, bf_hive_root(h), key, &mm, NULL) == BF_OK) {
        add_value(s, h, mm, "PagingFiles", NULL);
        add_value(s, h, mm, "ExistingPageFiles", NULL);
    }
}

static void system_section(struct st *s, bf_target *t)
{
    static const char *const sel[] = {"Current", "Default", "Failed", "LastKnownGood"};
    bf_hive *h = NULL;
    bf_error err;
    char **cs = NULL;
    size_t ncs = 0, i;
    uint32_t current = 0;
    bf_node n;

    s->section = "system hive";
    if (bf_hive_open(t->system_path, 0, &h, &err) != BF_OK) {
        add(s, "path", "%s", t->system_path);
        add(s, "state", "unreadable: %s", err.msg);
        return;
    }
    hive_state(s, h);
    s->section = "select";
    if (bf_node_child(h, bf_hive_root(h), "Select", &n, NULL) == BF_OK)
        for (i = 0; i < 4; i++)
            add_value(s, h, n, sel[i], NULL);
    else
        add(s, "Select", "key absent");
    if (rc_control_sets(h, &cs, &ncs, &current, &err) == BF_OK) {
        s->section = "select";
        if (ncs == 0)
            add(s, "control sets", "none: this is not a SYSTEM hive");
        for (i = 0; i < ncs; i++)
            control_set_section(s, h, cs[i], (uint32_t)atoi(cs[i] + 10) == current);
        rc_strv_free(cs, ncs);
    }
    bf_hive_close(h);
}

static void element_line(struct st *s, bf_bcd *b, const bf_guid *g, uint32_t objtype,
                         const char *name)
{
    uint32_t code;
    bf_bcd_elem e;
    char *t;
    if (bf_bcd_element_parse_name(name, objtype, &code, NULL) != BF_OK)
        return;
    memset(&e, 0, sizeof e);
    if (bf_bcd_element_effective(b, g, code, &e, NULL, NULL) != BF_OK) {
        add(s, name, "absent");
        return;
    }
    /* {bootmgr} default would print as "{default}": show the GUID */
    t = rc_bcd_text(b, g, objtype, code, 1, e.reg_type, e.raw, e.raw_len,
                    code == BCD_EL_DEFAULT ? BF_BCD_VERBOSE : 0);
    if (!t)
        s->oom = 1;
    else if (e.valid)
        add(s, name, "%s", t);
    else
        add(s, name, "%s (invalid: %s)", t, e.problem);
    free(t);
    bf_bcd_elem_free(&e);
}

static void object_lines(struct st *s, bf_bcd *b, const char *id, const char *const *names,
                         size_t n)
{
    bf_guid g;
    uint32_t type;
    size_t i;
    if (bf_bcd_resolve(b, id, &g, NULL) != BF_OK || bf_bcd_object_type(b, &g, &type, NULL) != BF_OK) {
        add(s, "object", "absent");
        return;
    }
    if (strcmp(id, "{default}") == 0) {
        char gs[BF_GUID_TEXT];
        bf_guid_format(&g, gs);
        add(s, "identifier", "%s", gs);
    }
    for (i = 0; i < n; i++)
        element_line(s, b, &g, type, names[i]);
}

static void bcd_section(struct st *s, bf_target *t)
{
    static const char *const origin[] = {"not found", "given with --bcd", "on the target",
                                         "on another partition of the same disk"};
    static const char *const bootmgr[] = {"default", "displayorder", "timeout",
                                          "displaybootmenu", "bootems", "nointegritychecks",
                                          "integrityservices"};
    static const char *const entry[] = {"description", "device", "osdevice", "path",
                                        "systemroot", "safeboot", "safebootalternateshell",
                                        "ems", "bootlog", "bootstatuspolicy", "recoveryenabled",
                                        "nointegritychecks", "testsigning", "integrityservices",
                                        "debug", "bootdebug"};
    static const char *const ems[] = {"emsport", "emsbaudrate"};
    bf_bcd *b = NULL;
    bf_error err;

    s->section = "bcd";
    if (!t->bcd_path) {
        add(s, "store", "not found: %s", t->bcd_hint ? t->bcd_hint : "give --bcd PATH");
        return;
    }
    add(s, "found", "%s (%s firmware)", origin[t->bcd_origin & 3], bf_firmware_name(t->firmware));
    if (bf_bcd_open(t->bcd_path, 0, &b, &err) != BF_OK) {
        add(s, "path", "%s", t->bcd_path);
        add(s, "state", "unreadable: %s", err.msg);
        return;
    }
    hive_state(s, bf_bcd_hive(b));
    s->section = "boot manager";
    object_lines(s, b, "{bootmgr}", bootmgr, sizeof bootmgr / sizeof bootmgr[0]);
    s->section = "default entry";
    object_lines(s, b, "{default}", entry, sizeof entry / sizeof entry[0]);
    s->section = "ems settings";
    object_lines(s, b, "{emssettings}", ems, 2);
    bf_bcd_close(b);
}

static void target_section(struct st *s, bf_target *t)
{
    s->section = "target";
    add(s, "root", "%s", t->root);
    add(s, "windows", "%s", t->windows_dir ? t->windows_dir : "not found");
    add(s, "system drive", "%c:", t->system_drive ? t->system_drive : 'C');
    if (t->device)
        add(s, "device", "%s%s%s", t->device, t->disk ? " on " : "", t->disk ? t->disk : "");
    else if (t->disk)
        add(s, "disk", "%s", t->disk);
    if (t->live)
        add(s, "live", "yes: %s is the running system's Windows folder; recipes refuse to write",
            t->windows_dir ? t->windows_dir : "?");
    if (t->free_known)
        add(s, "free space", "%.1f GiB of %.1f GiB", (double)t->free_bytes / 1073741824.0,
            (double)t->total_bytes / 1073741824.0);
    add(s, "mounted", "%s", t->readonly ? "read-only: recipes cannot write" : "read-write");
    add(s, "hibernation", "%s", bf_hiber_state_name(t->hiber_state));
}

static void journal_section(struct st *s, bf_target *t)
{
    char *root, *path = NULL;
    bf_journal j;
    bf_error err;

    s->section = "journal";
    root = bf_io_path_join(t->root, RC_BACKUP_DIRNAME);
    if (!root) {
        s->oom = 1;
        return;
    }
    if (bf_journal_find_latest(root, NULL, 1, &path, &err) != BF_OK) {
        add(s, "last recipe", "none (no journal under %s)", root);
        free(root);
        return;
    }
    free(root);
    memset(&j, 0, sizeof j);
    if (bf_journal_read(path, &j, &err) == BF_OK) {
        add(s, "last recipe", "%s", j.recipe);
        add(s, "created", "%s", j.created);
        add(s, "journal", "%s", path);
        add(s, "changes", "%zu", j.nentries);
        if (j.undone)
            add(s, "undone", "%s", j.undone);
        bf_journal_free(&j);
    } else {
        add(s, "journal", "%s: unreadable: %s", path, err.msg);
    }
    free(path);
}

int bf_status_collect(bf_target *t, bf_status_item **items, size_t *count, bf_error *err)
{
    struct st s;
    memset(&s, 0, sizeof s);
    *items = NULL;
    *count = 0;
    if (!t)
        return bf_fail(err, BF_ERR_INVALID, "status: no target");
    target_section(&s, t);
    windows_section(&s, t);
    if (t->system_path)
        system_section(&s, t);
    bcd_section(&s, t);
    journal_section(&s, t);
    if (s.oom) {
        bf_status_free(s.items, s.n);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory collecting the status");
    }
    *items = s.items;
    *count = s.n;
    return BF_OK;
}
