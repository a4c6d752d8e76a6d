/*
 * run.c — bf_script_run: an article's command block, run as written on
 * the files of an attached disk.
 *
 * The whole script is parsed first (parse.c).  Then every hive and store it
 * names is found under the directory its drive letter is mapped to (ignoring
 * case) and opened once, writable; every command is applied in order to the
 * images in memory; and only when all of them succeeded are the changed
 * files committed, together, by one transaction of the recipe layer
 * (backups, journal, atomic commits, read-back).  Any error before that
 * leaves every file untouched.  `reg unload` only ends the name's use: the
 * hive is written at the end.  A dry run reports the differences between
 * the files and the edited images and writes nothing.
 */
#include "io/io.h"
#include "script/internal.h"

#include "hive/regfile_util.h"
#include "recipe/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rfile {
    char *path;      /* the file found under the mapped directory */
    bf_hive *h;      /* the image edited (a store's hive for a store) */
    bf_bcd *s;       /* the store, or NULL */
    char label[16];  /* "SYSTEM", "BCD" */
};

struct run {
    const char *name;
    const bf_script_opts *o;
    sc_script sc;
    struct rfile files[SC_MAX_FILES];
    unsigned flags;  /* bf_hive_open flags */
    rf_buf out;      /* what the commands printed */
};

/* "NAME line N: 'text': " + the message already in err. */
static int cmd_fail(struct run *r, const sc_cmd *c, bf_error *err)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return bf_fail(err, err->code ? err->code : BF_ERR_INVALID, "%s line %zu: '%.200s': %s",
                   r->name, c->line, c->text, msg);
}

static const char *base_name(const char *p)
{
    const char *b = p;
    for (; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

/* ---- files ---------------------------------------------------------------------------------- */

static void make_label(struct run *r, size_t i)
{
    const sc_file *f = &r->sc.files[i];
    char base[16];
    size_t k, n;
    int dup = 1;

    if (f->is_bcd) {
        snprintf(base, sizeof base, "BCD");
    } else {
        const char *b = base_name(f->rel);
        for (n = 0; b[n] && n < 10; n++)
            base[n] = (b[n] >= 'a' && b[n] <= 'z') ? (char)(b[n] - 'a' + 'A') : b[n];
        base[n] = '\0';
    }
    snprintf(r->files[i].label, sizeof r->files[i].label, "%s", base);
    for (k = 0; k < i; k++)
        if (strcmp(r->files[k].label, r->files[i].label) == 0) {
            /* at most SC_MAX_FILES files: one digit */
            snprintf(r->files[i].label, sizeof r->files[i].label, "%.10s-%c", base,
                     (char)('0' + ++dup));
            k = (size_t)-1; /* check the new label against all again */
        }
}

static int not_found(struct run *r, const sc_file *f, bf_error *err)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    if (f->is_bcd)
        return bf_fail(err, BF_ERR_NOT_FOUND, "%s line %zu: the store %.200s is not under %.200s "
                       "(where %c: is mapped): %s.  On a UEFI (Gen2) VM the store is "
                       "\\EFI\\Microsoft\\Boot\\BCD on the EFI system partition: mount that "
                       "partition and give --map for the letter holding the store "
                       "(--map %c:=DIR)", r->name, f->first_line, f->winpath, f->dir, f->letter,
                       msg, f->letter);
    return bf_fail(err, BF_ERR_NOT_FOUND, "%s line %zu: the hive %.200s is not under %.200s "
                   "(where %c: is mapped): %s (reg.exe would create an empty hive there; bootfix "
                   "only edits existing hives)", r->name, f->first_line, f->winpath, f->dir,
                   f->letter, msg);
}

static int open_one(struct run *r, size_t i, bf_run_result *res, bf_error *err)
{
    const sc_file *f = &r->sc.files[i];
    struct rfile *rf = &r->files[i];
    bf_hive_info info;
    size_t k;
    int rc;

    rc = bf_path_find_ci(f->dir, f->rel, &rf->path, err);
    if (rc == BF_ERR_NOT_FOUND)
        return not_found(r, f, err);
    if (rc != BF_OK) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return bf_fail(err, rc, "%s line %zu: %.200s: %s", r->name, f->first_line, f->winpath, msg);
    }
    for (k = 0; k < i; k++)
        if (strcmp(r->files[k].path, rf->path) == 0)
            return bf_fail(err, BF_ERR_INVALID, "%s line %zu: %.200s is the same file as %.200s "
                           "(line %zu): %s", r->name, f->first_line, f->winpath,
                           r->sc.files[k].winpath, r->sc.files[k].first_line, rf->path);
    if (f->is_bcd) {
        rc = bf_bcd_open(rf->path, r->flags, &rf->s, err);
        if (rc == BF_OK)
            rf->h = bf_bcd_hive(rf->s);
    } else {
        rc = bf_hive_open(rf->path, r->flags, &rf->h, err);
    }
    if (rc != BF_OK) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return bf_fail(err, rc, "%s line %zu: %s", r->name, f->first_line, msg);
    }
    make_label(r, i);
    bf_hive_get_info(rf->h, &info);
    return rc_add_found(res, err, "%s %s (%.200s, line %zu): %s (regf %u.%u, %s)", rf->label,
                        f->is_bcd ? "store" : "hive", f->winpath, f->first_line, rf->path,
                        (unsigned)info.major, (unsigned)info.minor,
                        info.replayed ? "dirty: its logs were replayed" :
                        info.dirty ? "dirty" : "clean");
}

static void close_files(struct run *r)
{
    size_t i;
    for (i = 0; i < r->sc.nfiles; i++) {
        if (r->files[i].s)
            bf_bcd_close(r->files[i].s);
        else if (r->files[i].h)
            bf_hive_close(r->files[i].h);
        free(r->files[i].path);
    }
}

/* ---- commands ------------------------------------------------------------------------------------ */

static int reg_add(struct run *r, const sc_cmd *c, bf_error *err)
{
    bf_hive *h = r->files[c->file].h;
    bf_node node = bf_hive_root(h);
    int created = 0, rc = BF_OK;

    if (c->key[0])
        rc = bf_node_create_path(h, node, c->key, &node, &created, err);
    if (rc == BF_OK && c->value)
        rc = bf_node_set_value(h, node, c->value, c->type, c->data, c->len, err);
    return rc;
}

static int delete_all_values(bf_hive *h, bf_node node, bf_error *err)
{
    bf_value *vals = NULL;
    char **names;
    size_t n = 0, i, got = 0;
    int rc = bf_node_values(h, node, &vals, &n, err);

    if (rc != BF_OK)
        return rc;
    names = bf_calloc(n + 1, sizeof *names);
    if (!names) {
        free(vals);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n && rc == BF_OK; i++)
        if ((rc = bf_value_name(h, vals[i], &names[i], err)) == BF_OK)
            got++;
    for (i = 0; i < got && rc == BF_OK; i++)
        rc = bf_node_delete_value(h, node, names[i], err);
    for (i = 0; i < got; i++)
        free(names[i]);
    free(names);
    free(vals);
    return rc;
}

static int reg_delete(struct run *r, const sc_cmd *c, bf_error *err)
{
    bf_hive *h = r->files[c->file].h;
    bf_node node;
    int rc = bf_node_lookup(h, bf_hive_root(h), c->key, &node, err);

    if (rc == BF_ERR_NOT_FOUND)
        return bf_fail(err, rc, "the key does not exist (reg.exe: \"The system was unable to "
                       "find the specified registry key or value\")");
    if (rc != BF_OK)
        return rc;
    switch (c->del) {
    case SC_DEL_VALUE:
        rc = bf_node_delete_value(h, node, c->value, err);
        if (rc == BF_ERR_NOT_FOUND)
            return bf_fail(err, rc, "the key has no value %s%s%s (reg.exe: \"The system was "
                           "unable to find the specified registry key or value\")",
                           c->value[0] ? "'" : "", c->value[0] ? c->value : "(Default)",
                           c->value[0] ? "'" : "");
        return rc;
    case SC_DEL_ALL:
        return delete_all_values(h, node, err);
    default:
        return bf_node_delete(h, node, err);
    }
}

static int bcdedit(struct run *r, const sc_cmd *c, bf_error *err)
{
    char *out = NULL;
    int rc = bf_bcdedit_store(r->files[c->file].s, (int)c->words.n - 1,
                              (const char *const *)c->words.v + 1, NULL, &out, err);
    if (rc == BF_OK && out)
        rf_puts(&r->out, out);
    free(out);
    return rc;
}

static int apply_all(struct run *r, bf_error *err)
{
    size_t i;
    for (i = 0; i < r->sc.ncmds; i++) {
        const sc_cmd *c = &r->sc.cmds[i];
        int rc = BF_OK;
        switch (c->kind) {
        case SC_REG_ADD: rc = reg_add(r, c, err); break;
        case SC_REG_DELETE: rc = reg_delete(r, c, err); break;
        case SC_BCDEDIT: rc = bcdedit(r, c, err); break;
        case SC_ECHO: rf_printf(&r->out, "%s\n", c->echo); break;
        default: break; /* reg load / unload: the files are open already */
        }
        if (rc != BF_OK)
            return cmd_fail(r, c, err);
    }
    return r->out.oom ? bf_fail(err, BF_ERR_NOMEM, "out of memory for the output") : BF_OK;
}

/* ---- results ------------------------------------------------------------------------------------- */

static bf_bcd *store_of_path(struct run *r, const char *path)
{
    size_t i;
    for (i = 0; path && i < r->sc.nfiles; i++)
        if (strcmp(r->files[i].path, path) == 0)
            return r->files[i].s;
    return NULL;
}

static int changes_from_journal(struct run *r, const bf_journal *j, bf_run_result *res,
                                bf_error *err)
{
    size_t i;
    for (i = 0; i < j->nentries; i++) {
        const bf_journal_entry *e = &j->entries[i];
        bf_bcd *s = e->file < j->nfiles ? store_of_path(r, j->files[e->file].path) : NULL;
        int rc = rc_change_from_entry(res, j, e, s, 0, BF_CHANGE_CHANGED, NULL, err);
        if (rc != BF_OK)
            return rc;
    }
    return BF_OK;
}

/* Dry run: the differences between each file and its edited image. */
static int plan_only(struct run *r, bf_run_result *res, bf_error *err)
{
    bf_journal j;
    size_t i;
    int rc = BF_OK;

    memset(&j, 0, sizeof j);
    for (i = 0; i < r->sc.nfiles && rc == BF_OK; i++) {
        bf_hive *before = NULL;
        size_t idx = 0;
        rc = bf_hive_open(r->files[i].path, r->flags & ~(unsigned)BF_OPEN_WRITE, &before, err);
        if (rc == BF_OK)
            rc = rc_journal_add_file(&j, r->files[i].label, r->files[i].path, NULL, &idx, err);
        if (rc == BF_OK)
            rc = bf_journal_diff(before, r->files[i].h, idx, &j, err);
        if (before)
            bf_hive_close(before);
    }
    if (rc == BF_OK)
        rc = changes_from_journal(r, &j, res, err);
    bf_journal_free(&j);
    return rc;
}

static char *backup_root(const bf_script_opts *o)
{
    const char *dir = o->target && o->target->root ? o->target->root :
                      o->nmaps ? o->maps[0].dir : NULL;
    rf_buf b = {0};
    if (!dir)
        return NULL;
    rf_printf(&b, "%s/%s", dir, RC_BACKUP_DIRNAME);
    return rf_take_str(&b);
}

static int commit_all(struct run *r, const char *title, bf_run_result *res, bf_error *err)
{
    struct rc_txn x;
    bf_journal j;
    char *root = backup_root(r->o);
    size_t i;
    int rc = BF_OK;

    if (!root)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    memset(&x, 0, sizeof x);
    memset(&j, 0, sizeof j);
    x.title = title;
    x.backup_root = root;
    x.t = r->o->target;
    x.o = &r->o->run;
    for (i = 0; i < r->sc.nfiles && rc == BF_OK; i++)
        rc = rc_txn_add(&x, r->files[i].label, r->files[i].path, r->files[i].h, r->flags, err);
    if (rc == BF_OK)
        rc = rc_txn_commit(&x, res, err);
    if (rc == BF_OK && res->journal_path) {
        rc = bf_journal_read(res->journal_path, &j, err);
        if (rc == BF_OK)
            rc = changes_from_journal(r, &j, res, err);
        bf_journal_free(&j);
        if (rc != BF_OK && err) { /* the files are written: say so */
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            bf_fail(err, rc, "the script's changes were written, but listing them from the journal %s "
                    "failed: %s", res->journal_path, msg);
        }
    }
    rc_txn_free(&x);
    free(root);
    return rc;
}

/* ---- entry ------------------------------------------------------------------------------------- */

static int refuse_hibernated(const bf_script_opts *o, bf_run_result *res, bf_error *err)
{
    const bf_target *t = o->target;
    if (!t || t->hiber_state != BF_HIBER_IMAGE || o->run.force)
        return BF_OK;
    if (o->run.dry_run)
        return rc_add_warning(res, err, "%s is hibernated (hiberfil.sys holds an image, signature "
                              "%s): Windows would resume and lose offline changes; a real run "
                              "is refused without --force", t->root, t->hiber_sig);
    return bf_fail(err, BF_ERR_UNSUPPORTED, "%s is hibernated or was shut down with Fast Startup "
                   "(hiberfil.sys holds an image, signature %s): Windows would resume the old "
                   "state and lose offline changes.  Shut it down fully, or use --force",
                   t->root, t->hiber_sig);
}

int bf_script_run(const char *name, const char *text, size_t len, const bf_script_opts *o,
                  bf_run_result *res, bf_error *err)
{
    static const bf_script_opts none;
    bf_error local;
    struct run r;
    rf_buf title = {0};
    size_t i;
    int rc;

    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    if (!res)
        return bf_fail(err, BF_ERR_INVALID, "bf_script_run: no result");
    memset(res, 0, sizeof *res);
    if (!text && len)
        return bf_fail(err, BF_ERR_INVALID, "bf_script_run: no text");
    if (!o)
        o = &none;
    memset(&r, 0, sizeof r);
    r.name = name ? name : "script";
    r.o = o;
    r.flags = BF_OPEN_WRITE | (o->run.force ? BF_OPEN_FORCE_DIRTY : 0);
    res->dry_run = o->run.dry_run;
    rf_printf(&title, "script %s", base_name(r.name));
    res->title = rf_take_str(&title);
    if (!res->title)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");

    rc = sc_parse(r.name, text ? text : "", len, o, &r.sc, err);
    if (rc == BF_OK)
        rc = refuse_hibernated(o, res, err);
    for (i = 0; rc == BF_OK && i < r.sc.nfiles; i++)
        rc = open_one(&r, i, res, err);
    if (rc == BF_OK)
        rc = apply_all(&r, err);
    res->output = rf_take_str(&r.out);
    if (rc == BF_OK && !res->output)
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory for the output");
    if (rc == BF_OK && r.sc.nfiles)
        rc = o->run.dry_run ? plan_only(&r, res, err) : commit_all(&r, res->title, res, err);
    close_files(&r);
    sc_script_free(&r.sc);
    return rc;
}
