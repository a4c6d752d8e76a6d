/*
 * extract.c — copy a found dump off the target into a new file.
 *
 * The copy streams through one fixed 1 MiB buffer (a dump can be as large
 * as the machine's memory), so it cannot use bf_io_write_new, which writes
 * one whole buffer: it creates the temporary file itself with
 * O_CREAT|O_EXCL|O_NOFOLLOW, writes, flushes, and then links it to its
 * final name without ever replacing an existing file (link(2); on Windows
 * rename, which refuses an existing target), then flushes the directory.
 */
#include "dump/internal.h"
#include "hive/internal.h"
#include "io/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#define lstat stat /* no symbolic links to tell apart */
#endif

#ifndef O_BINARY
#define O_BINARY 0
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

#define COPY_BUF (1u << 20)

static int make_dir(const char *p)
{
#ifdef _WIN32
    return mkdir(p);
#else
    return mkdir(p, 0755);
#endif
}

static int flush_fd(int fd)
{
#ifdef _WIN32
    return _commit(fd);
#else
    return fsync(fd);
#endif
}

/* Create `dir` and its missing parents. */
static int make_dirs(const char *dir, bf_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? BF_OK
                                   : bf_fail(err, BF_ERR_EXISTS, "%s exists and is not a directory",
                                             dir);
    size_t n = strlen(dir);
    char *p = bf_malloc(n + 1);
    if (!p)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0'
#ifdef _WIN32
            && p[i] != '\\'
#endif
        )
            continue;
        char c = p[i];
        p[i] = '\0';
        if (make_dir(p) != 0 && errno != EEXIST) {
            int e = errno;
            int rc = bf_fail_sys(err, e, "cannot create the directory %s", p);
            free(p);
            return rc;
        }
        p[i] = c;
    }
    free(p);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return bf_fail(err, BF_ERR_IO, "cannot create the directory %s", dir);
    return BF_OK;
}

/* Name of the copy: the file's own name, "pagefile-MEMORY.DMP" for a page
 * file.  Points into f->path or a literal. */
static const char *copy_name(const bf_dump_found *f)
{
    if (f->source == BF_DUMP_SRC_PAGEFILE)
        return "pagefile-MEMORY.DMP";
    const char *s = strrchr(f->path, '/');
#ifdef _WIN32
    const char *b = strrchr(f->path, '\\');
    if (b && (!s || b > s))
        s = b;
#endif
    return s ? s + 1 : f->path;
}

static char *path_join(const char *dir, const char *name, const char *suffix)
{
    size_t ld = strlen(dir), ln = strlen(name), ls = strlen(suffix);
    char *p = bf_malloc(ld + ln + ls + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, ld);
    size_t k = ld;
    if (k == 0 || p[k - 1] != '/')
        p[k++] = '/';
    memcpy(p + k, name, ln);
    memcpy(p + k + ln, suffix, ls + 1);
    return p;
}

static int write_all(int fd, const uint8_t *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read up to n bytes (short only at end of file).  Bytes read, or -errno. */
static long long read_full(int fd, uint8_t *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -(long long)errno;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long long)got;
}

/* Copy `total` bytes of src into the new file tmp. */
static int copy_bytes(const char *src, const char *tmp, uint64_t total, bf_progress_cb cb,
                      void *ctx, int *created, bf_error *err)
{
    int in = open(src, O_RDONLY | O_BINARY | O_CLOEXEC);
    if (in < 0)
        return bf_fail_sys(err, errno, "cannot open %s", src);
    int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_BINARY | O_CLOEXEC, 0644);
    if (out < 0) {
        int e = errno;
        close(in);
        return bf_fail_sys(err, e, "cannot create %s", tmp);
    }
    *created = 1;
    uint8_t *buf = bf_malloc(COPY_BUF);
    int rc = buf ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
    uint64_t done = 0;
    while (rc == BF_OK && done < total) {
        size_t want = total - done < COPY_BUF ? (size_t)(total - done) : COPY_BUF;
        long long got = read_full(in, buf, want);
        int e;
        if (got < 0)
            rc = bf_fail_sys(err, (int)-got, "cannot read %s at offset %llu", src,
                             (unsigned long long)done);
        else if ((size_t)got < want)
            rc = bf_fail(err, BF_ERR_IO, "%s ended at %llu bytes; the dump needs %llu", src,
                         (unsigned long long)(done + (uint64_t)got), (unsigned long long)total);
        else if ((e = write_all(out, buf, want)) != 0)
            rc = bf_fail_sys(err, e, "cannot write %s", tmp);
        else {
            done += want;
            if (cb)
                cb(ctx, done, total);
        }
    }
    if (rc == BF_OK && total == 0 && cb)
        cb(ctx, 0, 0);
    free(buf);
    close(in);
    if (rc == BF_OK && flush_fd(out) != 0)
        rc = bf_fail_sys(err, errno, "cannot flush %s", tmp);
    if (close(out) != 0 && rc == BF_OK)
        rc = bf_fail_sys(err, errno, "cannot close %s", tmp);
    return rc;
}

/* Give tmp its final name, never replacing an existing file. */
static int publish(const char *tmp, const char *final, bf_error *err)
{
#ifdef _WIN32
    if (rename(tmp, final) != 0)
        return errno == EEXIST ? bf_fail(err, BF_ERR_EXISTS, "%s already exists; not overwriting it",
                                         final)
                               : bf_fail_sys(err, errno, "cannot rename %s to %s", tmp, final);
    return BF_OK;
#else
    if (link(tmp, final) == 0) {
        bf_io_unlink(tmp);
        return BF_OK;
    }
    if (errno == EEXIST)
        return bf_fail(err, BF_ERR_EXISTS, "%s already exists; not overwriting it", final);
    /* a file system without hard links: check, then rename */
    struct stat st;
    if (lstat(final, &st) == 0)
        return bf_fail(err, BF_ERR_EXISTS, "%s already exists; not overwriting it", final);
    int e = bf_io_rename(tmp, final);
    return e ? bf_fail_sys(err, e, "cannot rename %s to %s", tmp, final) : BF_OK;
#endif
}

int bf_dump_extract(const bf_dump_found *f, const char *dir, bf_progress_cb cb, void *ctx,
                    char **out_path, bf_error *err)
{
    static unsigned seq;
    struct stat st;
    int created = 0, e;
    char suffix[64];
    if (out_path)
        *out_path = NULL;
    if (!f || !f->path || !dir || !dir[0])
        return bf_fail(err, BF_ERR_INVALID, "bf_dump_extract: no dump or no directory");
    uint64_t total = f->dump_bytes ? f->dump_bytes : f->size;
    int rc = make_dirs(dir, err);
    if (rc)
        return rc;
    char *final = path_join(dir, copy_name(f), "");
    snprintf(suffix, sizeof suffix, ".bootfix-tmp-%ld-%u", getpid_portable(), ++seq);
    char *tmp = path_join(dir, copy_name(f), suffix);
    if (!final || !tmp) {
        free(final);
        free(tmp);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    if (lstat(final, &st) == 0)
        rc = bf_fail(err, BF_ERR_EXISTS, "%s already exists; not overwriting it", final);
    if (rc == BF_OK)
        rc = copy_bytes(f->path, tmp, total, cb, ctx, &created, err);
    if (rc == BF_OK)
        rc = publish(tmp, final, err);
    if (rc == BF_OK && (e = bf_io_flush_dir(final)) != 0)
        rc = bf_fail_sys(err, e, "%s written, but flushing its directory failed", final);
    if (created && lstat(tmp, &st) == 0)
        bf_io_unlink(tmp); /* our own O_EXCL file: already gone once published */
    if (rc == BF_OK && out_path)
        *out_path = final;
    else
        free(final);
    free(tmp);
    return rc;
}
