/*
 * undo.c — bf_undo: revert a journal.
 *
 * Each file of the journal is opened for writing and its entries are
 * reverted in reverse order, so that a key created by the run loses its
 * values before the key itself, and a deleted key is recreated before its
 * values:
 *
 *   value   now as the run left it     -> back to the old state  (CHANGED)
 *           now already the old state  -> nothing                (ALREADY)
 *           anything else              -> CONFLICT: refused unless --force
 *   key+    exists and empty           -> deleted                (CHANGED)
 *           exists and holds more      -> left, with a note      (LEFT)
 *           gone                       ->                        (ALREADY)
 *   key-    gone                       -> recreated              (CHANGED)
 *           exists                     ->                        (ALREADY)
 *
 * Any conflict without --force refuses the whole undo before anything is
 * written.  The reverted state is committed like a recipe (backups, a
 * journal of its own, recipe "undo", whose "reverts" names the journal),
 * and the reverted journal is then marked undone.
 */
#include "recipe/internal.h"
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ufile {
    char *path;
    bf_hive *h;   /* the edited image (of bcd, when a store) */
    bf_bcd *bcd;  /* when the file is a BCD store that opened as one */
    unsigned flags;
};

struct undo {
    bf_target *t;
    const bf_run_opts *o;
    bf_run_result *res;
    bf_journal j;
    struct ufile f[RC_MAX_FILES];
    size_t nconflicts;
    char first_conflict[400];
};

/* The folder holding the journal's folder (the backup root), malloc'd. */
static char *backup_root_of(const char *journal)
{
    char *folder = bf_io_dir_of(journal);
    char *s = folder ? bf_io_dir_of(folder) : NULL;
    free(folder);
    return s;
}

/* ---- choosing and opening ---------------------------------------------------------------- */

static int pick_journal(struct undo *u, const char *journal, char **path, bf_error *err)
{
    if (journal) {
        *path = bf_strdup(journal);
        return *path ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    if (!u->t || !u->t->root)
        return bf_fail(err, BF_ERR_INVALID, "undo: no target and no journal given");
    char *root = bf_io_path_join(u->t->root, RC_BACKUP_DIRNAME);
    if (!root)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    bf_error e2;
    memset(&e2, 0, sizeof e2);
    int rc = bf_journal_find_latest(root, NULL, 0, path, &e2);
    if (rc == BF_ERR_NOT_FOUND)
        rc = bf_fail(err, BF_ERR_NOT_FOUND, "nothing to undo: no journal under %s that has not been "
                     "undone already", root);
    else if (rc && err)
        *err = e2;
    free(root);
    return rc;
}

/* Where the journal's file is now: rebased onto the target when the volume
 * is mounted somewhere else than when the journal was written. */
static char *file_path_now(struct undo *u, const char *recorded)
{
    const char *was = u->j.target;
    if (u->t && u->t->root && was && *was && strcmp(u->t->root, was) != 0) {
        size_t n = strlen(was);
        /* "/mnt/f" + "/Windows...", or "F:\" + "Windows..." */
        size_t skip = n && bf_io_is_sep(was[n - 1]) ? 0 : 1;
        if (strncmp(recorded, was, n) == 0 && (skip == 0 || bf_io_is_sep(recorded[n]))) {
            char *p = bf_io_path_join(u->t->root, recorded + n + skip);
            if (p)
                rc_add_warning(u->res, NULL, "%s was recorded under %s: using %s", recorded, was, p);
            return p;
        }
    }
    return bf_strdup(recorded);
}

static int open_files(struct undo *u, bf_error *err)
{
    if (u->j.nfiles > RC_MAX_FILES)
        return bf_fail(err, BF_ERR_LIMIT, "%s: %zu files (at most %d in one undo)", u->j.path, u->j.nfiles,
                       RC_MAX_FILES);
    unsigned flags = BF_OPEN_WRITE | (u->o->force ? BF_OPEN_FORCE_DIRTY : 0u);
    for (size_t i = 0; i < u->j.nfiles; i++) {
        const bf_journal_file *jf = &u->j.files[i];
        struct ufile *f = &u->f[i];
        if (!(f->path = file_path_now(u, jf->path)))
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        f->flags = flags;
        int rc;
        if (bf_ascii_ieq(jf->label, "BCD") && bf_bcd_open(f->path, flags, &f->bcd, NULL) == BF_OK) {
            f->h = bf_bcd_hive(f->bcd);
        } else if ((rc = bf_hive_open(f->path, flags, &f->h, err)) != BF_OK) {
            return rc;
        }
        if (!jf->committed &&
            rc_add_warning(u->res, err, "%s: the journal does not record that run as having written %s "
                           "(it stopped before); only what is still as that run would have left it is "
                           "reverted", jf->label, f->path))
            return BF_ERR_NOMEM;
    }
    return BF_OK;
}

static void close_files(struct undo *u)
{
    for (size_t i = 0; i < RC_MAX_FILES; i++) {
        if (u->f[i].bcd)
            bf_bcd_close(u->f[i].bcd);
        else if (u->f[i].h)
            bf_hive_close(u->f[i].h);
        free(u->f[i].path);
    }
    memset(u->f, 0, sizeof u->f);
}

/* ---- reverting one entry ------------------------------------------------------------------------ */

struct vstate {
    int present;
    uint32_t type;
    uint8_t *data;
    size_t len;
};

/* The key at `path`, or BF_NONE when it does not exist. */
static int find_key(bf_hive *h, const char *path, bf_node *n, bf_error *err)
{
    bf_error e2;
    int rc = bf_node_lookup(h, bf_hive_root(h), path, n, &e2);
    if (rc == BF_ERR_NOT_FOUND) {
        *n = BF_NONE;
        return BF_OK;
    }
    if (rc && err)
        *err = e2;
    return rc;
}

static int current_value(bf_hive *h, const bf_journal_entry *e, struct vstate *s, bf_error *err)
{
    memset(s, 0, sizeof *s);
    bf_node n;
    int rc = find_key(h, e->key, &n, err);
    if (rc || n == BF_NONE)
        return rc;
    bf_value v;
    bf_error e2;
    rc = bf_node_get_value(h, n, e->value, &v, &e2);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc) {
        if (err)
            *err = e2;
        return rc;
    }
    if ((rc = bf_value_data(h, v, &s->type, &s->data, &s->len, err)))
        return rc;
    s->present = 1;
    return BF_OK;
}

static int state_is(const struct vstate *s, int present, uint32_t type, const uint8_t *data, size_t len)
{
    if (s->present != present)
        return 0;
    if (!present)
        return 1;
    return s->type == type && s->len == len && (len == 0 || memcmp(s->data, data, len) == 0);
}

/* Put the entry's value back to its old state. */
static int restore_old(bf_hive *h, const bf_journal_entry *e, bf_error *err)
{
    bf_node n;
    int rc;
    if (e->old_present) {
        int created = 0;
        if ((rc = bf_node_create_path(h, bf_hive_root(h), e->key, &n, &created, err)))
            return rc;
        return bf_node_set_value(h, n, e->value, e->old_type, e->old_data, e->old_len, err);
    }
    if ((rc = find_key(h, e->key, &n, err)) || n == BF_NONE)
        return rc;
    rc = bf_node_delete_value(h, n, e->value, err);
    return rc == BF_ERR_NOT_FOUND ? BF_OK : rc;
}

static int revert_value(struct undo *u, size_t fi, const bf_journal_entry *e, bf_error *err)
{
    bf_hive *h = u->f[fi].h;
    struct vstate cur;
    int rc = current_value(h, e, &cur, err);
    if (rc)
        return rc;
    int state;
    char *note = NULL;
    if (state_is(&cur, e->new_present, e->new_type, e->new_data, e->new_len)) {
        state = BF_CHANGE_CHANGED;
        rc = restore_old(h, e, err);
    } else if (state_is(&cur, e->old_present, e->old_type, e->old_data, e->old_len)) {
        state = BF_CHANGE_ALREADY;
    } else {
        char *now = rc_reg_text(cur.present, cur.type, cur.data, cur.len);
        if (!now) {
            free(cur.data);
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        }
        size_t n = strlen(now) + 64;
        note = bf_malloc(n);
        if (note)
            snprintf(note, n, "changed since: now %s%s", now, u->o->force ? "; overwritten (--force)" : "");
        if (!u->nconflicts++) {
            char *was = rc_reg_text(e->new_present, e->new_type, e->new_data, e->new_len);
            snprintf(u->first_conflict, sizeof u->first_conflict,
                     "%s %s\\%s was changed since that run (it left %.80s, now %.80s)", u->j.files[fi].label,
                     e->key, e->value[0] ? e->value : "(Default)", was ? was : "?", now);
            free(was);
        }
        free(now);
        if (!note) {
            free(cur.data);
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        }
        state = BF_CHANGE_CONFLICT;
        if (u->o->force) {
            state = BF_CHANGE_CHANGED;
            rc = restore_old(h, e, err);
        }
    }
    free(cur.data);
    if (rc == BF_OK)
        rc = rc_change_from_entry(u->res, &u->j, e, u->f[fi].bcd, 1, state, note, err);
    free(note);
    return rc;
}

static int revert_key_add(struct undo *u, size_t fi, const bf_journal_entry *e, bf_error *err)
{
    bf_hive *h = u->f[fi].h;
    bf_node n;
    int rc = find_key(h, e->key, &n, err);
    if (rc)
        return rc;
    if (n == BF_NONE)
        return rc_change_from_entry(u->res, &u->j, e, u->f[fi].bcd, 1, BF_CHANGE_ALREADY, NULL, err);
    bf_node *kids = NULL;
    bf_value *vals = NULL;
    size_t nk = 0, nv = 0;
    if ((rc = bf_node_children(h, n, &kids, &nk, err)) || (rc = bf_node_values(h, n, &vals, &nv, err))) {
        free(kids);
        return rc;
    }
    free(kids);
    free(vals);
    if (nk == 0 && nv == 0) {
        if ((rc = bf_node_delete(h, n, err)))
            return rc;
        return rc_change_from_entry(u->res, &u->j, e, u->f[fi].bcd, 1, BF_CHANGE_CHANGED, NULL, err);
    }
    char note[160];
    snprintf(note, sizeof note, "not deleted: it holds %zu subkey%s and %zu value%s that run did not create",
             nk, nk == 1 ? "" : "s", nv, nv == 1 ? "" : "s");
    return rc_change_from_entry(u->res, &u->j, e, u->f[fi].bcd, 1, BF_CHANGE_LEFT, note, err);
}

static int revert_key_del(struct undo *u, size_t fi, const bf_journal_entry *e, bf_error *err)
{
    bf_hive *h = u->f[fi].h;
    bf_node n;
    int rc = find_key(h, e->key, &n, err);
    if (rc)
        return rc;
    if (n != BF_NONE)
        return rc_change_from_entry(u->res, &u->j, e, u->f[fi].bcd, 1, BF_CHANGE_ALREADY, NULL, err);
    int created = 0;
    if ((rc = bf_node_create_path(h, bf_hive_root(h), e->key, &n, &created, err)))
        return rc;
    return rc_change_from_entry(u->res, &u->j, e, u->f[fi].bcd, 1, BF_CHANGE_CHANGED, NULL, err);
}

static int revert_all(struct undo *u, bf_error *err)
{
    for (size_t i = u->j.nentries; i > 0; i--) {
        const bf_journal_entry *e = &u->j.entries[i - 1];
        int rc;
        if (e->op == BF_J_VALUE)
            rc = revert_value(u, e->file, e, err);
        else if (e->op == BF_J_KEY_ADD)
            rc = revert_key_add(u, e->file, e, err);
        else
            rc = revert_key_del(u, e->file, e, err);
        if (rc) {
            if (err) {
                char msg[sizeof err->msg];
                snprintf(msg, sizeof msg, "%s", err->msg);
                bf_fail(err, rc, "undo of %s: %s %s: %s; nothing was written", u->j.path,
                        u->j.files[e->file].label, e->key, msg);
            }
            return rc;
        }
    }
    return BF_OK;
}

/* ---- committing --------------------------------------------------------------------------------- */

static int commit_undo(struct undo *u, bf_error *err)
{
    struct rc_txn x;
    memset(&x, 0, sizeof x);
    char *root = u->t && u->t->root ? bf_io_path_join(u->t->root, RC_BACKUP_DIRNAME) : backup_root_of(u->j.path);
    if (!root)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    x.title = "undo";
    x.backup_root = root;
    x.t = u->t;
    x.o = u->o;
    x.reverts = u->j.path;
    x.reverted = &u->j;
    int rc = BF_OK;
    for (size_t i = 0; i < u->j.nfiles && rc == BF_OK; i++)
        rc = rc_txn_add(&x, u->j.files[i].label, u->f[i].path, u->f[i].h, u->f[i].flags, err);
    if (rc == BF_OK)
        rc = rc_txn_commit(&x, u->res, err);
    rc_txn_free(&x);
    free(root);
    return rc;
}

static int mark_undone(struct undo *u, bf_error *err)
{
    char now[32];
    rc_utc_iso(now, sizeof now);
    const char *by = u->res->journal_path;
    size_t n = strlen(now) + (by ? strlen(by) : 0) + 64;
    char *text = bf_malloc(n);
    if (!text)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    if (by)
        snprintf(text, n, "%s by %s", now, by);
    else
        snprintf(text, n, "%s (nothing to revert: already as before that run)", now);
    free(u->j.undone);
    u->j.undone = text;
    int rc = bf_journal_write(u->j.path, &u->j, err);
    if (rc && err && by) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        bf_fail(err, rc, "the undo was written (journal %s), but marking %s as undone failed: %s",
                by, u->j.path, msg);
    }
    return rc;
}

int bf_undo(bf_target *t, const char *journal, const bf_run_opts *o, bf_run_result *res, bf_error *err)
{
    static const bf_run_opts no_opts;
    if (!res)
        return bf_fail(err, BF_ERR_INVALID, "bf_undo: no result");
    struct undo u;
    memset(&u, 0, sizeof u);
    u.t = t;
    u.o = o ? o : &no_opts;
    u.res = res;
    res->dry_run = u.o->dry_run;
    size_t changed_before = res->nchanged;
    if (!res->title && !(res->title = bf_strdup("undo")))
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    char *path = NULL;
    int rc = pick_journal(&u, journal, &path, err);
    if (rc == BF_OK)
        rc = bf_journal_read(path, &u.j, err);
    free(path);
    if (rc)
        return rc;
    if ((rc = rc_add_found(res, err, "journal: %s (recipe %s, created %s)", u.j.path, u.j.recipe,
                           u.j.created)))
        goto out;
    if (u.j.undone) {
        rc = bf_fail(err, BF_ERR_EXISTS, "nothing to undo: %s was already undone (%s)", u.j.path, u.j.undone);
        goto out;
    }
    if ((rc = open_files(&u, err)) || (rc = revert_all(&u, err)))
        goto out;
    if (u.nconflicts && !u.o->force) {
        rc = bf_fail(err, BF_ERR_EXISTS, "undo refused: %s%s; nothing was written (--force reverts %s anyway)",
                     u.first_conflict,
                     u.nconflicts > 1 ? " (and more, see the list of changes)" : "",
                     u.nconflicts > 1 ? "them" : "it");
        goto out;
    }
    if (u.o->dry_run)
        goto out;
    if (res->nchanged > changed_before && (rc = commit_undo(&u, err)))
        goto out;
    /* a commit marked the journal itself, in the same all-or-nothing step */
    if (!res->journal_path)
        rc = mark_undone(&u, err);
out:
    close_files(&u);
    bf_journal_free(&u.j);
    return rc;
}
