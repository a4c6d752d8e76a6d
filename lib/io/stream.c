/* Streaming file access behind the fault-injection seam: large files (dumps,
 * page files) read and written in pieces rather than whole.  POSIX, with
 * the Windows (mingw-w64) equivalents where they differ.  Every counted
 * operation asks io.c's counter (bf_io_injected) first. */
#include "io/io.h"
#include "io/oflags.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#include <windows.h>
#endif

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
#ifdef _WIN32
    struct _stati64 st;
    if (_fstati64(fd, &st) != 0)
        return errno;
#else
    struct stat st;
    if (fstat(fd, &st) != 0)
        return errno;
#endif
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
#ifdef _WIN32
    if (_lseeki64(fd, (__int64)off, SEEK_SET) < 0)
        return -1;
    return read(fd, buf, (unsigned)len);
#else
    return pread(fd, buf, len, (off_t)off);
#endif
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
#ifdef _WIN32
        long long w = write(f->fd, p, (unsigned)chunk);
#else
        long long w = write(f->fd, p, chunk);
#endif
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
#ifdef _WIN32
    struct _stati64 st;
    if (_fstati64(f->fd, &st) != 0)
        return errno;
#else
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return errno;
#endif
    *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

int bf_io_flush(bf_io_file *f)
{
    int e = bf_io_injected();
    if (e)
        return e;
#ifdef _WIN32
    return _commit(f->fd) == 0 ? 0 : errno;
#else
    return fsync(f->fd) == 0 ? 0 : errno;
#endif
}

int bf_io_close(bf_io_file *f)
{
    if (!f)
        return 0;
    int e = close(f->fd) == 0 ? 0 : errno;
    free(f);
    return e;
}

#ifdef _WIN32
static int win_errno(DWORD w)
{
    switch (w) {
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS: return EEXIST;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION: return EACCES;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return ENOSPC;
    case ERROR_WRITE_PROTECT: return EROFS;
    case ERROR_NOT_SAME_DEVICE: return EXDEV;
    default: return EIO;
    }
}
#else
/* link() failed this way: the file system has no hard links. */
static int no_hard_links(int e)
{
    return e == EPERM || e == ENOSYS || e == ENOTSUP
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
           || e == EOPNOTSUPP
#endif
        ;
}
#endif

int bf_io_link_new(const char *from, const char *to)
{
    int e = bf_io_injected();
    if (e)
        return e;
#ifdef _WIN32
    /* without MOVEFILE_REPLACE_EXISTING an existing target is refused;
     * write-through makes the new name durable (bf_io_flush_dir is a no-op) */
    if (!MoveFileExA(from, to, MOVEFILE_WRITE_THROUGH))
        return win_errno(GetLastError());
    return 0;
#else
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
#endif
}

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
