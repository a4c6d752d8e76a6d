/* stream.c — streaming file access for Windows (large files: dumps, page
 * files), read at offsets and written in pieces through file handles.
 * Counts the fault-injection seam at the same points as
 * lib/io/posix/stream.c. */
#include "io/io.h"
#include "io/win32/wpath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Largest count handed to one ReadFile/WriteFile call. */
#define IO_CHUNK ((DWORD)1 << 30)

struct bf_io_file {
    HANDLE h;
};

/* A bf_io_file for an open handle; closes it when out of memory. */
static int wrap_handle(HANDLE h, bf_io_file **out)
{
    bf_io_file *f = bf_malloc(sizeof *f);
    if (!f) {
        CloseHandle(h);
        return ENOMEM;
    }
    f->h = h;
    *out = f;
    return 0;
}

int bf_io_open_read(const char *path, bf_io_file **out)
{
    *out = NULL;
    int e = bf_io_injected();
    if (e)
        return e;
    HANDLE h;
    uint64_t size;
    if ((e = bf_w_open_regular(path, &h, &size)) != 0)
        return e;
    return wrap_handle(h, out);
}

int bf_io_create(const char *path, int mode, bf_io_file **out)
{
    (void)mode; /* POSIX permission bits: Windows files take the folder's ACL */
    *out = NULL;
    int e = bf_io_injected();
    if (e)
        return e;
    wchar_t *w;
    HANDLE h;
    if ((e = bf_w_create_new(path, &h, &w)) != 0)
        return e;
    if ((e = wrap_handle(h, out)) != 0)
        DeleteFileW(w); /* ours: CREATE_NEW made it */
    free(w);
    return e;
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
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Offset = (DWORD)off;
    ov.OffsetHigh = (DWORD)(off >> 32);
    DWORD want = len > IO_CHUNK ? IO_CHUNK : (DWORD)len, n = 0;
    if (!ReadFile(f->h, buf, want, &n, &ov))
        return GetLastError() == ERROR_HANDLE_EOF ? 0 : bf_w_last_errno();
    *got = n;
    return 0;
}

int bf_io_write(bf_io_file *f, const void *buf, size_t len)
{
    int e = bf_io_injected();
    if (e)
        return e;
    const unsigned char *p = buf;
    while (len) {
        DWORD chunk = len > IO_CHUNK ? IO_CHUNK : (DWORD)len, put = 0;
        if (!WriteFile(f->h, p, chunk, &put, NULL))
            return bf_w_last_errno();
        if (put == 0)
            return ENOSPC; /* no progress: the device is full */
        p += put;
        len -= put;
    }
    return 0;
}

int bf_io_size(bf_io_file *f, uint64_t *size)
{
    LARGE_INTEGER li;
    if (!GetFileSizeEx(f->h, &li))
        return bf_w_last_errno();
    *size = li.QuadPart > 0 ? (uint64_t)li.QuadPart : 0;
    return 0;
}

int bf_io_flush(bf_io_file *f)
{
    int e = bf_io_injected();
    if (e)
        return e;
    return FlushFileBuffers(f->h) ? 0 : bf_w_last_errno();
}

int bf_io_close(bf_io_file *f)
{
    if (!f)
        return 0;
    int e = CloseHandle(f->h) ? 0 : bf_w_last_errno();
    free(f);
    return e;
}

int bf_io_link_new(const char *from, const char *to)
{
    int e = bf_io_injected();
    /* without MOVEFILE_REPLACE_EXISTING an existing `to` is refused (EEXIST);
       write-through makes the new name durable (bf_io_flush_dir is a no-op) */
    return e ? e : bf_w_move(from, to, 0);
}
