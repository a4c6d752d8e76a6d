/* files.c — the file operations of lib/io/io.h and the path and folder
 * functions of lib/io/platform.h, for Windows: wide-character \\?\ paths,
 * CreateFileW, MoveFileExW with write-through.  Counts the fault-injection
 * seam at the same points as lib/io/posix/files.c. */
#include "io/io.h"
#include "io/win32/wpath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <ntsecapi.h> /* RtlGenRandom (advapi32 SystemFunction036) */

/* Largest count handed to one ReadFile call. */
#define READ_CHUNK ((DWORD)1 << 30)
/* bf_io_write_new_pieces writes (and counts) this much at a time. */
#define WRITE_PIECE ((size_t)1 << 20)

const char bf_io_sep = '\\';

int bf_io_is_sep(char c) { return c == '/' || c == '\\'; }

int bf_io_has_drive_letters(void) { return 1; }

int bf_io_names_ignore_case(void) { return 1; }

char *bf_io_absolute(const char *path)
{
    wchar_t *full, *lng;
    int e = bf_w_full_path(path, &full);
    if (e) {
        errno = e;
        return NULL;
    }
    /* like realpath(3): only of something that exists (a device such as
       \\.\PhysicalDrive0 has no attributes to ask for) */
    if (!(full[0] == L'\\' && full[1] == L'\\' && full[2] == L'.')) {
        e = bf_w_path(path, &lng);
        if (!e && GetFileAttributesW(lng) == INVALID_FILE_ATTRIBUTES)
            e = bf_w_last_errno();
        free(lng);
        if (e) {
            free(full);
            errno = e;
            return NULL;
        }
    }
    /* "F:\sub\" is "F:\sub", as realpath(3) gives it; a root keeps its '\' */
    size_t n = wcslen(full);
    while (n > 2 && full[n - 1] == L'\\' && full[n - 2] != L':' && full[n - 2] != L'\\')
        full[--n] = 0;
    char *s = bf_w_to_utf8(full);
    free(full);
    return s;
}

/* ---- what a path is -------------------------------------------------------------------- */

/* The reparse tag of a reparse point (FindFirstFileW's dwReserved0), 0 if
 * it cannot be read. */
static DWORD reparse_tag(const wchar_t *w)
{
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(w, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    FindClose(h);
    return (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? fd.dwReserved0 : 0;
}

/* A reparse point that names another file (a symbolic link, a junction, a
 * mount point), as opposed to one that only stores the file differently
 * (compressed system files, deduplication), which reads as the file. */
static int is_link(const wchar_t *w)
{
    DWORD tag = reparse_tag(w);
    return tag == 0 || IsReparseTagNameSurrogate(tag);
}

/* What the path leads to, links followed: open it and ask the handle. */
static int follow_info(const wchar_t *w, DWORD *attrs, uint64_t *size, FILETIME *mtime)
{
    HANDLE h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return bf_w_last_errno();
    BY_HANDLE_FILE_INFORMATION bi;
    int e = GetFileInformationByHandle(h, &bi) ? 0 : bf_w_last_errno();
    CloseHandle(h);
    if (e)
        return e;
    *attrs = bi.dwFileAttributes;
    *size = ((uint64_t)bi.nFileSizeHigh << 32) | bi.nFileSizeLow;
    *mtime = bi.ftLastWriteTime;
    return 0;
}

/* Attributes, size and time without opening the file; FindFirstFileW for
 * files that refuse even that (pagefile.sys in use). */
static int plain_info(const wchar_t *w, DWORD *attrs, uint64_t *size, FILETIME *mtime)
{
    WIN32_FILE_ATTRIBUTE_DATA ad;
    if (GetFileAttributesExW(w, GetFileExInfoStandard, &ad)) {
        *attrs = ad.dwFileAttributes;
        *size = ((uint64_t)ad.nFileSizeHigh << 32) | ad.nFileSizeLow;
        *mtime = ad.ftLastWriteTime;
        return 0;
    }
    DWORD err = GetLastError();
    if (err != ERROR_SHARING_VIOLATION && err != ERROR_LOCK_VIOLATION)
        return bf_w_errno(err);
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(w, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return bf_w_errno(err);
    FindClose(h);
    *attrs = fd.dwFileAttributes;
    *size = ((uint64_t)fd.nFileSizeHigh << 32) | fd.nFileSizeLow;
    *mtime = fd.ftLastWriteTime;
    return 0;
}

int bf_io_info_of(const char *path, int follow, bf_io_info *out)
{
    memset(out, 0, sizeof *out);
    wchar_t *w;
    int e = bf_w_path(path, &w);
    if (e)
        return e;
    DWORD attrs;
    uint64_t size;
    FILETIME mtime;
    e = plain_info(w, &attrs, &size, &mtime);
    if (!e && (attrs & FILE_ATTRIBUTE_REPARSE_POINT)) {
        if (!follow && is_link(w))
            out->kind = BF_IO_LINK;
        else if (follow)
            e = follow_info(w, &attrs, &size, &mtime);
    }
    free(w);
    if (e)
        return e;
    if (!out->kind) {
        if (attrs & FILE_ATTRIBUTE_DIRECTORY)
            out->kind = BF_IO_DIR;
        else if (attrs & FILE_ATTRIBUTE_DEVICE)
            out->kind = BF_IO_OTHER;
        else
            out->kind = BF_IO_FILE;
    }
    out->size = out->kind == BF_IO_FILE ? size : 0;
    out->mtime_ns = bf_w_filetime_ns(mtime);
    out->mode = out->kind == BF_IO_DIR ? 0755 : (attrs & FILE_ATTRIBUTE_READONLY) ? 0444 : 0644;
    return 0;
}

int bf_io_can_write(const char *dir)
{
    bf_io_volume v;
    wchar_t *w;
    int e = bf_w_path(dir, &w);
    if (e)
        return e;
    DWORD attrs = GetFileAttributesW(w);
    if (attrs == INVALID_FILE_ATTRIBUTES)
        e = bf_w_last_errno();
    else if (!(attrs & FILE_ATTRIBUTE_DIRECTORY))
        e = ENOTDIR;
    else if (bf_io_volume_of(dir, &v) == 0 && v.readonly)
        e = EROFS;
    /* FILE_ATTRIBUTE_READONLY on a folder does not keep files from being
       created in it (Explorer uses it to mark customized folders); the
       folder's ACL is what decides, and the lock file finds that out */
    free(w);
    return e;
}

/* ---- folders ------------------------------------------------------------------------ */

struct bf_io_dir {
    HANDLE h;           /* INVALID_HANDLE_VALUE: nothing (more) to list */
    WIN32_FIND_DATAW fd;
    int have;           /* fd holds an entry not yet returned */
    char *name;         /* the last name returned, UTF-8 */
};

/* "DIR\*" for FindFirstFileExW. */
static int list_pattern(const char *path, wchar_t **out)
{
    wchar_t *w;
    int e = bf_w_path(path, &w);
    if (e)
        return e;
    DWORD attrs = GetFileAttributesW(w);
    if (attrs == INVALID_FILE_ATTRIBUTES)
        e = bf_w_last_errno();
    else if (!(attrs & FILE_ATTRIBUTE_DIRECTORY))
        e = ENOTDIR;
    if (!e) {
        size_t n = wcslen(w);
        *out = bf_w_concat(w, n && w[n - 1] == L'\\' ? L"*" : L"\\*");
        if (!*out)
            e = ENOMEM;
    }
    free(w);
    return e;
}

int bf_io_dir_open(const char *path, bf_io_dir **out)
{
    *out = NULL;
    wchar_t *pattern;
    int e = list_pattern(path, &pattern);
    if (e)
        return e;
    bf_io_dir *d = bf_calloc(1, sizeof *d);
    if (!d) {
        free(pattern);
        return ENOMEM;
    }
    d->h = FindFirstFileExW(pattern, FindExInfoBasic, &d->fd, FindExSearchNameMatch, NULL, 0);
    DWORD err = GetLastError();
    free(pattern);
    if (d->h == INVALID_HANDLE_VALUE && err != ERROR_FILE_NOT_FOUND && err != ERROR_NO_MORE_FILES) {
        free(d);
        return bf_w_errno(err);
    }
    d->have = d->h != INVALID_HANDLE_VALUE; /* else an empty root folder */
    *out = d;
    return 0;
}

static int is_dot_or_dotdot(const wchar_t *n) { return n[0] == L'.' && (!n[1] || (n[1] == L'.' && !n[2])); }

const char *bf_io_dir_next(bf_io_dir *d)
{
    if (!d)
        return NULL;
    free(d->name);
    d->name = NULL;
    while (d->h != INVALID_HANDLE_VALUE) {
        if (!d->have && !FindNextFileW(d->h, &d->fd))
            return NULL;
        d->have = 0;
        if (is_dot_or_dotdot(d->fd.cFileName))
            continue;
        d->name = bf_w_to_utf8(d->fd.cFileName);
        return d->name;
    }
    return NULL;
}

void bf_io_dir_close(bf_io_dir *d)
{
    if (!d)
        return;
    if (d->h != INVALID_HANDLE_VALUE)
        FindClose(d->h);
    free(d->name);
    free(d);
}

/* An fopen mode for _wfopen: binary unless "t" is asked for (the bytes as
 * on POSIX), glibc's "e" dropped; NULL for what msvcrt cannot do ("x"). */
static int wide_mode(const char *mode, wchar_t out[8])
{
    size_t n = 0;
    int text = 0, binary = 0;
    for (const char *m = mode; *m; m++) {
        if (*m == 'e')
            continue;
        if (!strchr("rwa+bt", *m) || n >= 6)
            return EINVAL;
        text |= *m == 't';
        binary |= *m == 'b';
        out[n++] = (wchar_t)*m;
    }
    if (!n)
        return EINVAL;
    if (!text && !binary)
        out[n++] = L'b';
    out[n] = 0;
    return 0;
}

FILE *bf_io_fopen(const char *path, const char *mode)
{
    wchar_t *w, wmode[8];
    int e = wide_mode(mode, wmode);
    if (e || (e = bf_w_path(path, &w)) != 0) {
        errno = e;
        return NULL;
    }
    FILE *f = _wfopen(w, wmode);
    e = errno;
    free(w);
    errno = e;
    return f;
}

/* ---- whole files ------------------------------------------------------------------- */

int bf_w_open_regular(const char *path, HANDLE *out, uint64_t *size)
{
    *out = INVALID_HANDLE_VALUE;
    wchar_t *w;
    int e = bf_w_path(path, &w);
    if (e)
        return e;
    HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD err = GetLastError();
        DWORD attrs = GetFileAttributesW(w);
        free(w);
        /* a folder cannot be opened without FILE_FLAG_BACKUP_SEMANTICS */
        if (err == ERROR_ACCESS_DENIED && attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY))
            return EISDIR;
        return bf_w_errno(err);
    }
    free(w);
    BY_HANDLE_FILE_INFORMATION bi;
    if (GetFileType(h) != FILE_TYPE_DISK || !GetFileInformationByHandle(h, &bi)) {
        CloseHandle(h);
        return EINVAL; /* a device: "NUL", "CON", a pipe */
    }
    if (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
        CloseHandle(h);
        return EISDIR;
    }
    *size = ((uint64_t)bi.nFileSizeHigh << 32) | bi.nFileSizeLow;
    *out = h;
    return 0;
}

int bf_w_read_all(HANDLE h, uint64_t hint, int counted, uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (hint > (uint64_t)SIZE_MAX - 1)
        return ENOMEM;
    size_t cap = (size_t)hint, n = 0;
    uint8_t *buf = bf_malloc(cap ? cap : 1);
    if (!buf)
        return ENOMEM;
    int e = counted ? bf_io_injected() : 0;
    while (!e) {
        if (n == cap) {
            /* the file grew while we read it, or its size was 0 */
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb = ncap > cap ? bf_realloc(buf, ncap) : NULL;
            if (!nb) {
                e = ENOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        DWORD want = cap - n > READ_CHUNK ? READ_CHUNK : (DWORD)(cap - n), got = 0;
        if (!ReadFile(h, buf + n, want, &got, NULL)) {
            e = GetLastError() == ERROR_HANDLE_EOF ? 0 : bf_w_last_errno();
            break;
        }
        if (got == 0)
            break;
        n += got;
    }
    if (e) {
        free(buf);
        return e;
    }
    *data = buf;
    *len = n;
    return 0;
}

int bf_w_read_path(const char *path, int count_read, uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int e = bf_io_injected(); /* the open */
    if (e)
        return e;
    HANDLE h;
    uint64_t size;
    if ((e = bf_w_open_regular(path, &h, &size)) != 0)
        return e;
    e = bf_w_read_all(h, size, count_read, data, len);
    CloseHandle(h);
    return e;
}

int bf_io_read_file(const char *path, uint8_t **data, size_t *len)
{
    return bf_w_read_path(path, 1, data, len); /* the open and the read count */
}

/* Write all of `len` bytes (WriteFile takes a DWORD). */
static int write_all(HANDLE h, const uint8_t *p, size_t len)
{
    while (len) {
        DWORD chunk = len > READ_CHUNK ? READ_CHUNK : (DWORD)len, put = 0;
        if (!WriteFile(h, p, chunk, &put, NULL))
            return bf_w_last_errno();
        if (put == 0)
            return ENOSPC;
        p += put;
        len -= put;
    }
    return 0;
}

/* Write the pieces 1 MiB at a time, counting each write. */
static int write_pieces(HANDLE h, const bf_io_piece *pieces, size_t npieces)
{
    for (size_t k = 0; k < npieces; k++) {
        const uint8_t *data = pieces[k].data;
        size_t len = pieces[k].len;
        for (size_t done = 0; done < len;) {
            size_t chunk = len - done > WRITE_PIECE ? WRITE_PIECE : len - done;
            int e = bf_io_injected();
            if (e || (e = write_all(h, data + done, chunk)) != 0)
                return e;
            done += chunk;
        }
    }
    return 0;
}

int bf_w_create_new(const char *path, HANDLE *h, wchar_t **w)
{
    int e = bf_w_path(path, w);
    if (e)
        return e;
    /* CREATE_NEW: never an existing name, a symbolic link included;
       FILE_SHARE_DELETE lets bf_io_link_new rename it while still open */
    *h = CreateFileW(*w, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, CREATE_NEW,
                     FILE_ATTRIBUTE_NORMAL, NULL);
    if (*h != INVALID_HANDLE_VALUE)
        return 0;
    e = bf_w_last_errno();
    free(*w);
    *w = NULL;
    return e;
}

int bf_io_write_new_pieces(const char *path, const bf_io_piece *pieces, size_t npieces, int mode,
                           const char **step)
{
    (void)mode; /* POSIX permission bits: Windows files take the folder's ACL */
    *step = "create";
    int e = bf_io_injected();
    if (e)
        return e;
    wchar_t *w;
    HANDLE h;
    if ((e = bf_w_create_new(path, &h, &w)) != 0)
        return e;
    *step = "write";
    e = write_pieces(h, pieces, npieces);
    if (!e) {
        *step = "flush";
        if ((e = bf_io_injected()) == 0 && !FlushFileBuffers(h))
            e = bf_w_last_errno();
    }
    if (!CloseHandle(h) && !e) {
        *step = "close";
        e = bf_w_last_errno();
    }
    if (e)
        DeleteFileW(w);
    free(w);
    return e;
}

int bf_w_move(const char *from, const char *to, DWORD flags)
{
    wchar_t *wf = NULL, *wt = NULL;
    int e;
    if ((e = bf_w_path(from, &wf)) == 0 && (e = bf_w_path(to, &wt)) == 0 &&
        !MoveFileExW(wf, wt, flags | MOVEFILE_WRITE_THROUGH))
        e = bf_w_last_errno();
    free(wf);
    free(wt);
    return e;
}

/* ---- names -------------------------------------------------------------------------- */

int bf_io_rename(const char *from, const char *to)
{
    int e = bf_io_injected();
    /* the source was flushed by its writer */
    return e ? e : bf_w_move(from, to, MOVEFILE_REPLACE_EXISTING);
}

int bf_io_mkdir(const char *path)
{
    int e = bf_io_injected();
    if (e)
        return e;
    wchar_t *w;
    if ((e = bf_w_path(path, &w)) != 0)
        return e;
    if (!CreateDirectoryW(w, NULL))
        e = bf_w_last_errno();
    free(w);
    return e;
}

int bf_io_unlink(const char *path)
{
    wchar_t *w;
    int e = bf_w_path(path, &w);
    if (e)
        return e;
    if (!DeleteFileW(w)) {
        DWORD err = GetLastError();
        DWORD attrs = GetFileAttributesW(w);
        /* as unlink(2): the file's own read-only flag does not protect it */
        if (err == ERROR_ACCESS_DENIED && attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_READONLY) &&
            !(attrs & FILE_ATTRIBUTE_DIRECTORY) && SetFileAttributesW(w, attrs & ~(DWORD)FILE_ATTRIBUTE_READONLY)) {
            if (DeleteFileW(w))
                err = ERROR_SUCCESS;
            else {
                err = GetLastError();
                SetFileAttributesW(w, attrs);
            }
        }
        if (err != ERROR_SUCCESS)
            e = bf_w_errno(err);
    }
    free(w);
    return e;
}

int bf_io_rmdir(const char *path)
{
    wchar_t *w;
    int e = bf_w_path(path, &w);
    if (e)
        return e;
    if (!RemoveDirectoryW(w))
        e = bf_w_last_errno();
    free(w);
    return e;
}

int bf_io_flush_dir(const char *path)
{
    (void)path; /* MOVEFILE_WRITE_THROUGH already made the rename durable */
    return bf_io_injected();
}

int bf_io_random(void *buf, size_t len)
{
    /* RtlGenRandom (advapi32!SystemFunction036): the system's
       cryptographic generator, on every Windows and WinPE since XP */
    uint8_t *p = buf;
    while (len) {
        ULONG n = len > 0x10000 ? 0x10000 : (ULONG)len;
        if (!RtlGenRandom(p, n))
            return EIO;
        p += n;
        len -= n;
    }
    return 0;
}
