/* File operations behind the fault-injection seam.  POSIX, with the
 * Windows (mingw-w64) equivalents where they differ. */
#include "io/io.h"
#include "io/oflags.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#include <windows.h>
#endif

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

int bf_io_open_regular(const char *path, int *fd_out, uint64_t *size)
{
    int e = injected();
    if (e)
        return e;
    int fd = open(path, O_RDONLY | O_BINARY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        e = errno;
        close(fd);
        return e;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    }
    *fd_out = fd;
    *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

int bf_io_read_file(const char *path, uint8_t **data, size_t *len)
{
    int fd;
    uint64_t fsize;
    int e = bf_io_open_regular(path, &fd, &fsize);
    if (e)
        return e;
    size_t cap = (size_t)fsize, n = 0;
    uint8_t *buf = bf_malloc(cap ? cap : 1);
    if (!buf || (e = injected()) != 0) {
        free(buf);
        close(fd);
        return buf ? e : ENOMEM;
    }
    for (;;) {
        if (n == cap) {
            /* the file grew while we read it, or st_size was 0 (a device) */
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb = bf_realloc(buf, ncap);
            if (!nb) {
                free(buf);
                close(fd);
                return ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            free(buf);
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *data = buf;
    *len = n;
    return 0;
}

static int flush_fd(int fd)
{
#ifdef _WIN32
    return _commit(fd) == 0 ? 0 : errno;
#else
    return fsync(fd) == 0 ? 0 : errno;
#endif
}

int bf_io_write_new_pieces(const char *path, const bf_io_piece *pieces, size_t npieces, int mode,
                           const char **step)
{
    *step = "create";
    int e = injected();
    if (e)
        return e;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_BINARY | O_CLOEXEC, mode);
    if (fd < 0)
        return errno;
    *step = "write";
    for (size_t k = 0; k < npieces; k++) {
        const uint8_t *data = pieces[k].data;
        size_t len = pieces[k].len, done = 0;
        while (done < len) {
            size_t chunk = len - done > (1u << 20) ? (1u << 20) : len - done;
            if ((e = injected()) != 0)
                goto fail;
            ssize_t w = write(fd, data + done, chunk);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                e = errno;
                goto fail;
            }
            if (w == 0) {
                e = ENOSPC;
                goto fail;
            }
            done += (size_t)w;
        }
    }
    *step = "flush";
    if ((e = injected()) != 0 || (e = flush_fd(fd)) != 0)
        goto fail;
    *step = "close";
    if (close(fd) != 0) {
        e = errno;
        unlink(path);
        return e;
    }
    return 0;
fail:
    close(fd);
    unlink(path);
    return e;
}

int bf_io_write_new(const char *path, const uint8_t *data, size_t len, int mode, const char **step)
{
    bf_io_piece one = {data, len};
    return bf_io_write_new_pieces(path, &one, 1, mode, step);
}

int bf_io_rename(const char *from, const char *to)
{
    int e = injected();
    if (e)
        return e;
#ifdef _WIN32
    if (!MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return EACCES;
    return 0;
#else
    return rename(from, to) == 0 ? 0 : errno;
#endif
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
#ifdef _WIN32
    long pid = (long)GetCurrentProcessId();
#else
    long pid = (long)getpid();
#endif
    char suffix[64];
    snprintf(suffix, sizeof suffix, BF_IO_TMP_TAG "%ld-%u", pid, ++counter);
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
            unlink(tmp);
        else {
            *step = "directory flush";
            e = bf_io_flush_dir(path);
        }
    }
    free(tmp);
    return e;
}

int bf_io_mkdir(const char *path)
{
    int e = injected();
    if (e)
        return e;
#ifdef _WIN32
    return mkdir(path) == 0 ? 0 : errno;
#else
    return mkdir(path, 0755) == 0 ? 0 : errno;
#endif
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int bf_io_mkdirs(const char *path)
{
    char *p = bf_strdup(path);
    if (!p)
        return ENOMEM;
    size_t n = strlen(p);
    int e = 0;
    for (size_t i = 1; i <= n && !e; i++) {
        if (i < n && p[i] != '/' && p[i] != '\\')
            continue;
        if (p[i - 1] == '/' || p[i - 1] == '\\')
            continue; /* "a//b", or a trailing separator */
        char c = p[i];
        p[i] = 0;
        if (!is_dir(p)) {
            e = bf_io_mkdir(p);
            if (e == 0)
                e = bf_io_flush_dir(p);
            else if (e == EEXIST)
                e = is_dir(p) ? 0 : ENOTDIR;
        }
        p[i] = c;
    }
    free(p);
    return e ? e : is_dir(path) ? 0 : ENOTDIR;
}

int bf_io_unlink(const char *path) { return unlink(path) == 0 ? 0 : errno; }

int bf_io_flush_dir(const char *path)
{
    int e = injected();
    if (e)
        return e;
#ifdef _WIN32
    (void)path; /* MOVEFILE_WRITE_THROUGH already made the rename durable */
    return 0;
#else
    char *dir = bf_strdup(path);
    if (!dir)
        return ENOMEM;
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = 0;
    else if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return errno;
    int r = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    /* some file systems cannot flush a directory; that is not a failure */
    return (r == EINVAL || r == EBADF) ? 0 : r;
#endif
}

int bf_io_file_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0644;
    return (int)(st.st_mode & 07777);
}

int bf_io_stat(const char *path, uint64_t *size, int64_t *mtime_ns)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno;
    *size = (uint64_t)st.st_size;
#if defined(__linux__)
    *mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
#else
    *mtime_ns = (int64_t)st.st_mtime * 1000000000;
#endif
    return 0;
}

int bf_io_random(void *buf, size_t len)
{
#if defined(_WIN32)
    /* rand_s draws from the system's cryptographic generator */
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i += sizeof(unsigned)) {
        unsigned v;
        if (rand_s(&v) != 0)
            return EIO;
        size_t n = len - i < sizeof v ? len - i : sizeof v;
        memcpy(p + i, &v, n);
    }
    return 0;
#else
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (uint8_t *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            return e;
        }
        got += (size_t)n;
    }
    close(fd);
    return 0;
#endif
}

char *bf_io_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = bf_malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, name);
    return s;
}

/* The fault-injection counter, for lib/io/stream.c. */
int bf_io_injected(void) { return injected(); }
