/*
 * lock.c — the write lock of a folder, so that two bootfix processes never
 * edit the same files at once, and the sweep of temporary files that a
 * killed commit left behind (safe only under the lock: no other writer can
 * be between its write and its rename then).
 *
 * POSIX: flock(2) on the folder itself, so nothing is created on the target
 * and the kernel drops the lock when the process dies, even by SIGKILL.
 * Windows: a lock file in the folder, opened with no sharing and deleted
 * when its handle closes.
 */
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
#include <windows.h>
#else
#include <dirent.h>
#include <sys/file.h>
#endif

struct bf_io_lock {
    char *dir;
#ifdef _WIN32
    HANDLE h;
#else
    int fd;
    dev_t dev;
    ino_t ino;
    pid_t pid; /* a forked child does not own its parent's locks */
#endif
    unsigned refs;
    struct bf_io_lock *next;
};

/* The locks this process holds (a run opens a handful of files at most). */
static struct bf_io_lock *held;

#ifdef _WIN32
static struct bf_io_lock *find_held(const char *dir)
{
    for (struct bf_io_lock *l = held; l; l = l->next)
        if (_stricmp(l->dir, dir) == 0)
            return l;
    return NULL;
}

static int take(struct bf_io_lock *l)
{
    char *name = bf_io_path_join(l->dir, ".bootfix-lock");
    if (!name)
        return ENOMEM;
    l->h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS,
                       FILE_ATTRIBUTE_HIDDEN | FILE_FLAG_DELETE_ON_CLOSE, NULL);
    DWORD w = GetLastError();
    free(name);
    if (l->h == INVALID_HANDLE_VALUE)
        return w == ERROR_SHARING_VIOLATION || w == ERROR_LOCK_VIOLATION ? EWOULDBLOCK
               : w == ERROR_ACCESS_DENIED || w == ERROR_WRITE_PROTECT ? EACCES : EIO;
    return 0;
}

static void release(struct bf_io_lock *l) { CloseHandle(l->h); }
#else
static int take(struct bf_io_lock *l)
{
    l->fd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (l->fd < 0)
        return errno;
    struct stat st;
    if (fstat(l->fd, &st) != 0) {
        int e = errno;
        close(l->fd);
        return e;
    }
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    l->pid = getpid();
    for (struct bf_io_lock *o = held; o; o = o->next)
        if (o->dev == l->dev && o->ino == l->ino && o->pid == l->pid) {
            close(l->fd);
            return -1; /* already ours */
        }
    while (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        int e = errno == EAGAIN ? EWOULDBLOCK : errno;
        close(l->fd);
        /* a file system without flock support cannot be locked; that is not
           a reason to refuse the repair */
        return e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS ? -2 : e;
    }
    return 0;
}

static void release(struct bf_io_lock *l)
{
    if (l->fd >= 0)
        close(l->fd); /* drops the flock */
}
#endif

int bf_io_lock_dir_of(const char *path, bf_io_lock **out)
{
    *out = NULL;
    struct bf_io_lock *l = bf_calloc(1, sizeof *l);
    if (!l)
        return ENOMEM;
    if (!(l->dir = bf_io_dir_of(path))) {
        free(l);
        return ENOMEM;
    }
#ifdef _WIN32
    struct bf_io_lock *same = find_held(l->dir);
    int e = same ? -1 : take(l);
#else
    int e = take(l);
    struct bf_io_lock *same = NULL;
    if (e == -1)
        for (same = held; same && !(same->dev == l->dev && same->ino == l->ino && same->pid == l->pid);
             same = same->next)
            ;
#endif
    if (e == -1 && same) {
        free(l->dir);
        free(l);
        same->refs++;
        *out = same;
        return 0;
    }
#ifndef _WIN32
    if (e == -2) { /* unlockable file system: an unshared, fd-less entry */
        l->fd = -1;
        e = 0;
    }
#endif
    if (e > 0) {
        free(l->dir);
        free(l);
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
    release(l);
    free(l->dir);
    free(l);
}

const char *bf_io_lock_dir(const bf_io_lock *l) { return l ? l->dir : ""; }

unsigned bf_io_sweep_tmp(const char *path)
{
    const char *base = bf_io_base_name(path);
    size_t n = strlen(base) + sizeof BF_IO_TMP_TAG + 2;
    char *prefix = bf_malloc(n);
    char *dir = bf_io_dir_of(path);
    unsigned removed = 0;
    if (!prefix || !dir)
        goto out;
    /* ".NAME.bootfix-" then, anywhere after it, ".bootfix-tmp-": the
       file's own temporary files and those of its backups
       (".NAME.bootfix-<time>.bak.bootfix-tmp-..."), never a commit record */
    snprintf(prefix, n, ".%s.bootfix-", base);
    size_t plen = strlen(prefix);
#ifdef _WIN32
    char *pattern = bf_malloc(strlen(dir) + plen + sizeof BF_IO_TMP_TAG + 4);
    if (!pattern)
        goto out;
    sprintf(pattern, "%s\\%s*" BF_IO_TMP_TAG "*", dir, prefix);
    WIN32_FIND_DATAA fd;
    HANDLE fh = FindFirstFileA(pattern, &fd);
    free(pattern);
    if (fh != INVALID_HANDLE_VALUE) {
        do {
            char *p = bf_io_path_join(dir, fd.cFileName);
            if (p && DeleteFileA(p))
                removed++;
            free(p);
        } while (FindNextFileA(fh, &fd));
        FindClose(fh);
    }
#else
    DIR *d = opendir(dir);
    if (!d)
        goto out;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, prefix, plen) != 0 || !strstr(de->d_name + 1 + strlen(base), BF_IO_TMP_TAG))
            continue;
        char *p = bf_io_path_join(dir, de->d_name);
        struct stat st;
        /* only files and symbolic links: never a folder */
        if (p && lstat(p, &st) == 0 && !S_ISDIR(st.st_mode) && unlink(p) == 0)
            removed++;
        free(p);
    }
    closedir(d);
#endif
out:
    free(prefix);
    free(dir);
    return removed;
}
