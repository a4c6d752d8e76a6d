/*
 * extract.c — copy a found dump off the target into a new file.
 *
 * The copy streams through one fixed 1 MiB buffer (a dump can be as large
 * as the machine's memory), so it cannot use bf_io_write_new, which writes
 * one whole buffer: it creates the temporary file with bf_io_create
 * (O_CREAT|O_EXCL|O_NOFOLLOW), writes, flushes, and then gives it its final
 * name without ever replacing an existing file (bf_io_link_new: link(2); on
 * Windows a rename, which refuses an existing target), then flushes the
 * directory.  Every step goes through the I/O seam (lib/io/io.h).
 */
#include "dump/internal.h"
#include "hive/internal.h"
#include "io/io.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_BUF (1u << 20)

/* A failed I/O step: "WHAT: strerror(e)", or "WHAT: out of memory" (code
 * BF_ERR_NOMEM) when the seam ran out of memory. */
static int io_fail(bf_error *err, int e, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;

static int io_fail(bf_error *err, int e, const char *fmt, ...)
{
    char what[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (e == ENOMEM)
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", what);
    return bf_fail_sys(err, e, "%s", what);
}

/* Name of the copy: the file's own name, "pagefile-MEMORY.DMP" for a page
 * file.  Points into f->path or a literal. */
static const char *copy_name(const bf_dump_found *f)
{
    return f->source == BF_DUMP_SRC_PAGEFILE ? "pagefile-MEMORY.DMP" : bf_io_base_name(f->path);
}

/* Read n bytes at off (fewer only at end of file).  0 or errno; *got. */
static int read_full(bf_io_file *in, uint8_t *b, size_t n, uint64_t off, size_t *got)
{
    *got = 0;
    while (*got < n) {
        size_t r;
        int e = bf_io_pread(in, b + *got, n - *got, off + *got, &r);
        if (e)
            return e;
        if (r == 0)
            break;
        *got += r;
    }
    return 0;
}

/* Copy `total` bytes of the open src into the open tmp. */
static int copy_stream(bf_io_file *in, const char *src, bf_io_file *out, const char *tmp,
                       uint64_t total, bf_progress_cb cb, void *ctx, bf_error *err)
{
    uint8_t *buf = bf_malloc(COPY_BUF);
    if (!buf)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for the buffer copying %s", src);
    int rc = BF_OK;
    uint64_t done = 0;
    while (rc == BF_OK && done < total) {
        size_t want = total - done < COPY_BUF ? (size_t)(total - done) : COPY_BUF, got;
        int e = read_full(in, buf, want, done, &got);
        if (e)
            rc = io_fail(err, e, "cannot read %s at offset %llu", src,
                         (unsigned long long)(done + got));
        else if (got < want)
            rc = bf_fail(err, BF_ERR_IO, "%s ended at %llu bytes; the dump needs %llu", src,
                         (unsigned long long)(done + got), (unsigned long long)total);
        else if ((e = bf_io_write(out, buf, want)) != 0)
            rc = io_fail(err, e, "cannot write %s at offset %llu", tmp, (unsigned long long)done);
        else {
            done += want;
            if (cb)
                cb(ctx, done, total);
        }
    }
    if (rc == BF_OK && total == 0 && cb)
        cb(ctx, 0, 0);
    free(buf);
    return rc;
}

/* Copy `total` bytes of src into the new file tmp, flushed and closed.
 * *created once tmp exists. */
static int copy_bytes(const char *src, const char *tmp, uint64_t total, bf_progress_cb cb,
                      void *ctx, int *created, bf_error *err)
{
    bf_io_file *in, *out;
    int e = bf_io_open_read(src, &in);
    if (e)
        return io_fail(err, e, "cannot open %s", src);
    if ((e = bf_io_create(tmp, 0644, &out)) != 0) {
        bf_io_close(in);
        return io_fail(err, e, "cannot create %s", tmp);
    }
    *created = 1;
    int rc = copy_stream(in, src, out, tmp, total, cb, ctx, err);
    bf_io_close(in);
    if (rc == BF_OK && (e = bf_io_flush(out)) != 0)
        rc = io_fail(err, e, "cannot flush %s", tmp);
    if ((e = bf_io_close(out)) != 0 && rc == BF_OK)
        rc = io_fail(err, e, "cannot close %s", tmp);
    return rc;
}

/* Give tmp its final name, never replacing an existing file. */
static int publish(const char *tmp, const char *final, bf_error *err)
{
    int e = bf_io_link_new(tmp, final);
    if (e == EEXIST)
        return bf_fail(err, BF_ERR_EXISTS, "%s already exists; not overwriting it", final);
    if (e)
        return io_fail(err, e, "cannot give %s its name %s", tmp, final);
    return BF_OK;
}

int bf_dump_extract(const bf_dump_found *f, const char *dir, bf_progress_cb cb, void *ctx,
                    char **out_path, bf_error *err)
{
    bf_io_info st;
    int created = 0, e;
    if (out_path)
        *out_path = NULL;
    if (!f || !f->path || !dir || !dir[0])
        return bf_fail(err, BF_ERR_INVALID, "bf_dump_extract: no dump or no directory");
    uint64_t total = f->dump_bytes ? f->dump_bytes : f->size;
    if ((e = bf_io_mkdirs(dir)) == ENOTDIR)
        return bf_fail(err, BF_ERR_EXISTS, "%s (or a folder above it) exists and is not a directory", dir);
    if (e)
        return io_fail(err, e, "cannot create the directory %s", dir);
    int rc = BF_OK;
    char *final = bf_io_path_join(dir, copy_name(f));
    char *tmp = final ? bf_io_tmp_name(final) : NULL;
    if (!final || !tmp) {
        free(final);
        free(tmp);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory copying %s into %s", f->path, dir);
    }
    if (bf_io_info_of(final, 0, &st) == 0)
        rc = bf_fail(err, BF_ERR_EXISTS, "%s already exists; not overwriting it", final);
    if (rc == BF_OK)
        rc = copy_bytes(f->path, tmp, total, cb, ctx, &created, err);
    if (rc == BF_OK)
        rc = publish(tmp, final, err);
    /* past this point the copy is complete under its name; only its
     * durability is in question */
    if (rc == BF_OK && (e = bf_io_flush_dir(final)) != 0)
        rc = io_fail(err, e, "%s written, but flushing its directory failed", final);
    if (created && bf_io_info_of(tmp, 0, &st) == 0)
        bf_io_unlink(tmp); /* our own O_EXCL file: already gone once published */
    if (rc == BF_OK && out_path)
        *out_path = final;
    else
        free(final);
    free(tmp);
    return rc;
}
