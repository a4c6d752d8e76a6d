/* wpath.c — UTF-8 <-> wide-character conversions, the \\?\ long form of a
 * path, and the Windows error -> errno map, for the Windows platform layer
 * (lib/io/win32).  Every allocation goes through bf_malloc so that the
 * allocation fault injection reaches these too. */
#include "io/io.h"
#include "io/win32/wpath.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int bf_w_from_utf8(const char *s, wchar_t **out)
{
    *out = NULL;
    if (!s)
        return EINVAL;
    size_t len = strlen(s);
    if (len >= INT_MAX)
        return ENAMETOOLONG;
    if (len == 0) {
        wchar_t *w = bf_malloc(sizeof *w);
        if (!w)
            return ENOMEM;
        w[0] = 0;
        *out = w;
        return 0;
    }
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, (int)len + 1, NULL, 0);
    if (n <= 0)
        return GetLastError() == ERROR_NO_UNICODE_TRANSLATION ? EILSEQ : EINVAL;
    wchar_t *w = bf_malloc((size_t)n * sizeof *w);
    if (!w)
        return ENOMEM;
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, (int)len + 1, w, n) != n) {
        free(w);
        return EILSEQ;
    }
    *out = w;
    return 0;
}

char *bf_w_to_utf8(const wchar_t *w)
{
    if (!w) {
        errno = EINVAL;
        return NULL;
    }
    /* an unpaired surrogate (possible in NTFS names) becomes U+FFFD */
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0) {
        errno = EILSEQ;
        return NULL;
    }
    char *s = bf_malloc((size_t)n);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
        free(s);
        errno = EILSEQ;
        return NULL;
    }
    return s;
}

wchar_t *bf_w_concat(const wchar_t *a, const wchar_t *b)
{
    size_t na = wcslen(a), nb = wcslen(b);
    wchar_t *w = bf_malloc((na + nb + 1) * sizeof *w);
    if (w) {
        memcpy(w, a, na * sizeof *w);
        memcpy(w + na, b, (nb + 1) * sizeof *w);
    }
    return w;
}

int bf_w_is_verbatim(const wchar_t *w)
{
    return w[0] == L'\\' && w[1] == L'\\' && (w[2] == L'?' || w[2] == L'.') && w[3] == L'\\';
}

static int is_drive_letter(wchar_t c) { return (c >= L'A' && c <= L'Z') || (c >= L'a' && c <= L'z'); }

/* "F:" or "\\?\F:" (but not "\\.\F:", the volume device itself). */
static int is_bare_drive(const wchar_t *w)
{
    if (w[0] == L'\\' && w[1] == L'\\' && w[2] == L'?' && w[3] == L'\\')
        w += 4;
    return is_drive_letter(w[0]) && w[1] == L':' && !w[2];
}

/* GetFullPathNameW into a buffer of the size it asks for. */
static int full_path_of(const wchar_t *w, wchar_t **out)
{
    *out = NULL;
    DWORD need = GetFullPathNameW(w, 0, NULL, NULL);
    for (int tries = 0; tries < 3; tries++) {
        if (need == 0)
            return bf_w_last_errno();
        if (need > BF_W_MAX_PATH)
            return ENAMETOOLONG;
        wchar_t *buf = bf_malloc((size_t)need * sizeof *buf);
        if (!buf)
            return ENOMEM;
        DWORD got = GetFullPathNameW(w, need, buf, NULL);
        if (got > 0 && got < need) {
            *out = buf;
            return 0;
        }
        free(buf);
        need = got; /* the current folder changed in between: again */
    }
    return EIO;
}

/* The full path (no \\?\ added) of a UTF-8 path, with '/' as '\'. */
int bf_w_full_path(const char *path, wchar_t **out)
{
    wchar_t *w;
    int e = bf_w_from_utf8(path, &w);
    if (e)
        return e;
    if (!w[0]) {
        free(w);
        return ENOENT;
    }
    for (wchar_t *p = w; *p; p++)
        if (*p == L'/')
            *p = L'\\';
    if (is_bare_drive(w)) {
        /* a drive is its root, whatever that drive's current folder */
        wchar_t *root = bf_w_concat(w, L"\\");
        free(w);
        if (!root)
            return ENOMEM;
        *out = root;
        return 0;
    }
    if (bf_w_is_verbatim(w)) {
        *out = w;
        return 0;
    }
    e = full_path_of(w, out);
    free(w);
    return e;
}

int bf_w_path(const char *path, wchar_t **out)
{
    *out = NULL;
    wchar_t *full;
    int e = bf_w_full_path(path, &full);
    if (e)
        return e;
    if (bf_w_is_verbatim(full)) { /* given so, or a device ("NUL" -> \\.\NUL) */
        *out = full;
        return 0;
    }
    wchar_t *w;
    if (full[0] == L'\\' && full[1] == L'\\')
        w = bf_w_concat(L"\\\\?\\UNC\\", full + 2); /* \\server\share\x */
    else
        w = bf_w_concat(L"\\\\?\\", full);
    free(full);
    if (!w)
        return ENOMEM;
    *out = w;
    return 0;
}

/* "\\?\F:\" -> "F:\" (what the volume functions are documented to take). */
const wchar_t *bf_w_plain_root(const wchar_t *root)
{
    if (root[0] == L'\\' && root[1] == L'\\' && root[2] == L'?' && root[3] == L'\\' && root[4] && root[5] == L':')
        return root + 4;
    return root;
}

int bf_w_errno(DWORD err)
{
    /* only asked after a failure: ERROR_SUCCESS there is still a failure */
    switch (err) {
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION: return EBUSY;
    case ERROR_ACCESS_DENIED:
    case ERROR_NETWORK_ACCESS_DENIED: return EACCES;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME: return ENOENT;
    case ERROR_WRITE_PROTECT: return EROFS;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return ENOSPC;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return EEXIST;
    case ERROR_DIRECTORY: return ENOTDIR;
    case ERROR_NOT_SAME_DEVICE: return EXDEV;
    case ERROR_DIR_NOT_EMPTY: return ENOTEMPTY;
    case ERROR_FILENAME_EXCED_RANGE: return ENAMETOOLONG;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_INVALID_PARAMETER: return EINVAL;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return ENOMEM;
    case ERROR_NO_UNICODE_TRANSLATION: return EILSEQ;
    default: return EIO;
    }
}

int bf_w_last_errno(void) { return bf_w_errno(GetLastError()); }

int64_t bf_w_filetime_ns(FILETIME ft)
{
    /* 1601-01-01 to 1970-01-01 in 100 ns units */
    const int64_t epoch = 116444736000000000LL;
    int64_t t = (int64_t)(((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime);
    return (t - epoch) * 100;
}
