/* Files and folders on POSIX systems: the file operations of the seam
 * (io.h) and the path, information and folder-listing parts of platform.h.
 * Counted operations ask bf_io_injected() first, at the same points as
 * lib/io/win32/files.c. */
#include "io/io.h"
#include "io/posix/oflags.h"
#include "io/posix/posix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char bf_io_sep = '/';

int bf_io_is_sep(char c) { return c == '/'; }

int bf_io_has_drive_letters(void) { return 0; }

int bf_io_names_ignore_case(void) { return 0; }

char *bf_io_absolute(const char *path)
{
    char *r = realpath(path, NULL);
    if (!r)
        return NULL;
    char *d = bf_strdup(r); /* bf_malloc'd, so that allocation failures can be injected */
    free(r);
    if (!d)
        errno = ENOMEM;
    return d;
}

static int kind_of(mode_t m)
{
    if (S_ISREG(m))
        return BF_IO_FILE;
    if (S_ISDIR(m))
        return BF_IO_DIR;
    if (S_ISBLK(m))
        return BF_IO_BLOCKDEV;
    if (S_ISLNK(m))
        return BF_IO_LINK;
    return BF_IO_OTHER;
}

int bf_io_info_of(const char *path, int follow, bf_io_info *out)
{
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0)
        return errno;
    memset(out, 0, sizeof *out);
    out->kind = kind_of(st.st_mode);
    out->size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
#if defined(__linux__)
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
#else
    out->mtime_ns = (int64_t)st.st_mtime * 1000000000;
#endif
    out->mode = (int)(st.st_mode & 07777);
    if (S_ISBLK(st.st_mode)) {
        out->dev_major = major(st.st_rdev);
        out->dev_minor = minor(st.st_rdev);
    }
    return 0;
}

int bf_io_can_write(const char *dir) { return access(dir, W_OK) == 0 ? 0 : errno; }

struct bf_io_dir {
    DIR *d;
};

int bf_io_dir_open(const char *path, bf_io_dir **out)
{
    *out = NULL;
    bf_io_dir *d = bf_malloc(sizeof *d);
    if (!d)
        return ENOMEM;
    if (!(d->d = opendir(path))) {
        int e = errno;
        free(d);
        return e;
    }
    *out = d;
    return 0;
}

const char *bf_io_dir_next(bf_io_dir *d)
{
    struct dirent *de;
    while ((de = readdir(d->d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            return de->d_name;
    return NULL;
}

void bf_io_dir_close(bf_io_dir *d)
{
    if (!d)
        return;
    closedir(d->d);
    free(d);
}

FILE *bf_io_fopen(const char *path, const char *mode) { return fopen(path, mode); }

int px_open_regular(const char *path, int *fd_out, uint64_t *size)
{
    int e = bf_io_injected();
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
    int e = px_open_regular(path, &fd, &fsize);
    if (e)
        return e;
    size_t cap = (size_t)fsize, n = 0;
    uint8_t *buf = bf_malloc(cap ? cap : 1);
    if (!buf || (e = bf_io_injected()) != 0) {
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
    return fsync(fd) == 0 ? 0 : errno;
}

int bf_io_write_new_pieces(const char *path, const bf_io_piece *pieces, size_t npieces, int mode,
                           const char **step)
{
    *step = "create";
    int e = bf_io_injected();
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
            if ((e = bf_io_injected()) != 0)
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
    if ((e = bf_io_injected()) != 0 || (e = flush_fd(fd)) != 0)
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

int bf_io_rename(const char *from, const char *to)
{
    int e = bf_io_injected();
    if (e)
        return e;
    return rename(from, to) == 0 ? 0 : errno;
}

int bf_io_mkdir(const char *path)
{
    int e = bf_io_injected();
    if (e)
        return e;
    return mkdir(path, 0755) == 0 ? 0 : errno;
}

int bf_io_unlink(const char *path) { return unlink(path) == 0 ? 0 : errno; }

int bf_io_rmdir(const char *path) { return rmdir(path) == 0 ? 0 : errno; }

int bf_io_flush_dir(const char *path)
{
    int e = bf_io_injected();
    if (e)
        return e;
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
}

int bf_io_random(void *buf, size_t len)
{
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
}
