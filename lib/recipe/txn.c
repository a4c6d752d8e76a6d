/*
 * txn.c — one write session of a run: the writability check, the backup
 * folder with copies of every file and its logs, the journal, the atomic
 * commit of each file and the read-back check against the journal.
 *
 * Order of a commit (rc_txn_commit):
 *   1. the journal's entries: bf_journal_diff of each file's before-state and
 *      edited image; files without differences are left alone (none: done);
 *   2. every file's folder and the backup folder must be writable;
 *   3. the backup folder is created and the files and logs copied into it;
 *   4. the journal is written with "committed 0" for every file;
 *   5. each file is committed (bf_hive_commit) and the journal rewritten
 *      with it marked committed;
 *   6. each written file is opened again and its differences from the
 *      before-state must be exactly the journal's entries.
 */
#include "recipe/internal.h"
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UNIQUE 1000

/* ---- small helpers ------------------------------------------------------------------------ */

int rc_copy_file(const char *from, const char *to, bf_error *err)
{
    const char *step;
    int e = bf_io_copy_new(from, to, 0600, &step);
    if (e && !strcmp(step, "open"))
        return bf_fail_sys(err, e, "backup: cannot read %s", from);
    if (e)
        return bf_fail_sys(err, e, "backup: copying %s to %s failed (%s)", from, to, step);
    return BF_OK;
}

/* A run title as a folder name part: "serial-console on" -> "serial-console-on". */
static void title_for_folder(const char *title, char *out, size_t len)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(title ? title : "run"); *p && n + 1 < len; p++) {
        unsigned char c = *p;
        if (c < 0x20 || c == 0x7F || c == ' ' || strchr("/\\:*?\"<>|%", c))
            c = '-';
        out[n++] = (char)c;
    }
    /* do not end in the middle of a UTF-8 sequence */
    if (n && ((unsigned char)out[n - 1] & 0x80)) {
        size_t k = n;
        while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0xC0) {
            unsigned char lead = (unsigned char)out[k - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (n - (k - 1) < need)
                n = k - 1;
        }
    }
    out[n] = 0;
    if (n == 0)
        snprintf(out, len, "run");
}

/* Without a target: the folders must be writable (access W_OK). */
static int check_writable_plain(const char *const *paths, size_t n, const char *folder, bf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char *d = bf_io_dir_of(paths[i]);
        if (!d)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        int e = bf_io_can_write(d);
        if (e) {
            int rc = bf_fail(err, BF_ERR_READONLY, "%s cannot be replaced: its folder %s is not writable (%s); "
                             "nothing was written", paths[i], d, bf_io_strerror(e));
            free(d);
            return rc;
        }
        free(d);
    }
    char *p = bf_strdup(folder);
    if (!p)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    while (!bf_io_is_dir(p)) {
        char *up = bf_io_dir_of(p);
        free(p);
        if (!up)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        p = up;
        if (strcmp(p, ".") == 0 || strcmp(p, "/") == 0)
            break;
    }
    int rc = BF_OK;
    int e = bf_io_can_write(p);
    if (e)
        rc = bf_fail(err, BF_ERR_READONLY, "backup folder %s cannot be created: %s is not writable (%s); "
                     "nothing was written", folder, p, bf_io_strerror(e));
    free(p);
    return rc;
}

/* ---- registering files ----------------------------------------------------------------------- */

int rc_txn_add(struct rc_txn *x, const char *label, const char *path, bf_hive *after,
               unsigned open_flags, bf_error *err)
{
    if (!label || !*label || strlen(label) >= sizeof x->files[0].label || !path || !after)
        return bf_fail(err, BF_ERR_INVALID, "rc_txn_add: bad label, path or hive");
    if (x->nfiles >= RC_MAX_FILES)
        return bf_fail(err, BF_ERR_LIMIT, "%s: more than %d files in one run", path, RC_MAX_FILES);
    for (size_t i = 0; i < x->nfiles; i++)
        if (strcmp(x->files[i].path, path) == 0)
            return bf_fail(err, BF_ERR_EXISTS, "%s: the file is in the run twice", path);
    struct rc_file *f = &x->files[x->nfiles];
    memset(f, 0, sizeof *f);
    snprintf(f->label, sizeof f->label, "%s", label);
    if (!(f->path = bf_strdup(path)))
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    int rc = bf_hive_open(path, open_flags & ~(unsigned)BF_OPEN_WRITE, &f->before, err);
    if (rc) {
        free(f->path);
        memset(f, 0, sizeof *f);
        return rc;
    }
    f->after = after;
    x->nfiles++;
    return BF_OK;
}

void rc_txn_free(struct rc_txn *x)
{
    for (size_t i = 0; i < x->nfiles; i++) {
        bf_hive_close(x->files[i].before);
        free(x->files[i].path);
        x->files[i].before = NULL;
        x->files[i].path = NULL;
    }
    x->nfiles = 0;
}

/* ---- committing ---------------------------------------------------------------------------------- */

struct commit_state {
    struct rc_txn *x;
    bf_run_result *res;
    bf_journal j;
    size_t map[RC_MAX_FILES]; /* journal file index -> txn file index */
    char *folder;
    int made_folder;          /* the folder was created by this run */
    char *made_root;          /* the bootfix-backup folder, when this run created it */
    int marked;               /* undo: the reverted journal was marked undone */
    char *created[RC_MAX_FILES * 4 + 1]; /* files this run created in it */
    size_t ncreated;
    char written[512];        /* labels and paths written so far, for messages */
};

/* Remove what this run created in its backup folder, and the folder if
 * the run made it (the run changed nothing, so the copies are not needed). */
static void remove_folder(struct commit_state *s)
{
    for (size_t i = 0; i < s->ncreated; i++) {
        bf_io_unlink(s->created[i]);
        free(s->created[i]);
    }
    s->ncreated = 0;
    if (s->folder && s->made_folder)
        bf_io_rmdir(s->folder);
    s->made_folder = 0;
    if (s->made_root)
        bf_io_rmdir(s->made_root);
    free(s->made_root);
    s->made_root = NULL;
}

static void note_created(struct commit_state *s, const char *path)
{
    if (s->ncreated < sizeof s->created / sizeof s->created[0] && (s->created[s->ncreated] = bf_strdup(path)))
        s->ncreated++;
}

/* Step 1: diff every file; keep those that differ. */
static int plan(struct commit_state *s, bf_error *err)
{
    struct rc_txn *x = s->x;
    for (size_t i = 0; i < x->nfiles; i++) {
        struct rc_file *f = &x->files[i];
        size_t k, before = s->j.nentries;
        int rc = rc_journal_add_file(&s->j, f->label, f->path, NULL, &k, err);
        if (rc)
            return rc;
        if ((rc = bf_journal_diff(f->before, f->after, k, &s->j, err)))
            return rc;
        if (s->j.nentries == before) { /* unchanged: drop it again */
            bf_journal_file *jf = &s->j.files[--s->j.nfiles];
            free(jf->label);
            free(jf->path);
            free(jf->backup);
            continue;
        }
        s->map[k] = i;
    }
    return BF_OK;
}

static int check_writable(struct commit_state *s, const char *folder, bf_error *err)
{
    const char *paths[RC_MAX_FILES];
    for (size_t k = 0; k < s->j.nfiles; k++)
        paths[k] = s->j.files[k].path;
    const char *dirs[1] = {folder};
    if (s->x->t)
        return bf_target_check_writable(s->x->t, paths, s->j.nfiles, dirs, 1, err);
    return check_writable_plain(paths, s->j.nfiles, folder, err);
}

/* The backup folder's path before it exists: o->backup_dir or the first
 * candidate under the backup root. */
static int folder_base(struct commit_state *s, char **out, bf_error *err)
{
    const bf_run_opts *o = s->x->o;
    if (o && o->backup_dir) {
        *out = bf_strdup(o->backup_dir);
    } else {
        const char *root = s->x->backup_root;
        char *own = NULL;
        if (!root && s->x->t && s->x->t->root)
            root = own = bf_io_path_join(s->x->t->root, RC_BACKUP_DIRNAME);
        if (!root)
            return bf_fail(err, BF_ERR_INVALID, "no folder for the backups (no target and no backup folder)");
        char stamp[32], title[72];
        rc_utc_stamp(stamp, sizeof stamp);
        title_for_folder(s->x->title, title, sizeof title);
        size_t n = strlen(root) + strlen(stamp) + strlen(title) + 3;
        *out = bf_malloc(n);
        if (*out)
            snprintf(*out, n, "%s%c%s-%s", root, bf_io_sep, stamp, title);
        free(own);
    }
    return *out ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
}

/* Step 3a: create the backup folder (s->folder). */
static int make_folder(struct commit_state *s, const char *base, bf_error *err)
{
    const bf_run_opts *o = s->x->o;
    if (o && o->backup_dir) {
        s->made_folder = !bf_io_is_dir(base);
        int e = bf_io_mkdirs(base);
        if (e)
            return bf_fail_sys(err, e, "backup folder %s cannot be created; nothing was written", base);
        char *jp = bf_io_path_join(base, RC_JOURNAL_NAME);
        if (!jp)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        uint64_t size;
        int64_t mtime;
        int exists = bf_io_stat(jp, &size, &mtime) == 0;
        free(jp);
        if (exists)
            return bf_fail(err, BF_ERR_EXISTS, "backup folder %s already holds a journal (%s) of another run; "
                           "choose another folder; nothing was written", base, RC_JOURNAL_NAME);
        s->folder = bf_strdup(base);
        return s->folder ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    char *root = bf_io_dir_of(base);
    if (!root)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    if (!bf_io_is_dir(root) && !(s->made_root = bf_strdup(root))) {
        free(root);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    int e = bf_io_mkdirs(root);
    if (e) {
        int rc = bf_fail_sys(err, e, "backup folder %s cannot be created; nothing was written", root);
        free(root);
        return rc;
    }
    /* a symbolic link (or junction) planted on the target must not
       redirect the backups */
    bf_io_info lst;
    if (bf_io_info_of(root, 0, &lst) != 0 || lst.kind != BF_IO_DIR) {
        int rc = bf_fail(err, BF_ERR_INVALID, "backup folder %s is a symbolic link or not a folder; refusing to "
                         "write backups through it (remove it or use --backup-dir); nothing was written", root);
        free(root);
        return rc;
    }
    free(root);
    size_t n = strlen(base) + 8;
    char *cand = bf_malloc(n);
    if (!cand)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    for (int i = 1; i <= MAX_UNIQUE; i++) {
        if (i == 1)
            snprintf(cand, n, "%s", base);
        else
            snprintf(cand, n, "%s-%d", base, i);
        int e = bf_io_mkdir(cand);
        if (e == 0) {
            s->folder = cand;
            s->made_folder = 1;
            bf_io_flush_dir(cand);
            return BF_OK;
        }
        if (e != EEXIST) {
            int rc = bf_fail_sys(err, e, "backup folder %s cannot be created; nothing was written", cand);
            free(cand);
            return rc;
        }
    }
    free(cand);
    return bf_fail(err, BF_ERR_EXISTS, "backup folders %s-2 ... -%d all exist; nothing was written", base,
                   MAX_UNIQUE);
}

/* Step 3b: copy each file and its logs; fills the journal's backup paths. */
static int copy_backups(struct commit_state *s, bf_error *err)
{
    for (size_t k = 0; k < s->j.nfiles; k++) {
        bf_journal_file *jf = &s->j.files[k];
        const char *base = bf_io_base_name(jf->path);
        int clash = 0;
        for (size_t m = 0; m < s->j.nfiles; m++)
            if (m != k && bf_ascii_ieq(base, bf_io_base_name(s->j.files[m].path)))
                clash = 1;
        char prefix[40];
        if (clash)
            snprintf(prefix, sizeof prefix, "%s%zu-", jf->label, k);
        else
            prefix[0] = 0;
        char *logs[3] = {NULL, NULL, NULL};
        int rc = bf_logs_find(jf->path, logs) ? bf_fail(err, BF_ERR_NOMEM, "%s: out of memory while looking for "
                                                          "its log files", jf->path) : BF_OK;
        for (int i = -1; i < 3 && rc == BF_OK; i++) {
            const char *from = i < 0 ? jf->path : logs[i];
            if (!from)
                continue;
            size_t n = strlen(prefix) + strlen(bf_io_base_name(from)) + 1;
            char *name = bf_malloc(n);
            char *to = name ? (snprintf(name, n, "%s%s", prefix, bf_io_base_name(from)), bf_io_path_join(s->folder, name)) : NULL;
            free(name);
            if (!to) {
                rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
                break;
            }
            rc = rc_copy_file(from, to, err);
            if (rc == BF_OK)
                note_created(s, to);
            if (rc == BF_OK && i < 0)
                jf->backup = to;
            else
                free(to);
        }
        for (int i = 0; i < 3; i++)
            free(logs[i]);
        if (rc)
            return rc;
    }
    return BF_OK;
}

static void note_written(struct commit_state *s, const char *path)
{
    size_t n = strlen(s->written);
    snprintf(s->written + n, sizeof s->written - n, "%s%s", n ? ", " : "", path);
}

/* Prefix err's message with context and the files already written. */
static int fail_after(struct commit_state *s, bf_error *err, int rc, const char *what)
{
    if (!err)
        return rc;
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    int sys = err->sys_errno;
    if (s->written[0])
        bf_fail(err, rc, "%s: %s; already written: %s (the journal %s/%s records them; `bootfix undo` "
                "reverts them)", what, msg, s->written, s->folder, RC_JOURNAL_NAME);
    else
        bf_fail(err, rc, "%s: %s; nothing was written", what, msg);
    err->sys_errno = sys;
    return rc;
}

static int entries_equal(const bf_journal_entry *a, const bf_journal_entry *b)
{
    if (a->op != b->op || a->file != b->file || strcmp(a->key, b->key) != 0 ||
        strcmp(a->value, b->value) != 0 || a->old_present != b->old_present ||
        a->new_present != b->new_present)
        return 0;
    if (a->old_present && (a->old_type != b->old_type || a->old_len != b->old_len ||
                           (a->old_len && memcmp(a->old_data, b->old_data, a->old_len) != 0)))
        return 0;
    if (a->new_present && (a->new_type != b->new_type || a->new_len != b->new_len ||
                           (a->new_len && memcmp(a->new_data, b->new_data, a->new_len) != 0)))
        return 0;
    return 1;
}

static void describe_entry(const bf_journal_entry *e, char *buf, size_t len)
{
    if (!e) {
        snprintf(buf, len, "nothing");
        return;
    }
    const char *op = e->op == BF_J_KEY_ADD ? "key created" : e->op == BF_J_KEY_DEL ? "key deleted" : "value";
    char *o = rc_reg_text(e->old_present, e->old_type, e->old_data, e->old_len);
    char *n = rc_reg_text(e->new_present, e->new_type, e->new_data, e->new_len);
    if (e->op == BF_J_VALUE)
        snprintf(buf, len, "%s %s\\%s: %.80s -> %.80s", op, e->key, e->value[0] ? e->value : "(Default)",
                 o ? o : "?", n ? n : "?");
    else
        snprintf(buf, len, "%s %s", op, e->key);
    free(o);
    free(n);
}

/* Step 6: the file as written differs from its before-state exactly by the
 * journal's entries for it. */
static int verify_file(struct commit_state *s, size_t k, bf_error *err)
{
    struct rc_file *f = &s->x->files[s->map[k]];
    bf_hive *h;
    int rc = bf_hive_open(f->path, 0, &h, err);
    if (rc)
        return rc;
    bf_journal got;
    memset(&got, 0, sizeof got);
    rc = bf_journal_diff(f->before, h, k, &got, err);
    bf_hive_close(h);
    if (rc) {
        bf_journal_free(&got);
        return rc;
    }
    size_t g = 0;
    for (size_t i = 0; i <= s->j.nentries; i++) {
        const bf_journal_entry *want = NULL;
        while (i < s->j.nentries && s->j.entries[i].file != k)
            i++;
        if (i < s->j.nentries)
            want = &s->j.entries[i];
        const bf_journal_entry *have = g < got.nentries ? &got.entries[g] : NULL;
        if (!want && !have)
            break;
        if (!want || !have || !entries_equal(want, have)) {
            char a[320], b[320];
            describe_entry(want, a, sizeof a);
            describe_entry(have, b, sizeof b);
            rc = bf_fail(err, BF_ERR_VERIFY, "%s: read back after writing, change %zu differs from the journal: "
                         "journal has %s, the file has %s", f->path, g + 1, a, b);
            break;
        }
        g++;
    }
    bf_journal_free(&got);
    return rc;
}

/* Put every file back as it was before the run (after a failure once the
 * files were written).  0, or BF_ERR_IO with the message naming the file. */
static int put_back(struct commit_state *s, uint8_t *const *orig, const size_t *olen, bf_error *err)
{
    int rc = BF_OK;
    for (size_t k = s->j.nfiles; k-- > 0;) {
        const char *path = s->j.files[k].path, *step;
        int e = bf_io_replace(path, orig[k], olen[k], bf_io_file_mode(path), &step);
        if (e && rc == BF_OK)
            rc = bf_fail_sys(err, e, "putting back %s failed (%s)", path, step);
        if (!e)
            s->j.files[k].committed = 0;
    }
    return rc;
}

/* After a failure at `what` once files were written: put them back (then
 * rc_txn_commit removes the backup folder, so nothing of the run is left). */
static int undo_written(struct commit_state *s, uint8_t *const *orig, const size_t *olen, bf_error *err, int rc,
                        const char *what)
{
    bf_error pb;
    memset(&pb, 0, sizeof pb);
    if (put_back(s, orig, olen, &pb) == BF_OK) {
        s->written[0] = 0; /* so rc_txn_commit removes the backup folder */
        int r = fail_after(s, err, rc, what);
        if (err) {
            size_t n = strlen(err->msg);
            snprintf(err->msg + n, sizeof err->msg - n, " (the files written were put back)");
        }
        return r;
    }
    if (err) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        bf_fail(err, rc, "%s: %s; then %s; the journal %s/%s records the run: `bootfix undo` reverts it", what, msg,
                pb.msg, s->folder, RC_JOURNAL_NAME);
    }
    bf_journal_write(s->j.path, &s->j, NULL);
    return rc;
}

/* The commit failed: the reverted journal is not undone after all. */
static void unmark_reverted(struct commit_state *s)
{
    bf_journal *r = s->x->reverted;
    free(r->undone);
    r->undone = NULL;
    bf_journal_write(r->path, r, NULL);
    s->marked = 0;
}

/* undo: mark the reverted journal "undone by" this run's journal (bf_undo
 * refuses a journal that is already marked, so it has no mark yet). */
static int mark_reverted(struct commit_state *s, bf_error *err)
{
    bf_journal *r = s->x->reverted;
    char now[32];
    rc_utc_iso(now, sizeof now);
    size_t n = strlen(now) + strlen(s->j.path) + 8;
    if (!(r->undone = bf_malloc(n)))
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", r->path);
    snprintf(r->undone, n, "%s by %s", now, s->j.path);
    s->marked = 1;
    int rc = bf_journal_write(r->path, r, err);
    if (rc) /* the journal may be in place with only its folder's flush failed */
        unmark_reverted(s);
    return rc;
}

/* Steps 4 to 6: journal, one all-or-nothing commit of every file, journal
 * update, read-back check.  A failure leaves the files as they were. */
static int write_all(struct commit_state *s, bf_error *err)
{
    const bf_run_opts *o = s->x->o;
    size_t n = s->j.nfiles;
    bf_hive *hives[RC_MAX_FILES];
    uint8_t *orig[RC_MAX_FILES] = {NULL};
    size_t olen[RC_MAX_FILES] = {0};
    size_t listed = s->res ? s->res->nwritten : 0;
    note_created(s, s->j.path); /* also when only its directory flush fails */
    int rc = bf_journal_write(s->j.path, &s->j, err);
    if (rc)
        return fail_after(s, err, rc, "writing the journal");
    for (size_t k = 0; k < n; k++) {
        hives[k] = s->x->files[s->map[k]].after;
        int e = bf_io_read_file(s->j.files[k].path, &orig[k], &olen[k]);
        if (e) {
            rc = fail_after(s, err, bf_fail_sys(err, e, "%s: cannot read it", s->j.files[k].path),
                            "keeping the original bytes");
            goto out;
        }
    }
    /* undo: the reverted journal is marked before the files are written and
       unmarked below if they are not */
    if (s->x->reverted && (rc = mark_reverted(s, err)) != BF_OK) {
        rc = fail_after(s, err, rc, "marking the reverted journal as undone");
        goto out;
    }
    /* listed first, so that no allocation can fail once the files are written */
    for (size_t k = 0; k < n && s->res; k++)
        if ((rc = rc_add_written(s->res, s->j.files[k].path, err)) != BF_OK) {
            rc = fail_after(s, err, rc, "listing the files");
            goto out;
        }
    bf_error e2;
    memset(&e2, 0, sizeof e2);
    size_t written = 0;
    rc = bf_hive_commit_group(hives, n, orig, olen, o ? o->no_libregf : 0, &written, &e2);
    if (rc && written == 0) {
        if (err)
            *err = e2;
        rc = fail_after(s, err, rc, "committing");
        goto out;
    }
    for (size_t k = 0; k < written; k++) {
        s->j.files[k].committed = 1;
        note_written(s, s->j.files[k].path);
    }
    if (rc) { /* written, but a rollback or a flush failed: the journal keeps the truth */
        if (err)
            *err = e2;
        rc = fail_after(s, err, rc, "committing");
        bf_journal_write(s->j.path, &s->j, NULL);
        goto out;
    }
    if ((rc = bf_journal_write(s->j.path, &s->j, err))) {
        rc = undo_written(s, orig, olen, err, rc, "updating the journal");
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        if ((rc = verify_file(s, k, err))) {
            char what[64];
            snprintf(what, sizeof what, "checking %s", s->j.files[k].label);
            rc = undo_written(s, orig, olen, err, rc, what);
            goto out;
        }
    }
out:
    if (rc != BF_OK && !s->written[0] && s->marked)
        unmark_reverted(s);
    if (s->res && rc != BF_OK && !s->written[0])
        while (s->res->nwritten > listed)
            free(s->res->written[--s->res->nwritten]);
    for (size_t k = 0; k < n; k++)
        free(orig[k]);
    return rc;
}

int rc_txn_commit(struct rc_txn *x, bf_run_result *res, bf_error *err)
{
    struct commit_state s;
    memset(&s, 0, sizeof s);
    s.x = x;
    s.res = res;
    const bf_run_opts *o = x->o;
    char *base = NULL;
    int rc = plan(&s, err);
    if (rc || s.j.nentries == 0 || (o && o->dry_run))
        goto out;
    if (o && o->no_backup && !o->force) {
        rc = bf_fail(err, BF_ERR_INVALID, "--no-backup needs --force: without copies of the files only the "
                     "journal can undo this run; nothing was written");
        goto out;
    }
    if ((rc = folder_base(&s, &base, err)) || (rc = check_writable(&s, base, err)) ||
        (rc = make_folder(&s, base, err)))
        goto out;
    if (!(o && o->no_backup) && (rc = copy_backups(&s, err))) {
        rc = fail_after(&s, err, rc, "backing up");
        goto out;
    }
    char created[32];
    rc_utc_iso(created, sizeof created);
    s.j.path = bf_io_path_join(s.folder, RC_JOURNAL_NAME);
    s.j.recipe = bf_strdup(x->title ? x->title : "run");
    s.j.created = bf_strdup(created);
    s.j.target = bf_strdup(x->t && x->t->root ? x->t->root : "");
    s.j.reverts = x->reverts ? bf_strdup(x->reverts) : NULL;
    if (!s.j.path || !s.j.recipe || !s.j.created || !s.j.target || (x->reverts && !s.j.reverts)) {
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory; nothing was written");
        goto out;
    }
    if (res) {
        free(res->backup_dir);
        free(res->journal_path);
        res->backup_dir = bf_strdup(s.folder);
        res->journal_path = bf_strdup(s.j.path);
        if (!res->backup_dir || !res->journal_path) {
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory; nothing was written");
            goto out;
        }
    }
    rc = write_all(&s, err);
out:
    /* a failed run that wrote nothing leaves nothing: its backup folder goes */
    if (rc != BF_OK && !s.written[0]) {
        remove_folder(&s);
        if (res && s.folder) {
            free(res->backup_dir);
            free(res->journal_path);
            res->backup_dir = res->journal_path = NULL;
        }
    }
    for (size_t i = 0; i < s.ncreated; i++)
        free(s.created[i]);
    free(s.made_root);
    free(base);
    free(s.folder);
    bf_journal_free(&s.j);
    return rc;
}
