/* The system-neutral half of the I/O seam: allocation, the fault-injection
 * counters, path strings, and the operations built from the platform's
 * primitives (lib/io/posix or lib/io/win32): replacing a file, creating
 * folders, copying a file, sweeping temporary files. */
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long fail_nth, op_count;
static int fail_errno;

unsigned long bf_io_fail_at(unsigned long nth, int errnum)
{
    unsigned long ran = op_count;
    fail_nth = errnum ? nth : 0;
    fail_errno = errnum;
    op_count = 0;
    return ran;
}

static unsigned long alloc_fail_nth, alloc_count;

unsigned long bf_io_fail_alloc_at(unsigned long nth)
{
    unsigned long ran = alloc_count;
    alloc_fail_nth = nth;
    alloc_count = 0;
    return ran;
}

/* Count one allocation; 1 if it is the one to fail. */
static int alloc_injected(void)
{
    alloc_count++;
    return alloc_fail_nth && alloc_count == alloc_fail_nth;
}

void *bf_malloc(size_t n) { return alloc_injected() ? NULL : malloc(n ? n : 1); }

void *bf_calloc(size_t n, size_t size) { return alloc_injected() ? NULL : calloc(n ? n : 1, size ? size : 1); }

void *bf_realloc(void *p, size_t n) { return alloc_injected() ? NULL : realloc(p, n ? n : 1); }

char *bf_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = bf_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Count one operation; non-zero (an errno) if it is the one to fail. */
static int injected(void)
{
    op_count++;
    if (fail_nth && op_count == fail_nth)
        return fail_errno;
    return 0;
}

int bf_io_write_new(const char *path, const uint8_t *data, size_t len, int mode, const char **step)
{
    bf_io_piece one = {data, len};
    return bf_io_write_new_pieces(path, &one, 1, mode, step);
}

const char *bf_io_base_name(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

char *bf_io_dir_of(const char *path)
{
    size_t n = (size_t)(bf_io_base_name(path) - path);
    while (n > 1 && (path[n - 1] == '/' || path[n - 1] == '\\'))
        n--;
    char *d = bf_malloc(n + 2);
    if (!d)
        return NULL;
    if (n == 0) {
        strcpy(d, ".");
    } else {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

char *bf_io_sibling_name(const char *path, const char *suffix)
{
    const char *base = bf_io_base_name(path);
    size_t n = strlen(path) + strlen(suffix) + 2;
    char *t = bf_malloc(n);
    if (t)
        snprintf(t, n, "%.*s.%s%s", (int)(base - path), path, base, suffix);
    return t;
}

char *bf_io_tmp_name(const char *path)
{
    static unsigned counter;
    char suffix[64];
    snprintf(suffix, sizeof suffix, BF_IO_TMP_TAG "%ld-%u", bf_io_pid(), ++counter);
    return bf_io_sibling_name(path, suffix);
}

int bf_io_replace(const char *path, const uint8_t *data, size_t len, int mode, const char **step)
{
    *step = "create";
    char *tmp = bf_io_tmp_name(path);
    if (!tmp)
        return ENOMEM;
    int e = bf_io_write_new(tmp, data, len, mode, step);
    if (!e) {
        *step = "rename";
        e = bf_io_rename(tmp, path);
        if (e)
            bf_io_unlink(tmp);
        else {
            *step = "directory flush";
            e = bf_io_flush_dir(path);
        }
    }
    free(tmp);
    return e;
}

int bf_io_is_dir(const char *p)
{
    bf_io_info in;
    return bf_io_info_of(p, 1, &in) == 0 && in.kind == BF_IO_DIR;
}

/* Create `p` after its missing parents, nearest existing folder first (so a
 * prefix such as \\?\ or "F:" is never created or even examined). */
static int mkdirs_from(char *p, unsigned depth)
{
    if (bf_io_is_dir(p))
        return 0;
    /* p has no trailing separator (bf_io_mkdirs strips them); its parent
       ends before the separators ahead of its last component */
    size_t cut = (size_t)(bf_io_base_name(p) - p);
    while (cut > 1 && bf_io_is_sep(p[cut - 1]) && bf_io_is_sep(p[cut - 2]))
        cut--; /* "a//b": the parent is "a/" then "a" */
    if (cut > 1 && bf_io_is_sep(p[cut - 1]))
        cut--; /* "a/b": the parent is "a"; "/b": it is "/" */
    if (cut > 0 && depth < 4096) {
        char c = p[cut];
        p[cut] = 0;
        int e = mkdirs_from(p, depth + 1);
        p[cut] = c;
        if (e)
            return e;
    }
    int e = bf_io_mkdir(p);
    if (e == 0)
        return bf_io_flush_dir(p);
    if (e == EEXIST)
        return bf_io_is_dir(p) ? 0 : ENOTDIR;
    return e;
}

int bf_io_mkdirs(const char *path)
{
    char *p = bf_strdup(path);
    if (!p)
        return ENOMEM;
    size_t n = strlen(p);
    while (n > 1 && bf_io_is_sep(p[n - 1]))
        p[--n] = 0; /* "a/b/" is "a/b" */
    int e = mkdirs_from(p, 0);
    free(p);
    return e ? e : bf_io_is_dir(path) ? 0 : ENOTDIR;
}

int bf_io_file_mode(const char *path)
{
    bf_io_info in;
    return bf_io_info_of(path, 1, &in) == 0 ? in.mode : 0644;
}

int bf_io_stat(const char *path, uint64_t *size, int64_t *mtime_ns)
{
    bf_io_info in;
    int e = bf_io_info_of(path, 1, &in);
    if (e)
        return e;
    *size = in.size;
    *mtime_ns = in.mtime_ns;
    return 0;
}

char *bf_io_path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), n = dl + strlen(name) + 2;
    char *s = bf_malloc(n);
    if (!s)
        return NULL;
    if (dl == 0 || bf_io_is_sep(dir[dl - 1]))
        snprintf(s, n, "%s%s", dir, name);
    else
        snprintf(s, n, "%s%c%s", dir, bf_io_sep, name);
    return s;
}

/* The fault-injection counter, for the platform layers. */
int bf_io_injected(void) { return injected(); }

int bf_io_copy_new(const char *from, const char *to, int mode, const char **step)
{
    enum { CHUNK = 1 << 20 };
    bf_io_file *in = NULL, *out = NULL;
    uint8_t *buf = bf_malloc(CHUNK);
    *step = "open";
    int e = buf ? bf_io_open_read(from, &in) : ENOMEM;
    if (!e) {
        *step = "create";
        e = bf_io_create(to, mode, &out);
    }
    if (!e)
        *step = "copy";
    for (uint64_t off = 0; !e;) {
        size_t got;
        e = bf_io_pread(in, buf, CHUNK, off, &got);
        if (e || got == 0)
            break;
        e = bf_io_write(out, buf, got);
        off += got;
    }
    if (!e) {
        *step = "flush";
        e = bf_io_flush(out);
    }
    int ce = out ? bf_io_close(out) : 0;
    if (!e && ce) {
        *step = "close";
        e = ce;
    }
    bf_io_close(in);
    free(buf);
    if (e && out)
        bf_io_unlink(to);
    return e;
}

unsigned bf_io_sweep_tmp(const char *path)
{
    const char *base = bf_io_base_name(path);
    size_t n = strlen(base) + sizeof BF_IO_TMP_TAG + 2;
    char *prefix = bf_malloc(n);
    char *dir = bf_io_dir_of(path);
    bf_io_dir *d = NULL;
    unsigned removed = 0;
    if (!prefix || !dir || bf_io_dir_open(dir, &d) != 0)
        goto out;
    /* ".NAME.bootfix-" then, anywhere after it, ".bootfix-tmp-": the
       file's own temporary files and those of its backups
       (".NAME.bootfix-<time>.bak.bootfix-tmp-..."), never a commit record */
    snprintf(prefix, n, ".%s.bootfix-", base);
    size_t plen = strlen(prefix);
    const char *name;
    while ((name = bf_io_dir_next(d)) != NULL) {
        if (strncmp(name, prefix, plen) != 0 || !strstr(name + 1 + strlen(base), BF_IO_TMP_TAG))
            continue;
        char *p = bf_io_path_join(dir, name);
        bf_io_info in;
        /* only files and symbolic links: never a folder */
        if (p && bf_io_info_of(p, 0, &in) == 0 && in.kind != BF_IO_DIR && bf_io_unlink(p) == 0)
            removed++;
        free(p);
    }
out:
    bf_io_dir_close(d);
    free(prefix);
    free(dir);
    return removed;
}
