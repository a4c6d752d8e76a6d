/* Streaming file access behind the fault-injection seam: large files (dumps,
 * page files) read and written in pieces rather than whole, on POSIX
 * systems (lib/io/win32/stream.c is the Windows twin).  Every counted
 * operation asks io.c's counter (bf_io_injected) first. */
#include "io/io.h"
#include "io/posix/oflags.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest count handed to one read()/write() call. */
#define IO_CHUNK ((size_t)1 << 30)

struct bf_io_file {
    int fd;
};

/* A handle for an open descriptor; closes it when out of memory. */
static int wrap_fd(int fd, bf_io_file **out)
{
    bf_io_file *f = bf_malloc(sizeof *f);
    if (!f) {
        close(fd);
        return ENOMEM;
    }
    f->fd = fd;
    *out = f;
    return 0;
}

/* 0 when fd is a regular file, else an errno value. */
static int check_regular(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return errno;
    if (S_ISREG(st.st_mode))
        return 0;
    return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
}

int bf_io_open_read(const char *path, bf_io_file **out)
{
    *out = NULL;
    int e = bf_io_injected();
    if (e)
        return e;
    int fd = open(path, O_RDONLY | O_BINARY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno;
    if ((e = check_regular(fd)) != 0) {
        close(fd);
        return e;
    }
    return wrap_fd(fd, out);
}

int bf_io_create(const char *path, int mode, bf_io_file **out)
{
    *out = NULL;
    int e = bf_io_injected();
    if (e)
        return e;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_BINARY | O_CLOEXEC, mode);
    if (fd < 0)
        return errno;
    if ((e = wrap_fd(fd, out)) != 0)
        unlink(path); /* ours: O_EXCL made it */
    return e;
}

/* One read() of up to len bytes at off; -1 with errno on failure. */
static long long read_at(int fd, void *buf, size_t len, uint64_t off)
{
    if (len > IO_CHUNK)
        len = IO_CHUNK;
    return pread(fd, buf, len, (off_t)off);
}

int bf_io_pread(bf_io_file *f, void *buf, size_t len, uint64_t off, size_t *got)
{
    *got = 0;
    int e = bf_io_injected();
    if (e)
        return e;
    if (off > (uint64_t)INT64_MAX)
        return EINVAL;
    if (len == 0)
        return 0;
    for (;;) {
        long long r = read_at(f->fd, buf, len, off);
        if (r >= 0) {
            *got = (size_t)r;
            return 0;
        }
        if (errno != EINTR)
            return errno;
    }
}

int bf_io_write(bf_io_file *f, const void *buf, size_t len)
{
    int e = bf_io_injected();
    if (e)
        return e;
    const unsigned char *p = buf;
    while (len) {
        size_t chunk = len > IO_CHUNK ? IO_CHUNK : len;
        long long w = write(f->fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (w == 0)
            return ENOSPC; /* no progress: the device is full */
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int bf_io_size(bf_io_file *f, uint64_t *size)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return errno;
    *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

int bf_io_flush(bf_io_file *f)
{
    int e = bf_io_injected();
    if (e)
        return e;
    return fsync(f->fd) == 0 ? 0 : errno;
}

int bf_io_close(bf_io_file *f)
{
    if (!f)
        return 0;
    int e = close(f->fd) == 0 ? 0 : errno;
    free(f);
    return e;
}

/* link() failed this way: the file system has no hard links. */
static int no_hard_links(int e)
{
    return e == EPERM || e == ENOSYS || e == ENOTSUP
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
           || e == EOPNOTSUPP
#endif
        ;
}

int bf_io_link_new(const char *from, const char *to)
{
    int e = bf_io_injected();
    if (e)
        return e;
    if (link(from, to) == 0) {
        unlink(from); /* a leftover second name is harmless; callers remove it */
        return 0;
    }
    e = errno;
    if (!no_hard_links(e))
        return e;
    /* e.g. FAT/exFAT: check, then rename (a race with another writer of
     * `to` is possible here and only here) */
    struct stat st;
    if (lstat(to, &st) == 0)
        return EEXIST;
    return rename(from, to) == 0 ? 0 : errno;
}
