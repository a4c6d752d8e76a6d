/* Writing a hive: the finalized image, and the atomic commit protocol
 * (temporary file, flush, re-read and verify, rename, flush directory). */
#include "internal.h"
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

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

int bf_hive_serialize(bf_hive *h, uint8_t **buf, size_t *len, bf_error *err)
{
    size_t total = h->img_len;
    /* bytes Windows left after the last bin are kept where they were */
    if (h->tail && h->tail_off + h->tail_len > total)
        total = h->tail_off + h->tail_len;
    uint8_t *b = bf_malloc(total);
    if (!b)
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
    memcpy(b, h->img, h->img_len);
    if (h->tail && total > h->img_len) {
        size_t skip = h->img_len > h->tail_off ? h->img_len - h->tail_off : 0;
        memcpy(b + h->img_len, h->tail + skip, total - h->img_len);
    }
    finalize_header(h, b);
    *buf = b;
    *len = total;
    return BF_OK;
}

static char *tmp_name(const char *target)
{
    size_t n = strlen(target) + 64;
    char *t = bf_malloc(n);
    if (!t)
        return NULL;
    const char *slash = strrchr(target, '/');
#ifdef _WIN32
    const char *bs = strrchr(target, '\\');
    if (bs && (!slash || bs > slash))
        slash = bs;
#endif
    size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
    static unsigned counter;
    snprintf(t, n, "%.*s.%s.bootfix-tmp-%ld-%u", (int)dirlen, target, target + dirlen, (long)getpid_portable(),
             ++counter);
    return t;
}

int bf_hive_commit(bf_hive *h, const bf_commit_opts *opts, bf_error *err)
{
    static const bf_commit_opts none;
    if (!opts)
        opts = &none;
    if (!h->writable)
        return bf_fail(err, BF_ERR_READONLY, "%s: hive was opened read-only", h->path);
    const char *target = opts->out_path ? opts->out_path : h->path;
    if (!opts->out_path && h->disk_mtime < 0)
        return bf_fail(err, BF_ERR_INVALID, "%s: an in-memory hive needs an output path", h->path);

    uint8_t *buf;
    size_t len;
    int rc = bf_hive_serialize(h, &buf, &len, err);
    if (rc)
        return rc;
    /* 1. our checker on the exact bytes to be written */
    char first[512] = "";
    int problems = bf_check_run(buf, len, bf_check_first_problem, first, err);
    if (problems != 0) {
        free(buf);
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
            free(buf);
            return bf_fail(err, BF_ERR_IO, "%s: not written: the file changed on disk since it was opened", h->path);
        }
    }
    /* 3. backup of the original, before anything else is written */
    if (opts->backup_path) {
        uint8_t *orig;
        size_t olen;
        const char *step;
        int e = bf_io_read_file(h->path, &orig, &olen);
        if (e) {
            free(buf);
            return bf_fail_sys(err, e, "%s: not written: cannot read it for the backup", h->path);
        }
        e = bf_io_write_new(opts->backup_path, orig, olen, 0600, &step);
        free(orig);
        if (e) {
            free(buf);
            return bf_fail_sys(err, e, "%s: not written: backup %s failed (%s)", h->path, opts->backup_path, step);
        }
    }
    /* 4. temporary file beside the target, flushed */
    char *tmp = tmp_name(target);
    if (!tmp) {
        free(buf);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    const char *step;
    int mode = bf_io_file_mode(opts->out_path ? h->path : target);
    int e = bf_io_write_new(tmp, buf, len, mode, &step);
    if (e) {
        rc = bf_fail_sys(err, e, "%s: not written: %s of temporary file %s failed", target, step, tmp);
        goto out;
    }
    /* 5. read it back: the bytes, our checker, and libregf when present */
    uint8_t *back;
    size_t blen;
    e = bf_io_read_file(tmp, &back, &blen);
    if (e) {
        rc = bf_fail_sys(err, e, "%s: not written: re-reading temporary file %s failed", target, tmp);
        goto fail_tmp;
    }
    int same = blen == len && memcmp(back, buf, len) == 0;
    free(back);
    if (!same) {
        rc = bf_fail(err, BF_ERR_VERIFY, "%s: not written: temporary file %s does not read back as written", target,
                     tmp);
        goto fail_tmp;
    }
    if (!opts->no_libregf) {
        rc = bf_verify_libregf(h, tmp, err);
        if (rc && rc != BF_ERR_UNSUPPORTED)
            goto fail_tmp;
    }
    /* 6. rename over the target and make the rename durable */
    e = bf_io_rename(tmp, target);
    if (e) {
        rc = bf_fail_sys(err, e, "%s: not written: renaming %s over it failed", target, tmp);
        goto fail_tmp;
    }
    if (!opts->out_path) {
        /* the open hive now is the file on disk */
        memcpy(h->img, buf, REGF_BASE_BLOCK);
        memcpy(h->img + REGF_BASE_BLOCK, buf + REGF_BASE_BLOCK, REGF_BIN_HDR);
        uint64_t size;
        bf_io_stat(h->path, &size, &h->disk_mtime);
        h->info.file_size = size;
        h->info.seq1 = h->info.seq2 = rd32(buf + BB_SEQ1);
        h->info.dirty = 0;
        h->info.checksum_ok = 1;
        h->modified = 0;
        bf_hive_refresh_info(h);
    }
    e = bf_io_flush_dir(target);
    /* the new file is in place; only its durability is in doubt */
    rc = e ? bf_fail_sys(err, e, "%s: written, but flushing its directory failed", target) : BF_OK;
    goto out;
fail_tmp:
    bf_io_unlink(tmp);
out:
    free(tmp);
    free(buf);
    return rc;
}
