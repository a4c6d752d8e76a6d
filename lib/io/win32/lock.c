/* lock.c — the write lock of a folder on Windows, so that two bootfix
 * processes never edit the same files at once: a hidden lock file
 * ".bootfix-lock" in the folder, opened with no sharing at all and deleted
 * when its handle closes (so also when the process dies, however it dies).
 * Locks of this process on one folder are counted.  Not counted by the
 * fault-injection seam. */
#include "io/io.h"
#include "io/win32/wpath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define LOCK_NAME L"\\.bootfix-lock"

struct bf_io_lock {
    char *dir;      /* the folder as the caller named it (messages) */
    wchar_t *key;   /* its absolute form, to recognize it again */
    HANDLE h;
    unsigned refs;
    struct bf_io_lock *next;
};

/* The locks this process holds (a run opens a handful of files at most). */
static struct bf_io_lock *held;

/* The absolute wide path of `dir` (bf_io_absolute), to compare. */
static int folder_key(const char *dir, wchar_t **out)
{
    *out = NULL;
    char *abs = bf_io_absolute(dir);
    if (!abs)
        return errno ? errno : ENOMEM;
    int e = bf_w_from_utf8(abs, out);
    free(abs);
    return e;
}

static struct bf_io_lock *find_held(const wchar_t *key)
{
    for (struct bf_io_lock *l = held; l; l = l->next)
        if (CompareStringOrdinal(l->key, -1, key, -1, TRUE) == CSTR_EQUAL)
            return l;
    return NULL;
}

/* Create and hold the lock file; 0 or errno (EWOULDBLOCK: someone else). */
static int take(struct bf_io_lock *l)
{
    wchar_t *w, *name;
    int e = bf_w_path(l->dir, &w);
    if (e)
        return e;
    size_t n = wcslen(w);
    name = bf_w_concat(w, n && w[n - 1] == L'\\' ? LOCK_NAME + 1 : LOCK_NAME);
    free(w);
    if (!name)
        return ENOMEM;
    DWORD err = ERROR_SUCCESS;
    for (int tries = 0; tries < 5; tries++) {
        l->h = CreateFileW(name, GENERIC_READ | GENERIC_WRITE | DELETE, 0, NULL, OPEN_ALWAYS,
                           FILE_ATTRIBUTE_HIDDEN | FILE_FLAG_DELETE_ON_CLOSE, NULL);
        if (l->h != INVALID_HANDLE_VALUE)
            break;
        err = GetLastError();
        /* access denied also while the last holder's file is being deleted
           (delete pending): a moment later it is gone */
        if (err != ERROR_ACCESS_DENIED)
            break;
        Sleep(20);
    }
    free(name);
    if (l->h != INVALID_HANDLE_VALUE)
        return 0;
    if (err == ERROR_SHARING_VIOLATION || err == ERROR_LOCK_VIOLATION)
        return EWOULDBLOCK;
    return bf_w_errno(err); /* EACCES, EROFS (write-protected), ENOENT... */
}

static void free_lock(struct bf_io_lock *l)
{
    free(l->dir);
    free(l->key);
    free(l);
}

int bf_io_lock_dir_of(const char *path, bf_io_lock **out)
{
    *out = NULL;
    struct bf_io_lock *l = bf_calloc(1, sizeof *l);
    if (!l)
        return ENOMEM;
    l->h = INVALID_HANDLE_VALUE;
    int e = (l->dir = bf_io_dir_of(path)) ? folder_key(l->dir, &l->key) : ENOMEM;
    struct bf_io_lock *same = e ? NULL : find_held(l->key);
    if (same) {
        free_lock(l);
        same->refs++;
        *out = same;
        return 0;
    }
    if (!e)
        e = take(l);
    if (e) {
        free_lock(l);
        return e;
    }
    l->refs = 1;
    l->next = held;
    held = l;
    *out = l;
    return 0;
}

void bf_io_unlock(bf_io_lock *l)
{
    if (!l || --l->refs > 0)
        return;
    for (struct bf_io_lock **p = &held; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            break;
        }
    CloseHandle(l->h); /* deletes the lock file */
    free_lock(l);
}

const char *bf_io_lock_dir(const bf_io_lock *l) { return l ? l->dir : ""; }
