/* Writing a hive: the finalized image, and the atomic commit protocol
 * (temporary file, flush, re-read and verify, rename, flush directory). */
#include "internal.h"
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regfile_util.h"

/* Header fields of a clean hive written now: both sequence numbers above
 * every sequence number seen in the file and its logs (so no stale log can
 * ever be applied over our changes), timestamps, checksum. */
static void finalize_header(const bf_hive *h, uint8_t *img)
{
    uint32_t seq = rd32(img + BB_SEQ1);
    if (rd32(img + BB_SEQ2) > seq)
        seq = rd32(img + BB_SEQ2);
    if (h->info.seq1 > seq)
        seq = h->info.seq1;
    if (h->info.seq2 > seq)
        seq = h->info.seq2;
    if (h->log_max_seq > seq)
        seq = h->log_max_seq;
    seq++;
    wr32(img + BB_SEQ1, seq);
    wr32(img + BB_SEQ2, seq);
    uint64_t now = bf_filetime_now();
    wr64(img + BB_TIMESTAMP, now);
    wr32(img + BB_TYPE, 0);
    wr32(img + BB_HBINS_SIZE, (uint32_t)(h->img_len - REGF_BASE_BLOCK));
    /* the first bin keeps a copy of the base block timestamp */
    if (h->img_len >= REGF_BASE_BLOCK + REGF_BIN_HDR)
        wr64(img + REGF_BASE_BLOCK + 20, now);
    wr32(img + BB_CHECKSUM, bf_bb_checksum(img));
}

/* The bytes after the last bin that Windows left (kept where they were):
 * the part of h->tail beyond the image. */
static const uint8_t *tail_part(const bf_hive *h, size_t *len)
{
    *len = 0;
    if (!h->tail || h->tail_off + h->tail_len <= h->img_len)
        return NULL;
    size_t skip = h->img_len > h->tail_off ? h->img_len - h->tail_off : 0;
    *len = h->tail_len - skip;
    return h->tail + skip;
}

int bf_hive_serialize(bf_hive *h, uint8_t **buf, size_t *len, bf_error *err)
{
    size_t tlen;
    const uint8_t *tail = tail_part(h, &tlen);
    uint8_t *b = bf_malloc(h->img_len + tlen);
    if (!b)
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
    memcpy(b, h->img, h->img_len);
    if (tlen)
        memcpy(b + h->img_len, tail, tlen);
    finalize_header(h, b);
    *buf = b;
    *len = h->img_len + tlen;
    return BF_OK;
}

/* The header as it will be written, in the image itself (no copy of the
 * hive): `saved` keeps the bytes it replaced, for header_restore(). */
#define HEADER_BYTES (REGF_BASE_BLOCK + REGF_BIN_HDR)
static void header_finalize(bf_hive *h, uint8_t saved[HEADER_BYTES])
{
    size_t n = h->img_len < HEADER_BYTES ? h->img_len : HEADER_BYTES;
    memcpy(saved, h->img, n);
    finalize_header(h, h->img);
}

static void header_restore(bf_hive *h, const uint8_t saved[HEADER_BYTES])
{
    memcpy(h->img, saved, h->img_len < HEADER_BYTES ? h->img_len : HEADER_BYTES);
}

int bf_hive_check(bf_hive *h, bf_check_cb cb, void *ctx, bf_error *err)
{
    /* checked as it would be written (header finalized), without a copy */
    uint8_t saved[HEADER_BYTES];
    header_finalize(h, saved);
    int rc = bf_check_run(h->img, h->img_len, cb, ctx, err);
    header_restore(h, saved);
    return rc;
}

/* ---- one file: prepare (temporary file written and verified), publish ---- */

struct prepared {
    bf_hive *h;
    const char *target; /* the file replaced (or out_path) */
    char *tmp;          /* the verified temporary file beside it */
    int finalized;      /* the image's header is the written one; saved has the old */
    uint8_t saved[HEADER_BYTES];
    const char *backup; /* the backup this commit made (removed again on failure) */
};

/* Forget a prepared commit; failed: also remove the backup it made (the
 * file was not changed, so the copy is not needed and is not left behind),
 * and give the image its old header back. */
static void prepared_discard(struct prepared *p, int failed)
{
    if (failed && p->backup) {
        bf_io_unlink(p->backup);
        bf_io_flush_dir(p->backup);
    }
    if (failed && p->finalized)
        header_restore(p->h, p->saved);
    p->finalized = 0;
    p->backup = NULL;
    if (p->tmp)
        bf_io_unlink(p->tmp);
    free(p->tmp);
    p->tmp = NULL;
}

#define COPY_CHUNK ((size_t)1 << 20) /* bytes compared at a time when reading back */

/* The backup copy appears under its name only complete: written to a
 * temporary name beside it (which the next writer's sweep removes if the
 * process dies), flushed, then linked to its name, never replacing. */
static int write_backup(const char *orig, const char *path, const char **step)
{
    *step = "create";
    char *tmp = bf_io_tmp_name(path);
    if (!tmp)
        return ENOMEM;
    int e = bf_io_copy_new(orig, tmp, 0600, step);
    if (!e) {
        *step = "naming";
        e = bf_io_link_new(tmp, path);
        if (e)
            bf_io_unlink(tmp);
    }
    free(tmp);
    return e;
}

/* Write the image (and the bytes kept after it) to the new file `path`. */
static int write_image(bf_hive *h, const char *path, int mode, const char **step)
{
    bf_io_piece pieces[2] = {{h->img, h->img_len}, {NULL, 0}};
    pieces[1].data = tail_part(h, &pieces[1].len);
    return bf_io_write_new_pieces(path, pieces, 2, mode, step);
}

/* Read `path` back in chunks and compare it with the image and the kept
 * tail: 0 when equal, -1 when different, else an errno. */
static int read_back_equal(bf_hive *h, const char *path)
{
    size_t tlen;
    const uint8_t *tail = tail_part(h, &tlen);
    bf_io_file *f;
    uint8_t *buf = bf_malloc(COPY_CHUNK);
    if (!buf)
        return ENOMEM;
    int e = bf_io_open_read(path, &f);
    uint64_t total = (uint64_t)h->img_len + tlen, off = 0;
    while (!e && off <= total) {
        size_t got;
        e = bf_io_pread(f, buf, COPY_CHUNK, off, &got);
        if (e)
            break;
        if (got == 0)
            break;
        if (off + got > total) {
            e = -1; /* longer than written */
            break;
        }
        for (size_t i = 0; i < got;) { /* the image, then the tail */
            uint64_t at = off + i;
            const uint8_t *want = at < h->img_len ? h->img + at : tail + (at - h->img_len);
            size_t n = at < h->img_len ? (size_t)(h->img_len - at) : (size_t)(total - at);
            if (n > got - i)
                n = got - i;
            if (memcmp(buf + i, want, n) != 0) {
                e = -1;
                break;
            }
            i += n;
        }
        off += got;
    }
    if (!e && off != total)
        e = -1; /* shorter than written */
    if (f)
        bf_io_close(f);
    free(buf);
    return e;
}

/* Steps 1 to 5: everything up to the rename.  On failure nothing is left. */
static int prepare(bf_hive *h, const bf_commit_opts *opts, struct prepared *p, bf_error *err)
{
    memset(p, 0, sizeof *p);
    p->h = h;
    if (!h->writable)
        return bf_fail(err, BF_ERR_READONLY, "%s: hive was opened read-only", h->path);
    p->target = opts->out_path ? opts->out_path : h->path;
    const char *target = p->target;
    if (!opts->out_path && h->disk_mtime < 0)
        return bf_fail(err, BF_ERR_INVALID, "%s: an in-memory hive needs an output path", h->path);

    header_finalize(h, p->saved);
    p->finalized = 1;
    /* 1. our checker on the exact bytes to be written */
    char first[512] = "";
    int problems = bf_check_run(h->img, h->img_len, bf_check_first_problem, first, err);
    if (problems != 0) {
        prepared_discard(p, 1);
        if (problems < 0)
            return problems;
        return bf_fail(err, BF_ERR_VERIFY, "%s: not written: the new hive fails the structural check (%d problem%s, "
                       "first: %s)", target, problems, problems == 1 ? "" : "s", first);
    }
    /* 2. the file on disk must still be the one we read */
    if (!opts->out_path) {
        uint64_t size;
        int64_t mtime;
        int e = bf_io_stat(h->path, &size, &mtime);
        if (e || mtime != h->disk_mtime || size != h->info.file_size) {
            prepared_discard(p, 1);
            return bf_fail(err, BF_ERR_IO, "%s: not written: the file changed on disk since it was opened", h->path);
        }
    }
    /* 3. backup of the original, before anything else is written */
    if (opts->backup_path) {
        const char *step;
        int e = write_backup(h->path, opts->backup_path, &step);
        if (e) {
            prepared_discard(p, 1);
            if (!strcmp(step, "open"))
                return bf_fail_sys(err, e, "%s: not written: cannot read it for the backup", h->path);
            return bf_fail_sys(err, e, "%s: not written: backup %s failed (%s)", h->path, opts->backup_path, step);
        }
        p->backup = opts->backup_path;
    }
    /* 4. temporary file beside the target, flushed */
    char *tmp = bf_io_tmp_name(target);
    if (!tmp) {
        prepared_discard(p, 1);
        return bf_fail(err, BF_ERR_NOMEM, "%s: not written: out of memory", target);
    }
    const char *step;
    int mode = bf_io_file_mode(opts->out_path ? h->path : target);
    int e = write_image(h, tmp, mode, &step);
    if (e) {
        int rc = bf_fail_sys(err, e, "%s: not written: %s of temporary file %s failed", target, step, tmp);
        free(tmp);
        prepared_discard(p, 1);
        return rc;
    }
    p->tmp = tmp;
    /* 5. read it back: the bytes, and libregf when present */
    e = read_back_equal(h, tmp);
    if (e) {
        int rc = e < 0 ? bf_fail(err, BF_ERR_VERIFY, "%s: not written: temporary file %s does not read back as "
                                 "written", target, tmp)
                       : bf_fail_sys(err, e, "%s: not written: re-reading temporary file %s failed", target, tmp);
        prepared_discard(p, 1);
        return rc;
    }
    if (!opts->no_libregf) {
        int rc = bf_verify_libregf(h, tmp, err);
        if (rc && rc != BF_ERR_UNSUPPORTED) {
            prepared_discard(p, 1);
            return rc;
        }
    }
    return BF_OK;
}

/* The open hive now is the file on disk (its header is already the one
 * written). */
static void adopt_written(struct prepared *p)
{
    bf_hive *h = p->h;
    uint64_t size;
    bf_io_stat(h->path, &size, &h->disk_mtime);
    h->info.file_size = size;
    h->info.seq1 = h->info.seq2 = rd32(h->img + BB_SEQ1);
    h->info.dirty = 0;
    h->info.checksum_ok = 1;
    h->modified = 0;
    h->ntouched = 0; /* the file is the image: nothing changed since */
    h->touched_all = 0;
    p->finalized = 0;
    bf_hive_refresh_info(h);
}

/* bf_hive_commit; *renamed: the new file is in place (also when only the
 * final directory flush failed). */
static int commit_one(bf_hive *h, const bf_commit_opts *opts, int *renamed, bf_error *err)
{
    *renamed = 0;
    struct prepared p;
    int rc = prepare(h, opts, &p, err);
    if (rc)
        return rc;
    /* 6. rename over the target and make the rename durable */
    int e = bf_io_rename(p.tmp, p.target);
    if (e) {
        rc = bf_fail_sys(err, e, "%s: not written: renaming %s over it failed", p.target, p.tmp);
        prepared_discard(&p, 1);
        return rc;
    }
    free(p.tmp);
    p.tmp = NULL;
    *renamed = 1;
    if (!opts->out_path) {
        adopt_written(&p);
    } else { /* the open hive stays the file it was opened from */
        header_restore(h, p.saved);
        p.finalized = 0;
    }
    e = bf_io_flush_dir(p.target);
    /* the new file is in place; only its durability is in doubt */
    rc = e ? bf_fail_sys(err, e, "%s: written, but flushing its directory failed", p.target) : BF_OK;
    prepared_discard(&p, 0);
    return rc;
}

int bf_hive_commit(bf_hive *h, const bf_commit_opts *opts, bf_error *err)
{
    static const bf_commit_opts none;
    int renamed;
    return commit_one(h, opts ? opts : &none, &renamed, err);
}

/* ---- several files: all or nothing ------------------------------------------------------ */

/*
 * Protocol of bf_hive_commit_group:
 *   1. every file is prepared (its temporary file written, flushed, read
 *      back and verified) and its current bytes kept for a rollback;
 *   2. a group record ".NAME.bootfix-group" is written beside every file,
 *      listing "file<TAB>temporary file" of every member;
 *   3. the temporary files are renamed over their files, then the folders
 *      are flushed;
 *   4. the records are removed.
 * A failure in 1 or 2 leaves every file as it was.  A failure in 3 puts the
 * kept bytes back into the files already renamed.  If the process dies in
 * 3, the next bf_hive_open for writing of any member finds a record and
 * completes the renames (every temporary file named in a record is complete
 * and verified, since records are written only after step 1); if it died
 * before the first rename (every temporary file still there), the files
 * are left as they were and the temporary files removed.
 */
#define GROUP_TAG ".bootfix-group"

static char *group_record_name(const char *path) { return bf_io_sibling_name(path, GROUP_TAG); }

static void remove_records(char **records, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (records[i]) {
            bf_io_unlink(records[i]);
            bf_io_flush_dir(records[i]);
        }
}

/* Put the kept bytes back into files[0..n).  0, or the first errno. */
static int roll_back(bf_hive *const *hs, uint8_t *const *orig, const size_t *olen, size_t n, char *failed,
                     size_t flen)
{
    int first = 0;
    for (size_t i = n; i-- > 0;) {
        const char *step;
        int e = bf_io_replace(hs[i]->path, orig[i], olen[i], bf_io_file_mode(hs[i]->path), &step);
        if (e && !first) {
            first = e;
            snprintf(failed, flen, "%s (%s: %s)", hs[i]->path, step, bf_io_strerror(e));
        }
    }
    return first;
}

static int write_records(struct prepared *ps, size_t n, char **records, bf_error *err)
{
    rf_buf text;
    memset(&text, 0, sizeof text);
    for (size_t i = 0; i < n; i++)
        rf_printf(&text, "%s\t%s\n", ps[i].target, ps[i].tmp);
    if (text.oom || text.len == 0) {
        rf_free(&text);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory; nothing was written");
    }
    for (size_t i = 0; i < n; i++) {
        const char *step;
        records[i] = group_record_name(ps[i].target);
        int e = records[i] ? bf_io_write_new(records[i], text.p, text.len, 0600, &step) : ENOMEM;
        int made = e == 0;
        if (e == 0)
            e = bf_io_flush_dir(records[i]);
        if (e) {
            int rc = bf_fail_sys(err, e, "%s: nothing was written: the commit record %s could not be written",
                                 ps[i].target, records[i] ? records[i] : "");
            /* the records made are this run's (O_EXCL): remove them */
            remove_records(records, made ? i + 1 : i);
            rf_free(&text);
            return rc;
        }
    }
    rf_free(&text);
    return BF_OK;
}

int bf_hive_commit_group(bf_hive *const *hs, size_t n, uint8_t *const *kept, const size_t *kept_len,
                         int no_libregf, size_t *written, bf_error *err)
{
    bf_commit_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.no_libregf = no_libregf;
    *written = 0;
    if (n == 0)
        return BF_OK;
    if (n == 1) {
        int renamed;
        int rc = commit_one(hs[0], &opts, &renamed, err);
        *written = (size_t)renamed;
        return rc;
    }
    struct prepared *ps = bf_calloc(n, sizeof *ps);
    uint8_t **own = kept ? NULL : bf_calloc(n, sizeof *own);
    size_t *own_len = kept ? NULL : bf_calloc(n, sizeof *own_len);
    char **records = bf_calloc(n, sizeof *records);
    uint8_t *const *orig = kept ? kept : own;
    const size_t *olen = kept ? kept_len : own_len;
    size_t nprep = 0, renamed = 0;
    int rc = BF_OK;
    if (!ps || !orig || !olen || !records) {
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory; nothing was written");
        goto out;
    }
    /* 1. keep the current bytes (unless the caller kept them); prepare every file */
    for (size_t i = 0; own && i < n; i++) {
        int e = bf_io_read_file(hs[i]->path, &own[i], &own_len[i]);
        if (e) {
            rc = bf_fail_sys(err, e, "%s: not written: cannot read it to keep its bytes for a rollback", hs[i]->path);
            goto out;
        }
    }
    for (; nprep < n; nprep++)
        if ((rc = prepare(hs[nprep], &opts, &ps[nprep], err)) != BF_OK)
            goto out;
    /* 2. the group records */
    if ((rc = write_records(ps, n, records, err)) != BF_OK)
        goto out;
    /* 3. rename each; on a failure put the renamed ones back */
    for (; renamed < n; renamed++) {
        int e = bf_io_rename(ps[renamed].tmp, ps[renamed].target);
        if (e) {
            char failed[600] = "";
            int rb = roll_back(hs, orig, olen, renamed, failed, sizeof failed);
            if (rb == 0) {
                rc = bf_fail_sys(err, e, "%s: not written: renaming %s over it failed; the files renamed before it "
                                 "were put back, nothing was changed", ps[renamed].target, ps[renamed].tmp);
                renamed = 0;
            } else {
                rc = bf_fail_sys(err, e, "%s: not written: renaming %s over it failed, and putting back the files "
                                 "already written failed too: %s", ps[renamed].target, ps[renamed].tmp, failed);
            }
            goto out_records;
        }
        free(ps[renamed].tmp);
        ps[renamed].tmp = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int e = bf_io_flush_dir(ps[i].target);
        if (e) {
            char failed[600] = "";
            int rb = roll_back(hs, orig, olen, n, failed, sizeof failed);
            if (rb == 0) {
                rc = bf_fail_sys(err, e, "%s: not written: flushing its folder failed; every file of the commit was "
                                 "put back, nothing was changed", ps[i].target);
                renamed = 0;
            } else {
                rc = bf_fail_sys(err, e, "%s: flushing its folder failed, and putting back the files failed too: "
                                 "%s", ps[i].target, failed);
            }
            goto out_records;
        }
    }
    for (size_t i = 0; i < n; i++)
        adopt_written(&ps[i]);
out_records:
    /* 4. the records go last: a rename interrupted above can still be completed */
    remove_records(records, n);
    *written = renamed;
out:
    for (size_t i = 0; ps && i < nprep; i++)
        prepared_discard(&ps[i], rc != BF_OK);
    for (size_t i = 0; records && i < n; i++)
        free(records[i]);
    for (size_t i = 0; own && i < n; i++)
        free(own[i]);
    free(ps);
    free(own);
    free(own_len);
    free(records);
    return rc;
}

/* ---- recovery of a group interrupted while renaming ---------------------------------------- */

int bf_hive_recover_group(const char *path, bf_error *err)
{
    char *rec = group_record_name(path);
    if (!rec)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    uint8_t *data;
    size_t len;
    int e = bf_io_read_file(rec, &data, &len);
    if (e == ENOENT) {
        free(rec);
        return BF_OK;
    }
    if (e) {
        int rc = bf_fail_sys(err, e, "%s: cannot read the commit record %s of an interrupted commit", path, rec);
        free(rec);
        return rc;
    }
    /* "file<TAB>tmp<LF>" lines */
    int rc = BF_OK;
    char *text = (char *)data;
    char *members[16], *tmps[16];
    size_t nm = 0;
    int torn = 0;
    for (size_t i = 0; i < len && rc == BF_OK;) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        if (j == len) {
            torn = 1; /* it was being written: before any rename */
            break;
        }
        text[j] = 0;
        char *tab = strchr(text + i, '\t');
        if (!tab || tab == text + i || tab[1] == 0 || nm == 16) {
            rc = bf_fail(err, BF_ERR_FORMAT, "%s: commit record %s: line at offset %zu is not file<TAB>file", path,
                         rec, i);
            break;
        }
        *tab = 0;
        members[nm] = text + i;
        tmps[nm++] = tab + 1;
        i = j + 1;
    }
    /* Renames started only after every member's record was written, and
       the records are removed only after every rename, and each rename
       takes a temporary file away: with all records present and some
       temporary file gone, the commit was cut between renames and the
       pending ones are completed; otherwise no rename happened (or all
       did), and the temporary files left are discarded: the files stay as
       they were. */
    int all = rc == BF_OK && !torn;
    for (size_t k = 0; k < nm && all; k++) {
        char *r = group_record_name(members[k]);
        uint64_t sz;
        int64_t mt;
        all = r && bf_io_stat(r, &sz, &mt) == 0;
        free(r);
    }
    size_t pending = 0;
    for (size_t k = 0; k < nm && all; k++) {
        uint64_t sz;
        int64_t mt;
        pending += bf_io_stat(tmps[k], &sz, &mt) == 0;
    }
    if (pending == nm)
        all = 0; /* none renamed yet: nothing to complete */
    for (size_t k = 0; k < nm && rc == BF_OK; k++) {
        uint64_t sz;
        int64_t mt;
        if (bf_io_stat(tmps[k], &sz, &mt) != 0)
            continue;
        if (!all) {
            bf_io_unlink(tmps[k]);
            continue;
        }
        e = bf_io_rename(tmps[k], members[k]);
        if (!e)
            e = bf_io_flush_dir(members[k]);
        if (e)
            rc = bf_fail_sys(err, e, "%s: completing an interrupted commit: renaming %s over %s failed", path,
                             tmps[k], members[k]);
    }
    if (rc == BF_OK) {
        for (size_t k = 0; k < nm; k++) {
            char *r = group_record_name(members[k]);
            if (r && strcmp(r, rec) != 0)
                bf_io_unlink(r);
            free(r);
        }
        bf_io_unlink(rec);
        bf_io_flush_dir(rec);
    }
    free(data);
    free(rec);
    return rc;
}
