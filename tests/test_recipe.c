/*
 * test_recipe.c — the recipe engine through its public API (lib/recipe:
 * engine.c, recipes.c, status.c, with txn.c / undo.c underneath).
 *
 * Every case builds its own Windows volume in a temporary directory with
 * the hive API (SYSTEM: Select, ControlSetNNN\Control\CrashControl, Memory
 * Management) and the BCD API (bf_bcd_new + bcdedit commands), opens it
 * with bf_target_open (a fake, empty mountinfo so that nothing of the host
 * is looked at) and runs recipes found with bf_recipe_find.
 *
 *   - parameter binding: unknown option, bad choice (lists the choices),
 *     numbers out of range, an option needing another, a switch, an option
 *     given twice, defaults (serial-console on: port 1, 115200, timeout 10
 *     as the 8 stored bytes);
 *   - conditional steps: --type active / complete (FilterPages), AutoReboot
 *     only with --no-autoreboot;
 *   - every existing control set changed, none created; CrashControl created;
 *   - the result: found lines, CHANGED / ALREADY, nchanged; a dry run writes
 *     nothing (byte-identical files, no backup folder); a second run changes
 *     nothing and makes no folder;
 *   - BCD: {entry} is {bootmgr}'s default, not displayorder's first; --entry;
 *     {current} refused; no default -> --entry suggested; {emssettings}
 *     created and added to {globalsettings} inherit only when that list
 *     exists and lacks it; safeboot values and the deletion of the key;
 *   - RESTORE steps from the journal of the last `on`, LEFT without one,
 *     the debug-boot AutoReboot fallback, an undone journal not used;
 *   - hibernation refused / dry run warned / forced; --no-backup;
 *   - bf_undo after enable-dump: the hivex walk equals the original;
 *   - bf_status_collect: control set and default entry lines; no store.
 */
#include "common/files.h"
#include "common/oracle.h"
#include "common/runner.h"

#include "bootfix/bcd.h"
#include "bootfix/hive.h"
#include "bootfix/recipe.h"
#include "bootfix/target.h"

#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define L1 "{11111111-2222-3333-4444-555555555555}"
#define L2 "{66666666-7777-8888-9999-aaaaaaaaaaaa}"
#define CC1 "ControlSet001\\Control\\CrashControl"
#define MM1 "ControlSet001\\Control\\Session Manager\\Memory Management"

#define EL_SAFEBOOT 0x25000080u
#define EL_ALTSHELL 0x26000081u
#define EL_EMS 0x260000B0u
#define EL_BOOTEMS 0x16000020u
#define EL_TIMEOUT 0x25000004u
#define EL_DISPLAYBOOTMENU 0x26000020u
#define EL_EMSPORT 0x15000022u
#define EL_EMSBAUD 0x15000023u
#define EL_INHERIT 0x14000006u

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- volumes ------------------------------------------------------------------------------ */

struct vol {
    char dir[64];
    char system[160];
    char bcd[160];
    char mountinfo[160];
    char sysfs[160];
    char backups[160];
};

/* Every volume lives under this directory, removed by main() even when
 * tests failed (a failing test's forked process exits without cleaning). */
static char g_base[32];

/* Empty directories, no files yet. */
static void vol_init(struct vol *v)
{
    ck_assert(g_base[0]);
    snprintf(v->dir, sizeof v->dir, "%s/vol_XXXXXX", g_base);
    ck_assert_ptr_nonnull(mkdtemp(v->dir));
    test_mkdirs(v->dir, "Windows/System32/config");
    test_mkdirs(v->dir, "Boot");
    snprintf(v->system, sizeof v->system, "%s/Windows/System32/config/SYSTEM", v->dir);
    snprintf(v->bcd, sizeof v->bcd, "%s/Boot/BCD", v->dir);
    snprintf(v->mountinfo, sizeof v->mountinfo, "%s/mountinfo", v->dir);
    snprintf(v->sysfs, sizeof v->sysfs, "%s/nosys", v->dir);
    snprintf(v->backups, sizeof v->backups, "%s/bootfix-backup", v->dir);
    test_put_file(v->mountinfo, (const uint8_t *)"", 0);
}

/* ASCII text as REG_SZ bytes (UTF-16LE with the terminating NUL). */
static size_t utf16z(const char *s, uint8_t *out, size_t cap)
{
    size_t i, n = strlen(s);
    ck_assert(2 * n + 2 <= cap);
    for (i = 0; i <= n; i++) {
        out[2 * i] = (uint8_t)s[i];
        out[2 * i + 1] = 0;
    }
    return 2 * n + 2;
}

static bf_node key_of(bf_hive *h, const char *key)
{
    bf_node n;
    bf_error err;
    int created;
    memset(&err, 0, sizeof err);
    ck_assert_msg(bf_node_create_path(h, bf_hive_root(h), key, &n, &created, &err) == BF_OK,
                  "%s: %s", key, err.msg);
    return n;
}

static void put_dword(bf_hive *h, const char *key, const char *name, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    bf_error err;
    ck_assert_msg(bf_node_set_value(h, key_of(h, key), name, BF_REG_DWORD, b, 4, &err) == BF_OK,
                  "%s", err.msg);
}

static void put_text(bf_hive *h, const char *key, const char *name, uint32_t type, const char *s)
{
    uint8_t b[512];
    size_t len = utf16z(s, b, sizeof b);
    bf_error err;
    if (type == BF_REG_MULTI_SZ) {
        ck_assert(len + 2 <= sizeof b);
        b[len] = b[len + 1] = 0;
        len += 2;
    }
    ck_assert_msg(bf_node_set_value(h, key_of(h, key), name, type, b, len, &err) == BF_OK, "%s",
                  err.msg);
}

/* A new SYSTEM hive with Select\Current = 1 and nothing else. */
static bf_hive *sys_new(void)
{
    bf_hive *h = NULL;
    bf_error err;
    ck_assert_msg(bf_hive_new(5, "ROOT", &h, &err) == BF_OK, "%s", err.msg);
    put_dword(h, "Select", "Current", 1);
    put_dword(h, "Select", "Default", 1);
    return h;
}

/* ControlSet001 as a fresh Windows Server has it (automatic dump, AutoReboot 1). */
static void sys_default_cs(bf_hive *h)
{
    put_dword(h, CC1, "CrashDumpEnabled", 7);
    put_dword(h, CC1, "AutoReboot", 1);
    put_dword(h, CC1, "LogEvent", 1);
    put_text(h, CC1, "DumpFile", BF_REG_EXPAND_SZ, "%SystemRoot%\\MEMORY.DMP");
    put_text(h, MM1, "PagingFiles", BF_REG_MULTI_SZ, "C:\\pagefile.sys 0 0");
}

static void sys_write(const struct vol *v, bf_hive *h)
{
    bf_commit_opts co;
    bf_error err;
    memset(&co, 0, sizeof co);
    co.out_path = v->system;
    unlink(v->system);
    ck_assert_msg(bf_hive_commit(h, &co, &err) == BF_OK, "%s", err.msg);
    bf_hive_close(h);
}

/* Commands: NULL-terminated argv arrays, the list ends with NULL. */
typedef const char *const cmd[8];

static void bcd_write(const struct vol *v, const cmd *cmds, size_t ncmds)
{
    bf_bcd *s = NULL;
    bf_error err;
    bf_commit_opts co;
    size_t i;
    ck_assert_msg(bf_bcd_new(&s, &err) == BF_OK, "%s", err.msg);
    for (i = 0; i < ncmds; i++) {
        int argc = 0;
        char *out = NULL;
        while (argc < 8 && cmds[i][argc])
            argc++;
        memset(&err, 0, sizeof err);
        ck_assert_msg(bf_bcdedit_store(s, argc, cmds[i], NULL, &out, &err) == BF_OK,
                      "bcdedit %s %s: %s", cmds[i][0], argc > 1 ? cmds[i][1] : "", err.msg);
        free(out);
    }
    memset(&co, 0, sizeof co);
    co.out_path = v->bcd;
    unlink(v->bcd);
    ck_assert_msg(bf_bcd_commit(s, &co, &err) == BF_OK, "%s", err.msg);
    bf_bcd_close(s);
}

/* {bootmgr}; two loaders, L1 the default but L2 first in displayorder;
 * timeout 30, no displaybootmenu; {globalsettings} inheriting {dbgsettings};
 * no {emssettings}. */
static const cmd BCD_BASE[] = {
    {"/create", "{bootmgr}", "/d", "Windows Boot Manager", NULL},
    {"/create", L1, "/d", "Windows Server", "/application", "osloader", NULL},
    {"/create", L2, "/d", "Other Windows", "/application", "osloader", NULL},
    {"/default", L1, NULL},
    {"/displayorder", L2, L1, NULL},
    {"/timeout", "30", NULL},
    {"/create", "{dbgsettings}", "/d", "Debugger Settings", NULL},
    {"/create", "{globalsettings}", "/d", "Global Settings", NULL},
    {"/set", "{globalsettings}", "inherit", "{dbgsettings}", NULL},
};

static void make_volume(struct vol *v)
{
    bf_hive *h;
    vol_init(v);
    h = sys_new();
    sys_default_cs(h);
    sys_write(v, h);
    bcd_write(v, BCD_BASE, N(BCD_BASE));
}

/* ---- running ------------------------------------------------------------------------------------ */

enum { RUN_DRY = 1, RUN_FORCE = 2, RUN_NO_BACKUP = 4 };

static bf_target *open_target(const struct vol *v)
{
    bf_target_opts to;
    bf_target *t = NULL;
    bf_error err;
    memset(&to, 0, sizeof to);
    to.mountinfo_path = v->mountinfo;
    to.sysfs_root = v->sysfs;
    memset(&err, 0, sizeof err);
    ck_assert_msg(bf_target_open(v->dir, &to, &t, &err) == BF_OK, "target %s: %s", v->dir,
                  err.msg);
    return t;
}

static const bf_recipe *recipe(const char *name, const char *mode)
{
    const bf_recipe *r = bf_recipe_find(name, mode);
    ck_assert_msg(r, "no recipe %s %s", name, mode ? mode : "");
    return r;
}

/* Run a recipe; args are name/value pairs.  res must be freed by the caller. */
static int run(const struct vol *v, const char *name, const char *mode, const bf_recipe_arg *args,
               size_t nargs, unsigned flags, bf_run_result *res, bf_error *err)
{
    bf_run_opts o;
    bf_target *t = open_target(v);
    int rc;
    memset(&o, 0, sizeof o);
    o.args = args;
    o.nargs = nargs;
    o.dry_run = !!(flags & RUN_DRY);
    o.force = !!(flags & RUN_FORCE);
    o.no_backup = !!(flags & RUN_NO_BACKUP);
    memset(err, 0, sizeof *err);
    rc = bf_recipe_run(recipe(name, mode), t, &o, res, err);
    bf_target_close(t);
    return rc;
}

/* Run and require success; the result is freed. */
static void run_ok(const struct vol *v, const char *name, const char *mode,
                   const bf_recipe_arg *args, size_t nargs)
{
    bf_run_result res;
    bf_error err;
    int rc = run(v, name, mode, args, nargs, 0, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s %s failed (%d): %s", name, mode ? mode : "", rc, err.msg);
    bf_run_result_free(&res);
}

static void undo_ok(const struct vol *v)
{
    bf_run_opts o;
    bf_run_result res;
    bf_error err;
    bf_target *t = open_target(v);
    int rc;
    memset(&o, 0, sizeof o);
    memset(&res, 0, sizeof res);
    memset(&err, 0, sizeof err);
    rc = bf_undo(t, NULL, &o, &res, &err);
    ck_assert_msg(rc == BF_OK, "undo failed (%d): %s", rc, err.msg);
    bf_run_result_free(&res);
    bf_target_close(t);
}

/* ---- reading back -------------------------------------------------------------------------------- */

/* 1 and the value when present, 0 when the key or the value is absent. */
static int reg_get(const char *path, const char *key, const char *name, uint32_t *type,
                   uint8_t **data, size_t *len)
{
    bf_hive *h = NULL;
    bf_error err;
    bf_node n;
    bf_value val;
    int present = 0;
    *data = NULL;
    *len = 0;
    ck_assert_msg(bf_hive_open(path, 0, &h, &err) == BF_OK, "%s: %s", path, err.msg);
    if (bf_node_lookup(h, bf_hive_root(h), key, &n, NULL) == BF_OK &&
        bf_node_get_value(h, n, name, &val, NULL) == BF_OK) {
        ck_assert_msg(bf_value_data(h, val, type, data, len, &err) == BF_OK, "%s", err.msg);
        present = 1;
    }
    bf_hive_close(h);
    return present;
}

static int key_exists(const char *path, const char *key)
{
    bf_hive *h = NULL;
    bf_error err;
    bf_node n;
    int rc;
    ck_assert_msg(bf_hive_open(path, 0, &h, &err) == BF_OK, "%s: %s", path, err.msg);
    rc = bf_node_lookup(h, bf_hive_root(h), key, &n, NULL);
    bf_hive_close(h);
    return rc == BF_OK;
}

static void assert_dword(const char *path, const char *key, const char *name, uint32_t want)
{
    uint32_t type = 0;
    uint8_t *d;
    size_t len;
    ck_assert_msg(reg_get(path, key, name, &type, &d, &len), "%s\\%s is absent", key, name);
    ck_assert_msg(type == BF_REG_DWORD && len == 4, "%s\\%s: type %u len %zu", key, name,
                  (unsigned)type, len);
    ck_assert_msg((uint32_t)d[0] + ((uint32_t)d[1] << 8) + ((uint32_t)d[2] << 16) +
                          ((uint32_t)d[3] << 24) ==
                      want,
                  "%s\\%s: %02x %02x %02x %02x, want %u", key, name, d[0], d[1], d[2], d[3],
                  (unsigned)want);
    free(d);
}

static void assert_absent(const char *path, const char *key, const char *name)
{
    uint32_t type = 0;
    uint8_t *d;
    size_t len;
    int present = reg_get(path, key, name, &type, &d, &len);
    free(d);
    ck_assert_msg(!present, "%s\\%s is present (type %u, %zu bytes)", key, name, (unsigned)type,
                  len);
}

static void assert_text(const char *path, const char *key, const char *name, uint32_t want_type,
                        const char *want)
{
    uint8_t w[512];
    size_t wl = utf16z(want, w, sizeof w);
    uint32_t type = 0;
    uint8_t *d;
    size_t len;
    ck_assert_msg(reg_get(path, key, name, &type, &d, &len), "%s\\%s is absent", key, name);
    ck_assert_msg(type == want_type && len == wl && memcmp(d, w, wl) == 0,
                  "%s\\%s: type %u, %zu bytes; want type %u \"%s\"", key, name, (unsigned)type,
                  len, (unsigned)want_type, want);
    free(d);
}

/* An element of `id` (GUID or alias, resolved in the store): 1 when present. */
static int bcd_get(const char *path, const char *id, uint32_t code, bf_bcd_elem *e)
{
    bf_bcd *s = NULL;
    bf_error err;
    bf_guid g;
    int rc;
    memset(e, 0, sizeof *e);
    ck_assert_msg(bf_bcd_open(path, 0, &s, &err) == BF_OK, "%s: %s", path, err.msg);
    ck_assert_msg(bf_bcd_resolve(s, id, &g, &err) == BF_OK, "%s: %s", id, err.msg);
    rc = bf_bcd_element_get(s, &g, code, e, NULL);
    bf_bcd_close(s);
    ck_assert(rc == BF_OK || rc == BF_ERR_NOT_FOUND);
    return rc == BF_OK;
}

static void assert_elem_bytes(const char *path, const char *id, uint32_t code, uint32_t type,
                              const uint8_t *want, size_t len)
{
    bf_bcd_elem e;
    size_t i;
    char got[64] = "";
    ck_assert_msg(bcd_get(path, id, code, &e), "%s element %08x is absent", id, (unsigned)code);
    for (i = 0; i < e.raw_len && i < 16; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%02x ", e.raw[i]);
    ck_assert_msg(e.reg_type == type && e.raw_len == len && memcmp(e.raw, want, len) == 0,
                  "%s element %08x: type %u, %zu bytes [%s], want type %u %zu bytes", id,
                  (unsigned)code, (unsigned)e.reg_type, e.raw_len, got, (unsigned)type, len);
    bf_bcd_elem_free(&e);
}

static void assert_elem_int(const char *path, const char *id, uint32_t code, uint64_t v)
{
    uint8_t b[8];
    int i;
    for (i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    assert_elem_bytes(path, id, code, BF_REG_BINARY, b, 8);
}

static void assert_elem_yes(const char *path, const char *id, uint32_t code)
{
    static const uint8_t one[1] = {1};
    assert_elem_bytes(path, id, code, BF_REG_BINARY, one, 1);
}

static void assert_elem_absent(const char *path, const char *id, uint32_t code)
{
    bf_bcd_elem e;
    int present = bcd_get(path, id, code, &e);
    bf_bcd_elem_free(&e);
    ck_assert_msg(!present, "%s element %08x is present", id, (unsigned)code);
}

/* Object type of `id` in the store, 0 when it does not exist. */
static uint32_t bcd_object_type(const char *path, const char *id)
{
    bf_bcd *s = NULL;
    bf_error err;
    bf_guid g;
    uint32_t type = 0;
    ck_assert_msg(bf_bcd_open(path, 0, &s, &err) == BF_OK, "%s", err.msg);
    ck_assert(bf_bcd_alias_lookup(id, &g, NULL) == 0 || bf_guid_parse(id, &g) == 0);
    if (bf_bcd_object_type(s, &g, &type, NULL) != BF_OK)
        type = 0;
    bf_bcd_close(s);
    return type;
}

/* The GUIDs of a list element, formatted and joined with ' ' ("" when absent). */
static void bcd_list_text(const char *path, const char *id, uint32_t code, char *out, size_t cap)
{
    bf_bcd_elem e;
    size_t i;
    out[0] = '\0';
    if (!bcd_get(path, id, code, &e))
        return;
    ck_assert_msg(e.valid, "%s %08x: %s", id, (unsigned)code, e.problem);
    for (i = 0; i < e.nguids; i++) {
        char gs[BF_GUID_TEXT];
        const char *a = bf_bcd_alias_name(&e.guids[i]);
        bf_guid_format(&e.guids[i], gs);
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "", a ? a : gs);
    }
    bf_bcd_elem_free(&e);
}

/* ---- result helpers ------------------------------------------------------------------------------- */

/* The change for `name` whose `where` contains `where` (NULL: any). */
static const bf_change *change(const bf_run_result *res, const char *where, const char *name)
{
    size_t i;
    for (i = 0; i < res->nchanges; i++) {
        const bf_change *c = &res->changes[i];
        if (c->name && strcmp(c->name, name) == 0 &&
            (!where || (c->where && strstr(c->where, where))))
            return c;
    }
    return NULL;
}

static const bf_change *must_change(const bf_run_result *res, const char *where, const char *name)
{
    const bf_change *c = change(res, where, name);
    ck_assert_msg(c, "no change line for %s %s", where ? where : "", name);
    return c;
}

static int found_has(const bf_run_result *res, const char *a, const char *b)
{
    size_t i;
    for (i = 0; i < res->nfound; i++)
        if (strstr(res->found[i], a) && (!b || strstr(res->found[i], b)))
            return 1;
    return 0;
}

static size_t count_state(const bf_run_result *res, int state)
{
    size_t i, n = 0;
    for (i = 0; i < res->nchanges; i++)
        n += res->changes[i].state == state;
    return n;
}

/* Number of entries in a directory (-1 when it does not exist). */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

struct snap {
    uint8_t *sys, *bcd;
    size_t nsys, nbcd;
};

static void snap_take(const struct vol *v, struct snap *s)
{
    s->sys = test_slurp(v->system, &s->nsys);
    s->bcd = test_slurp(v->bcd, &s->nbcd);
    ck_assert_ptr_nonnull(s->sys);
}

/* The files are byte-identical to the snapshot (and the snapshot is freed). */
static void snap_same(const struct vol *v, struct snap *s)
{
    size_t n1 = 0, n2 = 0;
    uint8_t *a = test_slurp(v->system, &n1);
    uint8_t *b = test_slurp(v->bcd, &n2);
    ck_assert_msg(a && n1 == s->nsys && memcmp(a, s->sys, n1) == 0, "SYSTEM was changed");
    ck_assert_msg((!b && !s->bcd) || (b && s->bcd && n2 == s->nbcd && memcmp(b, s->bcd, n2) == 0),
                  "BCD was changed");
    free(a);
    free(b);
    free(s->sys);
    free(s->bcd);
}

static void refused(const struct vol *v, const char *name, const char *mode,
                    const bf_recipe_arg *args, size_t nargs, int code, const char *w1,
                    const char *w2)
{
    bf_run_result res;
    bf_error err;
    struct snap s;
    int rc;
    snap_take(v, &s);
    rc = run(v, name, mode, args, nargs, 0, &res, &err);
    ck_assert_msg(rc == code, "%s: rc %d, want %d: %s", name, rc, code, err.msg);
    ck_assert_msg(!w1 || strstr(err.msg, w1), "message lacks '%s': %s", w1, err.msg);
    ck_assert_msg(!w2 || strstr(err.msg, w2), "message lacks '%s': %s", w2, err.msg);
    ck_assert_ptr_null(res.journal_path);
    bf_run_result_free(&res);
    snap_same(v, &s);
    ck_assert_int_eq(count_entries(v->backups), -1);
}

/* A symbolic link planted as the target's bootfix-backup folder must not
 * redirect the backups outside the target: refused, nothing written. */
START_TEST(t_backup_symlink_refused)
{
    struct vol v;
    make_volume(&v);
    char outside[96];
    snprintf(outside, sizeof outside, "%s/outside_XXXXXX", g_base);
    ck_assert_ptr_nonnull(mkdtemp(outside));
    ck_assert_int_eq(symlink(outside, v.backups), 0);
    bf_run_result res;
    bf_error err;
    struct snap sn;
    snap_take(&v, &sn);
    int rc = run(&v, "enable-dump", NULL, NULL, 0, 0, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "symbolic link") && strstr(err.msg, v.backups), "%s", err.msg);
    bf_run_result_free(&res);
    snap_same(&v, &sn);
    ck_assert_int_eq(count_entries(outside), 0);
}
END_TEST

/* ---- parameter binding ---------------------------------------------------------------------------- */

START_TEST(t_param_unknown)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"typo-option", "x"}};
    make_volume(&v);
    refused(&v, "enable-dump", NULL, a, 1, BF_ERR_INVALID, "typo-option", NULL);
    refused(&v, "serial-console", "on", a, 1, BF_ERR_INVALID, "typo-option", NULL);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_param_bad_choice)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"type", "huge"}};
    static const bf_recipe_arg m[] = {{"mode", "maximal"}};
    make_volume(&v);
    refused(&v, "enable-dump", NULL, a, 1, BF_ERR_INVALID, "huge", "complete");
    refused(&v, "enable-dump", NULL, a, 1, BF_ERR_INVALID, "kernel", "small");
    refused(&v, "enable-dump", NULL, a, 1, BF_ERR_INVALID, "automatic", "active");
    refused(&v, "safeboot", "on", m, 1, BF_ERR_INVALID, "maximal", "network");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_param_range)
{
    struct vol v;
    static const bf_recipe_arg p0[] = {{"port", "0"}};
    static const bf_recipe_arg p256[] = {{"port", "256"}};
    static const bf_recipe_arg pword[] = {{"port", "com1"}};
    static const bf_recipe_arg pneg[] = {{"port", "-1"}};
    static const bf_recipe_arg p255[] = {{"port", "255"}};
    bf_run_result res;
    bf_error err;
    uint8_t b[8] = {255, 0, 0, 0, 0, 0, 0, 0};
    make_volume(&v);
    refused(&v, "serial-console", "on", p0, 1, BF_ERR_INVALID, "port", "range");
    refused(&v, "serial-console", "on", p256, 1, BF_ERR_INVALID, "port", "256");
    refused(&v, "serial-console", "on", pword, 1, BF_ERR_INVALID, "port", "com1");
    refused(&v, "serial-console", "on", pneg, 1, BF_ERR_INVALID, "port", NULL);
    /* the upper bound itself is accepted and stored */
    ck_assert_msg(run(&v, "serial-console", "on", p255, 1, 0, &res, &err) == BF_OK, "%s", err.msg);
    bf_run_result_free(&res);
    assert_elem_bytes(v.bcd, "{emssettings}", EL_EMSPORT, BF_REG_BINARY, b, 8);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_param_requires)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"dump-file-size", "2048"}};
    static const bf_recipe_arg both[] = {{"dump-file-size", "2048"},
                                         {"dedicated-dump-file", "C:\\dd.sys"}};
    make_volume(&v);
    refused(&v, "enable-dump", NULL, a, 1, BF_ERR_INVALID, "dump-file-size",
            "dedicated-dump-file");
    run_ok(&v, "enable-dump", NULL, both, 2);
    assert_dword(v.system, CC1, "DumpFileSize", 2048);
    assert_text(v.system, CC1, "DedicatedDumpFile", BF_REG_SZ, "C:\\dd.sys");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_param_switch)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"no-autoreboot", NULL}};
    static const bf_recipe_arg s[] = {{"alternate-shell", "1"}};
    make_volume(&v);
    run_ok(&v, "enable-dump", NULL, a, 1);
    assert_dword(v.system, CC1, "AutoReboot", 0);
    run_ok(&v, "safeboot", "on", s, 1);
    assert_elem_yes(v.bcd, L1, EL_ALTSHELL);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_param_twice)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"type", "kernel"}, {"type", "small"}};
    static const bf_recipe_arg b[] = {{"port", "1"}, {"port", "1"}};
    make_volume(&v);
    refused(&v, "enable-dump", NULL, a, 2, BF_ERR_INVALID, "type", "twice");
    refused(&v, "serial-console", "on", b, 2, BF_ERR_INVALID, "port", "twice");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_param_defaults)
{
    struct vol v;
    make_volume(&v);
    run_ok(&v, "serial-console", "on", NULL, 0);
    assert_elem_int(v.bcd, "{emssettings}", EL_EMSPORT, 1);
    assert_elem_int(v.bcd, "{emssettings}", EL_EMSBAUD, 115200);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 10);
    assert_elem_yes(v.bcd, "{bootmgr}", EL_DISPLAYBOOTMENU);
    assert_elem_yes(v.bcd, "{bootmgr}", EL_BOOTEMS);
    assert_elem_yes(v.bcd, L1, EL_EMS);
    /* enable-dump's defaults: kernel dump, %SystemRoot%\MEMORY.DMP, NMI */
    run_ok(&v, "enable-dump", NULL, NULL, 0);
    assert_dword(v.system, CC1, "CrashDumpEnabled", 2);
    assert_text(v.system, CC1, "DumpFile", BF_REG_EXPAND_SZ, "%SystemRoot%\\MEMORY.DMP");
    assert_dword(v.system, CC1, "NMICrashDump", 1);
    assert_absent(v.system, CC1, "DedicatedDumpFile");
    assert_absent(v.system, CC1, "DumpFileSize");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_param_values_used)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"port", "2"}, {"baud", "9600"}, {"timeout", "0"}};
    static const bf_recipe_arg d[] = {{"type", "small"}, {"dump-file", "D:\\x.dmp"}};
    make_volume(&v);
    run_ok(&v, "serial-console", "on", a, 3);
    assert_elem_int(v.bcd, "{emssettings}", EL_EMSPORT, 2);
    assert_elem_int(v.bcd, "{emssettings}", EL_EMSBAUD, 9600);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 0);
    run_ok(&v, "enable-dump", NULL, d, 2);
    assert_dword(v.system, CC1, "CrashDumpEnabled", 3);
    assert_text(v.system, CC1, "DumpFile", BF_REG_EXPAND_SZ, "D:\\x.dmp");
    test_rm_tree(v.dir);
}
END_TEST

/* ---- conditional steps ------------------------------------------------------------------------------- */

START_TEST(t_cond_active)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"type", "active"}};
    make_volume(&v);
    assert_absent(v.system, CC1, "FilterPages");
    run_ok(&v, "enable-dump", NULL, a, 1);
    assert_dword(v.system, CC1, "CrashDumpEnabled", 1);
    assert_dword(v.system, CC1, "FilterPages", 1);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_cond_complete)
{
    struct vol v;
    static const bf_recipe_arg k[] = {{"type", "kernel"}};
    static const bf_recipe_arg c[] = {{"type", "COMPLETE"}};
    bf_hive *h;
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    put_dword(h, CC1, "FilterPages", 1);
    sys_write(&v, h);
    bcd_write(&v, BCD_BASE, N(BCD_BASE));
    /* kernel leaves FilterPages alone */
    run_ok(&v, "enable-dump", NULL, k, 1);
    assert_dword(v.system, CC1, "FilterPages", 1);
    assert_dword(v.system, CC1, "CrashDumpEnabled", 2);
    /* complete (any case) deletes it */
    run_ok(&v, "enable-dump", NULL, c, 1);
    assert_absent(v.system, CC1, "FilterPages");
    assert_dword(v.system, CC1, "CrashDumpEnabled", 1);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_cond_autoreboot)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"no-autoreboot", "1"}};
    bf_run_result res;
    bf_error err;
    make_volume(&v);
    ck_assert_msg(run(&v, "enable-dump", NULL, NULL, 0, 0, &res, &err) == BF_OK, "%s", err.msg);
    ck_assert_msg(change(&res, NULL, "AutoReboot") == NULL, "AutoReboot planned without the switch");
    bf_run_result_free(&res);
    assert_dword(v.system, CC1, "AutoReboot", 1);
    ck_assert_msg(run(&v, "enable-dump", NULL, a, 1, 0, &res, &err) == BF_OK, "%s", err.msg);
    ck_assert_int_eq(must_change(&res, CC1, "AutoReboot")->state, BF_CHANGE_CHANGED);
    bf_run_result_free(&res);
    assert_dword(v.system, CC1, "AutoReboot", 0);
    test_rm_tree(v.dir);
}
END_TEST

/* ---- control sets ------------------------------------------------------------------------------------ */

START_TEST(t_control_sets)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    bf_hive *h;
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    /* ControlSet003 has Control but no CrashControl; there is no ControlSet002 */
    put_dword(h, "ControlSet003\\Control", "Dummy", 5);
    sys_write(&v, h);
    bcd_write(&v, BCD_BASE, N(BCD_BASE));

    ck_assert_msg(run(&v, "enable-dump", NULL, NULL, 0, 0, &res, &err) == BF_OK, "%s", err.msg);
    ck_assert_msg(found_has(&res, "ControlSet001", "ControlSet003"),
                  "no found line names both control sets");
    ck_assert_int_eq(must_change(&res, "ControlSet003", "CrashDumpEnabled")->state,
                     BF_CHANGE_CHANGED);
    ck_assert_ptr_null(change(&res, "ControlSet002", "CrashDumpEnabled"));
    bf_run_result_free(&res);

    assert_dword(v.system, CC1, "CrashDumpEnabled", 2);
    assert_dword(v.system, "ControlSet003\\Control\\CrashControl", "CrashDumpEnabled", 2);
    assert_dword(v.system, "ControlSet003\\Control\\CrashControl", "NMICrashDump", 1);
    assert_text(v.system, "ControlSet003\\Control\\CrashControl", "DumpFile", BF_REG_EXPAND_SZ,
                "%SystemRoot%\\MEMORY.DMP");
    assert_dword(v.system, "ControlSet003\\Control", "Dummy", 5);
    ck_assert_msg(!key_exists(v.system, "ControlSet002"), "ControlSet002 was created");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_no_control_set)
{
    struct vol v;
    bf_hive *h;
    vol_init(&v);
    h = sys_new();
    sys_write(&v, h);
    bcd_write(&v, BCD_BASE, N(BCD_BASE));
    refused(&v, "enable-dump", NULL, NULL, 0, BF_ERR_FORMAT, "ControlSet", NULL);
    test_rm_tree(v.dir);
}
END_TEST

/* ---- the result ------------------------------------------------------------------------------------- */

START_TEST(t_result_contents)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    bf_hive *h;
    const bf_change *c;
    size_t i;
    int written_sys = 0;
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    put_dword(h, CC1, "CrashDumpEnabled", 2); /* already kernel */
    sys_write(&v, h);
    bcd_write(&v, BCD_BASE, N(BCD_BASE));

    ck_assert_msg(run(&v, "enable-dump", NULL, NULL, 0, 0, &res, &err) == BF_OK, "%s", err.msg);
    ck_assert_str_eq(res.title, "enable-dump");
    ck_assert_int_eq(res.dry_run, 0);
    ck_assert_msg(found_has(&res, "SYSTEM", "Windows/System32/config/SYSTEM"),
                  "no found line with the SYSTEM path");
    ck_assert_msg(found_has(&res, "control sets", "ControlSet001"), "no control set line");

    c = must_change(&res, CC1, "CrashDumpEnabled");
    ck_assert_int_eq(c->state, BF_CHANGE_ALREADY);
    ck_assert_int_eq(c->kind, BF_CHANGE_REG_VALUE);
    c = must_change(&res, CC1, "DumpFile");
    ck_assert_int_eq(c->state, BF_CHANGE_ALREADY);
    c = must_change(&res, CC1, "NMICrashDump");
    ck_assert_int_eq(c->state, BF_CHANGE_CHANGED);
    ck_assert_int_eq(c->kind, BF_CHANGE_REG_VALUE);
    ck_assert_str_eq(c->file, "SYSTEM");
    ck_assert_str_eq(c->where, CC1);
    ck_assert_str_eq(c->old_text, "absent");
    ck_assert_msg(strstr(c->new_text, "REG_DWORD") && strstr(c->new_text, "1"), "new: %s",
                  c->new_text);
    ck_assert_uint_eq(res.nchanged, 1);
    ck_assert_uint_eq(count_state(&res, BF_CHANGE_CHANGED), 1);
    ck_assert_uint_eq(count_state(&res, BF_CHANGE_ALREADY), 2);
    ck_assert_ptr_nonnull(res.backup_dir);
    ck_assert_ptr_nonnull(res.journal_path);
    ck_assert_int_eq(access(res.journal_path, F_OK), 0);
    ck_assert_msg(strncmp(res.backup_dir, v.backups, strlen(v.backups)) == 0 ||
                      strstr(res.backup_dir, "bootfix-backup"),
                  "backup folder %s", res.backup_dir);
    for (i = 0; i < res.nwritten; i++)
        written_sys |= strstr(res.written[i], "config/SYSTEM") != NULL;
    ck_assert_msg(written_sys, "SYSTEM not listed as written");
    for (i = 0; i < res.nwritten; i++)
        ck_assert_msg(!strstr(res.written[i], "BCD"), "BCD listed as written: %s", res.written[i]);
    bf_run_result_free(&res);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_dry_run)
{
    struct vol v;
    struct snap s;
    bf_run_result res;
    bf_error err;
    static const bf_recipe_arg a[] = {{"type", "active"}, {"no-autoreboot", "1"}};
    make_volume(&v);
    snap_take(&v, &s);
    ck_assert_msg(run(&v, "enable-dump", NULL, a, 2, RUN_DRY, &res, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_int_eq(res.dry_run, 1);
    ck_assert_uint_ge(res.nchanged, 4);
    ck_assert_int_eq(must_change(&res, CC1, "FilterPages")->state, BF_CHANGE_CHANGED);
    ck_assert_ptr_null(res.backup_dir);
    ck_assert_ptr_null(res.journal_path);
    ck_assert_uint_eq(res.nwritten, 0);
    bf_run_result_free(&res);

    ck_assert_msg(run(&v, "serial-console", "on", NULL, 0, RUN_DRY, &res, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_int_eq(res.dry_run, 1);
    ck_assert_uint_ge(res.nchanged, 6);
    ck_assert_uint_eq(res.nwritten, 0);
    bf_run_result_free(&res);

    ck_assert_msg(run(&v, "debug-boot", "on", NULL, 0, RUN_DRY, &res, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_uint_ge(res.nchanged, 2);
    bf_run_result_free(&res);

    snap_same(&v, &s);
    ck_assert_int_eq(count_entries(v.backups), -1);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_second_run)
{
    struct vol v;
    struct snap s;
    bf_run_result res;
    bf_error err;
    make_volume(&v);
    run_ok(&v, "enable-dump", NULL, NULL, 0);
    run_ok(&v, "serial-console", "on", NULL, 0);
    ck_assert_int_eq(count_entries(v.backups), 2);
    snap_take(&v, &s);

    ck_assert_msg(run(&v, "enable-dump", NULL, NULL, 0, 0, &res, &err) == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.nchanged, 0);
    ck_assert_uint_eq(count_state(&res, BF_CHANGE_CHANGED), 0);
    ck_assert_uint_ge(count_state(&res, BF_CHANGE_ALREADY), 3);
    ck_assert_ptr_null(res.journal_path);
    ck_assert_uint_eq(res.nwritten, 0);
    bf_run_result_free(&res);

    ck_assert_msg(run(&v, "serial-console", "on", NULL, 0, 0, &res, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_uint_eq(res.nchanged, 0);
    ck_assert_ptr_null(res.journal_path);
    bf_run_result_free(&res);

    snap_same(&v, &s);
    ck_assert_int_eq(count_entries(v.backups), 2);
    test_rm_tree(v.dir);
}
END_TEST

/* ---- BCD ------------------------------------------------------------------------------------------------ */

START_TEST(t_bcd_default_entry)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    make_volume(&v);
    ck_assert_msg(run(&v, "serial-console", "on", NULL, 0, 0, &res, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_msg(found_has(&res, "11111111-2222-3333-4444-555555555555", "Windows Server"),
                  "the boot entry found is not L1");
    ck_assert_int_eq(must_change(&res, "11111111-2222", "ems")->state, BF_CHANGE_CHANGED);
    bf_run_result_free(&res);
    assert_elem_yes(v.bcd, L1, EL_EMS);
    assert_elem_absent(v.bcd, L2, EL_EMS);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_bcd_entry_guid)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"entry", L2}};
    make_volume(&v);
    run_ok(&v, "serial-console", "on", a, 1);
    assert_elem_yes(v.bcd, L2, EL_EMS);
    assert_elem_absent(v.bcd, L1, EL_EMS);
    run_ok(&v, "safeboot", "on", a, 1);
    assert_elem_int(v.bcd, L2, EL_SAFEBOOT, 0);
    assert_elem_absent(v.bcd, L1, EL_SAFEBOOT);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_bcd_entry_current)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"entry", "{current}"}};
    make_volume(&v);
    refused(&v, "serial-console", "on", a, 1, BF_ERR_UNSUPPORTED, "{current}", "running");
    refused(&v, "safeboot", "on", a, 1, BF_ERR_UNSUPPORTED, "running", NULL);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_bcd_no_default)
{
    struct vol v;
    bf_hive *h;
    static const cmd c[] = {
        {"/create", "{bootmgr}", "/d", "Windows Boot Manager", NULL},
        {"/create", L1, "/d", "Windows Server", "/application", "osloader", NULL},
        {"/displayorder", L1, NULL},
    };
    static const bf_recipe_arg a[] = {{"entry", L1}};
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    sys_write(&v, h);
    bcd_write(&v, c, N(c));
    refused(&v, "serial-console", "on", NULL, 0, BF_ERR_NOT_FOUND, "--entry", NULL);
    refused(&v, "safeboot", "on", NULL, 0, BF_ERR_NOT_FOUND, "--entry", NULL);
    /* with --entry it works */
    run_ok(&v, "safeboot", "on", a, 1);
    assert_elem_int(v.bcd, L1, EL_SAFEBOOT, 0);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_ems_created_added)
{
    struct vol v;
    char list[256];
    make_volume(&v);
    ck_assert_uint_eq(bcd_object_type(v.bcd, "{emssettings}"), 0);
    run_ok(&v, "serial-console", "on", NULL, 0);
    ck_assert_uint_eq(bcd_object_type(v.bcd, "{emssettings}"), 0x20100000u);
    bcd_list_text(v.bcd, "{globalsettings}", EL_INHERIT, list, sizeof list);
    ck_assert_str_eq(list, "{dbgsettings} {emssettings}");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_ems_list_has_it)
{
    struct vol v;
    bf_hive *h;
    bf_bcd_elem before, after;
    char list[256];
    static const cmd c[] = {
        {"/create", "{bootmgr}", "/d", "Windows Boot Manager", NULL},
        {"/create", L1, "/d", "Windows Server", "/application", "osloader", NULL},
        {"/default", L1, NULL},
        {"/create", "{dbgsettings}", "/d", "Debugger Settings", NULL},
        {"/create", "{globalsettings}", "/d", "Global Settings", NULL},
        {"/set", "{globalsettings}", "inherit", "{emssettings}", "{dbgsettings}", NULL},
    };
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    sys_write(&v, h);
    bcd_write(&v, c, N(c));
    ck_assert(bcd_get(v.bcd, "{globalsettings}", EL_INHERIT, &before));
    run_ok(&v, "serial-console", "on", NULL, 0);
    /* the object is created, the list (which names it already) is untouched */
    ck_assert_uint_eq(bcd_object_type(v.bcd, "{emssettings}"), 0x20100000u);
    ck_assert(bcd_get(v.bcd, "{globalsettings}", EL_INHERIT, &after));
    ck_assert_uint_eq(after.reg_type, before.reg_type);
    ck_assert_uint_eq(after.raw_len, before.raw_len);
    ck_assert(memcmp(after.raw, before.raw, after.raw_len) == 0);
    bf_bcd_elem_free(&before);
    bf_bcd_elem_free(&after);
    bcd_list_text(v.bcd, "{globalsettings}", EL_INHERIT, list, sizeof list);
    ck_assert_str_eq(list, "{emssettings} {dbgsettings}");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_ems_no_list)
{
    struct vol v;
    bf_hive *h;
    static const cmd with_gs[] = {
        {"/create", "{bootmgr}", "/d", "Windows Boot Manager", NULL},
        {"/create", L1, "/d", "Windows Server", "/application", "osloader", NULL},
        {"/default", L1, NULL},
        {"/create", "{globalsettings}", "/d", "Global Settings", NULL},
    };
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    sys_write(&v, h);
    /* {globalsettings} without an inherit list: no list is created */
    bcd_write(&v, with_gs, N(with_gs));
    run_ok(&v, "serial-console", "on", NULL, 0);
    ck_assert_uint_eq(bcd_object_type(v.bcd, "{emssettings}"), 0x20100000u);
    assert_elem_absent(v.bcd, "{globalsettings}", EL_INHERIT);
    assert_elem_int(v.bcd, "{emssettings}", EL_EMSPORT, 1);
    /* no {globalsettings} at all: it is not created either */
    bcd_write(&v, with_gs, 3);
    test_rm_tree(v.backups);
    run_ok(&v, "serial-console", "on", NULL, 0);
    ck_assert_uint_eq(bcd_object_type(v.bcd, "{globalsettings}"), 0);
    ck_assert_uint_eq(bcd_object_type(v.bcd, "{emssettings}"), 0x20100000u);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_ems_exists)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    bf_hive *h;
    char list[256];
    static const cmd c[] = {
        {"/create", "{bootmgr}", "/d", "Windows Boot Manager", NULL},
        {"/create", L1, "/d", "Windows Server", "/application", "osloader", NULL},
        {"/default", L1, NULL},
        {"/create", "{emssettings}", "/d", "EMS Settings", NULL},
        {"/create", "{dbgsettings}", "/d", "Debugger Settings", NULL},
        {"/create", "{globalsettings}", "/d", "Global Settings", NULL},
        {"/set", "{globalsettings}", "inherit", "{dbgsettings}", NULL},
    };
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    sys_write(&v, h);
    bcd_write(&v, c, N(c));
    ck_assert_msg(run(&v, "serial-console", "on", NULL, 0, 0, &res, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_int_eq(must_change(&res, "{emssettings}", "object")->state, BF_CHANGE_ALREADY);
    bf_run_result_free(&res);
    /* an existing {emssettings} is still added to a list that lacks it */
    bcd_list_text(v.bcd, "{globalsettings}", EL_INHERIT, list, sizeof list);
    ck_assert_str_eq(list, "{dbgsettings} {emssettings}");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_safeboot_network)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"mode", "network"}};
    static const bf_recipe_arg d[] = {{"mode", "dsrepair"}};
    make_volume(&v);
    run_ok(&v, "safeboot", "on", a, 1);
    assert_elem_int(v.bcd, L1, EL_SAFEBOOT, 1);
    assert_elem_absent(v.bcd, L1, EL_ALTSHELL);
    run_ok(&v, "safeboot", "on", d, 1);
    assert_elem_int(v.bcd, L1, EL_SAFEBOOT, 2);
    run_ok(&v, "safeboot", "on", NULL, 0);
    assert_elem_int(v.bcd, L1, EL_SAFEBOOT, 0);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_safeboot_alternate_shell)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"alternate-shell", "1"}};
    make_volume(&v);
    run_ok(&v, "safeboot", "on", a, 1);
    assert_elem_int(v.bcd, L1, EL_SAFEBOOT, 0);
    assert_elem_yes(v.bcd, L1, EL_ALTSHELL);
    run_ok(&v, "safeboot", "on", NULL, 0);
    assert_elem_int(v.bcd, L1, EL_SAFEBOOT, 0);
    assert_elem_absent(v.bcd, L1, EL_ALTSHELL);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_safeboot_off)
{
    struct vol v;
    static const bf_recipe_arg a[] = {{"alternate-shell", "1"}, {"mode", "network"}};
    bf_hive *h = NULL;
    bf_error err;
    bf_node n;
    make_volume(&v);
    run_ok(&v, "safeboot", "on", a, 2);
    ck_assert(key_exists(v.bcd, "Objects\\" L1 "\\Elements\\25000080"));
    run_ok(&v, "safeboot", "off", NULL, 0);
    assert_elem_absent(v.bcd, L1, EL_SAFEBOOT);
    assert_elem_absent(v.bcd, L1, EL_ALTSHELL);
    /* the whole Elements\25000080 key is gone, as bcdedit /deletevalue does */
    ck_assert_msg(bf_hive_open(v.bcd, 0, &h, &err) == BF_OK, "%s", err.msg);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "Objects\\" L1 "\\Elements\\25000080",
                                    &n, NULL),
                     BF_ERR_NOT_FOUND);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "Objects\\" L1 "\\Elements\\26000081",
                                    &n, NULL),
                     BF_ERR_NOT_FOUND);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "Objects\\" L1 "\\Elements", &n, NULL),
                     BF_OK);
    bf_hive_close(h);
    test_rm_tree(v.dir);
}
END_TEST

/* ---- RESTORE steps ------------------------------------------------------------------------------------- */

START_TEST(t_serial_restore)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    make_volume(&v);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 30);
    assert_elem_absent(v.bcd, "{bootmgr}", EL_DISPLAYBOOTMENU);
    run_ok(&v, "serial-console", "on", NULL, 0);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 10);
    assert_elem_yes(v.bcd, "{bootmgr}", EL_DISPLAYBOOTMENU);

    ck_assert_msg(run(&v, "serial-console", "off", NULL, 0, 0, &res, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_msg(found_has(&res, "serial-console on", NULL), "no found line for the journal used");
    ck_assert_int_eq(must_change(&res, "{bootmgr}", "timeout")->state, BF_CHANGE_CHANGED);
    ck_assert_int_eq(must_change(&res, "{bootmgr}", "displaybootmenu")->state, BF_CHANGE_CHANGED);
    bf_run_result_free(&res);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 30);
    assert_elem_absent(v.bcd, "{bootmgr}", EL_DISPLAYBOOTMENU);
    assert_elem_absent(v.bcd, L1, EL_EMS);
    assert_elem_absent(v.bcd, "{bootmgr}", EL_BOOTEMS);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_serial_off_without_on)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    bf_hive *h;
    const bf_change *c;
    static const cmd c2[] = {
        {"/create", "{bootmgr}", "/d", "Windows Boot Manager", NULL},
        {"/create", L1, "/d", "Windows Server", "/application", "osloader", NULL},
        {"/default", L1, NULL},
        {"/timeout", "5", NULL},
        {"/set", "{bootmgr}", "displaybootmenu", "yes", NULL},
        {"/ems", L1, "on", NULL},
        {"/bootems", "{bootmgr}", "on", NULL},
    };
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    sys_write(&v, h);
    bcd_write(&v, c2, N(c2));
    assert_elem_yes(v.bcd, L1, EL_EMS);
    assert_elem_yes(v.bcd, "{bootmgr}", EL_BOOTEMS);

    ck_assert_msg(run(&v, "serial-console", "off", NULL, 0, 0, &res, &err) == BF_OK, "%s",
                  err.msg);
    c = must_change(&res, "{bootmgr}", "timeout");
    ck_assert_int_eq(c->state, BF_CHANGE_LEFT);
    ck_assert_ptr_nonnull(c->note);
    c = must_change(&res, "{bootmgr}", "displaybootmenu");
    ck_assert_int_eq(c->state, BF_CHANGE_LEFT);
    ck_assert_ptr_nonnull(c->note);
    ck_assert_int_eq(must_change(&res, NULL, "ems")->state, BF_CHANGE_CHANGED);
    ck_assert_int_eq(must_change(&res, "{bootmgr}", "bootems")->state, BF_CHANGE_CHANGED);
    ck_assert_uint_eq(res.nchanged, 2);
    bf_run_result_free(&res);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 5);
    assert_elem_yes(v.bcd, "{bootmgr}", EL_DISPLAYBOOTMENU);
    assert_elem_absent(v.bcd, L1, EL_EMS);
    assert_elem_absent(v.bcd, "{bootmgr}", EL_BOOTEMS);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_debug_restore)
{
    struct vol v;
    make_volume(&v);
    assert_dword(v.system, CC1, "AutoReboot", 1);
    run_ok(&v, "debug-boot", "on", NULL, 0);
    assert_dword(v.system, CC1, "AutoReboot", 0);
    assert_dword(v.system, CC1, "CrashDumpEnabled", 2);
    assert_elem_yes(v.bcd, L1, 0x26000090u); /* bootlog */
    run_ok(&v, "debug-boot", "off", NULL, 0);
    assert_dword(v.system, CC1, "AutoReboot", 1);
    assert_elem_absent(v.bcd, L1, 0x26000090u);
    assert_elem_absent(v.bcd, "{bootmgr}", 0x16000048u); /* nointegritychecks */
    assert_elem_int(v.bcd, L1, 0x1500004Bu, 1);          /* integrityservices Enable */
    assert_elem_int(v.bcd, L1, 0x250000E0u, 1);          /* IgnoreAllFailures */
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_debug_restore_absent)
{
    struct vol v;
    bf_hive *h;
    vol_init(&v);
    h = sys_new();
    put_dword(h, CC1, "CrashDumpEnabled", 7); /* no AutoReboot at all */
    sys_write(&v, h);
    bcd_write(&v, BCD_BASE, N(BCD_BASE));
    run_ok(&v, "debug-boot", "on", NULL, 0);
    assert_dword(v.system, CC1, "AutoReboot", 0);
    /* the journal recorded "absent": off brings that back, not the fallback 1 */
    run_ok(&v, "debug-boot", "off", NULL, 0);
    assert_absent(v.system, CC1, "AutoReboot");
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_debug_off_fallback)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    bf_hive *h;
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    put_dword(h, CC1, "AutoReboot", 0);
    sys_write(&v, h);
    bcd_write(&v, BCD_BASE, N(BCD_BASE));
    ck_assert_msg(run(&v, "debug-boot", "off", NULL, 0, 0, &res, &err) == BF_OK, "%s", err.msg);
    ck_assert_int_eq(must_change(&res, CC1, "AutoReboot")->state, BF_CHANGE_CHANGED);
    bf_run_result_free(&res);
    assert_dword(v.system, CC1, "AutoReboot", 1);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_undo_then_off)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    const bf_change *c;
    make_volume(&v);
    run_ok(&v, "serial-console", "on", NULL, 0);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 10);
    undo_ok(&v);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 30);
    assert_elem_absent(v.bcd, "{bootmgr}", EL_DISPLAYBOOTMENU);
    ck_assert_uint_eq(bcd_object_type(v.bcd, "{emssettings}"), 0);

    /* the undone journal of `on` is not consulted: LEFT with a note, not ALREADY */
    ck_assert_msg(run(&v, "serial-console", "off", NULL, 0, 0, &res, &err) == BF_OK, "%s",
                  err.msg);
    c = must_change(&res, "{bootmgr}", "timeout");
    ck_assert_int_eq(c->state, BF_CHANGE_LEFT);
    ck_assert_msg(c->note && strstr(c->note, "no journal"), "note: %s", c->note ? c->note : "");
    ck_assert_int_eq(must_change(&res, "{bootmgr}", "displaybootmenu")->state, BF_CHANGE_LEFT);
    ck_assert_msg(!found_has(&res, "journal of the last", NULL), "a journal was used");
    ck_assert_uint_eq(res.nchanged, 0);
    bf_run_result_free(&res);
    assert_elem_int(v.bcd, "{bootmgr}", EL_TIMEOUT, 30);
    test_rm_tree(v.dir);
}
END_TEST

/* ---- hibernation and --no-backup ------------------------------------------------------------------------ */

static void put_hiberfil(const struct vol *v)
{
    uint8_t b[4096];
    char p[256];
    memset(b, 0, sizeof b);
    memcpy(b, "HIBR", 4);
    snprintf(p, sizeof p, "%s/hiberfil.sys", v->dir);
    test_put_file(p, b, sizeof b);
}

START_TEST(t_hiber_refused)
{
    struct vol v;
    make_volume(&v);
    put_hiberfil(&v);
    refused(&v, "enable-dump", NULL, NULL, 0, BF_ERR_UNSUPPORTED, "hiberfil.sys", "HIBR");
    refused(&v, "serial-console", "on", NULL, 0, BF_ERR_UNSUPPORTED, "--force", NULL);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_hiber_dry_and_force)
{
    struct vol v;
    struct snap s;
    bf_run_result res;
    bf_error err;
    size_t i;
    int warned = 0;
    make_volume(&v);
    put_hiberfil(&v);
    snap_take(&v, &s);
    ck_assert_msg(run(&v, "enable-dump", NULL, NULL, 0, RUN_DRY, &res, &err) == BF_OK, "%s",
                  err.msg);
    for (i = 0; i < res.nwarnings; i++)
        warned |= strstr(res.warnings[i], "hiberfil.sys") != NULL;
    ck_assert_msg(warned, "no hibernation warning in a dry run");
    ck_assert_uint_ge(res.nchanged, 1);
    bf_run_result_free(&res);
    snap_same(&v, &s);
    ck_assert_int_eq(count_entries(v.backups), -1);

    ck_assert_msg(run(&v, "enable-dump", NULL, NULL, 0, RUN_FORCE, &res, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_ptr_nonnull(res.journal_path);
    bf_run_result_free(&res);
    assert_dword(v.system, CC1, "CrashDumpEnabled", 2);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_no_backup)
{
    struct vol v;
    struct snap s;
    bf_run_result res;
    bf_error err;
    char sub[512];
    DIR *d;
    struct dirent *e;
    make_volume(&v);
    snap_take(&v, &s);
    ck_assert_int_eq(run(&v, "enable-dump", NULL, NULL, 0, RUN_NO_BACKUP, &res, &err),
                     BF_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "--force"), "%s", err.msg);
    ck_assert_ptr_null(res.journal_path);
    bf_run_result_free(&res);
    snap_same(&v, &s);
    ck_assert_int_eq(count_entries(v.backups), -1);

    ck_assert_msg(run(&v, "enable-dump", NULL, NULL, 0, RUN_NO_BACKUP | RUN_FORCE, &res, &err) ==
                      BF_OK,
                  "%s", err.msg);
    ck_assert_ptr_nonnull(res.journal_path);
    ck_assert_int_eq(access(res.journal_path, F_OK), 0);
    bf_run_result_free(&res);
    assert_dword(v.system, CC1, "CrashDumpEnabled", 2);
    /* one folder holding the journal only */
    ck_assert_int_eq(count_entries(v.backups), 1);
    d = opendir(v.backups);
    ck_assert_ptr_nonnull(d);
    sub[0] = '\0';
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            snprintf(sub, sizeof sub, "%s/%s", v.backups, e->d_name);
    closedir(d);
    ck_assert_int_eq(count_entries(sub), 1);
    {
        char j[600];
        snprintf(j, sizeof j, "%s/journal.txt", sub);
        ck_assert_int_eq(access(j, F_OK), 0);
    }
    test_rm_tree(v.dir);
}
END_TEST

/* ---- undo ----------------------------------------------------------------------------------------------- */

START_TEST(t_undo_enable_dump)
{
    struct vol v;
    bf_hive *h;
    oracle_walk *before, *after;
    char ebuf[ORACLE_ERRSZ], diff[1024];
    static const bf_recipe_arg a[] = {{"type", "complete"},
                                      {"no-autoreboot", "1"},
                                      {"dump-file", "E:\\dumps\\x.dmp"},
                                      {"dedicated-dump-file", "C:\\dd.sys"},
                                      {"dump-file-size", "4096"}};
    vol_init(&v);
    h = sys_new();
    sys_default_cs(h);
    put_dword(h, CC1, "FilterPages", 1);
    put_dword(h, "ControlSet002\\Control", "Dummy", 1); /* CrashControl will be created */
    sys_write(&v, h);
    bcd_write(&v, BCD_BASE, N(BCD_BASE));
    before = oracle_walk_hivex(v.system, ebuf);
    ck_assert_msg(before, "hivex: %s", ebuf);

    run_ok(&v, "enable-dump", NULL, a, N(a));
    assert_absent(v.system, CC1, "FilterPages");
    assert_dword(v.system, CC1, "AutoReboot", 0);
    assert_dword(v.system, "ControlSet002\\Control\\CrashControl", "CrashDumpEnabled", 1);

    undo_ok(&v);
    assert_dword(v.system, CC1, "CrashDumpEnabled", 7);
    assert_dword(v.system, CC1, "AutoReboot", 1);
    assert_dword(v.system, CC1, "FilterPages", 1);
    assert_dword(v.system, CC1, "LogEvent", 1);
    assert_text(v.system, CC1, "DumpFile", BF_REG_EXPAND_SZ, "%SystemRoot%\\MEMORY.DMP");
    assert_absent(v.system, CC1, "NMICrashDump");
    assert_absent(v.system, CC1, "DedicatedDumpFile");
    assert_absent(v.system, CC1, "DumpFileSize");
    assert_absent(v.system, "ControlSet002\\Control\\CrashControl", "CrashDumpEnabled");

    after = oracle_walk_hivex(v.system, ebuf);
    ck_assert_msg(after, "hivex: %s", ebuf);
    ck_assert_msg(oracle_compare(before, after, ORACLE_CMP_DATA, diff, sizeof diff) == 0,
                  "after undo: %s", diff);
    oracle_walk_free(before);
    oracle_walk_free(after);
    test_rm_tree(v.dir);
}
END_TEST

/* ---- status ------------------------------------------------------------------------------------------- */

static const bf_status_item *status_find(const bf_status_item *it, size_t n, const char *section,
                                         const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strstr(it[i].section, section) && strcmp(it[i].name, name) == 0)
            return &it[i];
    return NULL;
}

START_TEST(t_status)
{
    struct vol v;
    bf_target *t;
    bf_status_item *it = NULL;
    size_t n = 0, i;
    bf_error err;
    const bf_status_item *x;
    int cs_section = 0;
    make_volume(&v);
    run_ok(&v, "safeboot", "on", NULL, 0);
    t = open_target(&v);
    memset(&err, 0, sizeof err);
    ck_assert_msg(bf_status_collect(t, &it, &n, &err) == BF_OK, "%s", err.msg);
    ck_assert_uint_gt(n, 0);
    /* the control set's CrashControl, in a section "control set ControlSet001..." (recipe.h) */
    for (i = 0; i < n; i++)
        if (strncmp(it[i].section, "control set ", 12) == 0 &&
            strstr(it[i].section, "ControlSet001") && strcmp(it[i].name, "CrashDumpEnabled") == 0) {
            cs_section = 1;
            ck_assert_msg(strncmp(it[i].value, "7", 1) == 0, "CrashDumpEnabled = %s",
                          it[i].value);
        }
    ck_assert_msg(cs_section, "no section 'control set ControlSet001' with CrashDumpEnabled "
                              "(sections are named e.g. '%s')",
                  (x = status_find(it, n, "ControlSet001", "CrashDumpEnabled")) ? x->section
                                                                                 : "(none)");
    x = status_find(it, n, "default entry", "description");
    ck_assert_msg(x, "no default entry description");
    ck_assert_str_eq(x->value, "Windows Server");
    x = status_find(it, n, "default entry", "identifier");
    ck_assert_msg(x && strstr(x->value, "11111111-2222-3333-4444-555555555555"),
                  "default entry identifier");
    x = status_find(it, n, "default entry", "safeboot");
    ck_assert_msg(x && strstr(x->value, "Minimal"), "safeboot: %s", x ? x->value : "none");
    x = status_find(it, n, "journal", "last recipe");
    ck_assert_msg(x && strstr(x->value, "safeboot on"), "journal: %s", x ? x->value : "none");
    bf_status_free(it, n);
    bf_target_close(t);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(t_status_no_bcd)
{
    struct vol v;
    bf_target *t;
    bf_status_item *it = NULL;
    size_t n = 0, i;
    bf_error err;
    int said = 0;
    make_volume(&v);
    unlink(v.bcd);
    t = open_target(&v);
    ck_assert_ptr_null(t->bcd_path);
    memset(&err, 0, sizeof err);
    ck_assert_msg(bf_status_collect(t, &it, &n, &err) == BF_OK, "%s", err.msg);
    for (i = 0; i < n; i++)
        if (strcmp(it[i].section, "bcd") == 0 && strstr(it[i].value, "not found"))
            said = 1;
    ck_assert_msg(said, "no item says the store was not found");
    ck_assert_msg(status_find(it, n, "ControlSet001", "CrashDumpEnabled"),
                  "the SYSTEM part is missing");
    bf_status_free(it, n);
    bf_target_close(t);
    /* a recipe that needs the store fails, naming what is missing */
    {
        bf_run_result res;
        ck_assert_int_eq(run(&v, "serial-console", "on", NULL, 0, 0, &res, &err),
                         BF_ERR_NOT_FOUND);
        ck_assert_msg(strstr(err.msg, "BCD"), "%s", err.msg);
        bf_run_result_free(&res);
    }
    test_rm_tree(v.dir);
}
END_TEST

/* ---- the table ------------------------------------------------------------------------------------------- */

START_TEST(t_recipe_find)
{
    size_t n = 0, i;
    const bf_recipe *all = bf_recipe_list(&n);
    char buf[64];
    ck_assert_uint_ge(n, 7);
    ck_assert_ptr_nonnull(bf_recipe_find("enable-dump", NULL));
    ck_assert_ptr_null(bf_recipe_find("enable-dump", "on"));
    ck_assert_ptr_null(bf_recipe_find("serial-console", NULL));
    ck_assert_ptr_null(bf_recipe_find("no-such-recipe", NULL));
    ck_assert_str_eq(bf_recipe_title(bf_recipe_find("safeboot", "off"), buf, sizeof buf),
                     "safeboot off");
    for (i = 0; i < n; i++)
        ck_assert_ptr_eq(bf_recipe_find(all[i].name, all[i].mode), &all[i]);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("recipe");
    TCase *p = tcase_create("params");
    TCase *c = tcase_create("conditions");
    TCase *r = tcase_create("result");
    TCase *b = tcase_create("bcd");
    TCase *rs = tcase_create("restore");
    TCase *w = tcase_create("writing");
    TCase *st = tcase_create("status");

    tcase_add_test(p, t_recipe_find);
    tcase_add_test(p, t_param_unknown);
    tcase_add_test(p, t_param_bad_choice);
    tcase_add_test(p, t_param_range);
    tcase_add_test(p, t_param_requires);
    tcase_add_test(p, t_param_switch);
    tcase_add_test(p, t_param_twice);
    tcase_add_test(p, t_param_defaults);
    tcase_add_test(p, t_param_values_used);
    tcase_add_test(c, t_cond_active);
    tcase_add_test(c, t_cond_complete);
    tcase_add_test(c, t_cond_autoreboot);
    tcase_add_test(c, t_control_sets);
    tcase_add_test(c, t_no_control_set);
    tcase_add_test(r, t_result_contents);
    tcase_add_test(r, t_dry_run);
    tcase_add_test(r, t_second_run);
    tcase_add_test(b, t_bcd_default_entry);
    tcase_add_test(b, t_bcd_entry_guid);
    tcase_add_test(b, t_bcd_entry_current);
    tcase_add_test(b, t_bcd_no_default);
    tcase_add_test(b, t_ems_created_added);
    tcase_add_test(b, t_ems_list_has_it);
    tcase_add_test(b, t_ems_no_list);
    tcase_add_test(b, t_ems_exists);
    tcase_add_test(b, t_safeboot_network);
    tcase_add_test(b, t_safeboot_alternate_shell);
    tcase_add_test(b, t_safeboot_off);
    tcase_add_test(rs, t_serial_restore);
    tcase_add_test(rs, t_serial_off_without_on);
    tcase_add_test(rs, t_debug_restore);
    tcase_add_test(rs, t_debug_restore_absent);
    tcase_add_test(rs, t_debug_off_fallback);
    tcase_add_test(rs, t_undo_then_off);
    tcase_add_test(w, t_hiber_refused);
    tcase_add_test(w, t_hiber_dry_and_force);
    tcase_add_test(w, t_no_backup);
    tcase_add_test(w, t_undo_enable_dump);
    tcase_add_test(w, t_backup_symlink_refused);
    tcase_add_test(st, t_status);
    tcase_add_test(st, t_status_no_bcd);

    tcase_set_timeout(w, 60);
    tcase_set_timeout(rs, 60);
    tcase_set_timeout(b, 60);
    suite_add_tcase(s, p);
    suite_add_tcase(s, c);
    suite_add_tcase(s, r);
    suite_add_tcase(s, b);
    suite_add_tcase(s, rs);
    suite_add_tcase(s, w);
    suite_add_tcase(s, st);
    return s;
}

int main(void)
{
    int rc;
    snprintf(g_base, sizeof g_base, "/tmp/bf_recipe_XXXXXX");
    if (!mkdtemp(g_base)) {
        perror("mkdtemp");
        return 1;
    }
    rc = test_run_suite(suite());
    test_rm_tree(g_base);
    return rc;
}
