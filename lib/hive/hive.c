/* Opening, creating and closing hives. */
#include "internal.h"
#include "io/io.h"

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>

static void set_err_default(bf_error *err)
{
    if (err) {
        err->code = BF_OK;
        err->sys_errno = 0;
        err->msg[0] = 0;
    }
}

static void fill_info(bf_hive *h, const uint8_t *bb_as_found, size_t file_len)
{
    bf_hive_info *in = &h->info;
    in->seq1 = rd32(bb_as_found + BB_SEQ1);
    in->seq2 = rd32(bb_as_found + BB_SEQ2);
    in->checksum_ok = bf_bb_checksum(bb_as_found) == rd32(bb_as_found + BB_CHECKSUM);
    in->dirty = in->seq1 != in->seq2 || !in->checksum_ok;
    in->file_size = file_len;
}

void bf_hive_refresh_info(bf_hive *h)
{
    bf_hive_info *in = &h->info;
    const uint8_t *bb = h->img;
    in->major = rd32(bb + BB_MAJOR);
    in->minor = rd32(bb + BB_MINOR);
    in->timestamp = rd64(bb + BB_TIMESTAMP);
    in->file_type = rd32(bb + BB_TYPE);
    in->file_format = rd32(bb + BB_FORMAT);
    in->flags = rd32(bb + BB_FLAGS);
    in->root = rd32(bb + BB_ROOT);
    in->hbins_size = rd32(bb + BB_HBINS_SIZE);
    in->nbins = (uint32_t)h->nbins;
    in->modified = h->modified;
    char *nm = bf_utf16le_to_utf8(bb + BB_NAME, 64, NULL);
    if (nm) {
        size_t n = strlen(nm); /* stops at the first NUL */
        if (n >= sizeof in->embedded_name)
            n = sizeof in->embedded_name - 1;
        memcpy(in->embedded_name, nm, n);
        in->embedded_name[n] = 0;
        free(nm);
    }
    for (int i = 0; i < 3; i++)
        in->log_paths[i] = h->log_path_store[i];
}

/* BF_ERR_LIMIT for a hive file of `size` bytes, larger than BF_LIMIT_HIVE_SIZE. */
static int hive_too_large(const char *name, uint64_t size, bf_error *err)
{
    return bf_fail(err, BF_ERR_LIMIT, "%s: %llu bytes: larger than the limit for a hive file, %u bytes (2 GiB)", name,
                   (unsigned long long)size, BF_LIMIT_HIVE_SIZE);
}

/* The base block's hive bins size (offset 0x28) within the limit. */
static int check_hbins_limit(const char *name, const uint8_t *bb, bf_error *err)
{
    uint32_t hbins = rd32(bb + BB_HBINS_SIZE);
    if (hbins > BF_MAX_HIVE_SIZE)
        return bf_fail(err, BF_ERR_LIMIT,
                       "%s: offset 0x28: hive bins size 0x%x: more than the limit of 0x%x bytes (a hive file is at "
                       "most 2 GiB)", name, hbins, (unsigned)BF_MAX_HIVE_SIZE);
    return BF_OK;
}

/* Common part of opening: `data` (owned: malloc'd, or mapped when `mapped`)
 * is the primary file. */
static int open_image(bf_hive *h, uint8_t *data, size_t len, int mapped, const bf_log_buf *logs, size_t nlogs,
                      unsigned flags, bf_error *err)
{
    h->open_flags = flags;
    uint8_t bb_as_found[REGF_BASE_BLOCK];
    if (len < REGF_BASE_BLOCK) {
        bf_io_unmap(data, len, mapped);
        return bf_fail(err, BF_ERR_FORMAT, "%s: %zu bytes: too short for a hive (the base block alone is 4096 bytes)",
                       h->path, len);
    }
    if (memcmp(data, "regf", 4) != 0) {
        bf_io_unmap(data, len, mapped);
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x0: no 'regf' signature: not a registry hive", h->path);
    }
    if (len > BF_LIMIT_HIVE_SIZE) {
        bf_io_unmap(data, len, mapped);
        return hive_too_large(h->path, len, err);
    }
    memcpy(bb_as_found, data, REGF_BASE_BLOCK);
    fill_info(h, bb_as_found, len);

    if (h->info.dirty && !(flags & BF_OPEN_NO_LOGS)) {
        bf_replay_result rr;
        memset(&rr, 0, sizeof rr);
        /* replay into a copy: on failure the primary stays as it was */
        size_t rlen = len;
        uint8_t *work = bf_malloc(len);
        if (!work) {
            bf_io_unmap(data, len, mapped);
            return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
        }
        memcpy(work, data, len);
        bf_error rerr;
        memset(&rerr, 0, sizeof rerr);
        int rc = bf_log_replay(&work, &rlen, h->path, logs, nlogs, &rr, &rerr);
        if (rc != BF_OK) {
            snprintf(h->info.log_problem, sizeof h->info.log_problem, "%.500s", rerr.msg);
            if (err)
                *err = rerr;
        }
        if (rc == BF_OK) {
            bf_io_unmap(data, len, mapped);
            data = work;
            len = rlen;
            mapped = 0;
        } else {
            free(work);
            h->log_max_seq = rr.max_seq; /* still above stale logs if forced */
        }
        if (rc == BF_OK) {
            h->info.replayed = rr.replayed;
            h->info.base_block_recovered = rr.base_block_recovered;
            h->info.log_entries = rr.entries;
            h->log_max_seq = rr.max_seq;
            for (int i = 0, k = 0; i < 8 && rr.used[i] >= 0 && k < 3; i++)
                if ((size_t)rr.used[i] < nlogs)
                    h->info.log_used[k++] = logs[rr.used[i]].name;
            if (rr.replayed) {
                h->modified = 1;
                h->touched_all = 1; /* the logs' changes are not listed key by key */
            }
        } else if ((flags & BF_OPEN_WRITE) && !(flags & BF_OPEN_FORCE_DIRTY)) {
            bf_io_unmap(data, len, mapped);
            return rc;
        }
        /* reading: go on with the primary as it is (info.dirty says so) */
    } else if (!(flags & BF_OPEN_NO_LOGS)) {
        /* a clean hive: logs are ignored, but their sequence numbers still
         * count so that what we write can never be overtaken by them */
        bf_replay_result rr;
        memset(&rr, 0, sizeof rr);
        if (bf_log_replay(&data, &len, h->path, logs, nlogs, &rr, NULL) == BF_OK)
            h->log_max_seq = rr.max_seq;
    }
    h->info.log_max_seq = h->log_max_seq;

    int rc = check_hbins_limit(h->path, data, err);
    if (rc == BF_OK)
        rc = bf_bb_validate(data, len, h->path, err);
    if (rc) {
        bf_io_unmap(data, len, mapped);
        return rc;
    }
    uint32_t hbins = rd32(data + BB_HBINS_SIZE);
    h->img = data;
    h->img_mapped = mapped;
    h->map_len = len;
    h->img_len = REGF_BASE_BLOCK + (size_t)hbins;
    h->minor = rd32(data + BB_MINOR);
    if (len > h->img_len) {
        h->tail_len = len - h->img_len;
        h->tail_off = h->img_len;
        h->tail = bf_malloc(h->tail_len);
        if (!h->tail)
            return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
        memcpy(h->tail, data + h->img_len, h->tail_len);
        uint8_t *shrunk = mapped ? NULL : bf_realloc(h->img, h->img_len);
        if (shrunk)
            h->img = shrunk;
    }
    rc = bf_bins_scan(h, err);
    if (rc)
        return rc;
    if (!bf_nk(h, bf_hive_root(h), NULL, err))
        return err ? err->code : BF_ERR_FORMAT;
    if (flags & BF_OPEN_WRITE) {
        if (h->info.dirty && !h->info.replayed && !(flags & BF_OPEN_FORCE_DIRTY))
            return bf_fail(err, BF_ERR_DIRTY,
                           "%s: the hive is dirty (sequence numbers %u/%u%s) and no transaction log could be "
                           "replayed: writing it would lose what Windows kept only in its logs (use --force to "
                           "write anyway)", h->path, h->info.seq1, h->info.seq2,
                           h->info.checksum_ok ? "" : ", bad checksum");
        /* never edit a hive that does not pass the structural check */
        char first[512] = "";
        /* checked as it would be written: a forced dirty hive is not a problem */
        int problems = bf_hive_check(h, bf_check_first_problem, first, err);
        if (problems < 0)
            return problems;
        if (problems > 0) {
            return bf_fail(err, BF_ERR_FORMAT,
                           "%s: refusing to modify a hive with %d structural problem%s (first: %s); run "
                           "'bootfix hive check' for the list", h->path, problems, problems == 1 ? "" : "s", first);
        }
        h->writable = 1;
    }
    bf_hive_refresh_info(h);
    return BF_OK;
}

void bf_check_first_problem(void *ctx, uint64_t off, const char *problem)
{
    char *buf = ctx;
    if (buf[0] == 0)
        snprintf(buf, 512, "offset 0x%llx: %s", (unsigned long long)off, problem);
}

static bf_hive *hive_alloc(const char *name)
{
    bf_hive *h = bf_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->path = bf_strdup(name ? name : "(memory)");
    if (!h->path) {
        free(h);
        return NULL;
    }
    return h;
}

/* Take the write lock of the hive's folder before reading it, so that the
 * read-modify-write of two bootfix runs can never interleave; then remove
 * temporary files a killed commit of this file left behind. */
static int lock_for_writing(bf_hive *h, bf_error *err)
{
    int e = bf_io_lock_dir_of(h->path, &h->lock);
    if (e == EWOULDBLOCK)
        return bf_fail(err, BF_ERR_LOCKED, "%s: another bootfix run is writing files in this folder; wait for it "
                       "to finish and try again (nothing was changed)", h->path);
    if (e)
        return bf_fail_sys(err, e, "%s: cannot lock its folder for writing", h->path);
    /* first finish a group commit a killed run left half renamed (its
       temporary files are complete), then remove leftover temporary files */
    int rc = bf_hive_recover_group(h->path, err);
    if (rc)
        return rc;
    bf_io_sweep_tmp(h->path);
    return BF_OK;
}

int bf_hive_open(const char *path, unsigned flags, bf_hive **out, bf_error *err)
{
    set_err_default(err);
    *out = NULL;
    bf_hive *h = hive_alloc(path);
    if (!h)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    if (flags & BF_OPEN_WRITE) {
        int rc = lock_for_writing(h, err);
        if (rc) {
            bf_hive_close(h);
            return rc;
        }
    }
    uint8_t *data;
    size_t len;
    uint64_t sz;
    int mapped = 0;
    int e = bf_io_stat(path, &sz, &h->disk_mtime);
    if (!e && sz > BF_LIMIT_HIVE_SIZE) { /* refused before reading it */
        bf_hive_close(h);
        return hive_too_large(path, sz, err);
    }
    /* read-only: the file mapped, not copied (a writer needs an image it can
       grow); only the header is ever changed in a read-only image, by
       bf_hive_check finalizing it (commit.c) */
    if (!e)
        e = (flags & BF_OPEN_WRITE) ? bf_io_read_file(path, &data, &len)
                                    : bf_io_map_file(path, REGF_BASE_BLOCK + REGF_BIN_HDR, &data, &len, &mapped);
    if (e) {
        bf_hive_close(h);
        return bf_fail_sys(err, e, "%s: cannot read", path);
    }
    bf_log_buf logs[3];
    size_t nlogs = 0;
    uint8_t *logdata[3] = {NULL, NULL, NULL};
    if (!(flags & BF_OPEN_NO_LOGS)) {
        if (bf_logs_find(path, h->log_path_store) != 0) {
            bf_io_unmap(data, len, mapped);
            bf_hive_close(h);
            return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory while looking for its log files", path);
        }
        for (int i = 0; i < 3; i++) {
            size_t ll = 0;
            if (!h->log_path_store[i])
                continue;
            int le = bf_io_read_file(h->log_path_store[i], &logdata[i], &ll);
            if (le) {
                /* a log we cannot read may hold the newest data: replaying
                   the others alone could bring back an older state */
                logdata[i] = NULL;
                for (int k = 0; k < 3; k++)
                    free(logdata[k]);
                bf_io_unmap(data, len, mapped);
                int rc = bf_fail_sys(err, le, "%s: cannot read its log file %s", path, h->log_path_store[i]);
                bf_hive_close(h);
                return rc;
            }
            logs[nlogs++] = (bf_log_buf){h->log_path_store[i], logdata[i], ll};
        }
    }
    int rc = open_image(h, data, len, mapped, logs, nlogs, flags, err);
    for (int i = 0; i < 3; i++)
        free(logdata[i]);
    if (rc) {
        bf_hive_close(h);
        return rc;
    }
    *out = h;
    return BF_OK;
}

int bf_hive_open_mem(const char *name, const void *data, size_t len, const bf_log_buf *logs, size_t nlogs,
                     unsigned flags, bf_hive **out, bf_error *err)
{
    set_err_default(err);
    *out = NULL;
    bf_hive *h = hive_alloc(name);
    uint8_t *copy = bf_malloc(len ? len : 1);
    if (!h || !copy) {
        free(copy);
        bf_hive_close(h);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    memcpy(copy, data, len);
    h->disk_mtime = -1;
    int rc = open_image(h, copy, len, 0, logs, nlogs, flags & ~(unsigned)0, err);
    if (rc) {
        bf_hive_close(h);
        return rc;
    }
    *out = h;
    return BF_OK;
}

void bf_hive_close(bf_hive *h)
{
    if (!h)
        return;
    free(h->path);
    bf_io_unmap(h->img, h->map_len, h->img_mapped);
    free(h->tail);
    free(h->bins);
    free(h->cellmap);
    free(h->freel);
    free(h->touched);
    for (int i = 0; i < 3; i++)
        free(h->log_path_store[i]);
    bf_io_unlock(h->lock);
    free(h);
}

int bf_hive_get_info(const bf_hive *h, bf_hive_info *info)
{
    *info = h->info;
    info->modified = h->modified;
    info->hbins_size = bf_hbins_size(h);
    info->nbins = (uint32_t)h->nbins;
    return BF_OK;
}

const char *bf_hive_path(const bf_hive *h) { return h->path; }

int bf_hive_writable(const bf_hive *h, bf_error *err)
{
    if (!h->writable)
        return bf_fail(err, BF_ERR_READONLY, "%s: hive was opened read-only", h->path);
    return BF_OK;
}
